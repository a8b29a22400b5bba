"""
A synthetic period of SP4N-LAPOR! traffic through the real :class:`ComplaintService`.

Deterministic for a seed: arrivals by weekday and hour, kinds, categories, regions and
agencies from a registry; reporters who reply, stay silent or give more information;
agencies that follow up on time, late, or reject a report as *bukan wewenang*; the
sweeper running every simulated hour. Used by ``lapor-core simulate``.

This module holds the configuration, the synthetic national registry and the run loop;
the traffic model (who does what, and when) is a private module beside it.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import heapq
import random
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs

from lapor_core._simulate_traffic import World
from lapor_core.domain.agencies import Agency, AgencyKind, AgencyRegistry
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import RegionCode
from lapor_core.errors import LaporError
from lapor_core.service import ComplaintService, ManualClock
from lapor_core.storage.base import ComplaintQuery, ComplaintStore

__all__ = ["SimulationConfig", "SimulationResult", "national_registry", "simulate"]

NATIONAL_PER_YEAR = 200_000
"""Reports a year nationally (domain.md §6: about 10^5 to 2·10^5)."""
REGIONAL_PER_YEAR = 1_000
"""Reports a year in East Kalimantan (domain.md §6, insitekaltim 2025)."""


@attrs.frozen
class SimulationConfig:
    """
    Parameters of a simulated period.

    Attributes:
        days: Length of the period.
        seed: Random seed; the same seed gives the same run.
        start: First instant (aware).
        per_year: Reports a year (default: regional or national scale).
        national: Use the synthetic national registry (about 650 K/L/D).

    .. versionadded:: 0.1.0
    """

    days: int = 90
    seed: int = 1
    start: datetime = datetime(2025, 1, 6, tzinfo=UTC)
    per_year: int | None = None
    national: bool = False

    @property
    def rate_per_year(self) -> int:
        """Reports a year."""
        if self.per_year is not None:
            return self.per_year
        return NATIONAL_PER_YEAR if self.national else REGIONAL_PER_YEAR


@attrs.frozen
class SimulationResult:
    """
    What a simulation did.

    Attributes:
        refused: Commands the workflow refused (the simulated people try things the
            rules forbid: a late reply, a forward to an agency without its decree).
        refusals: The refused commands by kind, such as ``"Reply (InvalidTransition)"``,
            with one example refusal each: ``{kind: (count, error)}`` (``str(error)`` is
            its English message, ``error.translate(...)`` another language's).

    .. versionadded:: 0.1.0
    """

    complaints: int
    commands: int
    refused: int
    events: int
    sweeps: int
    elapsed: float
    peak_memory: int
    by_status: dict[str, int]
    refusals: dict[str, tuple[int, LaporError]] = attrs.field(factory=dict)

    def refusal_summary(self, limit: int = 3) -> str:
        """
        The refusals in words, most frequent first: ``"2 Forward (PermissionDenied), ..."``.

        .. versionadded:: 0.2.0
        """
        ranked = sorted(self.refusals.items(), key=lambda item: (-item[1][0], item[0]))
        parts = [f"{count} {kind}" for kind, (count, _) in ranked[:limit]]
        if len(ranked) > limit:
            parts.append(f"{len(ranked) - limit} other kinds")
        return ", ".join(parts)

    @property
    def events_per_second(self) -> float:
        """Events written per wall-clock second."""
        return self.events / self.elapsed if self.elapsed else 0.0


def national_registry(seed: int = 7) -> AgencyRegistry:
    """
    A synthetic national agency tree of about 650 K/L/D (domain.md §6 sizing).

    34 ministries, 90 other institutions, 38 provinces and about 500 regencies and cities,
    each with an inspectorate and offices with a liaison officer. Names and region codes
    are synthetic.

    .. versionadded:: 0.1.0
    """
    rng = random.Random(seed)
    agencies = [Agency("lapor", "Admin Nasional SP4N-LAPOR!", AgencyKind.NATIONAL)]
    zones = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")

    def unit_tree(parent: str, region: RegionCode | None, zone: str, offices: int) -> None:
        agencies.append(
            Agency(f"{parent}.inspektorat", f"Inspektorat {parent}", AgencyKind.INSPECTORATE,
                   parent, region, zone)
        )  # fmt: skip
        for n in range(1, offices + 1):
            office = f"{parent}.dinas{n}"
            agencies.append(
                Agency(office, f"Dinas {n} {parent}", AgencyKind.OFFICE, parent, region, zone)
            )
            agencies.append(
                Agency(f"{office}.penghubung", f"Penghubung {office}", AgencyKind.LIAISON,
                       office, region, zone)
            )  # fmt: skip

    sectors = ("Pendidikan", "Kesehatan", "Dalam Negeri", "Pekerjaan Umum")
    for i in range(1, 35):
        name = f"Kementerian {sectors[i - 1]}" if i <= len(sectors) else f"Kementerian {i}"
        agencies.append(Agency(f"kem{i:02d}", name, AgencyKind.MINISTRY, "lapor"))
        unit_tree(f"kem{i:02d}", None, "Asia/Jakarta", 2)
    for i in range(1, 91):
        agencies.append(Agency(f"lem{i:02d}", f"Lembaga {i}", AgencyKind.INSTITUTION, "lapor"))
        unit_tree(f"lem{i:02d}", None, "Asia/Jakarta", 1)
    province_codes = [str(c) for c in range(11, 95)][:38]
    regencies = 0
    for index, code in enumerate(province_codes):
        zone = zones[0] if index < 26 else zones[1] if index < 33 else zones[2]
        pid = f"prov{code}"
        region = RegionCode(code)
        decree = rng.random() > 0.03
        agencies.append(
            Agency(pid, f"Provinsi {code}", AgencyKind.PROVINCE, "lapor", region, zone, decree)
        )
        unit_tree(pid, region, zone, 2)
        count = 13 if index < 34 else 14
        for n in range(1, count + 1):
            city = n > count - 2
            sub = f"{71 + n - (count - 1)}" if city else f"{n:02d}"
            rid = f"{pid}.{'kota' if city else 'kab'}{sub}"
            sub_region = RegionCode(f"{code}.{sub}")
            agencies.append(
                Agency(rid, f"{'Kota' if city else 'Kabupaten'} {code}.{sub}",
                       AgencyKind.CITY if city else AgencyKind.REGENCY, pid, sub_region, zone,
                       rng.random() > 0.05)
            )  # fmt: skip
            unit_tree(rid, sub_region, zone, 2)
            regencies += 1
    return AgencyRegistry(agencies)


def _run_hour(
    world: World, service: ComplaintService, clock: ManualClock, hour_start: datetime
) -> None:
    """One simulated hour: its arrivals and due actions in one batch, then the sweep."""
    hour_end = hour_start + timedelta(hours=1)
    world.arrivals(hour_start)
    with service.batch():
        while world.queue and world.queue[0][0] < hour_end:
            when, _, action = heapq.heappop(world.queue)
            action(max(when, clock.now()))
            clock.set(max(when, clock.now()))
    with service.batch():
        service.sweep(hour_end, claimant="simulator", batch=1_000_000)
    clock.set(hour_end)


def _stored(store: ComplaintStore) -> tuple[int, dict[str, int]]:
    """The number of events stored, and of complaints by status."""
    # Streams are numbered 1..n without gaps, so a row's version is its stream's event
    # count: one pass over the rows' versions, status by status, counts both (reading the
    # log back would decode every event, and full rows cost about four times as much).
    events = 0
    by_status = {status.value: 0 for status in Status}
    for status in Status:
        cursor = None
        while True:
            query = ComplaintQuery(statuses=frozenset({status}), cursor=cursor, limit=1000)
            page = store.versions(query)
            events += sum(row.version for row in page.items)
            by_status[status.value] += len(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
    return events, by_status


def simulate(
    service: ComplaintService,
    config: SimulationConfig,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """
    Run a simulated period through *service* (whose store should start empty).

    Each simulated hour: arrivals and scheduled actions are handled in one batch (one
    transaction), then the sweeper issues the clock commands owed at the end of the hour.

    Args:
        service: A service over the store to fill; its clock is not used (instants are
            passed explicitly).
        config: The period, seed and scale.
        progress: Called with (hours done, hours in all) after each hour.

    .. versionadded:: 0.1.0
    """
    rng = random.Random(config.seed)
    world = World(service, service.context.registry, rng=rng, per_year=config.rate_per_year)
    hours = config.days * 24
    started = time.perf_counter()
    clock = ManualClock(config.start)
    for hour in range(hours):
        _run_hour(world, service, clock, config.start + timedelta(hours=hour))
        if progress is not None:
            progress(hour + 1, hours)
    elapsed = time.perf_counter() - started
    # The actions still scheduled refer back to the world; dropping them lets the world
    # (and through it the service's states, if the caller lets go of the service) be
    # freed as soon as this returns, not at the cyclic collector's next full pass.
    world.queue.clear()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    events, by_status = _stored(service.store)
    return SimulationResult(
        complaints=world.submitted,
        commands=world.commands,
        refused=world.refused,
        events=events,
        sweeps=hours,  # one sweep at the end of every simulated hour
        elapsed=elapsed,
        peak_memory=peak,
        by_status=by_status,
        refusals={
            kind: (count, world.refusal_examples[kind]) for kind, count in world.refusals.items()
        },
    )
