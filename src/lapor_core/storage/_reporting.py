"""
What the SQL stores share to compute the indicators in SQL (``indicators``, ``musrenbang``).

Each backend writes its own ``SELECT ... GROUP BY`` over the projection; this module checks
the arguments and turns the aggregated records into
:class:`~lapor_core.reports.indicators.AgencyIndicators` and
:class:`~lapor_core.reports.indicators.MusrenbangRow`, in the order of the pure-Python
reference (:func:`~lapor_core.reports.indicators.compute_indicators`).

``lapor_core.reports`` imports the storage port, so it is imported here lazily, inside the
functions: importing :mod:`lapor_core.storage` must not import the reports.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import require_aware
from lapor_core.errors import ValidationError

if TYPE_CHECKING:
    from lapor_core.reports.indicators import AgencyIndicators, MusrenbangRow

__all__ = [
    "OPEN_STATUSES",
    "check_window",
    "indicators_from",
    "musrenbang_from",
    "region_length",
]

OPEN_STATUSES = tuple(
    s.value for s in (Status.SUBMITTED, Status.ON_HOLD, Status.FORWARDED, Status.IN_PROGRESS)
)
"""Status values counted in the backlog (not terminal)."""

_REGION_LENGTHS = {1: 2, 2: 5, 3: 8, 4: 13}  # 64 / 64.72 / 64.72.01 / 64.72.01.1001

MICROS_PER_HOUR = 3_600_000_000
"""Epoch microseconds in an hour (SQLite keeps datetimes as epoch microseconds)."""


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
    :func:`~lapor_core.reports.indicators.compute_musrenbang` does.

    Raises:
        ValidationError: *level* is not 1, 2, 3 or 4.

    .. versionadded:: 0.1.0
    """
    if isinstance(level, bool) or level not in _REGION_LENGTHS:
        raise ValidationError(
            f"region level must be 1 (province), 2 (regency or city), 3 (district) or "
            f"4 (village), got {level!r}"
        )
    return _REGION_LENGTHS[level]


def _hours(value: float | None) -> float | None:
    return None if value is None else float(value)


def indicators_from(records: Iterable[Sequence[Any]]) -> tuple[AgencyIndicators, ...]:
    """
    Indicators from aggregated records, sorted by agency (code-point order).

    Each record holds, in order: agency, received, forwarded, followed up, completed, in
    progress, archived, backlog, closed automatically, re-routed complaints, re-routings,
    breaches, escalations, Ombudsman-eligible, mean hours to forward, mean hours from
    forward to first follow-up.

    .. versionadded:: 0.1.0
    """
    from lapor_core.reports.indicators import AgencyIndicators  # noqa: PLC0415 - import cycle

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
    from lapor_core.reports.indicators import MusrenbangRow  # noqa: PLC0415 - import cycle

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
