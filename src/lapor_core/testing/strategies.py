"""
Hypothesis strategies for ``lapor_core``: values, actors, complaints and commands.

Value objects, actors, calendars, profiles, complaints in any reachable state, and
the commands ``decide`` accepts (or refuses) in a given state.

Use them in your own property tests::

    from hypothesis import given, strategies as st
    from lapor_core import Context, decide, load_profile, load_registry
    from lapor_core.testing import strategies as lst

    CTX = Context.create(load_profile("kaltim"), load_registry("kaltim"))

    @given(lst.complaints(CTX), st.data())
    def test_my_rule(made, data):
        complaint, events = made
        actor, command = data.draw(lst.commands_for(complaint, CTX))
        decide(complaint, command, actor, complaint.updated_at, CTX)  # accepted

Every value strategy draws only valid values (constructing them never raises). The
complaint strategies drive the real :func:`~lapor_core.domain.complaint.decide` and
:func:`~lapor_core.domain.complaint.evolve` from a submission, so a drawn complaint is
one the library can actually reach. :func:`valid_commands` lists ``(actor, command)``
pairs and keeps only those ``decide`` accepts at the given instant;
:func:`invalid_commands` draws pairs it refuses.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import CalendarOverride, OverrideKind, WorkingCalendar
from lapor_core.domain.clocks import due
from lapor_core.domain.commands import (
    Archive,
    ChangePrivacy,
    Classify,
    Close,
    Command,
    ExtendDeadline,
    Forward,
    ForwardInternally,
    PostFollowUp,
    ProvideInformation,
    Rate,
    RecordBreach,
    RecordWarning,
    RejectDisposition,
    Reopen,
    Reply,
    RequestInformation,
    Submit,
)
from lapor_core.domain.complaint import Complaint, Context, decide, evolve
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    ExternalIds,
    Kind,
    Privacy,
    RegionCode,
    Reporter,
    TrackingId,
)
from lapor_core.domain.profile import Profile
from lapor_core.errors import LaporError
from lapor_core.profiles import load_profile

__all__ = [
    "CALENDAR_FIRST",
    "CALENDAR_LAST",
    "REGIONAL_APP_NAMES",
    "TIME_ZONES",
    "Pair",
    "actors",
    "archive_reasons",
    "aware_datetimes",
    "calendar_overrides",
    "calendars",
    "categories",
    "channels",
    "commands_for",
    "complaint_ids",
    "complaints",
    "contents",
    "external_ids",
    "invalid_commands",
    "kinds",
    "privacies",
    "profiles",
    "region_codes",
    "reporters",
    "submissions",
    "texts",
    "tracking_ids",
    "valid_commands",
]

Pair = tuple[Actor, Command]
"""An ``(actor, command)`` pair, as :func:`decide` takes them."""

CALENDAR_FIRST = datetime(2002, 1, 1, tzinfo=UTC)
"""
The first instant of the calendar range the strategies draw from (cuti bersama data starts in 2002).

.. versionadded:: 0.1.0
"""

CALENDAR_LAST = datetime(2027, 12, 31, 12, tzinfo=UTC)
"""
The last instant of the calendar range (the installed holiday data ends in 2027).

.. versionadded:: 0.1.0
"""

TIME_ZONES: tuple[str, ...] = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
"""
Indonesia's three zones: WIB, WITA and WIT.

.. versionadded:: 0.1.0
"""

REGIONAL_APP_NAMES: tuple[str, ...] = (
    "LAPOR WAL!",
    "SAKTI GEMAS",
    "Lapor Gub",
    "JAKI",
    "Sapawarga",
    "Halo Bontang",
)
"""
Names of regional front-ends a ``regional_app`` channel may carry (examples).

.. versionadded:: 0.1.0
"""

_PHRASES = (
    "Lampu lalu lintas mati",
    "Jalan berlubang di depan sekolah",
    "Pungutan liar saat mengurus KTP",
    "Antrean puskesmas terlalu lama",
    "Sampah menumpuk di pasar",
    "Mohon ditindaklanjuti.",
    "Terima kasih atas tanggapannya.",
    "Air PDAM tidak mengalir tiga hari",
)
_NAMES = ("Siti Aminah", "Budi Santoso", "Dewi Lestari", "Rahmat Hidayat", "Nur Aisyah")
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n\t")
_ZONES: tuple[tzinfo, ...] = (UTC, *(ZoneInfo(z) for z in TIME_ZONES))


# --------------------------------------------------------------------------- text and ids


@functools.cache
def texts(max_size: int = 200) -> st.SearchStrategy[str]:
    """
    Non-blank text of at most *max_size* characters: Indonesian phrases or arbitrary text.

    Control characters other than newline and tab are left out (they are not what a
    reporter types, and PostgreSQL's ``jsonb`` cannot hold ``NUL``).

    Args:
        max_size: The longest text drawn (at least 1).

    .. versionadded:: 0.1.0
    """
    phrases = [p for p in _PHRASES if len(p) <= max_size]
    free = st.text(_ALPHABET, min_size=1, max_size=max_size).filter(lambda s: bool(s.strip()))
    return st.sampled_from(phrases) | free if phrases else free


@functools.cache
def complaint_ids() -> st.SearchStrategy[ComplaintId]:
    """
    Complaint ids: letters, digits and ``._:-``, 1 to 64 characters.

    .. versionadded:: 0.1.0
    """
    return st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True).map(ComplaintId)


@functools.cache
def tracking_ids() -> st.SearchStrategy[TrackingId]:
    """
    SP4N-LAPOR! tracking ids: letters, digits and ``-``, 1 to 32 characters.

    .. versionadded:: 0.1.0
    """
    return st.from_regex(r"[A-Za-z0-9-]{1,32}", fullmatch=True).map(TrackingId)


@functools.cache
def kinds() -> st.SearchStrategy[Kind]:
    """
    Report kinds: *pengaduan*, *aspirasi*, *permintaan informasi*.

    .. versionadded:: 0.1.0
    """
    return st.sampled_from(Kind)


@functools.cache
def privacies() -> st.SearchStrategy[Privacy]:
    """
    Every combination of the *anonim* and *rahasia* flags.

    .. versionadded:: 0.1.0
    """
    return st.builds(Privacy, anonymous=st.booleans(), confidential=st.booleans())


@functools.cache
def archive_reasons() -> st.SearchStrategy[ArchiveReason]:
    """
    Archive reasons.

    .. versionadded:: 0.1.0
    """
    return st.sampled_from(ArchiveReason)


@functools.cache
def channels(
    profile: Profile | None = None, *, digitised: bool | None = None
) -> st.SearchStrategy[Channel]:
    """
    Channels of every type; a ``regional_app`` channel carries an app's name.

    Args:
        profile: Also draw the channels the profile declares (``[channels.*]``, e.g.
            Kalimantan Timur's *LAPOR WAL!*).
        digitised: ``True``: only channels an admin keys in (paper, messaging);
            ``False``: only channels a reporter uses; ``None``: both.

    .. versionadded:: 0.1.0
    """
    types = [t for t in ChannelType if digitised is None or t.digitised_by_admin is digitised]
    names = st.sampled_from(REGIONAL_APP_NAMES) | texts(80)
    options: list[st.SearchStrategy[Channel]] = []
    for kind in types:
        if kind is ChannelType.REGIONAL_APP:
            options.append(st.builds(Channel, st.just(kind), names))
        else:
            options.append(st.builds(Channel, st.just(kind), st.none() | names))
    if profile is not None:
        declared = [
            o.channel()
            for o in profile.channels.values()
            if digitised is None or o.kind.digitised_by_admin is digitised
        ]
        if declared:
            options.insert(0, st.sampled_from(declared))
    return st.one_of(options)


@functools.cache
def region_codes(
    within: RegionCode | None = None, *, max_level: int = 4
) -> st.SearchStrategy[RegionCode]:
    """
    Kemendagri region codes, optionally inside *within* (the hierarchy is kept).

    Args:
        within: Draw this region or a region below it (``64.72`` -> ``64.72.01.1001``).
        max_level: The deepest level drawn: 1 province, 2 regency or city, 3 district,
            4 village.

    .. versionadded:: 0.1.0
    """
    widths = (2, 2, 2, 4)
    start = within.level if within is not None else 0
    top = max(start, min(max_level, 4))

    @st.composite
    def build(draw: st.DrawFn) -> RegionCode:
        parts = within.value.split(".") if within is not None else []
        level = draw(st.integers(max(start, 1), top))
        for index in range(len(parts), level):
            width = widths[index]
            number = draw(st.integers(1, 10**width - 1))
            parts.append(str(number).zfill(width))
        return RegionCode(".".join(parts))

    return build()


@functools.cache
def categories(profile: Profile | None = None) -> st.SearchStrategy[Category]:
    """
    Category codes; with *profile*, mostly its own categories (those with a service standard).

    .. versionadded:: 0.1.0
    """
    free = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,63}", fullmatch=True).map(Category)
    known = sorted(profile.service_standards) if profile is not None else []
    return st.sampled_from([Category(c) for c in known]) | free if known else free


@functools.cache
def reporters() -> st.SearchStrategy[Reporter]:
    """
    Reporters with an account id, a name and maybe a contact.

    .. versionadded:: 0.1.0
    """
    ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,30}", fullmatch=True)
    names = st.sampled_from(_NAMES) | texts(200)
    contacts = st.none() | st.from_regex(r"\+628[0-9]{8,11}", fullmatch=True) | texts(200)
    return st.builds(Reporter, id=ids, name=names, contact=contacts)


def aware_datetimes(
    min_value: datetime = CALENDAR_FIRST,
    max_value: datetime = CALENDAR_LAST,
    *,
    time_zones: Sequence[tzinfo] = _ZONES,
) -> st.SearchStrategy[datetime]:
    """
    Timezone-aware datetimes between two aware bounds (default: the calendar's 2002-2027).

    Args:
        min_value: The earliest instant (aware).
        max_value: The latest instant (aware).
        time_zones: The zones drawn from (default UTC, WIB, WITA and WIT).

    .. versionadded:: 0.1.0
    """
    return _aware_datetimes(min_value, max_value, tuple(time_zones))


@functools.cache
def _aware_datetimes(
    min_value: datetime, max_value: datetime, time_zones: tuple[tzinfo, ...]
) -> st.SearchStrategy[datetime]:
    span = int((max_value - min_value).total_seconds())
    return st.builds(
        lambda seconds, zone: (min_value + timedelta(seconds=seconds)).astimezone(zone),
        st.integers(0, span),
        st.sampled_from(list(time_zones)),
    )


@functools.cache
def contents() -> st.SearchStrategy[Content]:
    """
    Report contents: title, body, maybe a location and an (aware) event date.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Content,
        title=texts(300),
        body=texts(2_000),
        location=st.none() | texts(500),
        event_date=st.none() | aware_datetimes(),
    )


@functools.cache
def external_ids() -> st.SearchStrategy[ExternalIds]:
    """
    External ids: maybe an SP4N tracking id, maybe a regional app's id.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        ExternalIds,
        sp4n_tracking_id=st.none() | tracking_ids(),
        regional_app_id=st.none() | texts(64),
    )


# --------------------------------------------------------------------------- actors


def _agency_actor(registry: AgencyRegistry, role: Role, agency: str) -> Actor | None:
    try:
        return make_agency_actor(registry, f"{role.value}@{agency}", role, agency)
    except LaporError:
        return None


def actors(
    registry: AgencyRegistry, roles: Iterable[Role] | None = None
) -> st.SearchStrategy[Actor]:
    """
    Actors of the given roles; agency roles are scoped to an agency of *registry*.

    Agency actors are built with :func:`~lapor_core.domain.actors.make_agency_actor`, so
    only agencies with their decree (*SK*) get them.

    Args:
        registry: The agency tree.
        roles: The roles drawn (default: every role).

    .. versionadded:: 0.1.0
    """
    return _actors(registry, tuple(Role) if roles is None else tuple(roles))


@functools.cache
def _actors(registry: AgencyRegistry, chosen: tuple[Role, ...]) -> st.SearchStrategy[Actor]:
    with_decree = [a.id for a in registry if a.has_decree]
    options: list[st.SearchStrategy[Actor]] = []
    for role in chosen:
        if role.is_agency_role:
            options.append(
                st.sampled_from(with_decree).map(
                    functools.partial(_scoped, registry, role),
                )
            )
        elif role is Role.REPORTER:
            ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,30}", fullmatch=True)
            options.append(ids.map(Actor.reporter))
        elif role is Role.NATIONAL_ADMIN:
            options.append(st.sampled_from(["admin-nasional", "admin-2"]).map(Actor.national_admin))
        else:
            options.append(st.sampled_from(["sweeper", "lapor-wal-sync"]).map(Actor.system))
    return st.one_of(options)


def _scoped(registry: AgencyRegistry, role: Role, agency: str) -> Actor:
    return make_agency_actor(registry, f"{role.value}@{agency}", role, agency)


# --------------------------------------------------------------------------- calendars and profiles


@functools.cache
def calendar_overrides(
    first: date = date(2024, 1, 1), last: date = date(2027, 12, 31)
) -> st.SearchStrategy[CalendarOverride]:
    """
    Dated overrides: a regional day off or a cancelled day off, with a basis.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        CalendarOverride,
        date=st.dates(first, last),
        kind=st.sampled_from(OverrideKind),
        name=st.sampled_from(["Hari jadi kota", "Cuti bersama dibatalkan", "Libur daerah"]),
        basis=st.just("Keputusan Gubernur (contoh)"),
    )


@functools.cache
def calendars() -> st.SearchStrategy[WorkingCalendar]:
    """
    Working calendars: a zone, *cuti bersama* on or off, a five- or six-day week, a few overrides.

    .. versionadded:: 0.1.0
    """
    overrides = st.lists(calendar_overrides(), max_size=3, unique_by=lambda o: o.date)
    return st.builds(
        WorkingCalendar,
        time_zone=st.sampled_from(TIME_ZONES),
        include_cuti_bersama=st.booleans(),
        six_day_week=st.booleans(),
        overrides=overrides,
    )


_TOGGLES = (
    "reopen",
    "rating",
    "hold_pauses_clocks",
    "rejection_restarts_forwarding",
    "cuti_bersama",
    "extension",
)


@functools.cache
def _bundled(name: str) -> Profile:
    return load_profile(name)


def _copy(value: Any) -> Any:  # noqa: ANN401 - nested TOML data
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@functools.cache
def _toggled(name: str, switches: tuple[tuple[str, bool], ...]) -> Profile:
    base = _bundled(name)
    if not switches:
        return base
    data = _copy(base.raw)
    for option, enabled in switches:
        data["options"][option]["enabled"] = enabled
    parent = _bundled(base.parent) if base.parent else None
    return Profile.from_mapping(data, parent=parent)


def profiles(names: Sequence[str] = ("national", "kaltim")) -> st.SearchStrategy[Profile]:
    """
    The bundled profiles with their options toggled.

    Reopen, rating, hold pauses the clocks, rejection restarts forwarding, *cuti
    bersama* and extensions are each switched on or off; the profiles built are cached,
    so drawing many is cheap.

    Args:
        names: Bundled profiles to start from.

    .. versionadded:: 0.1.0
    """
    return _profiles(tuple(names))


@functools.cache
def _profiles(names: tuple[str, ...]) -> st.SearchStrategy[Profile]:
    @st.composite
    def build(draw: st.DrawFn) -> Profile:
        name = draw(st.sampled_from(names))
        base = _bundled(name)
        switches = []
        for option in _TOGGLES:
            current = bool(base.raw["options"][option]["enabled"])
            wanted = draw(st.booleans())
            if wanted != current:
                switches.append((option, wanted))
        return _toggled(name, tuple(switches))

    return build()


# --------------------------------------------------------------------------- submissions


def _regions(registry: AgencyRegistry) -> list[RegionCode]:
    return sorted({a.region for a in registry if a.region is not None})


def submissions(ctx: Context, complaint_id: ComplaintId | None = None) -> st.SearchStrategy[Pair]:
    """
    ``(actor, Submit)`` pairs that ``decide`` accepts for a new complaint.

    A reporter submits through a channel they use; the national admin or an agency
    admin digitises a paper or messaging report (the agency admin for its own agency);
    the system actor forwards one from a regional app. Reports may be addressed to an
    agency, be about an office, or allege misconduct by one.

    Args:
        ctx: The deployment (profile, registry, calendar).
        complaint_id: The new complaint's id (default: drawn).

    .. versionadded:: 0.1.0
    """
    if complaint_id is None:
        return st.tuples(_submissions(ctx), complaint_ids()).map(_with_id)
    return _submissions(ctx).map(functools.partial(_set_id, complaint_id))


def _set_id(complaint_id: ComplaintId, pair: Pair) -> Pair:
    return pair[0], attrs.evolve(pair[1], complaint_id=complaint_id)


def _with_id(drawn: tuple[Pair, ComplaintId]) -> Pair:
    return _set_id(drawn[1], drawn[0])


_PLACEHOLDER = ComplaintId("baru")


@functools.cache
def _submissions(ctx: Context) -> st.SearchStrategy[Pair]:
    registry = ctx.registry
    agencies = sorted(a.id for a in registry if a.id != registry.root.id)
    known_regions = _regions(registry)
    region = st.none() | region_codes()
    if known_regions:
        region = st.sampled_from(known_regions).flatmap(region_codes) | region
    reporter_channels = channels(ctx.profile, digitised=False)
    any_channels = channels(ctx.profile)
    paper_channels = channels(ctx.profile, digitised=True)
    category = st.none() | categories(ctx.profile)

    @st.composite
    def build(draw: st.DrawFn) -> Pair:
        cid = _PLACEHOLDER
        reporter = draw(reporters())
        target = draw(st.none() | st.sampled_from(agencies))
        misconduct = draw(st.booleans()) if agencies else False
        subject = draw(st.sampled_from(agencies)) if misconduct else None
        who = draw(st.sampled_from(["reporter", "national", "agency", "system"]))
        digitised = who in {"national", "agency"} and draw(st.booleans())
        if digitised:
            channel = draw(paper_channels)
        else:
            channel = draw(reporter_channels if who == "reporter" else any_channels)
        command = Submit(
            complaint_id=cid,
            content=draw(contents()),
            kind=draw(kinds()),
            reporter=reporter,
            channel=channel,
            privacy=draw(privacies()),
            region=draw(region),
            category=draw(category),
            external_ids=draw(external_ids()),
            target_agency=target,
            subject_agency=subject,
            misconduct=misconduct,
        )
        actor: Actor | None = None
        if who == "reporter":
            actor = Actor.reporter(reporter.id)
        elif who == "system":
            actor = Actor.system("lapor-wal-sync")
        elif who == "agency" and target is not None:
            actor = _agency_actor(registry, Role.AGENCY_ADMIN, target)
        now = draw(aware_datetimes())
        if actor is None or _events(None, actor, command, now, ctx) is None:
            actor = Actor.national_admin("admin-nasional")
        return actor, command

    return build()


# --------------------------------------------------------------------------- commands


def _events(
    complaint: Complaint | None, actor: Actor, command: Command, now: datetime, ctx: Context
) -> tuple[Event, ...] | None:
    """The events ``decide`` returns, or ``None`` when it refuses."""
    try:
        return decide(complaint, command, actor, now, ctx)
    except LaporError:
        return None


def _actor_pool(complaint: Complaint, ctx: Context) -> dict[str, Actor]:
    """The actors that may matter for *complaint*: its owner, admins, the agencies around it."""
    registry = ctx.registry
    pool: dict[str, Actor] = {}
    owner = Actor.reporter(complaint.reporter.id)
    stranger = Actor.reporter(complaint.reporter.id + "-lain")
    for actor in (owner, stranger, Actor.national_admin("admin-nasional"), Actor.system()):
        pool[f"{actor.role.value}:{actor.id}"] = actor
    nodes: set[str] = {complaint.router}
    for assignment in complaint.assignments:
        nodes.update({assignment.agency, assignment.handler, assignment.forwarded_by})
    nodes.update(rc.responsible for rc in complaint.clocks)
    above = {
        a.id
        for node in nodes
        if node in registry
        for a in registry.ancestors(node)
        if a.id != registry.root.id
    }
    nodes |= above
    outsider = next(
        (a.id for a in registry if a.has_decree and a.id not in nodes and a.kind.is_top_level),
        None,
    )
    if outsider is not None:
        nodes.add(outsider)
    for node in sorted(n for n in nodes if n in registry and n != registry.root.id):
        for role in (Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER):
            scoped = _agency_actor(registry, role, node)
            if scoped is not None:
                pool[f"{role.value}:{scoped.id}"] = scoped
    return pool


def _forward_targets(complaint: Complaint, ctx: Context, actor: Actor) -> list[tuple[str, ...]]:
    registry = ctx.registry
    root = registry.root.id
    if actor.role is Role.NATIONAL_ADMIN:
        targets = [a.id for a in registry if a.kind.is_top_level]
        if complaint.region is not None:
            local = registry.local_government(complaint.region)
            if local is not None:
                targets.append(local.id)
        if complaint.subject_agency is not None:
            inspectorate = registry.inspectorate_for(complaint.subject_agency)
            if inspectorate is not None:
                targets.append(inspectorate.id)
    elif actor.agency is not None:
        targets = [a.id for a in registry.subtree(actor.agency) if a.id != actor.agency]
    else:
        return []
    unique = sorted({t for t in targets if t != root})
    out: list[tuple[str, ...]] = [(t,) for t in unique]
    if len(unique) >= 2:
        out.append((unique[0], unique[-1]))
    return out


def _candidates(complaint: Complaint, ctx: Context, now: datetime) -> list[Pair]:  # noqa: C901, PLR0912, PLR0915 - one block per command type
    """Pairs that are usually valid for *complaint* at *now* (``decide`` has the last word)."""
    registry = ctx.registry
    profile = ctx.profile
    cid = complaint.id
    pool = _actor_pool(complaint, ctx)
    owner = Actor.reporter(complaint.reporter.id)
    national = Actor.national_admin("admin-nasional")
    system = Actor.system()
    admins = [a for a in pool.values() if a.role in {Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN}]
    allowed = ctx.lifecycle.allowed_commands(complaint.status)
    out: list[Pair] = []

    def agency(role: Role, node: str) -> Actor | None:
        return pool.get(f"{role.value}:{role.value}@{node}")

    def add(actors_: Iterable[Actor | None], command: Command) -> None:
        out.extend((a, command) for a in actors_ if a is not None)

    if "Classify" in allowed:
        other_kind = next(k for k in Kind if k is not complaint.kind)
        add(admins, Classify(complaint_id=cid, title="Ringkasan: " + _PHRASES[0]))
        add(admins[:1], Classify(complaint_id=cid, kind=other_kind))
        add(admins[:1], Classify(complaint_id=cid, tags=("prioritas",)))
        for code in sorted(profile.service_standards)[:2]:
            add(admins[:1], Classify(complaint_id=cid, category=Category(code)))
    if "RequestInformation" in allowed:
        add(admins, RequestInformation(complaint_id=cid, question="Mohon lengkapi lokasinya."))
    if "ProvideInformation" in allowed:
        add([owner], ProvideInformation(complaint_id=cid, text="Lokasinya di Jl. Juanda."))
    if "Forward" in allowed:
        for actor in admins:
            for targets in _forward_targets(complaint, ctx, actor):
                add([actor], Forward(complaint_id=cid, agencies=targets))
    for assignment in complaint.assignments:
        handler = assignment.handler
        if "ForwardInternally" in allowed and handler in registry:
            below = [a.id for a in registry.subtree(handler) if a.id != handler]
            for node in below:
                command = ForwardInternally(complaint_id=cid, agency=assignment.agency, to=node)
                add(
                    [
                        agency(Role.AGENCY_ADMIN, assignment.agency),
                        agency(Role.UNIT_ADMIN, handler),
                        agency(Role.AGENCY_ADMIN, handler),
                    ],
                    command,
                )
        if "RejectDisposition" in allowed:
            add(
                [agency(Role.AGENCY_ADMIN, assignment.agency), agency(Role.AGENCY_ADMIN, handler)],
                RejectDisposition(
                    complaint_id=cid, agency=assignment.agency, reason="Bukan wewenang"
                ),
            )
        if "PostFollowUp" in allowed:
            add(
                [
                    agency(Role.LIAISON_OFFICER, handler),
                    agency(Role.UNIT_ADMIN, handler),
                    agency(Role.AGENCY_ADMIN, assignment.agency),
                ],
                PostFollowUp(complaint_id=cid, agency=assignment.agency, text="Sudah diperbaiki."),
            )
    if "Reply" in allowed:
        add([owner, national], Reply(complaint_id=cid, text="Terima kasih."))
    if "Close" in allowed:
        add(admins, Close(complaint_id=cid, note="Selesai ditangani."))
    if "Archive" in allowed:
        for reason in ArchiveReason:
            archive: Command
            if reason is ArchiveReason.DUPLICATE:
                original = ComplaintId("asli" if cid.value != "asli" else "asli-2")
                archive = Archive(complaint_id=cid, reason=reason, duplicate_of=original)
            elif reason is ArchiveReason.OTHER:
                archive = Archive(complaint_id=cid, reason=reason, note="Lainnya.")
            else:
                archive = Archive(complaint_id=cid, reason=reason)
            add(admins if reason is ArchiveReason.UNCLEAR else admins[:1], archive)
    if "Rate" in allowed:
        for score in range(1, profile.rating.scale + 1):
            add([owner], Rate(complaint_id=cid, score=score))
    if "Reopen" in allowed:
        add([owner], Reopen(complaint_id=cid, reason="Masalahnya muncul lagi."))
    if "ChangePrivacy" in allowed:
        for anonymous in (False, True):
            for confidential in (False, True):
                privacy = Privacy(anonymous=anonymous, confidential=confidential)
                add(admins, ChangePrivacy(complaint_id=cid, privacy=privacy))
    owed = due(complaint, now, ctx.calendar, profile.clocks)
    out.extend((system, command) for command in owed)
    if "ExtendDeadline" in allowed and profile.extension.enabled:
        for rc in complaint.clocks:
            definition = profile.clocks.get(rc.clock)
            if definition is None or not definition.extendable:
                continue
            for amount in sorted({1, profile.extension.max_amount}):
                add(
                    [agency(Role.AGENCY_ADMIN, rc.responsible)],
                    ExtendDeadline(
                        complaint_id=cid,
                        clock=rc.clock,
                        agency=rc.agency,
                        amount=amount,
                        reason="Perlu survei lapangan.",
                    ),
                )
    return out


def _accepted(
    complaint: Complaint, ctx: Context, now: datetime
) -> list[tuple[Actor, Command, tuple[Event, ...]]]:
    lifecycle = ctx.lifecycle
    out = []
    for actor, command in _candidates(complaint, ctx, now):
        try:
            row = lifecycle.row(complaint.status, type(command))
        except LaporError:
            continue
        if actor.role not in row.roles:
            continue
        events = _events(complaint, actor, command, now, ctx)
        if events is not None:
            out.append((actor, command, events))
    return out


def valid_commands(
    complaint: Complaint, ctx: Context, *, now: datetime | None = None
) -> tuple[Pair, ...]:
    """
    ``(actor, command)`` pairs that ``decide`` accepts for *complaint* at *now*.

    The candidates cover every command the profile allows in the complaint's status, by
    the actors around it (its owner, the national admin, the admins, unit admins and
    liaison officers of the agencies it is routed or assigned to, the sweeper for the
    clock commands owed at *now*); each is checked with ``decide`` and kept only if
    accepted.

    Args:
        complaint: The complaint's current state.
        ctx: The deployment.
        now: The decision instant (default: the complaint's last event; clock commands
            need a later instant to be owed).

    .. versionadded:: 0.1.0
    """
    instant = complaint.updated_at if now is None else now
    return tuple((actor, command) for actor, command, _ in _accepted(complaint, ctx, instant))


def _all_commands(complaint: Complaint, ctx: Context, now: datetime) -> list[Command]:
    """Well-formed commands of every type for *complaint*, whatever its status."""
    cid = complaint.id
    commands = [command for _, command in _candidates(complaint, ctx, now)]
    clock_names = sorted(ctx.profile.clocks) or ["forwarding"]
    agency = complaint.assignments[0].agency if complaint.assignments else complaint.router
    commands += [
        Classify(complaint_id=cid, title="Judul baru"),
        RequestInformation(complaint_id=cid, question="Di mana?"),
        ProvideInformation(complaint_id=cid, text="Di sini."),
        Forward(complaint_id=cid, agencies=(agency,)),
        Forward(complaint_id=cid, agencies=(ctx.registry.root.id,)),
        ForwardInternally(complaint_id=cid, agency=agency, to=agency),
        RejectDisposition(complaint_id=cid, agency=agency, reason="Bukan wewenang"),
        PostFollowUp(complaint_id=cid, agency=agency, text="Sudah."),
        PostFollowUp(complaint_id=cid, agency="tidak-ada", text="Sudah."),
        Reply(complaint_id=cid, text="Terima kasih."),
        Close(complaint_id=cid),
        Archive(complaint_id=cid, reason=ArchiveReason.UNCLEAR),
        Rate(complaint_id=cid, score=0),
        Rate(complaint_id=cid, score=ctx.profile.rating.scale + 1),
        Reopen(complaint_id=cid, reason="Lagi."),
        ChangePrivacy(complaint_id=cid, privacy=complaint.privacy),
        RecordBreach(complaint_id=cid, clock=clock_names[0]),
        RecordWarning(complaint_id=cid, clock=clock_names[-1], threshold=1),
        ExtendDeadline(complaint_id=cid, clock=clock_names[0], amount=99, reason="Lama."),
        Close(complaint_id=ComplaintId(cid.value[:60] + "-lain")),
    ]
    return commands


def invalid_commands(
    complaint: Complaint, ctx: Context, *, now: datetime | None = None
) -> st.SearchStrategy[Pair]:
    """
    ``(actor, command)`` pairs that ``decide`` refuses for *complaint* at *now*.

    Commands of every type (including ones not allowed in the status, for another
    complaint, or with bad data) by actors of every role (including a stranger reporter
    and agencies out of scope), kept only when ``decide`` raises a ``LaporError``.

    Args:
        complaint: The complaint's current state.
        ctx: The deployment.
        now: The decision instant (default: the complaint's last event).

    .. versionadded:: 0.1.0
    """
    instant = complaint.updated_at if now is None else now
    pool = sorted(_actor_pool(complaint, ctx).values(), key=lambda a: (a.role.value, a.id))
    commands = _all_commands(complaint, ctx, instant)
    return st.tuples(st.sampled_from(pool), st.sampled_from(commands)).filter(
        lambda pair: _events(complaint, pair[0], pair[1], instant, ctx) is None
    )


def commands_for(
    complaint: Complaint, ctx: Context, *, valid: bool = True, now: datetime | None = None
) -> st.SearchStrategy[Pair]:
    """
    ``(actor, command)`` pairs for *complaint*: accepted by ``decide`` (or refused).

    Valid pairs are drawn by command type first, so a type with many candidates
    (archive reasons, privacy flags) does not crowd out the others.

    Args:
        complaint: The complaint's current state.
        ctx: The deployment.
        valid: ``True``: pairs from :func:`valid_commands` (``nothing()`` if there are
            none); ``False``: pairs from :func:`invalid_commands`.
        now: The decision instant (default: the complaint's last event).

    .. versionadded:: 0.1.0
    """
    if not valid:
        return invalid_commands(complaint, ctx, now=now)
    groups = _by_type(valid_commands(complaint, ctx, now=now))
    if not groups:
        return st.nothing()
    return st.sampled_from(groups).flatmap(st.sampled_from)


T = TypeVar("T", bound=tuple[Any, ...])


def _by_type(items: Sequence[T]) -> list[list[T]]:
    """*items* grouped by the type of their command (the second element), types in order."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(type(item[1]).__name__, []).append(item)
    return [groups[name] for name in sorted(groups)]


# --------------------------------------------------------------------------- complaints


def _distances(ctx: Context, target: Status) -> dict[Status, int]:
    """Fewest table steps from each status to *target* (absent: unreachable)."""
    lifecycle = ctx.lifecycle
    sources: dict[Status, set[Status]] = {}
    for status in Status:
        for successor in lifecycle.successors(status):
            sources.setdefault(successor, set()).add(status)
    distance = {target: 0}
    queue = deque([target])
    while queue:
        current = queue.popleft()
        for source in sources.get(current, ()):
            if source not in distance:
                distance[source] = distance[current] + 1
                queue.append(source)
    return distance


_LAST_START = datetime(2026, 12, 31, tzinfo=UTC)
_MAX_GAP_MINUTES = 5 * 24 * 60


def complaints(  # noqa: C901 - the walk and its approach share the draws
    ctx: Context,
    status: Status | None = None,
    *,
    complaint_id: ComplaintId | None = None,
    max_steps: int = 8,
) -> st.SearchStrategy[tuple[Complaint, tuple[Event, ...]]]:
    """
    Complaints in any state the library can reach, with the events that led there.

    Starts from an accepted submission (:func:`submissions`) at an instant between 2002
    and 2026, then applies up to *max_steps* accepted commands (:func:`valid_commands`),
    moving the time on by up to five days before each, so clock commands (warnings,
    breaches, automatic close) happen too. With *status*, the walk keeps the status
    reachable and then heads for it; draws that cannot reach it are rejected.

    Args:
        ctx: The deployment.
        status: The status the complaint must end in (default: any).
        complaint_id: Its id (default: drawn).
        max_steps: The longest random walk (and, with *status*, the longest approach).

    Returns:
        A strategy of ``(complaint, events)``: ``replay(events) == complaint``.

    .. versionadded:: 0.1.0
    """
    distance = _distances(ctx, status) if status is not None else None

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Complaint, tuple[Event, ...]]:  # noqa: C901 - see above
        actor, submit = draw(submissions(ctx, complaint_id))
        now = draw(aware_datetimes(max_value=_LAST_START))
        events = list(decide(None, submit, actor, now, ctx))
        state: Complaint | None = None
        for event in events:
            state = evolve(state, event)
        assert state is not None  # noqa: S101 - a submission yields an event

        def step(choices: list[tuple[Actor, Command, tuple[Event, ...]]]) -> None:
            nonlocal state
            groups = _by_type(choices)
            group = groups[draw(st.integers(0, len(groups) - 1))]
            chosen = group[draw(st.integers(0, len(group) - 1))][2]
            for event in chosen:
                state = evolve(state, event)
            events.extend(chosen)

        def after(events_: tuple[Event, ...]) -> Status:
            current = state
            for event in events_:
                current = evolve(current, event)
            return current.status

        walk = draw(st.integers(0, max_steps))
        for _ in range(walk):
            now = max(now, state.updated_at) + timedelta(
                minutes=draw(st.integers(0, _MAX_GAP_MINUTES))
            )
            choices = _accepted(state, ctx, now)
            if distance is not None:
                choices = [c for c in choices if after(c[2]) in distance]
            if not choices:
                break
            step(choices)
        if distance is not None:
            for _ in range(max_steps):
                if state.status is status:
                    break
                now = max(now, state.updated_at)
                choices = _accepted(state, ctx, now)
                here = distance.get(state.status, len(Status))
                closer = [c for c in choices if distance.get(after(c[2]), len(Status)) < here]
                if not closer:
                    break
                step(closer)
            assume(state.status is status)
        return state, tuple(events)

    return build()
