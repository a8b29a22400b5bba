"""
The GeoReport v2 ASGI application (Starlette) over a :class:`ComplaintService`.

:func:`create_app` returns a Starlette application serving Open311 GeoReport v2 in JSON
and XML (the format is the path's suffix, ``services.xml`` or ``services.json``):

* ``GET discovery``: the service discovery document;
* ``GET services``, ``GET services/{service_code}``: the profile's categories
  (*kategori*) and their definitions;
* ``GET requests`` with ``service_request_id``, ``service_code``, ``start_date``,
  ``end_date`` and ``status``; ``GET requests/{service_request_id}``;
* ``POST requests`` (form-encoded, or a JSON object) with an ``api_key``; a retry
  with the same ``Idempotency-Key`` header (per API key; without a key, per request
  body) answers with the first result, and a key used again for another request is
  refused (422);
* ``GET servicerequestupdates`` (FixMyStreet's extension): the status changes between
  ``start_date`` and ``end_date``.

Every refusal is the specification's error envelope (``[{"code": 404, "description":
...}]``, or ``<errors><error>..</error></errors>``) with the HTTP status in ``code`` and
the :class:`~lapor_core.errors.LaporError` text as description, in English or, for a
client whose ``Accept-Language`` asks for it first, in Indonesian; an unexpected failure
is a 500 whose description says only that. The service is synchronous: its calls run in
worker threads, so the event loop keeps serving (reads in Starlette's thread pool, the
POSTs' commands, one at a time, in a writer thread of the application's own).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import anyio
import attrs
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lapor_core.domain.actors import Actor
from lapor_core.domain.commands import Submit
from lapor_core.domain.model import Channel, ComplaintId, Status
from lapor_core.errors import (
    N_,
    ConcurrencyConflict,
    LaporError,
    NotFound,
    PermissionDenied,
    ProfileError,
    StorageError,
    ValidationError,
)
from lapor_core.i18n import translator
from lapor_core.interop.lapor_csv import ImportOptions
from lapor_core.interop.open311 import (
    UNCATEGORISED_SERVICE_CODE,
    extra_attributes,
    service_definition,
    services,
    submit_from_request,
)
from lapor_core.service import ComplaintService, HandleResult
from lapor_core.web._queries import (
    ReadCache,
    RequestFilters,
    find_complaint,
    list_requests,
    list_updates,
    requests_by_id,
    service_request,
)
from lapor_core.web._writer import Writer
from lapor_core.web._xml import to_xml
from lapor_core.web.config import ApiKey, WebConfig
from lapor_core.web.tracking import tracking_routes

__all__ = ["DEFAULT_WINDOW", "SPECIFICATION_URL", "create_app"]

DEFAULT_WINDOW = timedelta(days=90)
"""
GeoReport's window for ``GET requests``: the default range, and the longest allowed.

.. versionadded:: 0.2.0
"""

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"
"""
The ``specification`` the discovery document names.

.. versionadded:: 0.2.0
"""

_LOG = logging.getLogger("lapor_core.web")
_TRACKED_PREFIX = ImportOptions().id_prefix
_FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_MAX_FIELDS = 200
_STATUS_NAMES = {"open": False, "closed": True}
Handler = Callable[[Request], Awaitable[Response]]


class _Refusal(Exception):
    """
    A refusal of the HTTP layer itself: its status code and description.

    The description is an English template with its named *fields*, said in the
    client's language (:func:`_language`).
    """

    def __init__(
        self,
        status: int,
        template: str,
        headers: Mapping[str, str] | None = None,
        **fields: object,
    ) -> None:
        self.message = LaporError(template, **fields)
        super().__init__(str(self.message))
        self.status = status
        self.headers = dict(headers or {})


def _language(request: Request) -> str:
    """
    The language of the API's error descriptions: the client's ``Accept-Language``.

    Indonesian when the first language it names is Indonesian (``id``, ``id-ID``, or the
    old code ``in``); English otherwise, as GeoReport clients expect.
    """
    accepted = request.headers.get("accept-language", "").lower()
    first = accepted.split(",", 1)[0].split(";", 1)[0].strip()
    return "id" if first.split("-", 1)[0] in ("id", "in") else "en"


def _status_code(exc: LaporError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, ConcurrencyConflict):
        return 409
    return 400


def _format_of(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def _render(fmt: str, root: str, value: object, status: int = 200) -> Response:
    body = to_xml(root, value) if fmt == "xml" else json.dumps(value, ensure_ascii=False)
    return Response(body, status_code=status, media_type=_FORMATS[fmt])


def _errors(request: Request, status: int, description: LaporError) -> Response:
    """The error envelope of *description*, said in the client's language."""
    said = description.translate(translator(_language(request)))
    envelope = [{"code": status, "description": said}]
    return _render(_format_of(request), "errors", envelope, status)


async def _on_lapor_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StorageError):  # its text may name files or servers: say less
        unavailable = N_("the complaint store is unavailable (penyimpanan tidak tersedia)")
        return _errors(request, 503, LaporError(unavailable))
    assert isinstance(exc, LaporError)  # noqa: S101 (registered for LaporError only)
    return _errors(request, _status_code(exc), exc)


async def _on_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _Refusal)  # noqa: S101 (registered for _Refusal only)
    response = _errors(request, exc.status, exc.message)
    response.headers.update(exc.headers)
    return response


_HTTP_ERRORS: Final = {
    404: N_("no such resource (tidak ditemukan)"),
    405: N_("method not allowed (metode tidak diizinkan)"),
}


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 (registered for HTTPException only)
    text = _HTTP_ERRORS.get(exc.status_code, N_("refused (ditolak)"))
    response = _errors(request, exc.status_code, LaporError(text))
    response.headers.update(exc.headers or {})  # a 405's Allow
    return response


async def _on_unexpected(request: Request, _exc: Exception) -> Response:
    return _errors(request, 500, LaporError(N_("internal error (kesalahan internal)")))


def _date(name: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            N_("{name}: not a w3 datetime (e.g. 2026-01-01T00:00:00Z): {text!r}"),
            name=name,
            text=text,
        ) from None
    if value.tzinfo is None:
        raise ValidationError(
            N_("{name}: needs a time zone (Z or an offset such as +07:00)"), name=name
        )
    return value


def _shifted(name: str, instant: datetime, by: timedelta) -> datetime:
    """*instant* + *by*, refused as *name* out of range past the years datetime holds."""
    try:
        return instant + by
    except OverflowError:
        raise ValidationError(
            N_("{name}: {instant} is too close to the edge of the calendar"),
            name=name,
            instant=instant.isoformat(),
        ) from None


def _window(
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    span: timedelta = DEFAULT_WINDOW,
) -> tuple[datetime, datetime]:
    """
    A range of GeoReport dates: the *span* before *end* by default, never longer.

    *end* is included: the range returned ends a microsecond after it.
    """
    if end is None:
        end = now if start is None else _shifted("start_date", start, span)
    if start is None:
        start = _shifted("end_date", end, -span)
    if end < start:
        raise ValidationError(N_("end_date: before start_date"))
    if end - start > DEFAULT_WINDOW:
        raise ValidationError(N_("end_date: the range may not span more than 90 days"))
    return start, _shifted("end_date", end, timedelta(microseconds=1))


def _on_asyncio() -> bool:
    """Whether the request runs on asyncio's event loop (uvicorn's), not another (trio)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@contextlib.asynccontextmanager
async def _anyio_time_limit(seconds: float) -> AsyncIterator[None]:
    with anyio.fail_after(seconds):
        yield


def _time_limit(seconds: float) -> contextlib.AbstractAsyncContextManager[object]:
    """
    A time limit on a block (``TimeoutError``): asyncio's own where it runs.

    ``asyncio.timeout`` costs a third of ``anyio.fail_after``'s 20 microseconds a request.
    """
    return asyncio.timeout(seconds) if _on_asyncio() else _anyio_time_limit(seconds)


def _form(body: bytes, content_type: str) -> dict[str, object]:
    """The POST parameters: form-encoded (the specification's) or a JSON object."""
    media = content_type.partition(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(N_("request body: not UTF-8")) from None
    if media == "application/json":
        try:
            data = json.loads(text)
        except ValueError:
            raise ValidationError(N_("request body: not JSON")) from None
        if not isinstance(data, dict):
            raise ValidationError(N_("request body: expected a JSON object"))
        return data
    if media not in ("", "application/x-www-form-urlencoded"):
        raise _Refusal(
            415, N_("Content-Type: use application/x-www-form-urlencoded (or application/json)")
        )
    try:
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS, errors="strict")
    except UnicodeDecodeError:  # a percent-encoded byte that is not UTF-8 (%E9)
        raise ValidationError(N_("request body: not UTF-8")) from None
    except ValueError:
        raise ValidationError(
            N_("request body: more than {count} parameters"), count=_MAX_FIELDS
        ) from None
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


class _GeoReport:
    """The routes, over one service and one configuration."""

    def __init__(self, service: ComplaintService, config: WebConfig) -> None:
        self.service = service
        self.config = config
        self.cache = ReadCache()
        self.zone = ZoneInfo(config.time_zone)
        # POSTs hand their command to a thread of their own (see ``_writer``): cheaper
        # than a call through Starlette's thread pool (started when first needed, ended
        # with the lifespan)
        self._writer = Writer("lapor-write")
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.limit: RateLimitItem | None = (
            parse(config.rate_limit) if config.rate_limit is not None else None
        )

    # ------------------------------------------------------------------ checks

    def _fmt(self, request: Request) -> str:
        fmt = str(request.path_params.get("fmt", ""))
        if fmt not in _FORMATS:
            raise NotFound(N_("format {fmt!r}: use .xml or .json"), fmt=fmt)
        return fmt

    def _param(self, request: Request, name: str) -> str | None:
        values = [v.strip() for v in request.query_params.getlist(name) if v.strip()]
        return ",".join(values) if values else None

    def _jurisdiction(self, given: object) -> None:
        expected = self.config.jurisdiction_id
        if isinstance(given, list):
            given = given[0] if len(given) == 1 else ",".join(map(str, given))
        if given is None or given == "":
            if self.config.require_jurisdiction_id:
                raise ValidationError(N_("jurisdiction_id: required"))
            return
        if expected is not None and given != expected:
            raise NotFound(
                N_("jurisdiction_id {given!r} not found (this is {expected!r})"),
                given=given,
                expected=expected,
            )

    def _throttle(self, identity: str) -> None:
        if self.limit is None:
            return
        if not self.limiter.hit(self.limit, identity):
            stats = self.limiter.get_window_stats(self.limit, identity)
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            raise _Refusal(
                429,
                N_("rate limit exceeded ({limit}); retry in {wait} s"),
                {"Retry-After": str(wait)},
                limit=self.config.rate_limit,
                wait=wait,
            )

    def _client(self, request: Request, found: ApiKey | None) -> str:
        """Whom the rate limit counts: the valid key *found*, else the client's address."""
        if found is not None:
            return "key:" + found.sha256
        return "addr:" + (request.client.host if request.client is not None else "unknown")

    def _start(self, request: Request) -> str:
        """The checks every GET makes; returns the format."""
        fmt = self._fmt(request)
        key = request.query_params.get("api_key")
        self._throttle(self._client(request, self.config.find_key(key)))
        self._jurisdiction(request.query_params.get("jurisdiction_id"))
        return fmt

    # ------------------------------------------------------------------ routes

    async def discovery(self, request: Request) -> Response:
        """``GET discovery``: where the GeoReport v2 endpoint is, and its formats."""
        fmt = self._start(request)
        base = str(request.url.replace(query="")).rsplit("/", 1)[0]
        document = {
            "changeset": self.config.changeset,
            "contact": self.config.contact,
            "key_service": "API keys are issued by the deployment's administrators",
            "endpoints": [
                {
                    "specification": SPECIFICATION_URL,
                    "url": base,
                    "changeset": self.config.changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return _render(fmt, "discovery", document)

    async def services(self, request: Request) -> Response:
        """``GET services``."""
        fmt = self._start(request)
        return _render(fmt, "services", services(self.service.profile))

    async def service_definition(self, request: Request) -> Response:
        """``GET services/{service_code}``."""
        fmt = self._start(request)
        code = str(request.path_params["code"])
        try:
            definition = service_definition(self.service.profile, code)
        except ProfileError:
            raise NotFound(N_("service_code {code!r} not found"), code=code) from None
        return _render(fmt, "service_definition", definition)

    async def collection(self, request: Request) -> Response:
        """``requests``: GET lists, POST submits (one route, so a 405 names both methods)."""
        if request.method == "POST":
            return await self.post(request)
        return await self.requests(request)

    async def requests(self, request: Request) -> Response:
        """``GET requests``, every filter of the specification."""
        fmt = self._start(request)
        ids = self._param(request, "service_request_id")
        if ids is not None:
            wanted = [i.strip() for i in ids.split(",") if i.strip()]
            if len(wanted) > self.config.max_request_ids:
                raise ValidationError(
                    N_("service_request_id: at most {count} ids"),
                    count=self.config.max_request_ids,
                )
            found = await run_in_threadpool(requests_by_id, self.service, self.config, wanted)
            return _render(fmt, "service_requests", found)
        filters = self._filters(request)
        found = await run_in_threadpool(
            list_requests, self.service, self.config, filters, self.cache
        )
        return _render(fmt, "service_requests", found)

    def warm(self) -> int:
        """
        Fill the read cache with the default ``GET requests`` (90 days, 1,000 at most).

        So the first request after a start is not the slow one.

        Returns the number of service requests cached; a store that cannot be read is
        logged and left to the requests, which answer 503.
        """
        end = self.service.clock.now()
        filters = RequestFilters(end - DEFAULT_WINDOW, end + timedelta(microseconds=1))
        try:
            return len(list_requests(self.service, self.config, filters, self.cache))
        except LaporError as exc:
            _LOG.warning("read cache not warmed: %s", type(exc).__name__)
            return 0

    def _filters(self, request: Request) -> RequestFilters:
        start_text = self._param(request, "start_date")
        end_text = self._param(request, "end_date")
        start = _date("start_date", start_text) if start_text else None
        end = _date("end_date", end_text) if end_text else None
        start, end = _window(start, end, self.service.clock.now())
        codes = self._param(request, "service_code")
        service_codes = frozenset(c.strip() for c in codes.split(",")) if codes else None
        status_text = self._param(request, "status")
        statuses: frozenset[Status] | None = None
        if status_text:
            closed: set[bool] = set()
            for name in status_text.split(","):
                if name.strip().lower() not in _STATUS_NAMES:
                    raise ValidationError(
                        N_("status: {name!r} is not open or closed"), name=name.strip()
                    )
                closed.add(_STATUS_NAMES[name.strip().lower()])
            statuses = frozenset(s for s in Status if s.terminal in closed)
        return RequestFilters(start, end, service_codes, statuses)

    async def request(self, request: Request) -> Response:
        """``GET requests/{service_request_id}``."""
        fmt = self._start(request)
        request_id = str(request.path_params["request_id"])
        complaint = await run_in_threadpool(find_complaint, self.service, request_id)
        if complaint is None:
            raise NotFound(N_("service_request_id {request_id!r} not found"), request_id=request_id)
        found = service_request(self.service, self.config, complaint)
        return _render(fmt, "service_requests", [found])

    async def updates(self, request: Request) -> Response:
        """FixMyStreet's ``GET servicerequestupdates``."""
        fmt = self._start(request)
        start_text = self._param(request, "start_date")
        end_text = self._param(request, "end_date")
        start = _date("start_date", start_text) if start_text else None
        end = _date("end_date", end_text) if end_text else None
        now = self.service.clock.now()
        if start is not None and end is None:
            end = now  # from start_date up to now, as before
        start, end = _window(start, end, now, timedelta(days=1))
        found = await run_in_threadpool(list_updates, self.service, start, end, self.zone)
        return _render(fmt, "service_request_updates", found)

    async def post(self, request: Request) -> Response:
        """``POST requests``: submit a complaint for the key's channel and actor."""
        fmt = self._fmt(request)
        body = await self._body(request)
        form = _form(body, request.headers.get("content-type", ""))
        key = form.pop("api_key", None) or request.query_params.get("api_key")
        if isinstance(key, list):
            raise ValidationError(N_("api_key: given more than once"))
        if key is not None and not isinstance(key, str):
            raise ValidationError(N_("api_key: expected a string"))
        found = self.config.find_key(key)
        self._throttle(self._client(request, found))
        channel, actor = self._authorise(key, found)
        self._jurisdiction(
            form.pop("jurisdiction_id", None) or request.query_params.get("jurisdiction_id")
        )
        code = form.get("service_code")
        known = self.service.profile.service_standards
        given = code.strip() if isinstance(code, str) else ""
        if given and given not in known and given != UNCATEGORISED_SERVICE_CODE:
            raise NotFound(N_("service_code {code!r} not found"), code=given)
        retry = request.headers.get("idempotency-key")
        idempotency_key = None
        if retry:
            # a retry names the same complaint: its id comes from the client, the key and
            # what was sent; the key is the client's own (without an API key, it is the
            # request's), so that one client's key never answers for another
            sent = hashlib.sha256(
                json.dumps(form, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()
            scope = f"key:{found.sha256[:16]}" if found is not None else f"anonymous:{sent[:16]}"
            idempotency_key = f"gr2:{scope}:{retry}"
            token = hashlib.sha256(f"{scope}\n{retry}\n{sent}".encode()).hexdigest()[:32]
        else:
            token = uuid.uuid4().hex
        complaint_id = ComplaintId(f"gr2-{token}")
        submit = submit_from_request(
            form,
            complaint_id=complaint_id,
            channel=channel,
            profile=self.service.profile,
            target_agency=self.config.target_agency,
            idempotency_key=idempotency_key,
        )
        tracking = submit.external_ids.sp4n_tracking_id
        if tracking is not None:
            # one complaint per SP4N Tracking ID, under the id the LAPOR! import gives it
            tracked = ComplaintId(f"{_TRACKED_PREFIX}{tracking}")
            submit = attrs.evolve(submit, complaint_id=tracked)
        retried = idempotency_key is not None and await self._retried(
            idempotency_key, submit.complaint_id, str(retry)
        )
        if tracking is not None and not retried:
            await self._check_tracking_id(submit.complaint_id, str(tracking))
        extra = extra_attributes(form)
        result = await self._write(submit, actor)
        notice = None
        if extra:
            notice = (
                "atribut tambahan disimpan dalam isi laporan (extended attributes kept in "
                f"the description): {', '.join(extra)}"
            )
        account = form.get("account_id")
        complaint = result.complaint
        tracking = complaint.external_ids.sp4n_tracking_id
        created = {
            "service_request_id": str(tracking if tracking is not None else complaint.id),
            "service_notice": notice,
            "account_id": account if isinstance(account, str) and account.strip() else None,
        }
        return _render(fmt, "service_requests", [created])

    async def _retried(self, key: str, complaint_id: ComplaintId, retry: str) -> bool:
        """
        Whether the POST retries one the key was recorded with.

        Raises:
            _Refusal: 422: the client used the ``Idempotency-Key`` for another request.
        """
        recorded = await run_in_threadpool(self.service.store.idempotency, key)
        if recorded is not None and recorded[0] != complaint_id:
            raise _Refusal(
                422,
                N_(
                    "Idempotency-Key {key!r}: already used for another request; "
                    "send a new key with a new request"
                ),
                key=retry,
            )
        return recorded is not None

    async def _check_tracking_id(self, complaint_id: ComplaintId, tracking: str) -> None:
        """Refuse (409) a second service request with the same SP4N Tracking ID."""
        try:
            await run_in_threadpool(self.service.store.get, complaint_id)
        except NotFound:
            return
        raise _Refusal(
            409,
            N_("attribute[tracking_id]: a service request with Tracking ID {tracking} exists"),
            tracking=tracking,
        )

    async def _write(self, submit: Submit, actor: Actor) -> HandleResult:
        """``service.handle`` in the writer thread; it runs to its end even if the client leaves."""
        if not _on_asyncio():  # another event loop (trio): anyio's threads
            return await run_in_threadpool(self.service.handle, submit, actor)
        return await self._writer.run(functools.partial(self.service.handle, submit, actor))

    def stop_writers(self) -> None:
        """End the writer thread once the commands handed to it are done."""
        self._writer.stop()

    def _authorise(self, key: str | None, found: ApiKey | None) -> tuple[Channel, Actor]:
        """The channel and actor a POST is submitted with (*found*: *key*'s configuration)."""
        if key:
            if found is None:
                raise PermissionDenied(N_("api_key: invalid"))
            return found.channel, found.actor
        if self.config.post_requires_key:
            raise PermissionDenied(N_("api_key: required to POST a service request"))
        return self.config.anonymous_channel, self.config.anonymous_actor

    async def _body(self, request: Request) -> bytes:
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refusal(413, N_("request body: larger than {limit} bytes"), limit=limit)
        chunks: list[bytes] = []
        size = 0
        try:
            async with _time_limit(self.config.body_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise _Refusal(
                            413, N_("request body: larger than {limit} bytes"), limit=limit
                        )
                    chunks.append(chunk)
        except TimeoutError:
            raise _Refusal(
                408,
                N_("request body: not received within {seconds:g} s"),
                seconds=self.config.body_timeout,
            ) from None
        return b"".join(chunks)


def create_app(service: ComplaintService, *, config: WebConfig | None = None) -> Starlette:
    """
    The GeoReport v2 application over *service*, configured by *config*.

    Mount it in any ASGI application (``Mount("/open311/v2", app=create_app(...))``) or
    serve it alone (``lapor-core serve``). Use one service per process: the routes call
    it from worker threads (Starlette's thread pool for reads, a writer thread of the
    application's own for the POSTs' commands, one at a time, ended with its lifespan).

    Its lifespan fills the read cache with the default ``GET requests`` before the first
    request, so that no client waits while a thousand complaints are read. Starlette
    does not run the lifespan of a mounted application: enter it from yours (``async
    with app.router.lifespan_context(app): ...``), or the first such request does it.

    Args:
        service: The complaint service (its store, profile, registry and clock).
        config: Jurisdiction, API keys, limits and CORS (default :class:`WebConfig`:
            no keys, so POST is refused until keys are configured).

    Raises:
        ValidationError: The configuration's ``target_agency`` is not in the service's
            agency registry.

    .. versionadded:: 0.2.0
    """
    settings = config if config is not None else WebConfig()
    target = settings.target_agency
    if target is not None and target not in service.context.registry:
        raise ValidationError(
            N_("target_agency: no agency with id {agency!r} in the registry"), agency=target
        )
    routes = _GeoReport(service, settings)
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Accept-Language", "Idempotency-Key"],
            )
        )
    handlers: dict[type[Exception] | int, Callable[[Request, Exception], Awaitable[Response]]]
    handlers = {
        LaporError: _on_lapor_error,
        _Refusal: _on_refusal,
        HTTPException: _on_http_error,
        Exception: _on_unexpected,
    }
    pages = tracking_routes(service, settings) if settings.tracking_page else []

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(routes.warm)
        try:
            yield
        finally:
            await run_in_threadpool(routes.stop_writers)

    return Starlette(
        routes=[
            *pages,
            Route("/discovery.{fmt}", routes.discovery, methods=["GET"]),
            Route("/services.{fmt}", routes.services, methods=["GET"]),
            Route("/services/{code}.{fmt}", routes.service_definition, methods=["GET"]),
            Route("/requests.{fmt}", routes.collection, methods=["GET", "POST"]),
            Route("/requests/{request_id}.{fmt}", routes.request, methods=["GET"]),
            Route("/servicerequestupdates.{fmt}", routes.updates, methods=["GET"]),
        ],
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=lifespan,
    )
