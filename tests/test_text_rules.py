"""One set of text rules for every text and id field of the values, commands and actors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    Channel,
    ChannelType,
    Classify,
    Close,
    ComplaintId,
    Content,
    ExtendDeadline,
    Forward,
    ForwardInternally,
    Kind,
    PostFollowUp,
    ProvideInformation,
    Rate,
    RejectDisposition,
    Reopen,
    Reply,
    Reporter,
    RequestInformation,
    Role,
    Submit,
    ValidationError,
)
from lapor_core.domain import _validators as rules
from lapor_core.domain.commands import RecordBreach, RecordWarning
from lapor_core.domain.model import ExternalIds

CID = ComplaintId("c-1")
CONTENT = Content(title="Jalan rusak", body="Jalan di depan pasar berlubang.")
REPORTER = Reporter(id="pelapor-1", name="Siti")
WEB = Channel(ChannelType.WEB)


def _submit(**changes: object) -> Submit:
    fields: dict[str, object] = {
        "complaint_id": CID,
        "content": CONTENT,
        "kind": Kind.COMPLAINT,
        "reporter": REPORTER,
        "channel": WEB,
    }
    fields.update(changes)
    return Submit(**fields)  # type: ignore[arg-type]


Build = Callable[[str], object]

FREE_TEXT: dict[str, tuple[int, Build]] = {
    "Content.title": (rules.TITLE_MAX_LENGTH, lambda v: Content(title=v, body="Isi.")),
    "Content.body": (rules.BODY_MAX_LENGTH, lambda v: Content(title="Judul", body=v)),
    "Content.location": (
        rules.LOCATION_MAX_LENGTH,
        lambda v: Content(title="Judul", body="Isi.", location=v),
    ),
    "Reporter.name": (rules.NAME_MAX_LENGTH, lambda v: Reporter(id="r-1", name=v)),
    "Reporter.contact": (rules.NAME_MAX_LENGTH, lambda v: Reporter("r-1", "Siti", v)),
    "Channel.name": (
        rules.CHANNEL_NAME_MAX_LENGTH,
        lambda v: Channel(ChannelType.REGIONAL_APP, v),
    ),
    "RequestInformation.question": (
        rules.NOTE_MAX_LENGTH,
        lambda v: RequestInformation(complaint_id=CID, question=v),
    ),
    "ProvideInformation.text": (
        rules.BODY_MAX_LENGTH,
        lambda v: ProvideInformation(complaint_id=CID, text=v),
    ),
    "RejectDisposition.reason": (
        rules.NOTE_MAX_LENGTH,
        lambda v: RejectDisposition(complaint_id=CID, agency="a", reason=v),
    ),
    "PostFollowUp.text": (
        rules.BODY_MAX_LENGTH,
        lambda v: PostFollowUp(complaint_id=CID, agency="a", text=v),
    ),
    "Reply.text": (rules.BODY_MAX_LENGTH, lambda v: Reply(complaint_id=CID, text=v)),
    "Close.note": (rules.NOTE_MAX_LENGTH, lambda v: Close(complaint_id=CID, note=v)),
    "Archive.note": (
        rules.NOTE_MAX_LENGTH,
        lambda v: Archive(complaint_id=CID, reason=ArchiveReason.OTHER, note=v),
    ),
    "Rate.comment": (
        rules.NOTE_MAX_LENGTH,
        lambda v: Rate(complaint_id=CID, score=5, comment=v),
    ),
    "Reopen.reason": (rules.NOTE_MAX_LENGTH, lambda v: Reopen(complaint_id=CID, reason=v)),
    "Classify.title": (rules.TITLE_MAX_LENGTH, lambda v: Classify(complaint_id=CID, title=v)),
    "ExtendDeadline.reason": (
        rules.NOTE_MAX_LENGTH,
        lambda v: ExtendDeadline(complaint_id=CID, clock="follow_up", amount=1, reason=v),
    ),
}

SINGLE_LINE: dict[str, tuple[int, Build]] = {
    "Reporter.id": (rules.SHORT_ID_MAX_LENGTH, lambda v: Reporter(id=v, name="Siti")),
    "ExternalIds.regional_app_id": (
        rules.SHORT_ID_MAX_LENGTH,
        lambda v: ExternalIds(regional_app_id=v),
    ),
    "Actor.id": (rules.ID_MAX_LENGTH, lambda v: Actor(v, Role.NATIONAL_ADMIN)),
    "Actor.agency_id": (rules.AGENCY_ID_MAX_LENGTH, lambda v: Actor("a-1", Role.AGENCY_ADMIN, v)),
    "Command.idempotency_key": (
        rules.KEY_MAX_LENGTH,
        lambda v: Reply(complaint_id=CID, text="Terima kasih.", idempotency_key=v),
    ),
    "Submit.target_agency": (rules.AGENCY_ID_MAX_LENGTH, lambda v: _submit(target_agency=v)),
    "Submit.subject_agency": (rules.AGENCY_ID_MAX_LENGTH, lambda v: _submit(subject_agency=v)),
    "Forward.agencies[]": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: Forward(complaint_id=CID, agencies=("dinas-x", v)),
    ),
    "Forward.lead": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: Forward(complaint_id=CID, agencies=(v,), lead=v),
    ),
    "ForwardInternally.agency": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: ForwardInternally(complaint_id=CID, agency=v, to="unit-1"),
    ),
    "ForwardInternally.to": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: ForwardInternally(complaint_id=CID, agency="dinas-1", to=v),
    ),
    "PostFollowUp.agency": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: PostFollowUp(complaint_id=CID, agency=v, text="Sudah diperbaiki."),
    ),
    "Classify.tags[]": (
        rules.TAG_MAX_LENGTH,
        lambda v: Classify(complaint_id=CID, tags=("prioritas", v)),
    ),
    "RecordWarning.clock": (
        rules.ID_MAX_LENGTH,
        lambda v: RecordWarning(complaint_id=CID, clock=v, threshold=50),
    ),
    "RecordWarning.agency": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: RecordWarning(complaint_id=CID, clock="follow_up", agency=v, threshold=50),
    ),
    "RecordBreach.agency": (
        rules.AGENCY_ID_MAX_LENGTH,
        lambda v: RecordBreach(complaint_id=CID, clock="follow_up", agency=v),
    ),
    "ExtendDeadline.clock": (
        rules.ID_MAX_LENGTH,
        lambda v: ExtendDeadline(complaint_id=CID, clock=v, amount=1, reason="Banjir."),
    ),
}

ALL_FIELDS = {**FREE_TEXT, **SINGLE_LINE}

REFUSED_EVERYWHERE = {
    "NUL": ("ab\x00c", "NUL"),
    "lone high surrogate": ("ab\ud800", "lone surrogate U\\+D800"),
    "lone low surrogate": ("\udfffab", "lone surrogate U\\+DFFF"),
    "bell": ("ab\x07", "control character U\\+0007"),
    "escape": ("\x1b[31mred", "control character U\\+001B"),
    "delete": ("ab\x7f", "control character U\\+007F"),
    "C1 next line": ("ab\x85c", "control character U\\+0085"),
    "blank": ("  ", "non-empty"),
    "empty": ("", "non-empty"),
}
LINE_BREAKS_AND_TABS = {
    "newline": "ab\ncd",
    "tab": "ab\tcd",
    "carriage return": "ab\r\ncd",
    "line separator": "ab\u2028cd",
}
UNUSUAL_BUT_VALID = [
    "Jalan \u00e9\u0301 rusak",
    "\U0001f469\u200d\U0001f4bb",
    "\u202eabc",
    "\ufeffabc",
    "a\ufffe",
    "\U0010ffff",
    "'; DROP TABLE events; --",
    "\\u0000",
    "\u0645\u0631\u062d\u0628\u0627",
]


@pytest.mark.parametrize("field", sorted(ALL_FIELDS))
@pytest.mark.parametrize("rule", sorted(REFUSED_EVERYWHERE))
def test_every_field_refuses_nul_surrogates_controls_and_blank(field: str, rule: str) -> None:
    """NUL, lone surrogates, other controls and blank text are refused at construction."""
    value, message = REFUSED_EVERYWHERE[rule]
    _, build = ALL_FIELDS[field]
    with pytest.raises(ValidationError, match=message):
        build(value)


@pytest.mark.parametrize("field", sorted(ALL_FIELDS))
def test_every_field_has_its_length_limit(field: str) -> None:
    """A field takes text up to its limit and refuses one character more."""
    limit, build = ALL_FIELDS[field]
    build("x" * limit)
    with pytest.raises(ValidationError, match=f"is {limit + 1} characters long; the limit is"):
        build("x" * (limit + 1))


@pytest.mark.parametrize("field", sorted(FREE_TEXT))
@pytest.mark.parametrize("name", sorted(LINE_BREAKS_AND_TABS))
def test_free_text_keeps_line_breaks_and_tabs(field: str, name: str) -> None:
    """Free text keeps newline, CRLF, tab and the Unicode line separator."""
    _, build = FREE_TEXT[field]
    build(LINE_BREAKS_AND_TABS[name])


@pytest.mark.parametrize("field", sorted(SINGLE_LINE))
@pytest.mark.parametrize("name", sorted(LINE_BREAKS_AND_TABS))
def test_single_line_fields_keep_no_line_break_nor_tab(field: str, name: str) -> None:
    """Ids, codes and tags are one line: no newline, CR, tab or line separator."""
    _, build = SINGLE_LINE[field]
    with pytest.raises(ValidationError, match="single line"):
        build(LINE_BREAKS_AND_TABS[name])


@pytest.mark.parametrize("field", sorted(ALL_FIELDS))
@pytest.mark.parametrize("value", UNUSUAL_BUT_VALID)
def test_unusual_but_valid_unicode_is_accepted(field: str, value: str) -> None:
    """Joiners, direction marks, noncharacters, astral code points and SQL are just text."""
    _, build = ALL_FIELDS[field]
    build(value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Classify(complaint_id=CID, tags="abc"),
        lambda: Classify(complaint_id=CID, tags=b"abc"),  # type: ignore[arg-type]
        lambda: Forward(complaint_id=CID, agencies="abc"),
    ],
    ids=["tags-str", "tags-bytes", "agencies-str"],
)
def test_a_sequence_field_refuses_a_bare_string(build: Callable[[], object]) -> None:
    """``Classify(tags="abc")`` is refused, not split into ``('a', 'b', 'c')``."""
    with pytest.raises(ValidationError, match="sequence of strings, not the bare"):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: Classify(complaint_id=CID, tags=5),  # type: ignore[arg-type]
        lambda: Forward(complaint_id=CID, agencies=None),  # type: ignore[arg-type]
        lambda: Classify(complaint_id=CID, tags=(5,)),  # type: ignore[arg-type]
        lambda: Forward(complaint_id=CID, agencies=(["a"],)),  # type: ignore[arg-type]
    ],
)
def test_a_sequence_field_refuses_non_strings_with_our_error(build: Callable[[], object]) -> None:
    """Not an iterable, or items that are not strings: ValidationError, never TypeError."""
    with pytest.raises(ValidationError):
        build()


def test_a_sequence_field_takes_any_iterable_of_strings_as_a_tuple() -> None:
    """A list of tags becomes a tuple; valid input behaves as before."""
    assert ("a", "b") == Classify(complaint_id=CID, tags=["a", "b"]).tags
    assert ("x", "y") == Forward(complaint_id=CID, agencies=["x", "y"]).agencies
    assert None is Classify(complaint_id=CID, title="Judul").tags


def test_an_actor_id_is_at_most_128_characters() -> None:
    """``Actor.id`` has a limit (it had none)."""
    assert 128 == rules.ID_MAX_LENGTH
    Actor.reporter("r" * 128)
    with pytest.raises(ValidationError, match="actor id is 129 characters long; the limit is 128"):
        Actor.reporter("r" * 129)


def test_nul_in_an_actor_id_or_a_tag_is_refused() -> None:
    """PostgreSQL cannot hold NUL: the domain refuses it for every backend."""
    with pytest.raises(ValidationError, match="actor id contains a NUL character"):
        Actor.national_admin("admin\x00")
    with pytest.raises(ValidationError, match="tag in tags contains a NUL character"):
        Classify(complaint_id=CID, tags=("a\x00b",))


def test_a_lone_surrogate_in_content_or_reporter_is_refused() -> None:
    """A lone surrogate (valid JSON, e.g. from an Open311 POST) never reaches a store."""
    with pytest.raises(ValidationError, match="title contains a lone surrogate"):
        Content(title="\ud800", body="Isi.")
    with pytest.raises(ValidationError, match="reporter name contains a lone surrogate"):
        Reporter(id="r-1", name="Siti \udc00")


def test_the_limits_are_the_documented_ones() -> None:
    """The constants are what docs/storage.md lists (and what the code already used)."""
    assert {
        "ID_MAX_LENGTH": 128,
        "AGENCY_ID_MAX_LENGTH": 64,
        "SHORT_ID_MAX_LENGTH": 64,
        "KEY_MAX_LENGTH": 200,
        "TAG_MAX_LENGTH": 64,
        "CHANNEL_NAME_MAX_LENGTH": 80,
        "NAME_MAX_LENGTH": 200,
        "TITLE_MAX_LENGTH": 300,
        "LOCATION_MAX_LENGTH": 500,
        "NOTE_MAX_LENGTH": 5_000,
        "BODY_MAX_LENGTH": 20_000,
    } == {name: getattr(rules, name) for name in dir(rules) if name.endswith("_MAX_LENGTH")}
