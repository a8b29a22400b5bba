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
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Final

import attrs

from lapor_core.domain.agencies import AgencyRegistry
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
    "indicators_csv",
    "indicators_json",
    "indicators_legend",
    "indicators_table",
    "musrenbang",
    "musrenbang_csv",
    "musrenbang_json",
]


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
        f"{'%proc':>6} {'backlog':>7} {'h->fwd':>7} {'h->f/u':>7} {'missed':>6} "
        f"{'rep-to':>6} {'warn':>6} {'rerout':>6}"
    )

    def line(i: AgencyIndicators) -> str:
        fwd = f"{i.hours_to_forward:7.1f}" if i.hours_to_forward is not None else f"{'-':>7}"
        fol = f"{i.hours_to_follow_up:7.1f}" if i.hours_to_follow_up is not None else f"{'-':>7}"
        return (
            f"{i.agency[:28]:<28} {i.received:>8} {i.followed_up:>8} "
            f"{i.share_followed_up:>6.0%} {i.completed:>6} {i.share_completed:>6.0%} "
            f"{i.share_in_progress:>6.0%} {i.backlog:>7} {fwd} {fol} {i.agency_breaches:>6} "
            f"{i.reporter_timeouts:>6} {i.warning_breaches:>6} {i.reroutings:>6}"
        )

    ranked = sorted(items, key=lambda i: (-i.received, i.agency))
    if top is not None:
        ranked = ranked[:top]
    lines = [header, "-" * len(header), line(_total(items)), *(line(i) for i in ranked)]
    return "\n".join(lines) + "\n"


INDICATOR_LEGEND: Final = {
    "en": (
        ("received", "complaints submitted in the period, counted for the agency responsible"),
        ("followed", "complaints with a first follow-up (tindak lanjut)"),
        ("%fol, %done, %proc", "share followed up, completed (selesai), in progress (proses)"),
        ("done", "completed complaints"),
        ("backlog", "complaints still open"),
        ("h->fwd", "mean calendar hours from submission to the first forwarding"),
        ("h->f/u", "mean calendar hours from the first forwarding to the first follow-up"),
        ("missed", "agency deadlines missed: forwarding, follow-up, statutory response"),
        ("rep-to", "reporter timeouts: reply window closed, information not supplied"),
        ("warn", "service-standard breaches (a warning only: the standard was exceeded)"),
        ("rerout", "re-routings (forwarded again after a bukan wewenang)"),
    ),
    "id": (
        ("received", "laporan masuk pada periode, dihitung untuk instansi penanggung jawab"),
        ("followed", "laporan yang sudah ditindaklanjuti"),
        ("%fol, %done, %proc", "persentase ditindaklanjuti, selesai, proses"),
        ("done", "laporan selesai"),
        ("backlog", "laporan yang masih terbuka"),
        ("h->fwd", "rata-rata jam kalender dari laporan masuk ke disposisi pertama"),
        ("h->f/u", "rata-rata jam kalender dari disposisi pertama ke tindak lanjut pertama"),
        ("missed", "tenggat instansi terlewati: disposisi, tindak lanjut, tanggapan wajib"),
        ("rep-to", "batas waktu pelapor habis: tanggapan tidak diberikan, informasi tidak ada"),
        ("warn", "standar pelayanan terlampaui (hanya peringatan)"),
        ("rerout", "disposisi ulang (setelah bukan wewenang)"),
    ),
}
"""
What each column of :func:`indicators_table` means, in English and Indonesian.

.. versionadded:: 0.2.0
"""


def indicators_legend(lang: str = "en") -> str:
    """
    The legend of :func:`indicators_table`'s columns, one line each, in *lang* (en, id).

    .. versionadded:: 0.2.0
    """
    entries = INDICATOR_LEGEND["id" if lang == "id" else "en"]
    width = max(len(name) for name, _ in entries)
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
