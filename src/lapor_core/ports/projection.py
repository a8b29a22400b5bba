"""
The projection: one row per complaint, what queries and reports read.

:class:`ComplaintRow` is written by the service beside the events
(:func:`~lapor_core.storage.base.project` builds it from a complaint) and read back
through a :class:`ComplaintQuery`, one :class:`Page` at a time (or, when only which
complaints and at which versions matters, one :class:`VersionPage`). These types sit below both
:mod:`lapor_core.storage`, whose backends store the rows, and :mod:`lapor_core.reports`,
which aggregates them, so that neither imports the other. They are re-exported from
:mod:`lapor_core.storage.base` and :mod:`lapor_core.storage`, where they are usually
imported from.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from datetime import datetime

import attrs

from lapor_core.domain.model import ComplaintId, Status, require_aware
from lapor_core.errors import N_, ValidationError

__all__ = ["ROW_FIELDS", "ComplaintQuery", "ComplaintRow", "Page", "RowVersion", "VersionPage"]


@attrs.frozen
class ComplaintRow:
    """
    The projection row of a complaint's current state (what queries and reports read).

    ``breaches`` counts every recorded breach; of them, ``reporter_timeouts`` are clocks
    the reporter let run out (a breach that closes or archives the report: the reply
    window, information not supplied) and ``warning_breaches`` those whose breach only
    warns (the service standard); the rest are agency deadlines missed.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``reporter_timeouts`` and ``warning_breaches``.
    """

    id: ComplaintId
    version: int
    status: Status
    kind: str
    channel: str
    region: str | None
    category: str | None
    router: str
    responsible: str
    agencies: tuple[str, ...]
    submitted_at: datetime
    updated_at: datetime
    next_due_at: datetime | None = None
    first_forwarded_at: datetime | None = None
    first_follow_up_at: datetime | None = None
    closed_at: datetime | None = None
    closed_automatically: bool = False
    archive_reason: str | None = None
    reroutings: int = 0
    escalations: int = 0
    breaches: int = 0
    ombudsman_eligible: bool = False
    sp4n_tracking_id: str | None = None
    regional_app_id: str | None = None
    reporter_timeouts: int = 0
    warning_breaches: int = 0


ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(ComplaintRow))
"""
The projection's column names, in :class:`ComplaintRow` order (SQL backends use them).

.. versionadded:: 0.1.0
"""


def _collection(value: object, kind: type, refusal: str) -> frozenset[object] | None:
    """*value* as a frozen set of *kind*, ``None`` kept; a bare item or text is *refusal*."""
    if value is None:
        return None
    if isinstance(value, str | kind) or not isinstance(value, Iterable):
        raise ValidationError(refusal, value=value)
    found = frozenset(value)
    if not all(isinstance(item, kind) for item in found):
        raise ValidationError(refusal, value=value)
    return found


def _statuses(value: Iterable[Status] | None) -> frozenset[Status] | None:
    """``statuses``: a collection of :class:`Status` (a bare status or text is refused)."""
    refusal = N_("statuses: expected a collection of Status members, got {value!r}")
    return typing.cast("frozenset[Status] | None", _collection(value, Status, refusal))


def _agencies(value: Iterable[str] | None) -> frozenset[str] | None:
    """``agencies``: a collection of agency ids (a bare id is refused, not split)."""
    refusal = N_("agencies: expected a collection of agency ids, got {value!r}")
    return typing.cast("frozenset[str] | None", _collection(value, str, refusal))


def _optional_text(_instance: object, attr: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            N_("{name}: expected text, got {value!r}"), name=attr.name, value=value
        )


def _optional_instant(
    _instance: object, attr: attrs.Attribute[datetime | None], value: object
) -> None:
    if value is not None:
        require_aware(value, attr.name)  # type: ignore[arg-type]  # checked there


@attrs.frozen
class ComplaintQuery:
    """
    A filter over projection rows; ``None`` fields do not filter.

    Attributes:
        statuses: Any of these statuses.
        agencies: Assigned to (or routed to) any of these agency ids (expand a subtree
            with :meth:`AgencyRegistry.subtree` first).
        region_prefix: Region code equal to or inside this one (``64`` matches ``64.72``).
        category: This category code.
        due_before: ``next_due_at`` at or before this instant.
        submitted_from: Submitted at or after this instant.
        submitted_before: Submitted before this instant.
        cursor: The ``next_cursor`` of the previous page.
        limit: Page size (1..1000).

    .. versionadded:: 0.1.0
    """

    statuses: frozenset[Status] | None = attrs.field(default=None, converter=_statuses)
    agencies: frozenset[str] | None = attrs.field(default=None, converter=_agencies)
    region_prefix: str | None = attrs.field(default=None, validator=_optional_text)
    category: str | None = attrs.field(default=None, validator=_optional_text)
    due_before: datetime | None = attrs.field(default=None, validator=_optional_instant)
    submitted_from: datetime | None = attrs.field(default=None, validator=_optional_instant)
    submitted_before: datetime | None = attrs.field(default=None, validator=_optional_instant)
    cursor: str | None = attrs.field(default=None, validator=_optional_text)
    limit: int = attrs.field(default=100)

    @limit.validator
    def _check_limit(self, _attr: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            raise ValidationError(N_("limit must be between 1 and 1000, got {value}"), value=value)


@attrs.frozen
class Page:
    """
    One page of query results; ``next_cursor`` is ``None`` on the last page.

    .. versionadded:: 0.1.0
    """

    items: tuple[ComplaintRow, ...]
    next_cursor: str | None


@attrs.frozen
class RowVersion:
    """
    Which complaint a projection row is, at which version, and its category.

    What a reader that keeps its own copies of complaints needs to tell whether a copy is
    current, without decoding the whole row (see ``ComplaintStore.versions``).

    .. versionadded:: 0.2.0
    """

    id: ComplaintId
    version: int
    category: str | None


@attrs.frozen
class VersionPage:
    """
    One page of a query's rows as :class:`RowVersion` values; ``next_cursor`` as in :class:`Page`.

    .. versionadded:: 0.2.0
    """

    items: tuple[RowVersion, ...]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page) -> VersionPage:
        """The versions of a page of rows (a store without a cheaper way can return this)."""
        return cls(
            tuple(RowVersion(r.id, r.version, r.category) for r in page.items), page.next_cursor
        )
