"""The profile's cap on a thread's length: follow-ups, replies and questions stop at it."""

from __future__ import annotations

import pytest

from helpers import (
    CID,
    NATIONAL,
    OWNER,
    PROFILE,
    REGISTRY,
    drive,
    edit_table,
    in_scope,
    national_toml,
    sample_command,
)
from lapor_core import (
    Context,
    InvalidTransition,
    PostFollowUp,
    Profile,
    ProfileError,
    ProvideInformation,
    Reply,
    RequestInformation,
    Role,
    Status,
)
from lapor_core.domain.profile_rules import THREAD_MAX_MESSAGES_DEFAULT


def _capped(cap: int) -> Context:
    text = edit_table(
        national_toml(), "options.thread", "max_messages = 1000", f"max_messages = {cap}"
    )
    return Context.create(Profile.from_toml(text), REGISTRY)


def test_the_national_profile_caps_a_thread_at_the_documented_default() -> None:
    """The bundled profile sets options.thread.max_messages to the documented default."""
    assert THREAD_MAX_MESSAGES_DEFAULT == PROFILE.thread.max_messages == 1000


def test_a_profile_without_the_table_gets_the_default() -> None:
    """[options.thread] is optional: without it the cap is the documented default."""
    start = national_toml().index("[options.thread]")
    end = national_toml().index("[statuses.submitted]")
    profile = Profile.from_toml(national_toml()[:start] + national_toml()[end:])
    assert THREAD_MAX_MESSAGES_DEFAULT == profile.thread.max_messages


def test_a_cap_below_one_is_refused_with_its_key() -> None:
    """max_messages must be positive; the error names the key."""
    text = edit_table(national_toml(), "options.thread", "max_messages = 1000", "max_messages = 0")
    with pytest.raises(ProfileError, match=r"options\.thread\.max_messages"):
        Profile.from_toml(text)


def test_replies_and_follow_ups_stop_at_the_cap() -> None:
    """Once the thread holds max_messages messages, a reply and a follow-up are refused."""
    ctx = _capped(4)
    story = drive(Status.IN_PROGRESS, ctx)  # one follow-up in the thread
    liaison = in_scope(Role.LIAISON_OFFICER)
    story.do(OWNER, Reply(complaint_id=CID, text="Belum diperbaiki."))
    story.do(liaison, sample_command(PostFollowUp, CID))
    story.do(OWNER, Reply(complaint_id=CID, text="Masih belum."))
    assert 4 == len(story.state.thread)
    with pytest.raises(InvalidTransition, match=r"holds 4 messages .* at most 4"):
        story.do(OWNER, Reply(complaint_id=CID, text="Lagi."))
    with pytest.raises(InvalidTransition, match=r"options\.thread\.max_messages"):
        story.do(liaison, sample_command(PostFollowUp, CID))
    assert 4 == len(story.state.thread)


def test_a_question_needs_room_for_its_answer() -> None:
    """A question is refused when its answer would not fit, so the cap is never passed."""
    story = drive(Status.SUBMITTED, _capped(1))
    with pytest.raises(InvalidTransition, match="RequestInformation is refused"):
        story.do(NATIONAL, sample_command(RequestInformation, CID))
    story = drive(Status.SUBMITTED, _capped(2))
    story.do(NATIONAL, sample_command(RequestInformation, CID))
    story.do(OWNER, sample_command(ProvideInformation, CID))
    assert 2 == len(story.state.thread)
