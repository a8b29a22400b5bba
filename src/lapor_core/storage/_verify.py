"""
What every store's ``verify`` does once it has listed its complaints.

Each backend lists the ids of its streams and rows and hands them here with its ``load``
and ``get``; third-party backends import it from :mod:`lapor_core.storage.support`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum

from lapor_core.domain.complaint import replay
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import N_, CorruptStream, LaporError, NotFound, UndecodableEvent
from lapor_core.ports.projection import ROW_FIELDS, ComplaintRow
from lapor_core.storage.base import (
    ProblemKind,
    Projector,
    StreamProblem,
    VerifyReport,
    row_with_due,
)

__all__ = ["verify_streams"]


def _shown(value: object) -> object:
    """A row's value as a person reads it: an instant in ISO 8601, a status by its value."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _differences(row: ComplaintRow, expected: ComplaintRow) -> list[LaporError]:
    return [
        LaporError(
            N_("{name} is {row!r}, a replay gives {expected!r}"),
            name=name,
            row=_shown(getattr(row, name)),
            expected=_shown(getattr(expected, name)),
        )
        for name in ROW_FIELDS
        if getattr(row, name) != getattr(expected, name)
    ]


def _joined(parts: list[LaporError]) -> LaporError:
    """*parts* joined by ``; ``, each translated (the joining template is no message)."""
    template = "; ".join(f"{{part{index}}}" for index in range(len(parts)))
    return LaporError(template, **{f"part{index}": part for index, part in enumerate(parts)})


def _check_one(
    complaint_id: ComplaintId,
    events: tuple[Event, ...],
    get: Callable[[ComplaintId], ComplaintRow],
    projector: Projector | None,
) -> StreamProblem | None:
    try:
        row = get(complaint_id)
    except NotFound:
        return StreamProblem.of(
            complaint_id, ProblemKind.NO_ROW, LaporError(N_("the stream has no projection row"))
        )
    if not events:
        return StreamProblem.of(
            complaint_id,
            ProblemKind.NO_STREAM,
            LaporError(
                N_("a projection row at version {version} has no events"), version=row.version
            ),
        )
    if row.version > len(events):
        return StreamProblem.of(
            complaint_id,
            ProblemKind.TRUNCATED,
            LaporError(
                N_(
                    "the stream ends at version {count}, its projection row is at version {version}"
                ),
                count=len(events),
                version=row.version,
            ),
        )
    state = replay(events)
    expected = projector(state) if projector is not None else row_with_due(state, row.next_due_at)
    differences = _differences(row, expected)
    if differences:
        return StreamProblem.of(
            complaint_id,
            ProblemKind.PROJECTION,
            LaporError(N_("out of date: {differences}"), differences=_joined(differences)),
        )
    return None


def verify_streams(
    ids: Iterable[ComplaintId],
    load: Callable[[ComplaintId], tuple[Event, ...]],
    get: Callable[[ComplaintId], ComplaintRow],
    projector: Projector | None,
) -> VerifyReport:
    """
    Check each complaint of *ids*: its stream decodes, has no gap, and its row is a replay.

    Args:
        ids: Every complaint with a stream or a projection row, each once.
        load: The store's ``load``.
        get: The store's ``get``.
        projector: The row a replay should have (see ``ComplaintStore.verify``).

    Returns:
        The report ``ComplaintStore.verify`` returns: how many streams and events were
        read, and one problem per complaint that failed (undecodable, a gap, no row, no
        stream, a row ahead of its stream, or a row that differs from a replay).

    .. versionadded:: 0.1.0
    """
    problems: list[StreamProblem] = []
    streams = events_read = 0
    for complaint_id in ids:
        streams += 1
        try:
            events = load(complaint_id)
        except (CorruptStream, UndecodableEvent) as exc:
            problems.append(StreamProblem.from_error(complaint_id, exc))
            continue
        events_read += len(events)
        problem = _check_one(complaint_id, events, get, projector)
        if problem is not None:
            problems.append(problem)
    return VerifyReport(streams, events_read, tuple(problems))
