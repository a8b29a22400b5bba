"""
The reporting port: the rows of the ministry's figures and the stores that compute them.

:class:`AgencyIndicators` and :class:`MusrenbangRow` are what
:func:`lapor_core.reports.indicators` and :func:`lapor_core.reports.musrenbang` return.
A store that can aggregate in SQL implements :class:`ReportingStore` (the SQLite and
PostgreSQL stores do, and the in-memory store with :func:`compute_indicators`); for any
other store the reports page through its rows (:class:`RowSource`) and compute the same
figures here, which is also the reference the SQL is tested against.

This module sits below :mod:`lapor_core.storage` and :mod:`lapor_core.reports`, so the
stores implement the port without importing the reports, and the reports read any store
without importing the storage package. Its names are re-exported from
:mod:`lapor_core.reports.indicators` and :mod:`lapor_core.reports`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from lapor_core.domain.model import RegionCode, Status, require_aware
from lapor_core.errors import N_, ValidationError
from lapor_core.ports.projection import ComplaintQuery, ComplaintRow, Page

__all__ = [
    "BACKLOG_STATUSES",
    "AgencyIndicators",
    "MusrenbangRow",
    "ReportingStore",
    "RowSource",
    "check_window",
    "compute_indicators",
    "compute_musrenbang",
    "region_length",
]

BACKLOG_STATUSES: frozenset[Status] = frozenset(
    {Status.SUBMITTED, Status.ON_HOLD, Status.FORWARDED, Status.IN_PROGRESS}
)
"""
The statuses counted in the backlog: every status that is not terminal.

.. versionadded:: 0.1.0
"""

_REGION_LENGTHS = {1: 2, 2: 5, 3: 8, 4: 13}  # 64 / 64.72 / 64.72.01 / 64.72.01.1001


@attrs.frozen
class AgencyIndicators:
    """
    The figures of one agency for one period (complaints submitted in the period).

    ``breaches`` counts every recorded breach, split in three: :attr:`agency_breaches`
    (deadlines the agencies missed: forwarding, follow-up, the statutory ones),
    ``reporter_timeouts`` (clocks the reporter let run out: the reply window closed, the
    information asked for not supplied) and ``warning_breaches`` (breaches that only
    warn: the service standard). Hours are calendar hours.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``reporter_timeouts``, ``warning_breaches``,
       :attr:`agency_breaches`.
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
    reporter_timeouts: int = 0
    warning_breaches: int = 0

    @property
    def agency_breaches(self) -> int:
        """Deadlines the agencies missed: the breaches neither the reporter's nor warnings.

        .. versionadded:: 0.2.0
        """
        return self.breaches - self.reporter_timeouts - self.warning_breaches

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


@runtime_checkable
class RowSource(Protocol):
    """
    Anything that pages through projection rows: every complaint store is one.

    .. versionadded:: 0.1.0
    """

    def query(self, query: ComplaintQuery) -> Page:
        """Filtered, stably ordered, paginated projection rows."""
        ...


def check_window(since: datetime, until: datetime) -> None:
    """
    Check a reporting window: two aware instants.

    Raises:
        ValidationError: A bound is naive or not a datetime.

    .. versionadded:: 0.1.0
    """
    require_aware(since, "since")
    require_aware(until, "until")


def region_length(level: int) -> int:
    """
    How many characters of a region code a *level* keeps (``64.72`` is level 2: 5).

    A code shorter than that (a province at level 2) is kept whole, as
    :func:`compute_musrenbang` does.

    Raises:
        ValidationError: *level* is not 1, 2, 3 or 4.

    .. versionadded:: 0.1.0
    """
    if isinstance(level, bool) or level not in _REGION_LENGTHS:
        raise ValidationError(
            N_(
                "region level must be 1 (province), 2 (regency or city), 3 (district) or "
                "4 (village), got {level!r}"
            ),
            level=level,
        )
    return _REGION_LENGTHS[level]


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
                backlog=sum(r.status in BACKLOG_STATUSES for r in items),
                auto_closed=sum(r.closed_automatically for r in items),
                rerouted=sum(r.reroutings > 0 for r in items),
                reroutings=sum(r.reroutings for r in items),
                breaches=sum(r.breaches for r in items),
                escalations=sum(r.escalations for r in items),
                ombudsman_eligible=sum(r.ombudsman_eligible for r in items),
                hours_to_forward=_mean(forward_hours),
                hours_to_follow_up=_mean(follow_hours),
                reporter_timeouts=sum(r.reporter_timeouts for r in items),
                warning_breaches=sum(r.warning_breaches for r in items),
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
            backlog=sum(r.status in BACKLOG_STATUSES for r in items),
        )
        for (region, category), items in sorted(groups.items())
    )
