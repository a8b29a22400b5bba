"""
The privacy policy: what the public may see of a complaint.

*Anonim* hides the reporter, *rahasia* hides the content (domain.md section 2).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import datetime

import attrs

from lapor_core.domain.model import (
    Category,
    Channel,
    ComplaintId,
    Kind,
    RegionCode,
    Status,
    TrackingId,
)
from lapor_core.domain.state import Complaint

__all__ = ["PublicView", "public_view"]


@attrs.frozen
class PublicView:
    """
    What the public may see of a complaint.

    ``reporter_name`` is ``None`` when the report is *anonim*; ``title`` and ``body``
    are ``None`` when it is *rahasia*.

    .. versionadded:: 0.1.0
    """

    id: ComplaintId
    tracking_id: TrackingId | None
    status: Status
    kind: Kind
    category: Category | None
    region: RegionCode | None
    channel: Channel
    submitted_at: datetime
    reporter_name: str | None
    title: str | None
    body: str | None
    agencies: tuple[str, ...]


def public_view(complaint: Complaint) -> PublicView:
    """
    The public projection of *complaint*, honouring *anonim* and *rahasia*.

    .. versionadded:: 0.1.0
    """
    anonymous = complaint.privacy.anonymous
    confidential = complaint.privacy.confidential
    return PublicView(
        id=complaint.id,
        tracking_id=complaint.external_ids.sp4n_tracking_id,
        status=complaint.status,
        kind=complaint.kind,
        category=complaint.category,
        region=complaint.region,
        channel=complaint.channel,
        submitted_at=complaint.submitted_at,
        reporter_name=None if anonymous else complaint.reporter.name,
        title=None if confidential else complaint.content.title,
        body=None if confidential else complaint.content.body,
        agencies=tuple(a.agency for a in complaint.assignments),
    )
