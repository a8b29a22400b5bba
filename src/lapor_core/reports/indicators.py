"""
The ministry's indicators per agency and period, and the *Musrenbang* export.

Indicators follow the KemenPAN-RB evaluation of SP4N-LAPOR! (domain.md §6: share followed
up, completed, in progress) and the ones the spec recommends computing (time to forward,
time to first follow-up, SLA breaches, re-routings, automatic closes, backlog). Each
complaint counts once, for the agency responsible for it (its lead assignee, or the agency
that must still verify it).

Stores that can aggregate in SQL implement :class:`ReportingStore`; for any other store
the same figures are computed here from the projection rows (:func:`compute_indicators`),
which is also the reference the SQL is tested against.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import RegionCode, require_aware
from lapor_core.storage._reporting import region_length
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, ComplaintStore

__all__ = [
    "AgencyIndicators",
    "MusrenbangRow",
    "ReportingStore",
    "agencies_without_decree",
    "compute_indicators",
    "compute_musrenbang",
    "indicators",
    "indicators_csv",
    "indicators_json",
    "indicators_table",
    "musrenbang",
    "musrenbang_csv",
    "musrenbang_json",
]

_OPEN = frozenset({Status.SUBMITTED, Status.ON_HOLD, Status.FORWARDED, Status.IN_PROGRESS})


@attrs.frozen
class AgencyIndicators:
    """
    The figures of one agency for one period (complaints submitted in the period).

    .. versionadded:: 0.1.0
    """

    agency: str
    received: int
    forwarded: int
    followed_up: int
    completed: int
    in_progress: int
    archived: int
    backlog: int
    auto_closed: int
    rerouted: int
    reroutings: int
    breaches: int
    escalations: int
    ombudsman_eligible: int
    hours_to_forward: float | None
    hours_to_follow_up: float | None

    @property
    def share_followed_up(self) -> float:
        """Followed up / received (the ministry's "% ditindaklanjuti")."""
        return self.followed_up / self.received if self.received else 0.0

    @property
    def share_completed(self) -> float:
        """Completed / received ("% selesai")."""
        return self.completed / self.received if self.received else 0.0

    @property
    def share_in_progress(self) -> float:
        """In progress / received ("% proses")."""
        return self.in_progress / self.received if self.received else 0.0


@attrs.frozen
class MusrenbangRow:
    """
    Complaints by region and category: input for development planning (*Musrenbang*).

    .. versionadded:: 0.1.0
    """

    region: str
    category: str
    complaints: int
    completed: int
    backlog: int


@runtime_checkable
class ReportingStore(Protocol):
    """
    A store that computes the indicators itself (in SQL), without loading complaints.

    .. versionadded:: 0.1.0
    """

    def indicators(self, since: datetime, until: datetime) -> tuple[AgencyIndicators, ...]:
        """Figures per responsible agency for complaints submitted in [since, until)."""
        ...

    def musrenbang(self, since: datetime, until: datetime, level: int) -> tuple[MusrenbangRow, ...]:
        """Complaints by region (cut to *level*) and category for [since, until)."""
        ...


def _rows(store: ComplaintStore, since: datetime, until: datetime) -> Iterator[ComplaintRow]:
    cursor = None
    while True:
        page = store.query(
            ComplaintQuery(submitted_from=since, submitted_before=until, cursor=cursor, limit=1000)
        )
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def compute_indicators(rows: Iterable[ComplaintRow]) -> tuple[AgencyIndicators, ...]:
    """
    The indicators from projection rows, in Python (the reference for the SQL path).

    .. versionadded:: 0.1.0
    """
    groups: dict[str, list[ComplaintRow]] = {}
    for row in rows:
        groups.setdefault(row.responsible, []).append(row)
    out = []
    for agency in sorted(groups):
        items = groups[agency]
        forward_hours = [
            (r.first_forwarded_at - r.submitted_at).total_seconds() / 3600
            for r in items
            if r.first_forwarded_at is not None
        ]
        follow_hours = [
            (r.first_follow_up_at - r.first_forwarded_at).total_seconds() / 3600
            for r in items
            if r.first_follow_up_at is not None and r.first_forwarded_at is not None
        ]
        out.append(
            AgencyIndicators(
                agency=agency,
                received=len(items),
                forwarded=sum(r.first_forwarded_at is not None for r in items),
                followed_up=sum(r.first_follow_up_at is not None for r in items),
                completed=sum(r.status is Status.COMPLETED for r in items),
                in_progress=sum(r.status is Status.IN_PROGRESS for r in items),
                archived=sum(r.status is Status.ARCHIVED for r in items),
                backlog=sum(r.status in _OPEN for r in items),
                auto_closed=sum(r.closed_automatically for r in items),
                rerouted=sum(r.reroutings > 0 for r in items),
                reroutings=sum(r.reroutings for r in items),
                breaches=sum(r.breaches for r in items),
                escalations=sum(r.escalations for r in items),
                ombudsman_eligible=sum(r.ombudsman_eligible for r in items),
                hours_to_forward=_mean(forward_hours),
                hours_to_follow_up=_mean(follow_hours),
            )
        )
    return tuple(out)


def _cut(region: str | None, level: int) -> str:
    if region is None:
        return "-"
    code: RegionCode | None = RegionCode(region)
    while code is not None and code.level > level:
        code = code.parent
    return code.value if code is not None else "-"


def compute_musrenbang(rows: Iterable[ComplaintRow], level: int = 2) -> tuple[MusrenbangRow, ...]:
    """
    The *Musrenbang* aggregation from projection rows, in Python.

    Raises:
        ValidationError: *level* is not 1, 2, 3 or 4.

    .. versionadded:: 0.1.0
    """
    region_length(level)
    groups: dict[tuple[str, str], list[ComplaintRow]] = {}
    for row in rows:
        key = (_cut(row.region, level), row.category or "-")
        groups.setdefault(key, []).append(row)
    return tuple(
        MusrenbangRow(
            region=region,
            category=category,
            complaints=len(items),
            completed=sum(r.status is Status.COMPLETED for r in items),
            backlog=sum(r.status in _OPEN for r in items),
        )
        for (region, category), items in sorted(groups.items())
    )


def _window(since: datetime, until: datetime) -> None:
    require_aware(since, "since")
    require_aware(until, "until")


def indicators(
    store: ComplaintStore, since: datetime, until: datetime
) -> tuple[AgencyIndicators, ...]:
    """
    Indicators per agency for complaints submitted in [since, until).

    Computed in SQL where the store can, else from the projection rows.

    .. versionadded:: 0.1.0
    """
    _window(since, until)
    if isinstance(store, ReportingStore):
        return store.indicators(since, until)
    return compute_indicators(_rows(store, since, until))


def musrenbang(
    store: ComplaintStore, since: datetime, until: datetime, level: int = 2
) -> tuple[MusrenbangRow, ...]:
    """
    Complaints by region (cut to *level*: 1 province, 2 regency or city) and category.

    Raises:
        ValidationError: A naive bound, or *level* is not 1, 2, 3 or 4.

    .. versionadded:: 0.1.0
    """
    _window(since, until)
    region_length(level)
    if isinstance(store, ReportingStore):
        return store.musrenbang(since, until, level)
    return compute_musrenbang(_rows(store, since, until), level)


def agencies_without_decree(registry: AgencyRegistry) -> tuple[str, ...]:
    """
    Ids of the K/L/D that have no decree (*SK*) appointing their complaint team.

    .. versionadded:: 0.1.0
    """
    return tuple(a.id for a in registry if a.kind.is_top_level and not a.has_decree)


_INDICATOR_FIELDS = (
    "agency",
    "received",
    "forwarded",
    "followed_up",
    "share_followed_up",
    "completed",
    "share_completed",
    "in_progress",
    "share_in_progress",
    "archived",
    "backlog",
    "auto_closed",
    "rerouted",
    "reroutings",
    "breaches",
    "escalations",
    "ombudsman_eligible",
    "hours_to_forward",
    "hours_to_follow_up",
)


def _record(item: AgencyIndicators) -> dict[str, object]:
    record: dict[str, object] = {}
    for name in _INDICATOR_FIELDS:
        value = getattr(item, name)
        record[name] = round(value, 4) if isinstance(value, float) else value
    return record


def indicators_json(items: Sequence[AgencyIndicators]) -> str:
    """
    The indicators as a JSON array of objects.

    .. versionadded:: 0.1.0
    """
    return json.dumps([_record(i) for i in items], ensure_ascii=False, indent=2) + "\n"


def indicators_csv(items: Sequence[AgencyIndicators]) -> str:
    """
    The indicators as CSV with a header row.

    .. versionadded:: 0.1.0
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_INDICATOR_FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow(_record(item))
    return out.getvalue()


def _total(items: Sequence[AgencyIndicators]) -> AgencyIndicators:
    def weighted(name: str, weight: str) -> float | None:
        pairs = [
            (getattr(i, name), getattr(i, weight)) for i in items if getattr(i, name) is not None
        ]
        count = sum(w for _, w in pairs)
        return sum(v * w for v, w in pairs) / count if count else None

    ints = {
        name: sum(getattr(i, name) for i in items)
        for name in (
            "received", "forwarded", "followed_up", "completed", "in_progress", "archived",
            "backlog", "auto_closed", "rerouted", "reroutings", "breaches", "escalations",
            "ombudsman_eligible",
        )
    }  # fmt: skip
    return AgencyIndicators(
        agency="(all)",
        hours_to_forward=weighted("hours_to_forward", "forwarded"),
        hours_to_follow_up=weighted("hours_to_follow_up", "followed_up"),
        **ints,
    )


def indicators_table(items: Sequence[AgencyIndicators], *, top: int | None = None) -> str:
    """
    A plain-text table: the totals first, then the agencies with most complaints.

    .. versionadded:: 0.1.0
    """
    header = (
        f"{'agency':<28} {'received':>8} {'followed':>8} {'%fol':>6} {'done':>6} {'%done':>6} "
        f"{'%proc':>6} {'backlog':>7} {'h->fwd':>7} {'h->f/u':>7} {'breach':>6} {'rerout':>6}"
    )

    def line(i: AgencyIndicators) -> str:
        fwd = f"{i.hours_to_forward:7.1f}" if i.hours_to_forward is not None else f"{'-':>7}"
        fol = f"{i.hours_to_follow_up:7.1f}" if i.hours_to_follow_up is not None else f"{'-':>7}"
        return (
            f"{i.agency[:28]:<28} {i.received:>8} {i.followed_up:>8} "
            f"{i.share_followed_up:>6.0%} {i.completed:>6} {i.share_completed:>6.0%} "
            f"{i.share_in_progress:>6.0%} {i.backlog:>7} {fwd} {fol} {i.breaches:>6} "
            f"{i.reroutings:>6}"
        )

    ranked = sorted(items, key=lambda i: (-i.received, i.agency))
    if top is not None:
        ranked = ranked[:top]
    lines = [header, "-" * len(header), line(_total(items)), *(line(i) for i in ranked)]
    return "\n".join(lines) + "\n"


def musrenbang_csv(items: Sequence[MusrenbangRow]) -> str:
    """
    The *Musrenbang* export as CSV.

    .. versionadded:: 0.1.0
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", "category", "complaints", "completed", "backlog"])
    for row in items:
        writer.writerow([row.region, row.category, row.complaints, row.completed, row.backlog])
    return out.getvalue()


def musrenbang_json(items: Sequence[MusrenbangRow]) -> str:
    """
    The *Musrenbang* export as JSON.

    .. versionadded:: 0.1.0
    """
    return json.dumps([attrs.asdict(r) for r in items], ensure_ascii=False, indent=2) + "\n"
