"""
What each reader sees, field by field: ``sees``, ``redact``, ``redact_event``, ``public_view``.

The other privacy tests check that nothing hidden leaks; these pin the rest, so that
mutation testing of ``lapor_core.domain.privacy`` (``bench/mutation.py privacy``) finds a
test for each change: the whole ``Sight`` of every role for every privacy setting, what
is kept as it was (the same object when nothing is hidden, an agency's message, the
reporter's own message when the identity may be seen, an agency's view of the contact),
and every field of the public view.
"""

from __future__ import annotations

from typing import TypeVar

import attrs
import pytest

from helpers import (
    CID,
    NATIONAL,
    OWNER,
    REPORTER,
    STRANGER,
    SYSTEM,
    Story,
    in_scope,
    submit_command,
)
from lapor_core import (
    Actor,
    Category,
    Complaint,
    Content,
    Event,
    ExternalIds,
    Privacy,
    ProvideInformation,
    RegionCode,
    RequestInformation,
    Role,
    Status,
    TrackingId,
)
from lapor_core.domain import events as e
from lapor_core.domain.privacy import (
    ANONYMOUS_REPORTER,
    CONFIDENTIAL_TEXT,
    Sight,
    public_view,
    redact,
    redact_event,
    sees,
)

E = TypeVar("E", bound=Event)
PUBLIC = Actor.public()
AGENCY = in_scope(Role.AGENCY_ADMIN)
HIDDEN_REPORTER = Actor(ANONYMOUS_REPORTER.id, Role.REPORTER)
SETTINGS = {
    "open": Privacy(anonymous=False, confidential=False),
    "anonim": Privacy(anonymous=True, confidential=False),
    "rahasia": Privacy(anonymous=False, confidential=True),
    "anonim+rahasia": Privacy(anonymous=True, confidential=True),
}


def _story(privacy: Privacy) -> Story:
    """Submitted with *privacy*, asked a question by the national admin, answered by OWNER."""
    story = Story()
    story.do(
        OWNER,
        submit_command(
            privacy=privacy, external_ids=ExternalIds(sp4n_tracking_id=TrackingId("2506123"))
        ),
    )
    story.do(NATIONAL, RequestInformation(complaint_id=CID, question="Simpang yang mana?"))
    story.do(OWNER, ProvideInformation(complaint_id=CID, text="Simpang Jl. Antasari."))
    return story


def _complaint(setting: str) -> Complaint:
    return _story(SETTINGS[setting]).state


# --------------------------------------------------------------------------- sees

FULL = Sight(identity=True, contact=True, content=True)
SIGHTS: dict[str, dict[str, Sight]] = {
    # setting: reader -> sight
    "open": {
        "own": FULL,
        "national": FULL,
        "system": FULL,
        "agency": FULL,
        "other reporter": Sight(identity=True, contact=False, content=True),
        "public": Sight(identity=True, contact=False, content=True),
    },
    "anonim": {
        "own": FULL,
        "national": FULL,
        "system": FULL,
        "agency": Sight(identity=False, contact=False, content=True),
        "other reporter": Sight(identity=False, contact=False, content=True),
        "public": Sight(identity=False, contact=False, content=True),
    },
    "rahasia": {
        "own": FULL,
        "national": FULL,
        "system": FULL,
        "agency": FULL,
        "other reporter": Sight(identity=True, contact=False, content=False),
        "public": Sight(identity=True, contact=False, content=False),
    },
    "anonim+rahasia": {
        "own": FULL,
        "national": FULL,
        "system": FULL,
        "agency": Sight(identity=False, contact=False, content=True),
        "other reporter": Sight(identity=False, contact=False, content=False),
        "public": Sight(identity=False, contact=False, content=False),
    },
}
READERS = {
    "own": OWNER,
    "national": NATIONAL,
    "system": SYSTEM,
    "agency": AGENCY,
    "other reporter": STRANGER,
    "public": PUBLIC,
}


@pytest.mark.parametrize(
    ("setting", "reader"), [(s, r) for s, readers in SIGHTS.items() for r in readers]
)
def test_the_whole_sight_of_every_reader(setting: str, reader: str) -> None:
    assert sees(_complaint(setting), READERS[reader]) == SIGHTS[setting][reader]


# ------------------------------------------------------------------------- redact


@pytest.mark.parametrize("reader", ["own", "national", "system"])
def test_a_reader_who_sees_everything_gets_the_complaint_itself(reader: str) -> None:
    complaint = _complaint("anonim+rahasia")
    assert redact(complaint, READERS[reader]) is complaint
    for event in _story(SETTINGS["anonim+rahasia"]).events:
        assert redact_event(event, complaint, READERS[reader]) is event


def test_an_agency_sees_the_reporter_and_contact_of_an_open_report() -> None:
    complaint = _complaint("open")
    shown = redact(complaint, AGENCY)
    assert shown.reporter == REPORTER
    assert shown.reporter.contact == REPORTER.contact


def test_the_public_sees_an_open_report_without_the_contact_and_the_thread_as_it_is() -> None:
    complaint = _complaint("open")
    shown = redact(complaint, PUBLIC)
    assert shown.reporter == attrs.evolve(REPORTER, contact=None)
    assert shown.content == complaint.content
    assert len(shown.thread) == 2
    for before, after in zip(complaint.thread, shown.thread, strict=True):
        assert after is before  # nothing hidden: the same message
    assert shown.thread[1].actor == OWNER


def test_the_public_sees_an_anonymous_report_with_the_reporters_own_message_hidden() -> None:
    complaint = _complaint("anonim")
    shown = redact(complaint, PUBLIC)
    assert shown.reporter == ANONYMOUS_REPORTER
    assert shown.content == complaint.content
    question, answer = shown.thread
    assert question is complaint.thread[0]  # the national admin's question, unchanged
    assert answer == attrs.evolve(complaint.thread[1], actor=HIDDEN_REPORTER)
    assert answer.text == "Simpang Jl. Antasari."


def test_the_public_sees_a_confidential_report_with_every_text_withheld() -> None:
    complaint = _complaint("anonim+rahasia")
    shown = redact(complaint, PUBLIC)
    assert shown.reporter == ANONYMOUS_REPORTER
    assert shown.content == Content(CONFIDENTIAL_TEXT, CONFIDENTIAL_TEXT)
    question, answer = shown.thread
    assert question == attrs.evolve(complaint.thread[0], text=CONFIDENTIAL_TEXT)
    assert question.actor == NATIONAL
    assert answer == attrs.evolve(
        complaint.thread[1], actor=HIDDEN_REPORTER, text=CONFIDENTIAL_TEXT
    )
    assert shown.status is complaint.status
    assert shown.id == complaint.id


def test_a_confidential_but_named_report_keeps_the_reporters_actor() -> None:
    complaint = _complaint("rahasia")
    shown = redact(complaint, PUBLIC)
    assert shown.reporter == attrs.evolve(REPORTER, contact=None)
    assert shown.thread[1] == attrs.evolve(complaint.thread[1], text=CONFIDENTIAL_TEXT)
    assert shown.thread[1].actor == OWNER


# ------------------------------------------------------------------- redact_event


def _events(setting: str) -> tuple[Complaint, tuple[Event, ...]]:
    story = _story(SETTINGS[setting])
    return story.state, tuple(story.events)


def _find(events: tuple[Event, ...], kind: type[E]) -> E:
    return next(event for event in events if isinstance(event, kind))


def test_the_public_sees_the_submission_of_a_confidential_anonymous_report_redacted() -> None:
    complaint, events = _events("anonim+rahasia")
    submitted = _find(events, e.ComplaintSubmitted)
    shown = redact_event(submitted, complaint, PUBLIC)
    assert shown == attrs.evolve(
        submitted,
        actor=HIDDEN_REPORTER,
        reporter=ANONYMOUS_REPORTER,
        content=Content(CONFIDENTIAL_TEXT, CONFIDENTIAL_TEXT),
    )
    answer = _find(events, e.InformationProvided)
    assert redact_event(answer, complaint, PUBLIC) == attrs.evolve(
        answer, actor=HIDDEN_REPORTER, text=CONFIDENTIAL_TEXT
    )
    # the admin's question is a text of the thread too, hidden as redact hides it
    question = _find(events, e.InformationRequested)
    assert redact_event(question, complaint, PUBLIC) == attrs.evolve(
        question, question=CONFIDENTIAL_TEXT
    )
    assert redact(complaint, PUBLIC).thread[0].text == CONFIDENTIAL_TEXT


def test_the_public_sees_the_texts_of_an_anonymous_report_that_is_not_confidential() -> None:
    complaint, events = _events("anonim")
    submitted = _find(events, e.ComplaintSubmitted)
    assert redact_event(submitted, complaint, PUBLIC) == attrs.evolve(
        submitted, actor=HIDDEN_REPORTER, reporter=ANONYMOUS_REPORTER
    )
    answer = _find(events, e.InformationProvided)
    assert redact_event(answer, complaint, PUBLIC) == attrs.evolve(answer, actor=HIDDEN_REPORTER)


def test_an_agency_sees_the_content_of_a_confidential_report() -> None:
    complaint, events = _events("rahasia")
    submitted = _find(events, e.ComplaintSubmitted)
    assert redact_event(submitted, complaint, AGENCY) is submitted
    shown = redact_event(submitted, complaint, PUBLIC)
    assert shown == attrs.evolve(
        submitted,
        reporter=attrs.evolve(REPORTER, contact=None),
        content=Content(CONFIDENTIAL_TEXT, CONFIDENTIAL_TEXT),
    )
    assert shown.actor == OWNER


# -------------------------------------------------------------------- public_view


def test_every_field_of_the_public_view_of_an_open_report() -> None:
    complaint = _complaint("open")
    view = public_view(complaint)
    assert attrs.asdict(view, recurse=False) == {
        "id": CID,
        "tracking_id": TrackingId("2506123"),
        "status": Status.SUBMITTED,
        "kind": complaint.kind,
        "category": Category("infrastruktur"),
        "region": RegionCode("64.72"),
        "channel": complaint.channel,
        "submitted_at": complaint.submitted_at,
        "reporter_name": REPORTER.name,
        "title": "Lampu lalu lintas mati",
        "body": "Lampu lalu lintas di simpang Jl. Juanda mati sejak tiga hari.",
        "agencies": (),
    }


def test_the_public_view_of_a_confidential_anonymous_report() -> None:
    story = _story(SETTINGS["anonim+rahasia"])
    complaint = story.state
    view = public_view(complaint)
    assert (view.reporter_name, view.title, view.body) == (None, None, None)
    assert (view.id, view.tracking_id, view.status) == (
        CID,
        TrackingId("2506123"),
        Status.SUBMITTED,
    )
    assert view.agencies == ()
