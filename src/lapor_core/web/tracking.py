"""
The citizen tracking page (*halaman lacak*): ``GET /lacak`` and ``GET /lacak/{tracking_id}``.

A citizen follows a complaint by its tracking id, as on LAPOR! itself: the status, the
agency in charge, the public timeline and the running deadlines with the day-by-day
count the ``deadline`` command prints. Everything shown is what the privacy policy lets
the public see (:func:`~lapor_core.domain.privacy.redact` for ``Actor.public()``): no
reporter of an *anonim* report, no content of a *rahasia* one, never a contact. Pages
are rendered on the server with Jinja2 (autoescaped), in Indonesian by default and in
English with ``?lang=en`` (or a browser asking for English), with no script and no
asset from elsewhere (a strict Content-Security-Policy).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import attrs
import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor
from lapor_core.domain.calendar import INDONESIAN_TIME_ZONES
from lapor_core.domain.clocks import Deadline, DurationUnit, deadlines
from lapor_core.domain.complaint import Complaint
from lapor_core.domain.model import ComplaintId, TrackingId
from lapor_core.domain.privacy import CONFIDENTIAL_TEXT, redact, sees
from lapor_core.errors import CorruptStream, LaporError, UndecodableEvent, ValidationError
from lapor_core.i18n import LANGUAGES, N_, WEEKDAYS, Translate, translator
from lapor_core.service import ComplaintService
from lapor_core.web._queries import find_complaint
from lapor_core.web.config import WebConfig

__all__ = ["CLOCK_NAMES", "tracking_routes"]

CLOCK_NAMES: Final[Mapping[str, str]] = {
    "forwarding": N_("forwarding"),
    "follow_up": N_("follow-up"),
    "reply_window": N_("reporter's reply"),
    "service_standard": N_("service standard"),
    "statutory_response": N_("statutory response (UU 25/2009)"),
    "statutory_decision": N_("statutory decision (UU 25/2009)"),
    "information": N_("information requested"),
}
"""
The clocks' names as the page shows them, by clock id, as English messages of the
catalogs (:mod:`lapor_core.i18n`); a clock a profile adds is shown by its id.

.. versionadded:: 0.2.0
"""

_LANGUAGES: Final = (("id", "Bahasa Indonesia"), ("en", "English"))
_PUBLIC: Final = Actor.public()
_UNREADABLE = (CorruptStream, UndecodableEvent)
_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("lapor_core.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


@attrs.frozen
class _Shown:
    """A deadline as the page shows it."""

    label: str
    due: str
    provisional: bool
    days: tuple[str, ...]


def _language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked is not None and asked in LANGUAGES:
        return asked
    accepted = request.headers.get("accept-language", "").lower()
    first = accepted.split(",", 1)[0].strip()
    return "en" if first.startswith("en") else "id"


class _Tracking:
    """The tracking page's handlers over one service."""

    def __init__(self, service: ComplaintService, config: WebConfig) -> None:
        self.service = service
        self.config = config
        self.zone = ZoneInfo(config.time_zone)
        self.css = (
            jinja2.PackageLoader("lapor_core.web", "templates")
            .get_source(_ENVIRONMENT, "lacak.css")[0]
            .encode()
        )

    def _page(self, request: Request, name: str, status: int = 200, **values: object) -> Response:
        lang = _language(request)
        prefix = str(request.scope.get("root_path", "")).rstrip("/")
        html = _ENVIRONMENT.get_template(name).render(
            lang=lang, _=translator(lang), languages=_LANGUAGES, prefix=prefix, **values
        )
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    def _when(self, instant: datetime) -> str:
        local = instant.astimezone(self.zone)
        zone = INDONESIAN_TIME_ZONES.get(self.config.time_zone, self.config.time_zone)
        return f"{local:%Y-%m-%d %H:%M} {zone}"

    def _agency(self, agency_id: str) -> str:
        registry = self.service.context.registry
        return registry.get(agency_id).name if agency_id in registry else agency_id

    async def stylesheet(self, _request: Request) -> Response:
        """The page's only stylesheet."""
        return Response(self.css, media_type="text/css", headers=_HEADERS)

    async def form(self, request: Request) -> Response:
        """``GET /lacak``: the form, or ``?id=`` looked up."""
        given = request.query_params.get("id", "").strip()
        if given:
            return await self._show(request, given)
        _ = translator(_language(request))
        return self._page(
            request, "form.html", title=_("Track your report"), given="", message=None
        )

    async def complaint(self, request: Request) -> Response:
        """``GET /lacak/{tracking_id}``."""
        return await self._show(request, str(request.path_params["tracking_id"]))

    async def _show(self, request: Request, given: str) -> Response:
        _ = translator(_language(request))
        title = _("Track your report")
        if not _valid(given):
            message = _("Not a valid tracking id: use letters, digits and hyphens.")
            return self._page(request, "form.html", 400, title=title, given="", message=message)
        try:
            found = await run_in_threadpool(find_complaint, self.service, given)
        except _UNREADABLE:
            found = None
        if found is None:
            message = _("No report has that tracking id.")
            return self._page(request, "form.html", 404, title=title, given=given, message=message)
        report = await run_in_threadpool(self._report, found, _language(request))
        return self._page(request, "complaint.html", title=report["title"], report=report)

    def _report(self, complaint: Complaint, lang: str) -> dict[str, object]:
        """Everything the page shows of *complaint*, in *lang*, for the public."""
        _ = translator(lang)
        shown = redact(complaint, _PUBLIC)
        sight = sees(complaint, _PUBLIC)
        lead = next((a.agency for a in complaint.assignments if a.lead), complaint.responsible)
        events = [entry.event for entry in self.service.history(complaint.id, _PUBLIC)]
        tracking = complaint.external_ids.sp4n_tracking_id
        return {
            "title": shown.content.title,
            "body": shown.content.body,
            "confidential": not sight.content,
            "tracking_id": str(tracking) if tracking is not None else str(complaint.id),
            "status": self.service.profile.label(complaint.status, lang),
            "agency": self._agency(lead),
            "reporter": shown.reporter.name if sight.identity else _("Anonymous"),
            "submitted": self._when(complaint.submitted_at),
            "deadlines": self._deadlines(complaint, lang),
            "timeline": [step for event in events if (step := self._step(event, lang))],
        }

    def _deadlines(self, complaint: Complaint, lang: str) -> list[_Shown]:
        calendar = self.service.calendar
        _ = translator(lang)
        out = []
        for deadline in deadlines(complaint, calendar):
            if deadline.due_at is None or deadline.breached:
                continue
            label = (
                _(CLOCK_NAMES[deadline.clock]) if deadline.clock in CLOCK_NAMES else deadline.clock
            )
            running = complaint.clock(deadline.clock, deadline.agency)
            zone_key = running.time_zone if running is not None else self.config.time_zone
            last = (deadline.due_at - timedelta(microseconds=1)).astimezone(ZoneInfo(zone_key))
            zone = INDONESIAN_TIME_ZONES.get(zone_key, zone_key)
            due = _("end of {date} ({zone})").format(date=last.date().isoformat(), zone=zone)
            out.append(
                _Shown(label, due, deadline.provisional, self._days(complaint, deadline, lang))
            )
        return out

    def _days(self, complaint: Complaint, deadline: Deadline, lang: str) -> tuple[str, ...]:
        """The day-by-day count of a working-day clock that was never paused, else none."""
        running = complaint.clock(deadline.clock, deadline.agency)
        if running is None or running.unit is not DurationUnit.WORKING_DAYS or running.pauses:
            return ()
        _ = translator(lang)
        calendar = self.service.calendar.replace(time_zone=running.time_zone)
        with contextlib.suppress(LaporError):
            explanation = calendar.explain(running.started_at, running.amount + running.extension)
            lines = [f"{explanation.start.isoformat()} " + _("start (not counted)")]
            counted = {day: n for n, day in enumerate(explanation.counted, start=1)}
            skipped = {
                s.date: "; ".join(_reason(r, s.date, _) for r in s.reasons)
                for s in explanation.skipped
            }
            for day in sorted({*counted, *skipped}):
                text = (
                    _("working day {number}").format(number=counted[day])
                    if day in counted
                    else _("skipped: {reasons}").format(reasons=skipped[day])
                )
                lines.append(f"{day.isoformat()} {text}")
            return tuple(lines)
        return ()

    def _step(self, event: e.Event, lang: str) -> dict[str, str | None] | None:
        """One line of the public timeline, or ``None`` for an event the public skips."""
        text = _describe(event, translator(lang), self._agency)
        if text is None:
            return None
        detail = getattr(event, "text", None)
        if detail == CONFIDENTIAL_TEXT or not isinstance(detail, str):
            detail = None
        return {"at": self._when(event.at), "text": text, "detail": detail}


def _describe(  # noqa: C901, PLR0911, PLR0912 - one case per kind of public event
    event: e.Event, _: Translate, agency: Callable[[str], str]
) -> str | None:
    match event:
        case e.ComplaintSubmitted():
            return _("Report received")
        case e.ComplaintForwarded():
            names = ", ".join(agency(a.agency) for a in event.assignments)
            return _("Forwarded to {agencies}").format(agencies=names)
        case e.ForwardedInternally():
            return _("Passed on inside the agency to {agency}").format(agency=agency(event.to))
        case e.DispositionRejected(handed_back_to=str(back)):
            said = _("Handed back to {agency} by one of its units: not the unit's authority")
            return said.format(agency=agency(back))
        case e.DispositionRejected():
            return _("Returned by {agency}: not its authority").format(agency=agency(event.agency))
        case e.FollowUpPosted():
            return _("Follow-up by {agency}").format(agency=agency(event.agency))
        case e.ReplyPosted():
            return _("Reply")
        case e.InformationRequested():
            return _("More information asked of the reporter")
        case e.InformationProvided():
            return _("The reporter supplied the information")
        case e.ComplaintClosed():
            if event.automatic:
                return _("Report completed (no reply within the time allowed)")
            return _("Report completed")
        case e.ComplaintArchived():
            return _("Report archived")
        case e.ComplaintReopened():
            return _("Report reopened")
        case e.ComplaintRated():
            return _("The reporter rated it {score}/5").format(score=event.score)
        case e.ClockBreached():
            clock = _(CLOCK_NAMES[event.clock]) if event.clock in CLOCK_NAMES else event.clock
            return _("The {clock} deadline passed").format(clock=clock)
    return None


def _reason(reason: str, day: date, _: Translate) -> str:
    """A skip reason, translated: the weekend named in it (holiday names stay as spelled)."""
    if reason.startswith("weekend ("):
        return _("weekend ({weekday})").format(weekday=_(WEEKDAYS[day.weekday()]))
    return reason


def _valid(given: str) -> bool:
    """A tracking id or a complaint id (what ``service_request_id`` can be)."""
    for kind in (TrackingId, ComplaintId):
        try:
            kind(given)
        except ValidationError:
            continue
        return True
    return False


def tracking_routes(service: ComplaintService, config: WebConfig) -> list[Route]:
    """
    The tracking page's routes, to add to an application (``create_app`` adds them).

    The page's own links follow the path the application is mounted at.

    Args:
        service: The complaint service.
        config: The web configuration (its ``time_zone`` dates the page).

    .. versionadded:: 0.2.0
    """
    page = _Tracking(service, config)
    return [
        Route("/lacak", page.form, methods=["GET"]),
        Route("/lacak.css", page.stylesheet, methods=["GET"]),
        Route("/lacak/{tracking_id}", page.complaint, methods=["GET"]),
    ]
