"""
The synthetic traffic of a simulation: who submits, verifies, forwards and answers, when.

:class:`World` holds the simulated actors and the queue of scheduled actions: arrivals
by weekday and hour; admins who verify, ask for information, archive or forward;
reporters who give more information, reply or rate; agencies that follow up on time,
late, or reject a report as *bukan wewenang*. Every choice comes from the random
generator it is given, so a seed gives the same traffic. The run loop is
:func:`lapor_core.simulate.simulate`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.domain.agencies import Agency, AgencyKind, AgencyRegistry
from lapor_core.domain.commands import (
    Archive,
    Close,
    Command,
    Forward,
    ForwardInternally,
    PostFollowUp,
    ProvideInformation,
    Rate,
    RejectDisposition,
    Reply,
    RequestInformation,
    Submit,
)
from lapor_core.domain.complaint import Complaint
from lapor_core.domain.disposition import route
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    Kind,
    Privacy,
    Reporter,
)
from lapor_core.errors import LaporError
from lapor_core.service import ComplaintService

__all__ = ["World"]

_HOUR_WEIGHTS = (
    # 00-05 quiet, office hours busy, evening moderate (local time)
    (0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.8, 2.0, 2.0, 1.8,
     1.5, 1.7, 1.8, 1.6, 1.3, 1.0, 0.9, 1.0, 1.0, 0.8, 0.5, 0.3)
)  # fmt: skip
_WEEKDAY_WEIGHTS = (1.2, 1.15, 1.1, 1.05, 1.0, 0.6, 0.5)
_TITLES = {
    # what a citizen writes about, per category of the bundled profiles
    "infrastruktur": (
        "Jalan berlubang",
        "Lampu jalan mati",
        "Sampah menumpuk",
        "Banjir di permukiman",
    ),
    "kesehatan": ("Obat di puskesmas habis", "Antrean puskesmas terlalu lama"),
    "pendidikan": ("Guru jarang hadir", "Ruang kelas rusak"),
    "administrasi-kependudukan": ("Pelayanan KTP lambat", "Akta kelahiran belum terbit"),
    "pungli": ("Pungutan liar di kantor pelayanan",),
}
_OTHER_TITLES = ("Pelayanan publik kurang memuaskan",)
_MINISTRY_WORDS = {
    # the word in a ministry's name that marks it as the one with authority, per category
    "infrastruktur": "Pekerjaan Umum",
    "kesehatan": "Kesehatan",
    "pendidikan": "Pendidikan",
    "administrasi-kependudukan": "Dalam Negeri",
}


def _detached(error: LaporError) -> LaporError:
    """
    *error* without its traceback and the errors chained to it.

    A traceback holds the frames it passed through, and they hold the service, the world
    and every complaint state in the service's cache: an example kept in a
    :class:`~lapor_core.simulate.SimulationResult` would keep all of that alive for as
    long as the result lives, and only the cyclic collector could free it. The message,
    its parameters and their translations are the error's own.
    """
    error.__traceback__ = None
    error.__cause__ = None
    error.__context__ = None
    return error


def _ministry_for(category: Category | None, central: list[Agency]) -> Agency | None:
    """The central agency whose name says it has authority over *category*, if any."""
    word = _MINISTRY_WORDS.get(str(category)) if category is not None else None
    if word is None:
        return None
    return next((a for a in central if word in a.name and a.has_decree), None)


class World:
    """
    The simulated actors and the queue of scheduled actions.

    Args:
        service: The service every command goes through.
        registry: The agency tree the traffic is spread over.
        rng: Every random choice, in order (seeded by the caller).
        per_year: The arrival rate, in reports a year.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        service: ComplaintService,
        registry: AgencyRegistry,
        *,
        rng: random.Random,
        per_year: int,
    ) -> None:
        self.service = service
        self.registry = registry
        self.rng = rng
        self.per_year = per_year
        self.queue: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.seq = itertools.count()
        self.commands = 0
        self.refused = 0
        # refused commands by kind ("Forward (PermissionDenied)"), and the first message of each
        self.refusals: dict[str, int] = {}
        self.refusal_examples: dict[str, LaporError] = {}
        self.submitted = 0
        self.national = Actor.national_admin("admin-nasional")
        self.system = Actor.system("simulator")
        self.locals = [
            a
            for a in registry
            if a.kind in {AgencyKind.PROVINCE, AgencyKind.REGENCY, AgencyKind.CITY}
            and a.region is not None
        ]
        self.central = [
            a for a in registry if a.kind in {AgencyKind.MINISTRY, AgencyKind.INSTITUTION}
        ]
        categories = sorted(service.profile.service_standards) or ["umum"]
        self.categories = [Category(c) for c in categories]
        self.regional_channel = next(
            (
                option.channel()
                for option in service.profile.channels.values()
                if option.kind is ChannelType.REGIONAL_APP
            ),
            None,
        )
        self._admins: dict[str, Actor] = {}
        with_decree = [a for a in (*self.locals, *self.central) if a.has_decree]
        self._governments = {a.region: a for a in reversed(with_decree) if a.region is not None}
        self._fallback = with_decree[0] if with_decree else registry.root
        self.diligence = {a.id: self.rng.random() for a in registry}

    # ------------------------------------------------------------------ plumbing

    def at(self, when: datetime, action: Callable[[datetime], None]) -> None:
        heapq.heappush(self.queue, (when, next(self.seq), action))

    def act(self, command: Command, actor: Actor, now: datetime) -> Complaint | None:
        self.commands += 1
        try:
            return self.service.handle(command, actor, now=now).complaint
        except LaporError as refused:
            self.refused += 1
            kind = f"{type(command).__name__} ({type(refused).__name__})"
            self.refusals[kind] = self.refusals.get(kind, 0) + 1
            if kind not in self.refusal_examples:
                self.refusal_examples[kind] = _detached(refused)
            return None

    def admin(self, agency_id: str, role: Role = Role.AGENCY_ADMIN) -> Actor | None:
        key = f"{role.value}:{agency_id}"
        if key not in self._admins:
            agency = self.registry.get(agency_id)
            if not agency.has_decree:
                return None
            self._admins[key] = make_agency_actor(
                self.registry, f"admin-{agency_id}", role, agency_id
            )
        return self._admins[key]

    def _rate(self, command: Rate, reporter: Actor, now: datetime) -> None:
        self.act(command, reporter, now)

    def later(self, now: datetime, low_hours: float, high_hours: float) -> datetime:
        return now + timedelta(hours=self.rng.uniform(low_hours, high_hours))

    # ------------------------------------------------------------------ arrivals

    def arrivals(self, hour_start: datetime) -> None:
        per_hour = self.per_year / (365 * 24)
        local = hour_start + timedelta(hours=7)
        mean_weight = sum(_HOUR_WEIGHTS) / 24 * sum(_WEEKDAY_WEIGHTS) / 7
        lam = per_hour * _HOUR_WEIGHTS[local.hour] * _WEEKDAY_WEIGHTS[local.weekday()] / mean_weight
        for _ in range(self._poisson(lam)):
            self.at(hour_start + timedelta(minutes=self.rng.uniform(0, 59)), self.submit)

    def _poisson(self, lam: float) -> int:
        if lam > 30:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def submit(self, now: datetime) -> None:
        rng = self.rng
        self.submitted += 1
        cid = ComplaintId(f"sim-{self.submitted:07d}")
        reporter = Reporter(id=f"warga-{rng.randrange(10**6):06d}", name="Warga")
        government = rng.choice(self.locals) if self.locals else None
        region = government.region if government is not None else None
        roll = rng.random()
        if roll < 0.12 and self.regional_channel is not None:
            channel = self.regional_channel
        elif roll < 0.17:
            channel = Channel(ChannelType.SMS)
        elif roll < 0.5:
            channel = Channel(ChannelType.MOBILE_APP)
        else:
            channel = Channel(ChannelType.WEB)
        misconduct = government is not None and rng.random() < 0.02
        subject = f"{government.id}.dinas1" if misconduct and government else None
        kind_roll = rng.random()
        kind = (
            Kind.COMPLAINT
            if kind_roll < 0.75
            else Kind.ASPIRATION
            if kind_roll < 0.9
            else Kind.INFORMATION_REQUEST
        )
        target = government.id if government and rng.random() < 0.3 else None
        if target is not None and not self.registry.get(target).has_decree:
            target = None
        category = rng.choice(self.categories)
        titles = _TITLES.get(str(category), _OTHER_TITLES)
        command = Submit(
            complaint_id=cid,
            content=Content(title=rng.choice(titles), body="Mohon ditindaklanjuti."),
            kind=kind,
            reporter=reporter,
            channel=channel,
            privacy=Privacy(anonymous=rng.random() < 0.1, confidential=rng.random() < 0.05),
            region=region,
            category=category,
            target_agency=target,
            subject_agency=subject if subject in self.registry else None,
            misconduct=misconduct and subject in self.registry,
        )
        complaint = self.act(command, Actor.reporter(reporter.id), now)
        if complaint is not None:
            self.at(self.later(now, 2, 60 if rng.random() < 0.9 else 150), self.verify(cid))

    # ------------------------------------------------------------------ routing

    def _router_actor(self, complaint: Complaint) -> Actor:
        if complaint.router == self.registry.root.id:
            return self.national
        return self.admin(complaint.router) or self.national

    def verify(self, cid: ComplaintId) -> Callable[[datetime], None]:
        def step(now: datetime) -> None:
            complaint = self.service.get(cid)
            if complaint.status is not Status.SUBMITTED:
                return
            actor = self._router_actor(complaint)
            roll = self.rng.random()
            if roll < 0.05:
                self.act(Archive(complaint_id=cid, reason=ArchiveReason.UNCLEAR), actor, now)
            elif roll < 0.13:
                self.act(RequestInformation(complaint_id=cid, question="Mohon lengkapi."),
                         actor, now)  # fmt: skip
                if self.rng.random() < 0.7:
                    self.at(self.later(now, 4, 200), self.provide(cid))
            else:
                self.forward(cid, complaint, actor, now)

        return step

    def provide(self, cid: ComplaintId) -> Callable[[datetime], None]:
        def step(now: datetime) -> None:
            complaint = self.service.get(cid)
            if complaint.status is not Status.ON_HOLD:
                return
            reporter = Actor.reporter(complaint.reporter.id)
            done = self.act(ProvideInformation(complaint_id=cid, text="Lokasi: dekat pasar."),
                            reporter, now)  # fmt: skip
            if done is not None and done.status is Status.SUBMITTED:
                self.at(self.later(now, 2, 48), self.verify(cid))
            elif done is not None and done.status is Status.FORWARDED:
                for assignment in done.assignments:
                    self.at(self.later(now, 8, 72), self.agency_turn(cid, assignment.agency))

        return step

    def forward(self, cid: ComplaintId, complaint: Complaint, actor: Actor, now: datetime) -> None:
        proposal = route(complaint, (), self.registry)
        target = proposal.agency
        if actor.role is Role.AGENCY_ADMIN:
            below = [
                a.id
                for a in self.registry.children(complaint.router)
                if a.kind in {AgencyKind.OFFICE, AgencyKind.INSPECTORATE} and a.has_decree
            ]
            if complaint.misconduct and complaint.subject_agency:
                below = [
                    a for a in below if not self.registry.is_within(a, complaint.subject_agency)
                ]
            if not below:
                actor = self.national
            else:
                target = self.rng.choice(below)
        if target == self.registry.root.id or self.rng.random() < 0.15:
            # a national matter: the ministry with authority over the category, if any
            ministry = _ministry_for(complaint.category, self.central)
            if ministry is not None:
                target = ministry.id
        if not self.registry.get(target).has_decree or target == self.registry.root.id:
            target = self._government_of(complaint).id
        done = self.act(Forward(complaint_id=cid, agencies=(target,)), actor, now)
        if done is not None:
            self.at(self.later(now, 4, 60), self.agency_turn(cid, target))

    def _government_of(self, complaint: Complaint) -> Agency:
        """The local government of the complaint's region with its decree, or another one."""
        found = self._governments.get(complaint.region) if complaint.region else None
        return found or self._fallback

    # ------------------------------------------------------------------ agencies

    def agency_turn(self, cid: ComplaintId, agency_id: str) -> Callable[[datetime], None]:
        def step(now: datetime) -> None:
            complaint = self.service.get(cid)
            assignment = complaint.assignment(agency_id)
            if complaint.status.terminal or assignment is None:
                return
            if complaint.status is Status.ON_HOLD:
                self.at(self.later(now, 24, 96), self.agency_turn(cid, agency_id))
                return
            admin = self.admin(agency_id)
            if admin is None:
                return
            roll = self.rng.random()
            if assignment.followed_up_at is None and roll < 0.08:
                done = self.act(RejectDisposition(complaint_id=cid, agency=agency_id,
                                                  reason="Bukan wewenang instansi kami."),
                                admin, now)  # fmt: skip
                if done is not None and done.status is Status.SUBMITTED:
                    self.at(self.later(now, 4, 48), self.verify(cid))
                return
            handler = assignment.handler
            liaisons = [
                a for a in self.registry.subtree(handler)
                if a.kind is AgencyKind.LIAISON and a.has_decree
            ]  # fmt: skip
            author = admin
            if liaisons and self.rng.random() < 0.6:
                liaison = self.rng.choice(liaisons)
                if liaison.id != handler:
                    self.act(ForwardInternally(complaint_id=cid, agency=agency_id,
                                               to=liaison.id), admin, now)  # fmt: skip
                author = self.admin(liaison.id, Role.LIAISON_OFFICER) or admin
            late = self.rng.random() > 0.4 + 0.5 * self.diligence[agency_id]
            delay = self.later(now, 80, 250) if late else self.later(now, 2, 60)
            self.at(delay, self.follow_up(cid, agency_id, author))

        return step

    def follow_up(
        self, cid: ComplaintId, agency_id: str, author: Actor
    ) -> Callable[[datetime], None]:
        def step(now: datetime) -> None:
            text = "Laporan sudah ditindaklanjuti oleh petugas."
            done = self.act(PostFollowUp(complaint_id=cid, agency=agency_id, text=text),
                            author, now)  # fmt: skip
            if done is None:
                return
            roll = self.rng.random()
            if roll < 0.25:
                self.at(self.later(now, 6, 120), self.reply(cid, agency_id, author))
            elif roll < 0.4:
                admin = self.admin(agency_id)
                if admin is not None:
                    self.at(self.later(now, 24, 120), self.close(cid, admin))

        return step

    def reply(self, cid: ComplaintId, agency_id: str, author: Actor) -> Callable[[datetime], None]:
        def step(now: datetime) -> None:
            complaint = self.service.get(cid)
            if complaint.status is not Status.IN_PROGRESS:
                return
            reporter = Actor.reporter(complaint.reporter.id)
            if self.act(Reply(complaint_id=cid, text="Masih belum beres."), reporter, now):
                self.at(self.later(now, 12, 96), self.follow_up(cid, agency_id, author))

        return step

    def close(self, cid: ComplaintId, admin: Actor) -> Callable[[datetime], None]:
        def step(now: datetime) -> None:
            done = self.act(Close(complaint_id=cid, note="Selesai."), admin, now)
            if done is not None and self.service.profile.rating.enabled:
                reporter = Actor.reporter(done.reporter.id)
                if self.rng.random() < 0.4:
                    score = self.rng.randint(1, self.service.profile.rating.scale)
                    rate = Rate(complaint_id=cid, score=score)
                    self.at(self.later(now, 1, 72), lambda t: self._rate(rate, reporter, t))

        return step
