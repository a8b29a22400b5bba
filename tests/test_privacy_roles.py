"""
Privacy against every role: protection is added by anyone in scope, lifted only by the
reporter or the national admin; a misconduct report is out of the accused line's reach;
reads know who is reading; nothing prints the reporter's name or contact.
"""

from __future__ import annotations

import re
from datetime import timedelta

import attrs
import pytest

import lapor_core as lc
from helpers import CID, CTX, NATIONAL, OWNER, REGISTRY, REPORTER, T0, Story, submit_command
from lapor_core.domain.privacy import ANONYMOUS_REPORTER, CONFIDENTIAL_TEXT, public_view
from lapor_core.interop import to_service_request
from lapor_core.service import ComplaintService
from lapor_core.storage import InMemoryStore

SAMARINDA = lc.make_agency_actor(REGISTRY, "adm-smd", lc.Role.AGENCY_ADMIN, "samarinda")
INSPECTORATE = lc.make_agency_actor(
    REGISTRY, "adm-insp", lc.Role.AGENCY_ADMIN, "samarinda.inspektorat"
)
PROVINCE = lc.make_agency_actor(REGISTRY, "adm-kaltim", lc.Role.AGENCY_ADMIN, "kaltim")
BALIKPAPAN = lc.make_agency_actor(REGISTRY, "adm-bpp", lc.Role.AGENCY_ADMIN, "balikpapan")
ANONYMOUS = lc.Privacy(anonymous=True)


def _anonymous_story() -> Story:
    story = Story(CTX)
    story.do(OWNER, submit_command(CID, privacy=ANONYMOUS))
    return story


def test_an_agency_may_not_lift_anonymity() -> None:
    story = _anonymous_story()
    lift = lc.ChangePrivacy(complaint_id=CID, privacy=lc.Privacy(anonymous=False))
    with pytest.raises(lc.PermissionDenied, match="may add protection but not lift it"):
        lc.decide(story.state, lift, SAMARINDA, story.now, CTX)
    assert public_view(story.state).reporter_name is None
    # nor confidentiality, once set
    story.do(
        SAMARINDA,
        lc.ChangePrivacy(complaint_id=CID, privacy=lc.Privacy(anonymous=True, confidential=True)),
    )
    with pytest.raises(lc.PermissionDenied, match="rahasia"):
        lc.decide(story.state, lift, SAMARINDA, story.now, CTX)


@pytest.mark.parametrize("lifter", [OWNER, NATIONAL], ids=["reporter", "national_admin"])
def test_the_reporter_or_the_national_admin_may_lift_it(lifter: lc.Actor) -> None:
    story = _anonymous_story()
    story.do(lifter, lc.ChangePrivacy(complaint_id=CID, privacy=lc.Privacy()))
    assert REPORTER.name == public_view(story.state).reporter_name


def _misconduct_story(**privacy: bool) -> Story:
    story = Story(CTX)
    story.do(
        OWNER,
        submit_command(
            CID,
            misconduct=True,
            subject_agency="samarinda.dishub",
            category=lc.Category("pungli"),
            privacy=lc.Privacy(**privacy),
        ),
    )
    return story


def test_a_misconduct_report_goes_to_the_inspectorate_not_to_the_accused_parent() -> None:
    story = _misconduct_story(anonymous=True)
    assert "samarinda.inspektorat" == story.state.router


@pytest.mark.parametrize("accused", [SAMARINDA, PROVINCE], ids=["parent", "province"])
def test_the_accused_line_may_not_act_on_a_misconduct_report(accused: lc.Actor) -> None:
    story = _misconduct_story(anonymous=True)
    archive = lc.Archive(complaint_id=CID, reason=lc.ArchiveReason.UNCLEAR)
    lift = lc.ChangePrivacy(complaint_id=CID, privacy=lc.Privacy())
    for command in (archive, lift):
        with pytest.raises(lc.PermissionDenied, match="misconduct report about"):
            lc.decide(story.state, command, accused, story.now, CTX)
    # the inspectorate that holds it may
    events = lc.decide(story.state, archive, INSPECTORATE, story.now, CTX)
    assert isinstance(events[-1], lc.ComplaintArchived)


@pytest.mark.parametrize("accused", [SAMARINDA, PROVINCE], ids=["parent", "province"])
def test_the_accused_line_may_not_act_on_the_inspectorates_assignment(accused: lc.Actor) -> None:
    """The city admin could follow up, reject, extend and close the inspectorate's work."""
    story = _misconduct_story()
    held = "samarinda.inspektorat"
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=(held,)))
    commands: list[lc.Command] = [
        lc.PostFollowUp(complaint_id=CID, agency=held, text="Tidak terbukti."),
        lc.RejectDisposition(complaint_id=CID, agency=held, reason="Bukan wewenang."),
        lc.ExtendDeadline(
            complaint_id=CID, clock="follow_up", agency=held, amount=2, reason="Butuh waktu."
        ),
        lc.Close(complaint_id=CID),
    ]
    for command in commands:
        with pytest.raises(lc.PermissionDenied, match="misconduct report about"):
            lc.decide(story.state, command, accused, story.now, CTX)
    story.do(INSPECTORATE, commands[0])  # the inspectorate that holds it may
    with pytest.raises(lc.PermissionDenied, match="misconduct report about"):
        lc.decide(story.state, lc.Close(complaint_id=CID), accused, story.now, CTX)


def test_reads_know_who_is_reading() -> None:
    service = ComplaintService(InMemoryStore(), lc.load_profile("national"), REGISTRY)
    service.handle(
        submit_command(
            CID,
            misconduct=True,
            subject_agency="samarinda.dishub",
            category=lc.Category("pungli"),
            privacy=lc.Privacy(anonymous=True, confidential=True),
        ),
        OWNER,
        now=T0,
    )
    assert REPORTER == service.view(CID, OWNER).reporter
    assert REPORTER == service.view(CID, NATIONAL).reporter
    handled = service.view(CID, INSPECTORATE)
    assert ANONYMOUS_REPORTER == handled.reporter
    assert handled.content.body != CONFIDENTIAL_TEXT  # the handler reads the report
    public = service.view(CID, lc.Actor.public())
    assert ANONYMOUS_REPORTER == public.reporter
    assert CONFIDENTIAL_TEXT == public.content.body
    for outsider in (SAMARINDA, BALIKPAPAN):
        with pytest.raises(lc.PermissionDenied):
            service.view(CID, outsider)
        with pytest.raises(lc.PermissionDenied):
            service.history(CID, outsider)
    [entry] = service.history(CID, INSPECTORATE)
    assert 1 == entry.position
    assert entry.event.at == entry.at
    submitted = entry.event
    assert isinstance(submitted, lc.ComplaintSubmitted)
    assert ANONYMOUS_REPORTER == submitted.reporter
    assert REPORTER.id != submitted.actor.id
    assert REPORTER == service.history(CID, NATIONAL)[0].event.reporter  # type: ignore[attr-defined]


def test_listeners_with_a_reader_get_what_it_may_see() -> None:
    service = ComplaintService(InMemoryStore(), lc.load_profile("national"), REGISTRY)
    whole: list[lc.Event] = []
    seen_by_samarinda: list[lc.Event] = []
    seen_by_balikpapan: list[lc.Event] = []
    service.on_events(whole.extend)
    service.on_events(seen_by_samarinda.extend, actor=SAMARINDA)
    service.on_events(seen_by_balikpapan.extend, actor=BALIKPAPAN)
    service.handle(submit_command(CID, privacy=ANONYMOUS), OWNER, now=T0)
    [raw] = whole
    [redacted] = seen_by_samarinda
    assert isinstance(raw, lc.ComplaintSubmitted)
    assert isinstance(redacted, lc.ComplaintSubmitted)
    assert REPORTER == raw.reporter
    assert ANONYMOUS_REPORTER == redacted.reporter
    assert [] == seen_by_balikpapan  # not in its scope


def test_nothing_prints_the_reporter() -> None:
    service = ComplaintService(InMemoryStore(), lc.load_profile("national"), REGISTRY)
    command = submit_command(CID, privacy=ANONYMOUS)
    result = service.handle(command, OWNER, now=T0)
    contact = REPORTER.contact
    assert contact is not None
    for printed in (command, result, result.complaint, result.events[0], REPORTER):
        text = repr(printed)
        assert REPORTER.name not in text
        assert contact not in text
    assert "redacted" in repr(REPORTER)


def test_open311_shows_no_lifted_name_and_a_public_reader_may_not_act() -> None:
    story = _anonymous_story()
    out = to_service_request(story.state, extended=True)
    assert REPORTER.name not in repr(out)
    with pytest.raises(lc.PermissionDenied):
        lc.decide(
            story.state,
            lc.Classify(complaint_id=CID, title="Judul lain"),
            lc.Actor.public(),
            story.now + timedelta(hours=1),
            CTX,
        )


def test_a_subscription_with_a_reader_gets_what_it_may_see() -> None:
    service = ComplaintService(InMemoryStore(), lc.load_profile("national"), REGISTRY)
    service.handle(submit_command(CID, privacy=ANONYMOUS), OWNER, now=T0)
    other = lc.ComplaintId("other-1")
    service.handle(submit_command(other, target_agency="balikpapan"), OWNER, now=T0)
    whole = [stored.event for stored in service.subscription()]
    seen = list(service.subscription(actor=SAMARINDA))
    assert 2 == len(whole)
    [only] = seen  # Balikpapan's complaint is not Samarinda's to read
    assert isinstance(only.event, lc.ComplaintSubmitted)
    assert CID == only.complaint_id
    assert ANONYMOUS_REPORTER == only.event.reporter
    subscription = service.subscription(actor=SAMARINDA)
    assert 1 == subscription.poll(lambda stored: None)
    assert 2 == subscription.position  # passed over, not stuck


def _confidential_life() -> ComplaintService:
    """A *rahasia* report whose every free text is marked ``SECRET-...``, closed and reopened."""
    profile = attrs.evolve(
        CTX.profile,
        rating=attrs.evolve(CTX.profile.rating, enabled=True),
        reopen=attrs.evolve(CTX.profile.reopen, enabled=True),
    )
    service = ComplaintService(InMemoryStore(), profile, REGISTRY)
    secret = lc.Content("SECRET-title", "SECRET-body")
    life: list[tuple[lc.Actor, lc.Command]] = [
        (OWNER, submit_command(CID, privacy=lc.Privacy(confidential=True), content=secret)),
        (NATIONAL, lc.RequestInformation(complaint_id=CID, question="SECRET-question")),
        (OWNER, lc.ProvideInformation(complaint_id=CID, text="SECRET-answer")),
        (NATIONAL, lc.Classify(complaint_id=CID, title="SECRET-classified")),
        (NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",))),
        (SAMARINDA, lc.RejectDisposition(complaint_id=CID, agency="samarinda", reason="SECRET-no")),
        (NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",))),
        (
            SAMARINDA,
            lc.ExtendDeadline(
                complaint_id=CID,
                clock="follow_up",
                agency="samarinda",
                amount=2,
                reason="SECRET-extension",
            ),
        ),
        (SAMARINDA, lc.PostFollowUp(complaint_id=CID, agency="samarinda", text="SECRET-followup")),
        (OWNER, lc.Reply(complaint_id=CID, text="SECRET-reply")),
        (SAMARINDA, lc.Close(complaint_id=CID, note="SECRET-close")),
        (OWNER, lc.Rate(complaint_id=CID, score=2, comment="SECRET-comment")),
        (OWNER, lc.Reopen(complaint_id=CID, reason="SECRET-reopen")),
    ]
    for step, (actor, command) in enumerate(life, start=1):
        service.handle(command, actor, now=T0 + timedelta(hours=step))
    return service


def test_no_free_text_of_a_confidential_report_reaches_the_public() -> None:
    service = _confidential_life()
    # the handling agency reads every text the life wrote: the markers are there to find
    handled = repr(service.history(CID, SAMARINDA))
    written = {
        *("title", "question", "answer", "classified", "no", "extension", "followup"),
        *("reply", "close", "comment", "reopen"),
    }
    assert {f"SECRET-{name}" for name in written} <= set(re.findall(r"SECRET-\w+", handled))
    for reader in (lc.Actor.public(), lc.Actor.reporter("someone-else")):
        shown = repr(service.history(CID, reader)) + repr(service.view(CID, reader))
        assert "SECRET" not in shown
        assert CONFIDENTIAL_TEXT in shown


def test_only_the_lead_agency_may_archive_a_report_forwarded_to_several() -> None:
    """A co-assigned agency archived the whole report, the lead's work and clocks with it."""
    story = Story(CTX)
    story.do(OWNER, submit_command(CID))
    story.do(
        NATIONAL,
        lc.Forward(complaint_id=CID, agencies=("samarinda", "balikpapan"), lead="samarinda"),
    )
    archive = lc.Archive(complaint_id=CID, reason=lc.ArchiveReason.UNCLEAR)
    with pytest.raises(lc.PermissionDenied, match=r"only the lead agency \('samarinda'\) or the"):
        lc.decide(story.state, archive, BALIKPAPAN, story.now, CTX)
    assert isinstance(
        lc.decide(story.state, archive, SAMARINDA, story.now, CTX)[-1], lc.ComplaintArchived
    )
