"""
The ministry's indicators per agency and period, and the *Musrenbang* export.

Indicators follow the KemenPAN-RB evaluation of SP4N-LAPOR! (domain.md §6: share followed
up, completed, in progress) and the ones the spec recommends computing (time to forward,
time to first follow-up, SLA breaches, re-routings, automatic closes, backlog). Each
complaint counts once, for the agency responsible for it (its lead assignee, or the agency
that must still verify it).

Stores that can aggregate in SQL implement
:class:`~lapor_core.ports.reporting.ReportingStore`; for any other store the same figures
are computed from the projection rows
(:func:`~lapor_core.ports.reporting.compute_indicators`, the reference the SQL is tested
against). The rows, the port and the reference live in :mod:`lapor_core.ports.reporting`,
below both the stores and this module, and are re-exported here.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Final

import attrs

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.i18n import N_, translator
from lapor_core.ports.projection import ComplaintQuery, ComplaintRow
from lapor_core.ports.reporting import (
    AgencyIndicators,
    MusrenbangRow,
    ReportingStore,
    RowSource,
    check_window,
    compute_indicators,
    compute_musrenbang,
    region_length,
)

__all__ = [
    "INDICATOR_LEGEND",
    "AgencyIndicators",
    "MusrenbangRow",
    "ReportingStore",
    "RowSource",
    "agencies_without_decree",
    "compute_indicators",
    "compute_musrenbang",
    "indicators",
    "indicators_cells",
    "indicators_csv",
    "indicators_json",
    "indicators_legend",
    "indicators_table",
    "musrenbang",
    "musrenbang_csv",
    "musrenbang_json",
]

_TOTAL_AGENCY: Final = "(all)"
# The agency name of the totals row, shown translated in the table.


def _rows(store: RowSource, since: datetime, until: datetime) -> Iterator[ComplaintRow]:
    cursor = None
    while True:
        page = store.query(
            ComplaintQuery(submitted_from=since, submitted_before=until, cursor=cursor, limit=1000)
        )
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def indicators(store: RowSource, since: datetime, until: datetime) -> tuple[AgencyIndicators, ...]:
    """
    Indicators per agency for complaints submitted in [since, until).

    Computed by the store where it implements :class:`ReportingStore` (in SQL), else
    from its projection rows with :func:`compute_indicators`.

    Args:
        store: Any complaint store (anything with ``query``).
        since: The first instant of the period (aware).
        until: The end of the period, excluded (aware).

    Raises:
        ValidationError: A naive bound.

    .. versionadded:: 0.1.0
    """
    check_window(since, until)
    if isinstance(store, ReportingStore):
        return store.indicators(since, until)
    return compute_indicators(_rows(store, since, until))


def musrenbang(
    store: RowSource, since: datetime, until: datetime, level: int = 2
) -> tuple[MusrenbangRow, ...]:
    """
    Complaints by region (cut to *level*: 1 province, 2 regency or city) and category.

    Raises:
        ValidationError: A naive bound, or *level* is not 1, 2, 3 or 4.

    .. versionadded:: 0.1.0
    """
    check_window(since, until)
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
    "agency_breaches",
    "reporter_timeouts",
    "warning_breaches",
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
            "ombudsman_eligible", "reporter_timeouts", "warning_breaches",
        )
    }  # fmt: skip
    return AgencyIndicators(
        agency=_TOTAL_AGENCY,
        hours_to_forward=weighted("hours_to_forward", "forwarded"),
        hours_to_follow_up=weighted("hours_to_follow_up", "followed_up"),
        **ints,
    )


_Column = tuple[str, int, Callable[[AgencyIndicators], str]]


def _hours(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


_COLUMNS: Final[tuple[_Column, ...]] = (
    (N_("received"), 8, lambda i: str(i.received)),
    (N_("followed"), 8, lambda i: str(i.followed_up)),
    (N_("fol%"), 6, lambda i: f"{i.share_followed_up:.0%}"),
    (N_("done"), 6, lambda i: str(i.completed)),
    (N_("done%"), 6, lambda i: f"{i.share_completed:.0%}"),
    (N_("proc%"), 6, lambda i: f"{i.share_in_progress:.0%}"),
    (N_("backlog"), 7, lambda i: str(i.backlog)),
    (N_("h->fwd"), 7, lambda i: _hours(i.hours_to_forward)),
    (N_("h->f/u"), 7, lambda i: _hours(i.hours_to_follow_up)),
    (N_("missed"), 6, lambda i: str(i.agency_breaches)),
    (N_("rep-to"), 6, lambda i: str(i.reporter_timeouts)),
    (N_("warn"), 6, lambda i: str(i.warning_breaches)),
    (N_("rerout"), 6, lambda i: str(i.reroutings)),
)


def indicators_cells(
    items: Sequence[AgencyIndicators], *, top: int | None = None, lang: str = "en"
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """
    The table's headers (in *lang*) and its rows as text.

    The totals come first, then the agencies with most complaints (the first *top* of
    them). For a caller that draws its own table (the command line uses ``rich``).

    .. versionadded:: 0.2.0
    """
    _ = translator(lang)
    headers = (_("agency"), *(_(name) for name, _width, _cell in _COLUMNS))

    def row(i: AgencyIndicators) -> tuple[str, ...]:
        name = _("(all)") if i.agency == _TOTAL_AGENCY else i.agency
        return (name, *(cell(i) for _name, _width, cell in _COLUMNS))

    ranked = sorted(items, key=lambda i: (-i.received, i.agency))
    if top is not None:
        ranked = ranked[:top]
    return headers, [row(_total(items)), *(row(i) for i in ranked)]


def indicators_table(
    items: Sequence[AgencyIndicators], *, top: int | None = None, lang: str = "en"
) -> str:
    """
    A plain-text table: the totals first, then the agencies with most complaints.

    The headers are in *lang* (``en`` or ``id``, see :mod:`lapor_core.i18n`); the
    legend of the columns is :func:`indicators_legend`.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *lang*.
    """
    headers, rows = indicators_cells(items, top=top, lang=lang)
    first = max(28, len(headers[0]))
    widths = [
        max(width, len(name))
        for name, (_name, width, _cell) in zip(headers[1:], _COLUMNS, strict=True)
    ]

    def line(cells: tuple[str, ...]) -> str:
        rest = (f"{cell:>{width}}" for cell, width in zip(cells[1:], widths, strict=True))
        return " ".join([f"{cells[0][:first]:<{first}}", *rest])

    header = line(headers)
    return "\n".join([header, "-" * len(header), *(line(r) for r in rows)]) + "\n"


INDICATOR_LEGEND: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (
        (N_("received"),),
        N_("complaints submitted in the period, counted for the agency responsible"),
    ),
    ((N_("followed"),), N_("complaints with a first follow-up (tindak lanjut)")),
    (
        (N_("fol%"), N_("done%"), N_("proc%")),
        N_("share followed up, completed (selesai), in progress (proses)"),
    ),
    ((N_("done"),), N_("completed complaints")),
    ((N_("backlog"),), N_("complaints still open")),
    ((N_("h->fwd"),), N_("mean calendar hours from submission to the first forwarding")),
    ((N_("h->f/u"),), N_("mean calendar hours from the first forwarding to the first follow-up")),
    ((N_("missed"),), N_("agency deadlines missed: forwarding, follow-up, statutory response")),
    ((N_("rep-to"),), N_("reporter timeouts: reply window closed, information not supplied")),
    ((N_("warn"),), N_("service-standard breaches (a warning only: the standard was exceeded)")),
    ((N_("rerout"),), N_("re-routings (forwarded again after a bukan wewenang)")),
)  # fmt: skip
"""
What each column of :func:`indicators_table` means: the columns' headers and the
description, in English; :func:`indicators_legend` translates them.

.. versionadded:: 0.2.0
"""


def indicators_legend(lang: str = "en") -> str:
    """
    The legend of :func:`indicators_table`'s columns, one line each, in *lang* (en, id).

    .. versionadded:: 0.2.0
    """
    _ = translator(lang)
    entries = [(", ".join(_(name) for name in names), _(text)) for names, text in INDICATOR_LEGEND]
    width = max(len(name) for name, _text in entries)
    return "".join(f"  {name:<{width}}  {text}\n" for name, text in entries)


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
