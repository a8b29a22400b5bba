"""The event codec: round trips, upcasting, and strict refusal of bad records."""

from __future__ import annotations

import enum
import json
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lapor_core import (
    Actor,
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    ComplaintRated,
    Content,
    Event,
    ExternalIds,
    LaporError,
    RegionCode,
    Reporter,
    Role,
    StorageError,
    TrackingId,
    ValidationError,
)
from lapor_core.domain import commands as c
from lapor_core.domain import events as event_module
from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.events import ComplaintSubmitted, ReplyPosted
from lapor_core.storage.codec import (
    CODEC,
    EVENT_TYPES,
    Codec,
    decode_cursor,
    decode_event,
    decode_row,
    encode_cursor,
    encode_event,
    encode_row,
)
from lapor_core.testing.store_contract import T0, Draft, submit_command

ZONES = [
    UTC,
    timezone(timedelta(hours=7)),
    timezone(timedelta(hours=8)),
    timezone(timedelta(hours=9)),
]


# --------------------------------------------------------------------------- strategies

# Hypothesis wants naive bounds and adds the time zone itself
aware = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - naive bound, see above
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001 - naive bound, see above
    timezones=st.sampled_from(ZONES),
)
# Text every field accepts (the domain's text rules): no control character, no lone
# surrogate, no line separator, one line.
text = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
).filter(str.strip)
ident = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)
actors = st.one_of(
    st.builds(Actor.reporter, text),
    st.builds(Actor.national_admin, text),
    st.builds(Actor.system, text),
    st.builds(Actor, text, st.sampled_from([Role.AGENCY_ADMIN, Role.LIAISON_OFFICER]), ident),
)
channels = st.one_of(
    st.builds(
        Channel, st.sampled_from([t for t in ChannelType if t is not ChannelType.REGIONAL_APP])
    ),
    st.builds(Channel, st.just(ChannelType.REGIONAL_APP), text),
)
SPECIAL: dict[Any, st.SearchStrategy[Any]] = {
    str: text,
    int: st.integers(-(2**53), 2**53),
    bool: st.booleans(),
    datetime: aware,
    ComplaintId: st.builds(ComplaintId, ident),
    TrackingId: st.builds(TrackingId, st.from_regex(r"[A-Z0-9-]{1,32}", fullmatch=True)),
    RegionCode: st.builds(RegionCode, st.from_regex(r"\d{2}(\.\d{2}(\.\d{2})?)?", fullmatch=True)),
    Category: st.builds(Category, ident),
    Actor: actors,
    Channel: channels,
    Reporter: st.builds(Reporter, text, text, st.none() | text),
    Content: st.builds(Content, text, text, st.none() | text, st.none() | aware),
    ExternalIds: st.builds(
        ExternalIds,
        st.none() | st.builds(TrackingId, st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True)),
        st.none() | text,
    ),
}


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:  # noqa: PLR0911 - one return per kind of type
    """A strategy for any type found in an event (recursing through attrs classes)."""
    if tp in SPECIAL:
        return SPECIAL[tp]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in {typing.Union, types.UnionType}:
        return st.one_of([strategy_for(a) for a in args])
    if tp is type(None):
        return st.none()
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy_for(a) for a in args))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    assert attrs.has(tp), tp
    hints = typing.get_type_hints(tp)
    fields = {f.name: strategy_for(hints[f.name]) for f in attrs.fields(tp)}
    return st.builds(tp, **fields)


any_event = st.sampled_from(sorted(EVENT_TYPES)).flatmap(
    lambda name: strategy_for(EVENT_TYPES[name])
)


def _candidates(draft: Draft, n: int) -> list[tuple[Actor, c.Command]]:
    cid = draft.id
    national = Actor.national_admin("admin")
    officer = Actor("lo", Role.LIAISON_OFFICER, "samarinda")
    admin = Actor("adm", Role.AGENCY_ADMIN, "samarinda")
    return [
        (national, c.Forward(complaint_id=cid, agencies=("samarinda",))),
        (
            national,
            c.Forward(complaint_id=cid, agencies=("samarinda", "kaltim.dinkes"), lead="samarinda"),
        ),
        (national, c.RequestInformation(complaint_id=cid, question=f"Pertanyaan {n}?")),
        (Actor.reporter("pelapor-1"), c.ProvideInformation(complaint_id=cid, text="Jawaban.")),
        (national, c.Classify(complaint_id=cid, title=f"Judul {n}", tags=("jalan",))),
        (officer, c.PostFollowUp(complaint_id=cid, agency="samarinda", text="Ditangani.")),
        (admin, c.RejectDisposition(complaint_id=cid, agency="samarinda", reason="Bukan wewenang")),
        (Actor.reporter("pelapor-1"), c.Reply(complaint_id=cid, text="Terima kasih.")),
        (admin, c.Close(complaint_id=cid, note="Selesai.")),
        (national, c.Archive(complaint_id=cid, reason=ArchiveReason.UNCLEAR)),
        (Actor.system(), c.AutoClose(complaint_id=cid)),
    ]


@st.composite
def domain_stories(draw: st.DrawFn) -> list[Event]:
    """Events of one complaint driven through the real domain by random valid commands."""
    draft = Draft()
    region = draw(st.sampled_from(["64", "64.72", "64.72.01", None]))
    start = draw(st.sampled_from(ZONES).map(T0.astimezone))
    draft.do(Actor.reporter("pelapor-1"), submit_command("story-1", region=region), start)
    at = start
    for n in range(draw(st.integers(0, 6))):
        at += draw(st.sampled_from([timedelta(minutes=5), timedelta(days=1), timedelta(days=20)]))
        actor, command = draw(st.sampled_from(_candidates(draft, n)))
        try:
            draft.do(actor, command, at)
        except LaporError:
            continue
    return draft.events


# --------------------------------------------------------------------------- round trips


def test_every_event_class_is_registered() -> None:
    exported = {
        name
        for name, obj in vars(event_module).items()
        if isinstance(obj, type) and issubclass(obj, Event) and obj is not Event
    }
    assert exported == set(EVENT_TYPES)


@given(any_event)
@settings(max_examples=300)
def test_any_event_survives_a_round_trip(event: Event) -> None:
    encoded = encode_event(event)
    decoded = decode_event(encoded)
    assert event == decoded
    assert type(event) is type(decoded)
    assert encoded == encode_event(decoded)


@given(domain_stories())
def test_domain_events_survive_a_round_trip(events: list[Event]) -> None:
    for event in events:
        assert event == decode_event(encode_event(event))
        assert event == decode_event(json.loads(encode_event(event)))


def test_record_shape() -> None:
    draft = Draft()
    [event] = draft.do(Actor.reporter("pelapor-1"), submit_command("shape-1"), T0)
    record = json.loads(encode_event(event))
    assert {"type", "v", "data"} == set(record)
    assert "ComplaintSubmitted" == record["type"]
    assert 1 == record["v"]
    data = record["data"]
    assert "shape-1" == data["complaint_id"]
    assert "64.72" == data["region"]
    assert "infrastruktur" == data["category"]
    assert "pengaduan" == data["kind"]
    assert "2025-03-27T01:30:00+00:00" == data["at"]
    assert {"id": "pelapor-1", "role": "reporter", "agency": None} == data["actor"]


def test_an_agency_actor_is_stored_under_the_key_agency_as_before() -> None:
    actor = Actor.agency("adm-1", Role.AGENCY_ADMIN, "samarinda")
    event = ReplyPosted(complaint_id=ComplaintId("x"), at=T0, actor=actor, text="t")
    record = json.loads(encode_event(event))
    assert {"id": "adm-1", "role": "agency_admin", "agency": "samarinda"} == record["data"]["actor"]
    assert actor == decode_event(record).actor
    renamed = {**record, "data": {**record["data"], "actor": {**record["data"]["actor"]}}}
    renamed["data"]["actor"]["agency_id"] = renamed["data"]["actor"].pop("agency")
    with pytest.raises(StorageError, match="agency"):
        decode_event(renamed)


def test_offset_is_kept() -> None:
    wib = timezone(timedelta(hours=7))
    event = ReplyPosted(
        complaint_id=ComplaintId("x"), at=T0.astimezone(wib), actor=Actor.system(), text="t"
    )
    decoded = decode_event(encode_event(event))
    assert timedelta(hours=7) == decoded.at.utcoffset()


def test_row_round_trip() -> None:
    draft = Draft()
    draft.do(Actor.reporter("pelapor-1"), submit_command("row-1"), T0)
    row = draft.row
    assert row == decode_row(encode_row(row))
    assert row == decode_row(json.dumps(encode_row(row)))
    with pytest.raises(StorageError, match="status"):
        decode_row({**encode_row(row), "status": "lost"})


def test_cursor_round_trip() -> None:
    cursor = encode_cursor(T0, ComplaintId("a:b.c"))
    micros, ident = decode_cursor(cursor)
    assert "a:b.c" == ident
    assert T0 == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    for bad in ("", "%%%", "bm9waXBl"):
        with pytest.raises(ValidationError):
            decode_cursor(bad)


# --------------------------------------------------------------------------- upcasting


def _rated_record(**data: Any) -> dict[str, Any]:
    event = ComplaintRated(
        complaint_id=ComplaintId("u-1"), at=T0, actor=Actor.reporter("p"), score=4
    )
    return {"type": "ComplaintRated", "v": 1, "data": {**CODEC.event_data(event), **data}}


def test_upcaster_chain_reads_an_old_record() -> None:
    codec = Codec()
    # a fictitious v0 of ComplaintRated called the score "stars" and had no comment
    codec.register_upcaster(
        "ComplaintRated",
        0,
        lambda d: {**{k: v for k, v in d.items() if k != "stars"}, "score": d["stars"]},
    )
    record = _rated_record()
    old = dict(record["data"])
    old["stars"] = old.pop("score")
    old.pop("comment")
    decoded = codec.decode_event({"type": "ComplaintRated", "v": 0, "data": old})
    assert isinstance(decoded, ComplaintRated)
    assert 4 == decoded.score
    assert decoded.comment is None
    with pytest.raises(StorageError, match="no upcaster from v0"):
        Codec().decode_event({"type": "ComplaintRated", "v": 0, "data": old})


def test_upcasters_run_in_a_chain_to_the_current_version() -> None:
    @attrs.frozen(kw_only=True)
    class Noted(Event):
        SCHEMA_VERSION = 3
        note: str

    codec = Codec({"Noted": Noted})
    codec.register_upcaster("Noted", 1, lambda d: {**d, "note": d.pop("text")})
    codec.register_upcaster("Noted", 2, lambda d: {**d, "note": str(d["note"]).upper()})
    base = {
        "complaint_id": "n-1",
        "at": T0.isoformat(),
        "actor": {"id": "s", "role": "system", "agency": None},
    }
    decoded = codec.decode_event({"type": "Noted", "v": 1, "data": {**base, "text": "halo"}})
    assert "HALO" == typing.cast("Any", decoded).note
    assert (
        "x"
        == typing.cast(
            "Any", codec.decode_event({"type": "Noted", "v": 3, "data": {**base, "note": "x"}})
        ).note
    )
    with pytest.raises(StorageError, match="no upcaster from v0"):
        codec.decode_event({"type": "Noted", "v": 0, "data": base})
    with pytest.raises(ValidationError):
        codec.register_upcaster("Noted", 2, lambda d: d)
    with pytest.raises(ValidationError):
        codec.register_upcaster("Noted", 3, lambda d: d)
    with pytest.raises(ValidationError):
        codec.register_upcaster("Nope", 0, lambda d: d)


def test_failing_upcaster_is_a_storage_error() -> None:
    codec = Codec()
    codec.register_upcaster("ComplaintRated", 0, lambda d: {"score": d["missing"]})
    with pytest.raises(StorageError, match="upcaster from v0 failed"):
        codec.decode_event({"type": "ComplaintRated", "v": 0, "data": {}})


# --------------------------------------------------------------------------- refusals


def _submitted_record() -> dict[str, Any]:
    draft = Draft()
    [event] = draft.do(Actor.reporter("pelapor-1"), submit_command("bad-1"), T0)
    assert isinstance(event, ComplaintSubmitted)
    return typing.cast("dict[str, Any]", json.loads(encode_event(event)))


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: {**r, "type": "ComplaintTeleported"},
            "unknown event type 'ComplaintTeleported'",
        ),
        (lambda r: {**r, "v": 2}, "ComplaintSubmitted v2 is newer"),
        (lambda r: {**r, "v": "1"}, "invalid schema version"),
        (lambda r: {**r, "v": True}, "invalid schema version"),
        (lambda r: {**r, "v": 0}, "no upcaster from v0"),
        (lambda r: _without(r, "data"), "without data"),
        (lambda r: {**r, "data": []}, "payload must be an object"),
        (
            lambda r: {**r, "data": _without(r["data"], "content")},
            r"required field missing @ \$\.content",
        ),
        (
            lambda r: {**r, "data": {**r["data"], "at": "2025-03-27T01:30:00"}},
            r"naive datetime.*\$\.at",
        ),
        (lambda r: {**r, "data": {**r["data"], "at": "yesterday"}}, r"\$\.at"),
        (lambda r: {**r, "data": {**r["data"], "at": 5}}, r"\$\.at"),
        (lambda r: {**r, "data": {**r["data"], "misconduct": 1}}, r"\$\.misconduct"),
        (lambda r: {**r, "data": {**r["data"], "router": 7}}, r"\$\.router"),
        (lambda r: {**r, "data": {**r["data"], "kind": "gossip"}}, r"\$\.kind"),
        (lambda r: {**r, "data": {**r["data"], "complaint_id": "no spaces!"}}, r"\$\.complaint_id"),
        (lambda r: {**r, "data": {**r["data"], "clock_changes": "start"}}, r"\$\.clock_changes"),
        (
            lambda r: {
                **r,
                "data": {**r["data"], "actor": {"id": "x", "role": "reporter", "agency": "a"}},
            },
            r"\$\.actor",
        ),
        (lambda r: {**r, "data": {**r["data"], "reporter": None}}, r"\$\.reporter"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_records_raise_storage_error(mutate: Any, message: str) -> None:
    record = mutate(_submitted_record())
    with pytest.raises(StorageError, match=message):
        decode_event(record)
    with pytest.raises(StorageError, match=message):
        decode_event(json.dumps(record))


@pytest.mark.parametrize(
    "text", ["", "{", "not json", '{"type": "ReplyPosted"', "[1, 2]", "null", b"\xff\xfe"]
)
def test_corrupt_json_raises_storage_error(text: str | bytes) -> None:
    with pytest.raises(StorageError):
        decode_event(text)


def test_encoding_an_unknown_event_is_refused() -> None:
    @attrs.frozen(kw_only=True)
    class Stray(Event):
        pass

    with pytest.raises(StorageError, match="Stray"):
        encode_event(Stray(complaint_id=ComplaintId("s"), at=T0, actor=Actor.system()))


# --------------------------------------------------------------------------- clock changes


def _clock_record(**changes: Any) -> dict[str, Any]:
    """A submission record whose first clock change has *changes*."""
    record = _submitted_record()
    first, *rest = record["data"]["clock_changes"]
    record["data"]["clock_changes"] = [{**first, **changes}, *rest]
    return record


@pytest.mark.parametrize("amount", [True, 1.0, "1"])
def test_a_shared_value_does_not_stand_in_for_a_value_of_another_type(amount: object) -> None:
    # JSON 1, true and 1.0 are equal in Python; after 1 decodes, the others are still refused.
    assert decode_event(_clock_record(amount=1)).clock_changes[0].amount == 1
    with pytest.raises(StorageError, match=r"\$\.clock_changes(\[0\])?\.amount"):
        decode_event(_clock_record(amount=amount))


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"agency": ["samarinda"]}, "agency"),
        ({"op": "explode"}, "op"),
        ({"op": 1}, "op"),
        ({"unit": "fortnights"}, "unit"),
    ],
)
def test_bad_clock_changes_are_refused_by_field(changes: dict[str, Any], where: str) -> None:
    with pytest.raises(StorageError, match=rf"\$\.clock_changes(\[0\])?\.{where}"):
        decode_event(_clock_record(**changes))


def test_optional_enum_fields_take_null() -> None:
    event = decode_event(_clock_record(unit=None, amount=None))
    assert event.clock_changes[0].unit is None
    assert event.clock_changes[0].amount is None


@pytest.mark.parametrize(
    ("kind", "shown"), [("gossip", "'gossip'"), (["pengaduan"], "['pengaduan']"), (None, "None")]
)
def test_an_unknown_enum_value_is_refused_as_the_enum_refuses_it(kind: object, shown: str) -> None:
    record = _submitted_record()
    record["data"]["kind"] = kind
    with pytest.raises(StorageError) as refused:
        decode_event(record)
    assert str(refused.value) == (
        f"corrupt ComplaintSubmitted v1 payload: ValueError: {shown} is not a valid Kind @ $.kind"
    )


def test_an_optional_enum_field_refuses_a_value_its_enum_does_not_know() -> None:
    with pytest.raises(StorageError) as refused:
        decode_event(_clock_record(unit="fortnights"))
    assert "'fortnights' is not a valid DurationUnit @ $.clock_changes[0].unit" in str(
        refused.value
    )
    assert decode_event(_clock_record(unit="hours")).clock_changes[0].unit is DurationUnit.HOURS
