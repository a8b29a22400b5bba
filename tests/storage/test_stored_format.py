"""Records written by the codec of release 0.1.0 still decode to the same events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from lapor_core import (
    Actor,
    ArchiveReason,
    ComplaintId,
    Context,
    Event,
    GeoPoint,
    Profile,
    Role,
    Status,
    decide,
    evolve,
    load_profile,
    load_registry,
    replay,
)
from lapor_core.domain import commands as c
from lapor_core.domain.clocks import ClockChange, ClockOp, DurationUnit
from lapor_core.domain.events import (
    Assignment,
    ComplaintArchived,
    ComplaintForwarded,
    ComplaintSubmitted,
)
from lapor_core.storage.codec import EVENT_TYPES, decode_event, encode_event
from lapor_core.storage.legacy import with_statuses
from lapor_core.testing.store_contract import T0, Draft, submit_command

# Written once by the encoder as it was before the codec became plain cattrs (issue 12):
# two complaints' whole histories, and one drawn record of every event type.
FIXTURE = Path(__file__).parent.parent / "data" / "stored_events_v0_1_0.json"
STORED: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
RECORDS: list[dict[str, Any]] = [
    *(record for stream in STORED["streams"].values() for record in stream),
    *STORED["samples"],
]

NATIONAL = Actor.national_admin("admin")
REPORTER = Actor.reporter("pelapor-1")
AGENCY_ADMIN = Actor("adm", Role.AGENCY_ADMIN, "samarinda")


def _text(record: dict[str, Any]) -> str:
    """The record as the encoder writes it: compact, keys in field order, UTF-8 kept."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r['type']}-{r['data']['at']}")
def test_an_old_record_decodes_and_encodes_back_to_the_same_text(record: dict[str, Any]) -> None:
    event = decode_event(record)
    assert record["type"] == type(event).__name__
    assert _text(record) == encode_event(event)
    assert event == decode_event(_text(record))


def test_the_fixture_holds_every_event_type_of_the_release() -> None:
    assert 17 == len({r["type"] for r in STORED["samples"]})
    assert {r["type"] for r in RECORDS} <= set(EVENT_TYPES)


def test_old_streams_replay_to_their_final_status() -> None:
    story_1 = [decode_event(r) for r in STORED["streams"]["story-1"]]
    story_2 = [decode_event(r) for r in STORED["streams"]["story-2"]]
    assert all(event.status is None for event in [*story_1, *story_2])
    assert Status.COMPLETED is replay(with_statuses(story_1)).status
    assert Status.ARCHIVED is replay(with_statuses(story_2)).status


def test_old_records_decode_to_the_events_written_out_by_hand() -> None:
    forwarded, _rejected, archived = (decode_event(r) for r in STORED["streams"]["story-2"][1:])
    day = timedelta(days=1)
    stop = ClockChange(ClockOp.STOP, "forwarding")
    assert (
        ComplaintForwarded(
            complaint_id=ComplaintId("story-2"),
            at=T0 + day,
            actor=NATIONAL,
            clock_changes=(
                ClockChange(
                    ClockOp.START,
                    "follow_up",
                    agency="samarinda",
                    responsible="samarinda",
                    time_zone="Asia/Makassar",
                    amount=5,
                    unit=DurationUnit.WORKING_DAYS,
                ),
                stop,
            ),
            assignments=(
                Assignment(
                    agency="samarinda",
                    handler="samarinda",
                    lead=True,
                    forwarded_by="lapor",
                    forwarded_at=datetime(2025, 3, 28, 1, 30, tzinfo=UTC),
                ),
            ),
        )
        == forwarded
    )
    assert (
        ComplaintArchived(
            complaint_id=ComplaintId("story-2"),
            at=T0 + 3 * day,
            actor=NATIONAL,
            clock_changes=(
                ClockChange(ClockOp.STOP, "statutory_decision"),
                ClockChange(ClockOp.STOP, "statutory_response"),
                stop,
            ),
            reason=ArchiveReason.UNCLEAR,
            note="Tidak jelas.",
        )
        == archived
    )


def _rules_of_0_1_0() -> Context:
    """
    The national rules the fixture's streams were decided under.

    Release 0.1.0 started the statutory decision clock at submission, one per complaint;
    it now counts from the complete file, per assigned agency (issue 14, gap 8).
    """
    raw: dict[str, Any] = dict(load_profile("national").raw)
    clocks = dict(raw["clocks"])
    clocks["statutory_decision"] = {
        **clocks["statutory_decision"],
        "scope": "complaint",
        "start": ["ComplaintSubmitted"],
        "stop": [],
    }
    raw["clocks"] = clocks
    return Context.create(Profile.from_mapping(raw), load_registry("kaltim"))


RULES_0_1_0 = _rules_of_0_1_0()


@attrs.define
class _Draft010(Draft):
    """A :class:`Draft` deciding under the rules of release 0.1.0."""

    def do(self, actor: Actor, command: c.Command, at: datetime) -> tuple[Event, ...]:
        new = decide(self.complaint, command, actor, at, RULES_0_1_0)
        for event in new:
            self.complaint = evolve(self.complaint, event)
        self.events.extend(new)
        return new


def _story_1() -> list[Event]:
    draft = _Draft010()
    at = T0.astimezone(timezone(timedelta(hours=8)))
    draft.do(REPORTER, submit_command("story-1"), at)
    cid = draft.id
    steps: list[tuple[Actor, c.Command]] = [
        (NATIONAL, c.Classify(complaint_id=cid, title="Jalan rusak", tags=("jalan", "pasar"))),
        (NATIONAL, c.RequestInformation(complaint_id=cid, question="Di mana tepatnya?")),
        (REPORTER, c.ProvideInformation(complaint_id=cid, text="Depan Pasar Segiri.")),
        (
            NATIONAL,
            c.Forward(complaint_id=cid, agencies=("samarinda", "kaltim.dinkes"), lead="samarinda"),
        ),
        (
            Actor("lo", Role.LIAISON_OFFICER, "samarinda"),
            c.PostFollowUp(complaint_id=cid, agency="samarinda", text="Sedang ditangani."),
        ),
        (REPORTER, c.Reply(complaint_id=cid, text="Terima kasih.")),
        (AGENCY_ADMIN, c.Close(complaint_id=cid, note="Selesai diperbaiki.")),
    ]
    for hours, (actor, command) in enumerate(steps, start=1):
        draft.do(actor, command, at + timedelta(hours=5 * hours))
    return draft.events


def _story_2() -> list[Event]:
    draft = _Draft010()
    draft.do(REPORTER, submit_command("story-2", region="64", category=None, target=None), T0)
    cid = draft.id
    steps: list[tuple[Actor, c.Command]] = [
        (NATIONAL, c.Forward(complaint_id=cid, agencies=("samarinda",))),
        (
            AGENCY_ADMIN,
            c.RejectDisposition(complaint_id=cid, agency="samarinda", reason="Bukan wewenang"),
        ),
        (
            NATIONAL,
            c.Archive(complaint_id=cid, reason=ArchiveReason.UNCLEAR, note="Tidak jelas."),
        ),
    ]
    for days, (actor, command) in enumerate(steps, start=1):
        draft.do(actor, command, T0 + timedelta(days=days))
    return draft.events


@pytest.mark.parametrize(("name", "story"), [("story-1", _story_1), ("story-2", _story_2)])
def test_old_streams_equal_what_the_domain_decides_today(name: str, story: Any) -> None:
    events = story()
    old = [decode_event(r) for r in STORED["streams"][name]]
    # Today's events record their status; the old records did not, and filling it in
    # by the rules they were written under gives exactly what decide stamps today.
    assert [attrs.evolve(e, status=None) for e in events] == old
    assert tuple(events) == with_statuses(old)
    assert [_text(r) for r in STORED["streams"][name]] == [encode_event(e) for e in old]


def test_a_coordinate_near_zero_is_written_without_an_exponent_and_read_back_alike() -> None:
    # the standard library's json wrote 3e-05 where orjson writes 0.00003: both are
    # the same number, so records written before read as the events they were
    submitted = next(r for r in RECORDS if r["type"] == "ComplaintSubmitted")
    event = decode_event(submitted)
    assert isinstance(event, ComplaintSubmitted)
    content = attrs.evolve(event.content, point=GeoPoint(-3e-05, 109.3425))
    near_the_equator = attrs.evolve(event, content=content)
    text = encode_event(near_the_equator)
    assert '"lat":-0.00003,' in text
    old_text = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    assert '"lat":-3e-05,' in old_text
    assert decode_event(old_text) == near_the_equator == decode_event(text)
