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

from datetime import datetime

import attrs

from lapor_core.domain.model import ComplaintId, Status
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

    statuses: frozenset[Status] | None = None
    agencies: frozenset[str] | None = None
    region_prefix: str | None = None
    category: str | None = None
    due_before: datetime | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    cursor: str | None = None
    limit: int = attrs.field(default=100)

    @limit.validator
    def _check_limit(self, _attr: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= 1000:
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
