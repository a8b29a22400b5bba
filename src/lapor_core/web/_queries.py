"""
The reads behind the GeoReport v2 routes: synchronous, run in a worker thread.

Each function takes the :class:`~lapor_core.service.ComplaintService` and plain values
(the HTTP layer has parsed the parameters) and returns JSON-ready lists.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, tzinfo

import attrs

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.model import ComplaintId, Status, TrackingId
from lapor_core.errors import CorruptStream, NotFound, UndecodableEvent, ValidationError
from lapor_core.interop.open311 import (
    OPEN311_STATUS,
    UNCATEGORISED_SERVICE_CODE,
    ServiceRequest,
    extended_status,
    to_service_request,
)
from lapor_core.service import ComplaintService
from lapor_core.storage.base import ComplaintQuery
from lapor_core.web.config import WebConfig

__all__ = [
    "MAX_RESULTS",
    "ReadCache",
    "RequestFilters",
    "find_complaint",
    "find_complaints",
    "list_requests",
    "list_updates",
    "requests_by_id",
    "service_request",
]

MAX_RESULTS = 1000
"""The most service requests (or updates) one response carries (GeoReport's cap)."""

_PAGE = 1000
_UNREADABLE = (CorruptStream, UndecodableEvent)


class ReadCache:
    """
    Recently listed service requests, each trusted only at its projection row's version.

    A list reads the projection rows first; a complaint whose cached service request was
    made at the row's version is neither loaded nor converted again. The row and the
    events are written in one transaction, so a state at the row's version is the stored
    one, whichever process wrote it; and a service request depends only on that state
    (its ``expected_datetime`` is computed from the clocks, not from the time of the
    request).
    """

    def __init__(self, size: int = 10_000) -> None:
        """Keep at most *size* service requests."""
        self._items: OrderedDict[ComplaintId, tuple[int, ServiceRequest]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def request(
        self, service: ComplaintService, config: WebConfig, complaint_id: ComplaintId, version: int
    ) -> ServiceRequest:
        """The service request of the complaint at *version*: cached, or made now."""
        with self._lock:
            cached = self._items.get(complaint_id)
            if cached is not None and cached[0] == version:
                self._items.move_to_end(complaint_id)
                return cached[1]
        complaint = service.get(complaint_id)
        made = service_request(service, config, complaint)
        with self._lock:
            self._items[complaint_id] = (complaint.version, made)
            self._items.move_to_end(complaint_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return made


@attrs.frozen
class RequestFilters:
    """The filters of ``GET requests``, parsed; ``None`` does not filter."""

    start: datetime
    end: datetime
    service_codes: frozenset[str] | None = None
    statuses: frozenset[Status] | None = None


def service_request(
    service: ComplaintService, config: WebConfig, complaint: Complaint
) -> ServiceRequest:
    """One complaint as the deployment shows it."""
    return to_service_request(
        complaint,
        profile=service.profile,
        registry=service.context.registry,
        time_zone=config.time_zone,
        extended=config.extended,
        calendar=service.calendar,
    )


def _is_tracking_id(text: str) -> bool:
    try:
        TrackingId(text)
    except ValidationError:
        return False
    return True


def _by_tracking_ids(service: ComplaintService, wanted: set[str]) -> dict[str, Complaint]:
    """
    The complaints whose SP4N Tracking IDs these are: one scan of the projection rows.

    The store has no index of Tracking IDs, so this reads every row (1,000 a page),
    stopping when all are found.
    """
    found: dict[str, Complaint] = {}
    query: ComplaintQuery | None = ComplaintQuery(limit=_PAGE)
    while query is not None and len(found) < len(wanted):
        page = service.store.query(query)
        for row in page.items:
            tracking = row.sp4n_tracking_id
            if tracking in wanted and tracking not in found:
                with contextlib.suppress(*_UNREADABLE):
                    found[tracking] = service.get(row.id)
        query = attrs.evolve(query, cursor=page.next_cursor) if page.next_cursor else None
    return found


def find_complaints(service: ComplaintService, request_ids: list[str]) -> dict[str, Complaint]:
    """
    The complaints some ``service_request_id`` values name, by id; unknown ids are left out.

    A ``service_request_id`` is the SP4N Tracking ID when the complaint has one, else our
    complaint id (see :func:`~lapor_core.interop.open311.to_service_request`): a
    complaint id is looked up directly, the others that can be Tracking IDs in one scan.
    A complaint whose stream cannot be read is left out.
    """
    found: dict[str, Complaint] = {}
    tracking: set[str] = set()
    for request_id in request_ids:
        try:
            found[request_id] = service.get(ComplaintId(request_id))
        except _UNREADABLE:
            continue
        except (ValidationError, NotFound):
            if _is_tracking_id(request_id):
                tracking.add(request_id)
    if tracking:
        found.update(_by_tracking_ids(service, tracking))
    return found


def find_complaint(service: ComplaintService, request_id: str) -> Complaint | None:
    """
    The complaint a ``service_request_id`` names, or ``None`` (see :func:`find_complaints`).

    Raises:
        CorruptStream: Its stream has a gap.
        UndecodableEvent: Its stream holds an event this code cannot decode.
    """
    try:
        return service.get(ComplaintId(request_id))
    except (ValidationError, NotFound):
        pass
    if not _is_tracking_id(request_id):
        return None
    return _by_tracking_ids(service, {request_id}).get(request_id)


def _rows(service: ComplaintService, filters: RequestFilters) -> Iterator[tuple[ComplaintId, int]]:
    codes = filters.service_codes
    category = next(iter(codes)) if codes is not None and len(codes) == 1 else None
    if category == UNCATEGORISED_SERVICE_CODE:
        category = None
    query: ComplaintQuery | None = ComplaintQuery(
        statuses=filters.statuses,
        category=category,
        submitted_from=filters.start,
        submitted_before=filters.end,
        limit=_PAGE,
    )
    while query is not None:
        page = service.store.versions(query)
        for row in page.items:
            code = row.category if row.category is not None else UNCATEGORISED_SERVICE_CODE
            if codes is None or code in codes:
                yield row.id, row.version
        query = attrs.evolve(query, cursor=page.next_cursor) if page.next_cursor else None


def list_requests(
    service: ComplaintService, config: WebConfig, filters: RequestFilters, cache: ReadCache
) -> list[ServiceRequest]:
    """
    ``GET requests``: the complaints submitted in the window that match, oldest first.

    At most :data:`MAX_RESULTS`; a complaint whose stream cannot be read is left out.
    """
    out: list[ServiceRequest] = []
    for complaint_id, version in _rows(service, filters):
        with contextlib.suppress(*_UNREADABLE):
            out.append(cache.request(service, config, complaint_id, version))
        if len(out) >= MAX_RESULTS:
            break
    return out


def requests_by_id(
    service: ComplaintService, config: WebConfig, request_ids: list[str]
) -> list[ServiceRequest]:
    """``GET requests?service_request_id=a,b``: those that exist, in the order asked."""
    wanted = list(dict.fromkeys(request_ids))
    found = find_complaints(service, wanted)
    return [service_request(service, config, found[i]) for i in wanted if i in found]


def list_updates(
    service: ComplaintService, start: datetime, end: datetime, zone: tzinfo
) -> list[dict[str, object]]:
    """
    FixMyStreet's ``GET servicerequestupdates``: each change of status in the window.

    An update is an event that moved a complaint to another status (or its
    submission), at or after *start* and before *end*, in the order stored; at most
    :data:`MAX_RESULTS`, each dated in *zone* (the configuration's ``time_zone``). The
    events are read in global order from the start of the store, to know each
    complaint's status before the window.
    """
    previous: dict[ComplaintId, Status] = {}
    out: list[dict[str, object]] = []
    after = 0
    while len(out) < MAX_RESULTS:
        batch = service.store.read_all(after=after, limit=_PAGE)
        if not batch:
            break
        for stored in batch:
            event = stored.event
            status = event.status
            if status is None:
                continue
            before = previous.get(stored.complaint_id)
            previous[stored.complaint_id] = status
            if status is before or not start <= event.at < end:
                continue
            at = event.at.astimezone(zone)
            out.append(_update(service, stored.complaint_id, stored.version, status, at))
            if len(out) >= MAX_RESULTS:
                break
        after = batch[-1].position
    return out


def _update(
    service: ComplaintService,
    complaint_id: ComplaintId,
    version: int,
    status: Status,
    at: datetime,
) -> dict[str, object]:
    """One ``request_update``; the archive reason is read from the complaint's state."""
    reason = None
    request_id = str(complaint_id)
    with contextlib.suppress(*_UNREADABLE, NotFound):
        complaint = service.get(complaint_id)
        tracking = complaint.external_ids.sp4n_tracking_id
        request_id = str(tracking) if tracking is not None else request_id
        if status is Status.ARCHIVED and complaint.status is Status.ARCHIVED:
            reason = complaint.archive_reason
    label_id = service.profile.label(status, "id")
    label_en = service.profile.label(status, "en")
    return {
        "update_id": f"{complaint_id}:{version}",
        "service_request_id": request_id,
        "status": extended_status(status, reason),
        "updated_datetime": at.isoformat(timespec="seconds"),
        "description": f"{label_id} ({label_en}): {OPEN311_STATUS[status]}",
        "media_url": None,
        "external_status_code": status.value,
    }
