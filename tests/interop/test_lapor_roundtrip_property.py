"""
The full LAPOR! layout round trip as a property: for any store of complaints whose
history the open data can carry, export -> import -> export gives the same bytes.

Each generated complaint goes through the real service on one of the paths LAPOR!
publishes (*Belum Terverifikasi*, *Tunda*, *Belum Ditindaklanjuti*, *Proses*, *Selesai*,
*Arsip*), with information asked and given before the forwarding, after it, or not at
all, replies in the thread, either privacy flag, any category and region, and texts
that CSV must quote.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.interop import CsvOptions, import_lapor_csv, iter_complaints, write_lapor_csv
from lapor_core.service import ComplaintService
from lapor_core.storage import InMemoryStore
from lapor_core.testing.strategies import texts

PROFILE = lc.load_profile("kaltim")
REGISTRY = lc.load_registry("kaltim")
OPTIONS = CsvOptions(time_zone="Asia/Makassar")
NATIONAL = lc.Actor.national_admin("admin-nasional")
AGENCIES = sorted(a.id for a in REGISTRY if a.has_decree and a.id != REGISTRY.root.id)
FIRST = datetime(2023, 1, 1)  # noqa: DTZ001 - hypothesis wants naive bounds
LAST = datetime(2026, 6, 1)  # noqa: DTZ001 - as above
ENDS = ("submitted", "on_hold", "archived", "forwarded", "in_progress", "completed")


@attrs.frozen
class Path:
    """One complaint's history: what happens, in order, and the gaps between steps."""

    title: str
    body: str
    anonymous: bool
    confidential: bool
    category: str | None
    agency: str
    info_before: bool
    info_after: bool
    replies: int
    end: str
    gaps: tuple[int, ...]


@st.composite
def paths(draw: st.DrawFn) -> Path:
    """A history LAPOR!'s open data can carry."""
    return Path(
        title=draw(texts(80, single_line=True)),
        body=draw(texts(300)),
        anonymous=draw(st.booleans()),
        confidential=draw(st.booleans()),
        category=draw(st.none() | st.sampled_from(sorted(PROFILE.service_standards))),
        agency=draw(st.sampled_from(AGENCIES)),
        info_before=draw(st.booleans()),
        info_after=draw(st.booleans()),
        replies=draw(st.integers(0, 2)),
        end=draw(st.sampled_from(ENDS)),
        # up to 8 days 8 hours between steps: a reply comes within the 10-working-day
        # reply window (a later one is refused), however the weekends and holidays fall
        gaps=tuple(draw(st.lists(st.integers(1, 12_000), min_size=12, max_size=12))),
    )


def _run(  # noqa: C901 - one branch per path LAPOR! publishes
    service: ComplaintService, index: int, path: Path, start: datetime
) -> None:
    """Drive one complaint along *path* through the service, at the path's instants."""
    cid = lc.ComplaintId(f"gen-{index:04d}")
    reporter = lc.Reporter(id=f"warga-{index}", name="Warga Samarinda")
    times = iter(start + timedelta(minutes=sum(path.gaps[:i])) for i in range(1, 13))

    def act(command: lc.Command, actor: lc.Actor) -> None:
        service.handle(command, actor, now=next(times))

    def exchange() -> None:
        act(lc.RequestInformation(complaint_id=cid, question="Lokasi tepatnya?"), NATIONAL)
        act(lc.ProvideInformation(complaint_id=cid, text="Dekat pasar."), reporter_actor)

    reporter_actor = lc.Actor.reporter(reporter.id)
    submit = lc.Submit(
        complaint_id=cid,
        content=lc.Content(title=path.title, body=path.body),
        kind=lc.Kind.COMPLAINT,
        reporter=reporter,
        channel=lc.Channel(lc.ChannelType.WEB),
        privacy=lc.Privacy(anonymous=path.anonymous, confidential=path.confidential),
        category=lc.Category(path.category) if path.category is not None else None,
    )
    service.handle(submit, reporter_actor, now=start)
    if path.info_before:
        exchange()
    if path.end == "submitted":
        return
    if path.end == "on_hold":
        act(lc.RequestInformation(complaint_id=cid, question="Mohon foto."), NATIONAL)
        return
    if path.end == "archived" and not path.info_after:
        act(lc.Archive(complaint_id=cid, reason=lc.ArchiveReason.UNCLEAR), NATIONAL)
        return
    act(lc.Forward(complaint_id=cid, agencies=(path.agency,)), NATIONAL)
    if path.info_after:
        exchange()
    if path.end == "archived":
        act(lc.Archive(complaint_id=cid, reason=lc.ArchiveReason.OUT_OF_SCOPE), NATIONAL)
        return
    if path.end == "forwarded":
        return
    agency_admin = lc.Actor("admin-instansi", lc.Role.AGENCY_ADMIN, path.agency)
    act(lc.PostFollowUp(complaint_id=cid, agency=path.agency, text="Sudah ditinjau."), agency_admin)
    for _ in range(path.replies):
        act(lc.Reply(complaint_id=cid, text="Masih belum beres."), reporter_actor)
    if path.end == "completed":
        act(lc.Close(complaint_id=cid, note="Selesai ditangani."), NATIONAL)


def _export(service: ComplaintService) -> str:
    complaints = iter_complaints(service.store)
    return write_lapor_csv(
        complaints, options=OPTIONS, profile=PROFILE, layout="full", registry=REGISTRY
    )


def _service() -> ComplaintService:
    return ComplaintService(InMemoryStore(), PROFILE, REGISTRY)


@given(
    histories=st.lists(paths(), min_size=1, max_size=6),
    start=st.datetimes(FIRST, LAST, timezones=st.just(UTC)),
)
def test_export_import_export_is_byte_identical(histories: list[Path], start: datetime) -> None:
    first_service = _service()
    for index, path in enumerate(histories):
        _run(first_service, index, path, start + timedelta(hours=index))
    first = _export(first_service)

    second_service = _service()
    summary = import_lapor_csv(second_service, io.StringIO(first), csv_options=OPTIONS)
    assert (len(histories), (), ()) == (summary.imported, summary.errors, summary.conflicts)
    second = _export(second_service)

    first_lines, second_lines = first.splitlines(), second.splitlines()
    assert first_lines[0] == second_lines[0]  # the header
    assert sorted(first_lines[1:]) == sorted(second_lines[1:])
