"""
What the SQL stores share to compute the indicators in SQL (``indicators``, ``musrenbang``).

Each backend writes its own ``SELECT ... GROUP BY`` over the projection; this module turns
the aggregated records into the rows of the reporting port
(:class:`~lapor_core.ports.reporting.AgencyIndicators`,
:class:`~lapor_core.ports.reporting.MusrenbangRow`), in the order of the pure-Python
reference (:func:`~lapor_core.ports.reporting.compute_indicators`). The port lives below
both the storage and the reports, so nothing here imports :mod:`lapor_core.reports`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lapor_core.ports.reporting import (
    BACKLOG_STATUSES,
    AgencyIndicators,
    MusrenbangRow,
    check_window,
    region_length,
)

__all__ = [
    "MICROS_PER_HOUR",
    "OPEN_STATUSES",
    "check_window",
    "indicators_from",
    "musrenbang_from",
    "region_length",
]

OPEN_STATUSES: tuple[str, ...] = tuple(sorted(s.value for s in BACKLOG_STATUSES))
"""Status values counted in the backlog (not terminal), as SQL parameters."""

MICROS_PER_HOUR = 3_600_000_000
"""Epoch microseconds in an hour (SQLite keeps datetimes as epoch microseconds)."""


def _hours(value: float | None) -> float | None:
    return None if value is None else float(value)


def indicators_from(records: Iterable[Sequence[Any]]) -> tuple[AgencyIndicators, ...]:
    """
    Indicators from aggregated records, sorted by agency (code-point order).

    Each record holds, in order: agency, received, forwarded, followed up, completed, in
    progress, archived, backlog, closed automatically, re-routed complaints, re-routings,
    breaches, escalations, Ombudsman-eligible, mean hours to forward, mean hours from
    forward to first follow-up, reporter timeouts, warning breaches.

    .. versionadded:: 0.1.0
    """
    out = [
        AgencyIndicators(
            agency=str(r[0]),
            received=int(r[1]),
            forwarded=int(r[2]),
            followed_up=int(r[3]),
            completed=int(r[4]),
            in_progress=int(r[5]),
            archived=int(r[6]),
            backlog=int(r[7]),
            auto_closed=int(r[8]),
            rerouted=int(r[9]),
            reroutings=int(r[10]),
            breaches=int(r[11]),
            escalations=int(r[12]),
            ombudsman_eligible=int(r[13]),
            hours_to_forward=_hours(r[14]),
            hours_to_follow_up=_hours(r[15]),
            reporter_timeouts=int(r[16] or 0),
            warning_breaches=int(r[17] or 0),
        )
        for r in records
    ]
    out.sort(key=lambda i: i.agency)
    return tuple(out)


def musrenbang_from(records: Iterable[Sequence[Any]]) -> tuple[MusrenbangRow, ...]:
    """
    *Musrenbang* rows from aggregated records, sorted by (region, category).

    Each record holds: region (cut, ``"-"`` when unknown), category (``"-"`` when
    unknown), complaints, completed, backlog.

    .. versionadded:: 0.1.0
    """
    out = [
        MusrenbangRow(
            region=str(r[0]),
            category=str(r[1]),
            complaints=int(r[2]),
            completed=int(r[3]),
            backlog=int(r[4]),
        )
        for r in records
    ]
    out.sort(key=lambda m: (m.region, m.category))
    return tuple(out)
