"""
What `lapor_core.domain.profile` answers and refuses, word for word (its mutation run).

The profile tests load and query the bundled profiles; these pin the rest, so that
mutation testing of ``lapor_core.domain.profile`` (``bench/mutation.py profile``) finds a
test for each change: each refusal (invalid TOML, an unresolved or mismatched parent, an
unknown category, channel, duration, option, label language or label, a naive instant)
with its template, text and fields, the word "none" where nothing is known; a mapping
without a ``[profile]`` table; the order of a child's ``[profile]`` keys; the options,
calendar and rules a profile builds from its tables; the duration a by-category clock
takes; the fallback version of a profile whose periods leave a gap; and what
``describe`` and ``provenance`` give when the origins are missing or partial.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

import attrs
import pytest

from helpers import PROFILE, NoOffset, edit_table, national_toml, refused
from lapor_core import Profile, ProfileError, Status, ValidationError, load_profile
from lapor_core.domain.calendar import CalendarOverride, OverrideKind
from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.model import Basis, Category, Confidence
from lapor_core.domain.profile_merge import leaves
from lapor_core.domain.profile_rules import Duration, OverrideRule
from lapor_core.errors import LaporError, Term

KALTIM = load_profile("kaltim")
T0 = datetime(2026, 3, 2, 3, tzinfo=UTC)
CATEGORIES = "administrasi-kependudukan, infrastruktur, kesehatan, pendidikan, pungli"


def _custom_toml() -> str:
    """The national profile with its optional tables switched the other way, and more."""
    text = national_toml()
    for table, old, new in (
        ("options.thread", "max_messages = 1000", "max_messages = 7"),
        ("options.uncategorised", "enabled = false", "enabled = true"),
        ("options.no_wrong_door", "enabled = false", "enabled = true"),
        ("options.cuti_bersama", "enabled = true", "enabled = false"),
        ("options.extension", "enabled = true", "enabled = false"),
    ):
        text = edit_table(text, table, old, new)
    return text + (
        '\n[[calendar.override]]\ndate = 2026-01-02\nkind = "holiday"\nname = "Libur"\n'
        'basis = "a decree"\nconfidence = "I"\n'
        '\n[lifecycle]\ndisabled_commands = ["Reopen", "Rate"]\nbasis = "local"\n'
        'confidence = "L"\n'
    )


def _custom() -> Profile:
    """The custom profile, built afresh: what ``Profile`` builds is checked in each test."""
    return Profile.from_toml(_custom_toml())


def _whole(error: LaporError) -> tuple[type, str | None, str, dict[str, object]]:
    """An error whole: its type, template, English text and fields."""
    return (type(error), error.template, str(error), dict(error.fields))


# --------------------------------------------------------------------------- parsing


def test_invalid_toml_is_refused_with_the_parsers_reason() -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as parsing:
        tomllib.loads("x = ")
    reason = str(parsing.value)
    assert _whole(refused(lambda: Profile.from_toml("x = "))) == (
        ProfileError,
        "profile is not valid TOML: {reason}",
        f"profile is not valid TOML: {reason}",
        {"reason": reason},
    )


@pytest.mark.parametrize(
    ("data", "first"),
    [({}, "profile: missing key"), ({"profile": 5}, "profile: expected a table, got int")],
)
def test_a_mapping_without_a_profile_table_is_refused_as_a_profile(
    data: dict[str, object], first: str
) -> None:
    error = refused(lambda: Profile.from_mapping(data))
    assert isinstance(error, ProfileError)
    assert error.problems[:2] == (first, "options: missing key")


def test_a_profile_naming_a_parent_it_is_not_given_is_refused() -> None:
    data: dict[str, object] = {"profile": {"name": "anak", "parent": "national"}}
    error = refused(lambda: Profile.from_mapping(data))
    assert _whole(error) == (
        ProfileError,
        (
            "this profile extends {declared!r}; pass parent= (or load it with "
            "lapor_core.profiles.load_profile, which resolves parents by name)"
        ),
        (
            "profile.parent: this profile extends 'national'; pass parent= (or load it with "
            "lapor_core.profiles.load_profile, which resolves parents by name)"
        ),
        {"declared": "national"},
    )
    assert isinstance(error, ProfileError)
    assert error.key == "profile.parent"


def test_a_profile_given_another_parent_than_it_names_is_refused() -> None:
    data: dict[str, object] = {"profile": {"name": "anak", "parent": "kaltim"}}
    error = refused(lambda: Profile.from_mapping(data, parent=PROFILE))
    assert _whole(error) == (
        ProfileError,
        "this profile extends {declared!r}, not {name!r}",
        "profile.parent: this profile extends 'kaltim', not 'national'",
        {"declared": "kaltim", "name": "national"},
    )


def test_a_childs_profile_table_starts_with_its_name_description_and_parent() -> None:
    text = '[profile]\ntime_zone = "Asia/Makassar"\nparent = "national"\n'
    text += 'description = "a child"\nname = "anak"\n'
    child = Profile.from_toml(text, parent=PROFILE)
    head = child.raw["profile"]
    assert isinstance(head, dict)
    assert list(head.items()) == [
        ("name", "anak"),
        ("description", "a child"),
        ("parent", "national"),
        ("time_zone", "Asia/Makassar"),
    ]


# --------------------------------------------------------------------------- built values


def test_the_optional_tables_set_the_profiles_options() -> None:
    profile = _custom()
    assert (profile.thread.max_messages, profile.thread.basis.confidence) == (7, Confidence.LOCAL)
    assert (profile.uncategorised.enabled, profile.no_wrong_door.enabled) == (True, True)


def test_the_calendar_of_a_profile_without_cuti_bersama_works_on_it() -> None:
    calendar = _custom().calendar()
    assert calendar.include_cuti_bersama is False
    assert PROFILE.calendar().include_cuti_bersama is True


def test_a_profiles_calendar_overrides_become_its_calendar_rules() -> None:
    override = CalendarOverride(date(2026, 1, 2), OverrideKind.HOLIDAY, "Libur", "a decree")
    profile = _custom()
    assert profile.calendar_rules == (OverrideRule(override, Confidence.INFERRED),)
    assert profile.calendar_overrides == (override,)


def _option_rules(profile: Profile) -> list[tuple[str, object]]:
    return [(key, value) for key, value, _ in profile.rules()][:15]


def test_the_option_rules_name_each_option_with_its_value() -> None:
    labels = [(f"statuses.{s.value}", PROFILE.labels[s].id) for s in Status]
    assert _option_rules(PROFILE) == [
        ("options.reopen.enabled", False),
        ("options.rating.enabled", False),
        *labels,
        ("options.hold_pauses_clocks.enabled", True),
        ("options.rejection_restarts_forwarding.enabled", True),
        ("options.cuti_bersama.enabled", True),
        ("options.uncategorised.enabled", False),
        ("options.no_wrong_door.enabled", False),
        ("options.extension", "1 x 7"),
        ("options.rules_at_clock_start.enabled", False),
    ]


def test_a_disabled_extension_is_off_in_the_rules() -> None:
    assert ("options.extension", "off") in _option_rules(_custom())


def test_the_rules_end_with_the_calendar_overrides_and_the_disabled_commands() -> None:
    assert list(_custom().rules())[-2:] == [
        (
            "calendar.override[0]",
            "2026-01-02 holiday: Libur",
            Basis("a decree", Confidence.INFERRED),
        ),
        ("lifecycle.disabled_commands", "Rate, Reopen", Basis("local", Confidence.LOCAL)),
    ]


def test_a_lifecycle_table_disabling_nothing_is_none_in_the_rules() -> None:
    profile = attrs.evolve(_custom(), disabled_commands=frozenset())
    assert list(profile.rules())[-1] == (
        "lifecycle.disabled_commands",
        "none",
        Basis("local", Confidence.LOCAL),
    )


def test_durations_without_versions_are_each_one_rule() -> None:
    profile = attrs.evolve(PROFILE, duration_versions={})
    assert list(profile.rules()) == list(PROFILE.rules())


# --------------------------------------------------------------------------- durations


def test_a_by_category_clock_runs_for_its_categorys_standard() -> None:
    clock = PROFILE.clocks["service_standard"]
    assert PROFILE.duration_of(clock, "kesehatan", T0) == PROFILE.durations["service_normative"]
    assert PROFILE.duration_of(clock, "tidak-ada", T0) is None
    assert PROFILE.duration_of(clock, None, T0) is None


def test_an_unknown_duration_is_refused() -> None:
    assert _whole(refused(lambda: PROFILE.duration_in_force("nope", T0))) == (
        ProfileError,
        "profile {profile!r} has no duration {duration!r}",
        "profile 'national' has no duration 'nope'",
        {"profile": "national", "duration": "nope"},
    )


def test_a_duration_without_versions_is_its_table() -> None:
    profile = attrs.evolve(PROFILE, duration_versions={})
    assert profile.duration_in_force("forwarding", T0) is PROFILE.durations["forwarding"]


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 9, tzinfo=NoOffset())],  # noqa: DTZ001
)
def test_an_instant_without_an_offset_is_refused(at: datetime) -> None:
    assert _whole(refused(lambda: PROFILE.duration_in_force("forwarding", at))) == (
        ValidationError,
        "duration {key!r}: the instant must be timezone-aware",
        "duration 'forwarding': the instant must be timezone-aware",
        {"key": "forwarding"},
    )


def test_a_day_no_version_covers_takes_the_last_version() -> None:
    basis = Basis("test", Confidence.LOCAL)
    days = DurationUnit.WORKING_DAYS
    versions = (
        Duration(1, days, basis, date(2026, 1, 1), date(2026, 1, 31)),
        Duration(2, days, basis, date(2026, 3, 1), date(2026, 3, 31)),
        Duration(3, days, basis, date(2026, 5, 1)),
    )
    profile = attrs.evolve(PROFILE, duration_versions={"forwarding": versions})
    assert profile.duration_in_force("forwarding", date(2025, 6, 1)) is versions[2]
    assert profile.duration_in_force("forwarding", date(2026, 3, 5)) is versions[1]


# --------------------------------------------------------------------------- categories


def test_an_unknown_category_is_refused_naming_the_known_ones() -> None:
    assert _whole(refused(lambda: PROFILE.category_for("nope"))) == (
        ValidationError,
        (
            "{where}: {code!r} is not a category of profile {profile_name!r} (known: {known}; "
            "options.uncategorised is off)"
        ),
        (
            f"category: 'nope' is not a category of profile 'national' (known: {CATEGORIES}; "
            "options.uncategorised is off)"
        ),
        {"where": "category", "code": "nope", "profile_name": "national", "known": CATEGORIES},
    )


def test_a_profile_without_categories_knows_none() -> None:
    profile = attrs.evolve(PROFILE, service_standards={})
    error = refused(lambda: profile.category_for("nope", "service_code"))
    assert str(error) == (
        "service_code: 'nope' is not a category of profile 'national' (known: none; "
        "options.uncategorised is off)"
    )
    known = error.fields["known"]
    assert (type(known), known) == (Term, "none")


def test_an_unknown_category_is_accepted_when_uncategorised_is_on() -> None:
    assert _custom().category_for("nope") == Category("nope")


def test_a_malformed_category_is_refused_under_its_name() -> None:
    profile = _custom()
    error = refused(lambda: profile.category_for("Bad Code", "service_code"))
    cause = refused(lambda: Category("Bad Code"))
    assert (type(error), error.template, str(error)) == (
        ValidationError,
        "{where}: {exc}",
        f"service_code: {cause}",
    )
    assert (error.fields["where"], str(error.fields["exc"])) == ("service_code", str(cause))


# --------------------------------------------------------------------------- lookups


def test_an_unknown_channel_is_refused_naming_the_known_ones() -> None:
    assert _whole(refused(lambda: KALTIM.channel("sms"))) == (
        ProfileError,
        "profile {profile!r} has no channel {channel!r} (known: {known})",
        "profile 'kaltim' has no channel 'sms' (known: lapor_wal, whatsapp_desa)",
        {"profile": "kaltim", "channel": "sms", "known": "lapor_wal, whatsapp_desa"},
    )


def test_a_profile_without_channels_knows_none() -> None:
    error = refused(lambda: PROFILE.channel("sms"))
    assert str(error) == "profile 'national' has no channel 'sms' (known: none)"
    known = error.fields["known"]
    assert (type(known), known) == (Term, "none")


def test_an_unknown_option_is_refused() -> None:
    assert _whole(refused(lambda: PROFILE.option_enabled("x"))) == (
        ProfileError,
        "unknown option {option!r}",
        "unknown option 'x'",
        {"option": "x"},
    )


def test_an_unknown_label_language_is_refused() -> None:
    assert _whole(refused(lambda: PROFILE.label(Status.SUBMITTED, "fr"))) == (
        ProfileError,
        "unknown label language {lang!r}; use 'id' or 'en'",
        "unknown label language 'fr'; use 'id' or 'en'",
        {"lang": "fr"},
    )


def test_an_unknown_label_is_refused() -> None:
    assert _whole(refused(lambda: PROFILE.status_for_label("zzz"))) == (
        ProfileError,
        "no status is labelled {label!r} in profile {profile!r}",
        "no status is labelled 'zzz' in profile 'national'",
        {"label": "zzz", "profile": "national"},
    )


# --------------------------------------------------------------------------- describe


def test_describe_names_the_parent_only_when_there_is_one() -> None:
    assert PROFILE.describe().splitlines()[0] == (
        "# profile 'national': resolved values and their origin"
    )
    assert KALTIM.describe().splitlines()[0] == (
        "# profile 'kaltim' (extends 'national'): resolved values and their origin"
    )


def test_describe_gives_the_profiles_name_where_an_origin_is_missing() -> None:
    profile = attrs.evolve(PROFILE, origins={"elsewhere": "other"})
    assert profile.describe().splitlines()[1] == 'profile.name = "national"  <- national'


def test_provenance_without_origins_is_the_profile_itself_for_every_value() -> None:
    profile = attrs.evolve(PROFILE, origins={})
    assert dict(profile.provenance()) == {key: "national" for key, _ in leaves(PROFILE.raw)}
