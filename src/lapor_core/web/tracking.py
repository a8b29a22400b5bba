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
from lapor_core.service import ComplaintService
from lapor_core.web._queries import find_complaint
from lapor_core.web.config import WebConfig

__all__ = ["CLOCK_NAMES", "TEXTS", "tracking_routes"]

TEXTS: Final[Mapping[str, Mapping[str, str]]] = {
    "id": {
        "site": "SP4N-LAPOR! · Lacak laporan",
        "track": "Lacak laporan Anda",
        "tracking_id": "Nomor pelacakan (Tracking ID)",
        "search": "Lacak",
        "hint": "Nomor pelacakan tercantum pada bukti pengiriman laporan.",
        "another": "Lacak laporan lain",
        "status": "Status",
        "agency": "Instansi penanggung jawab",
        "reporter": "Pelapor",
        "anonymous": "Anonim",
        "submitted": "Dikirim",
        "confidential": "Laporan ini bersifat rahasia: isinya tidak ditampilkan.",
        "deadlines": "Tenggat waktu",
        "provisional": "sementara: dihitung dengan hari libur perkiraan",
        "explain": "Rincian hari kerja",
        "timeline": "Riwayat",
        "not_found": "Laporan dengan nomor itu tidak ditemukan.",
        "bad_id": "Nomor pelacakan tidak sah: gunakan huruf, angka dan tanda hubung.",
        "footer": "Data pribadi pelapor dilindungi sesuai pilihan anonim dan rahasia.",
        "counted": "hari kerja ke-{n}",
        "due": "akhir hari {date} ({zone})",
        "weekend": "akhir pekan",
        "skipped": "dilewati: {why}",
        "start": "mulai (tidak dihitung)",
        "ev_submitted": "Laporan diterima",
        "ev_forwarded": "Didisposisikan ke {agencies}",
        "ev_internal": "Diteruskan di dalam instansi ke {agency}",
        "ev_rejected": "Dikembalikan oleh {agency}: bukan wewenang",
        "ev_follow_up": "Tindak lanjut dari {agency}",
        "ev_reply": "Tanggapan",
        "ev_info_requested": "Informasi tambahan diminta dari pelapor",
        "ev_info_provided": "Pelapor melengkapi informasi",
        "ev_closed": "Laporan selesai",
        "ev_closed_auto": "Laporan selesai (tidak ada tanggapan dalam batas waktu)",
        "ev_archived": "Laporan diarsipkan",
        "ev_reopened": "Laporan dibuka kembali",
        "ev_rated": "Pelapor memberi penilaian {score}/5",
        "ev_breached": "Tenggat {clock} terlewati",
    },
    "en": {
        "site": "SP4N-LAPOR! · Track a report",
        "track": "Track your report",
        "tracking_id": "Tracking ID",
        "search": "Track",
        "hint": "The tracking id is on the receipt of your report.",
        "another": "Track another report",
        "status": "Status",
        "agency": "Agency in charge",
        "reporter": "Reporter",
        "anonymous": "Anonymous",
        "submitted": "Submitted",
        "confidential": "This report is confidential: its content is not shown.",
        "deadlines": "Deadlines",
        "provisional": "provisional: counted with estimated holidays",
        "explain": "Working days, one by one",
        "timeline": "Timeline",
        "not_found": "No report has that tracking id.",
        "bad_id": "Not a valid tracking id: use letters, digits and hyphens.",
        "footer": "The reporter's personal data is protected as the anonymous and "
        "confidential options say.",
        "counted": "working day {n}",
        "due": "end of {date} ({zone})",
        "weekend": "weekend",
        "skipped": "skipped: {why}",
        "start": "start (not counted)",
        "ev_submitted": "Report received",
        "ev_forwarded": "Forwarded to {agencies}",
        "ev_internal": "Passed on inside the agency to {agency}",
        "ev_rejected": "Returned by {agency}: not its authority",
        "ev_follow_up": "Follow-up by {agency}",
        "ev_reply": "Reply",
        "ev_info_requested": "More information asked of the reporter",
        "ev_info_provided": "The reporter supplied the information",
        "ev_closed": "Report completed",
        "ev_closed_auto": "Report completed (no reply within the time allowed)",
        "ev_archived": "Report archived",
        "ev_reopened": "Report reopened",
        "ev_rated": "The reporter rated it {score}/5",
        "ev_breached": "The {clock} deadline passed",
    },
}
"""
Every label the tracking page shows, in Indonesian (``id``, the default) and English.

.. versionadded:: 0.2.0
"""

CLOCK_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    "id": {
        "forwarding": "disposisi",
        "follow_up": "tindak lanjut",
        "reply_window": "tanggapan pelapor",
        "service_standard": "standar pelayanan",
        "statutory_response": "tanggapan wajib (UU 25/2009)",
        "statutory_decision": "keputusan wajib (UU 25/2009)",
        "information": "kelengkapan informasi",
    },
    "en": {
        "forwarding": "forwarding",
        "follow_up": "follow-up",
        "reply_window": "reporter's reply",
        "service_standard": "service standard",
        "statutory_response": "statutory response (UU 25/2009)",
        "statutory_decision": "statutory decision (UU 25/2009)",
        "information": "information requested",
    },
}

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
    if asked is not None and asked in TEXTS:
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
            lang=lang, t=TEXTS[lang], languages=_LANGUAGES, prefix=prefix, **values
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
        t = TEXTS[_language(request)]
        return self._page(request, "form.html", title=t["track"], given="", message=None)

    async def complaint(self, request: Request) -> Response:
        """``GET /lacak/{tracking_id}``."""
        return await self._show(request, str(request.path_params["tracking_id"]))

    async def _show(self, request: Request, given: str) -> Response:
        t = TEXTS[_language(request)]
        if not _valid(given):
            return self._page(
                request, "form.html", 400, title=t["track"], given="", message=t["bad_id"]
            )
        try:
            found = await run_in_threadpool(find_complaint, self.service, given)
        except _UNREADABLE:
            found = None
        if found is None:
            return self._page(
                request, "form.html", 404, title=t["track"], given=given, message=t["not_found"]
            )
        report = await run_in_threadpool(self._report, found, _language(request))
        return self._page(request, "complaint.html", title=report["title"], report=report)

    def _report(self, complaint: Complaint, lang: str) -> dict[str, object]:
        """Everything the page shows of *complaint*, in *lang*, for the public."""
        t = TEXTS[lang]
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
            "reporter": shown.reporter.name if sight.identity else t["anonymous"],
            "submitted": self._when(complaint.submitted_at),
            "deadlines": self._deadlines(complaint, lang),
            "timeline": [step for event in events if (step := self._step(event, lang))],
        }

    def _deadlines(self, complaint: Complaint, lang: str) -> list[_Shown]:
        calendar = self.service.calendar
        names = CLOCK_NAMES[lang]
        out = []
        for deadline in deadlines(complaint, calendar):
            if deadline.due_at is None or deadline.breached:
                continue
            label = names.get(deadline.clock, deadline.clock)
            running = complaint.clock(deadline.clock, deadline.agency)
            zone_key = running.time_zone if running is not None else self.config.time_zone
            last = (deadline.due_at - timedelta(microseconds=1)).astimezone(ZoneInfo(zone_key))
            zone = INDONESIAN_TIME_ZONES.get(zone_key, zone_key)
            due = TEXTS[lang]["due"].format(date=last.date().isoformat(), zone=zone)
            out.append(
                _Shown(label, due, deadline.provisional, self._days(complaint, deadline, lang))
            )
        return out

    def _days(self, complaint: Complaint, deadline: Deadline, lang: str) -> tuple[str, ...]:
        """The day-by-day count of a working-day clock that was never paused, else none."""
        running = complaint.clock(deadline.clock, deadline.agency)
        if running is None or running.unit is not DurationUnit.WORKING_DAYS or running.pauses:
            return ()
        t = TEXTS[lang]
        calendar = self.service.calendar.replace(time_zone=running.time_zone)
        with contextlib.suppress(LaporError):
            explanation = calendar.explain(running.started_at, running.amount + running.extension)
            lines = [f"{explanation.start.isoformat()} {t['start']}"]
            counted = {day: n for n, day in enumerate(explanation.counted, start=1)}
            skipped = {
                s.date: "; ".join(_reason(r, s.date, lang) for r in s.reasons)
                for s in explanation.skipped
            }
            for day in sorted({*counted, *skipped}):
                text = (
                    t["counted"].format(n=counted[day])
                    if day in counted
                    else t["skipped"].format(why=skipped[day])
                )
                lines.append(f"{day.isoformat()} {text}")
            return tuple(lines)
        return ()

    def _step(self, event: e.Event, lang: str) -> dict[str, str | None] | None:
        """One line of the public timeline, or ``None`` for an event the public skips."""
        t = TEXTS[lang]
        text = _describe(event, t, self._agency, CLOCK_NAMES[lang])
        if text is None:
            return None
        detail = getattr(event, "text", None)
        if detail == CONFIDENTIAL_TEXT or not isinstance(detail, str):
            detail = None
        return {"at": self._when(event.at), "text": text, "detail": detail}


def _describe(  # noqa: C901, PLR0911, PLR0912 - one case per kind of public event
    event: e.Event,
    t: Mapping[str, str],
    agency: Callable[[str], str],
    clocks: Mapping[str, str],
) -> str | None:
    match event:
        case e.ComplaintSubmitted():
            return t["ev_submitted"]
        case e.ComplaintForwarded():
            names = ", ".join(agency(a.agency) for a in event.assignments)
            return t["ev_forwarded"].format(agencies=names)
        case e.ForwardedInternally():
            return t["ev_internal"].format(agency=agency(event.to))
        case e.DispositionRejected():
            return t["ev_rejected"].format(agency=agency(event.agency))
        case e.FollowUpPosted():
            return t["ev_follow_up"].format(agency=agency(event.agency))
        case e.ReplyPosted():
            return t["ev_reply"]
        case e.InformationRequested():
            return t["ev_info_requested"]
        case e.InformationProvided():
            return t["ev_info_provided"]
        case e.ComplaintClosed():
            return t["ev_closed_auto"] if event.automatic else t["ev_closed"]
        case e.ComplaintArchived():
            return t["ev_archived"]
        case e.ComplaintReopened():
            return t["ev_reopened"]
        case e.ComplaintRated():
            return t["ev_rated"].format(score=event.score)
        case e.ClockBreached():
            return t["ev_breached"].format(clock=clocks.get(event.clock, event.clock))
    return None


_DAYS_ID: Final = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def _reason(reason: str, day: date, lang: str) -> str:
    """A skip reason in *lang*: the weekend named in it (holiday names stay as spelled)."""
    if lang == "id" and reason.startswith("weekend ("):
        return f"{TEXTS['id']['weekend']} ({_DAYS_ID[day.weekday()]})"
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
