"""Calendar overrides limited to a region or an agency subtree (a regency's own day off)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lapor_core import Profile, ProfileError, ValidationError, load_profile, load_registry
from lapor_core.cli import main
from lapor_core.domain.calendar import CalendarOverride, OverrideKind, WorkingCalendar
from lapor_core.domain.check import scope_warnings
from lapor_core.domain.clocks import DurationUnit, RunningClock, clock_deadline
from lapor_core.domain.complaint import Context

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
REGISTRY = load_registry("kaltim")
KALTIM = load_profile("kaltim")
# Thursday 11 September 2025, 10:00 WITA; five working days later is Thursday the 18th.
START = datetime(2025, 9, 11, 10, 0, tzinfo=WITA)


def _berau(scope: str) -> Profile:
    return Profile.from_toml(
        f"""
        [profile]
        name = "berau"
        parent = "kaltim"

        [[calendar.override]]
        date = 2025-09-17
        kind = "holiday"
        name = "Hari jadi (EXAMPLE)"
        basis = "EXAMPLE: a regency's own day off"
        confidence = "L"
        {scope}
        """,
        KALTIM,
    )


def _due(ctx: Context, agency: str, zone: str) -> datetime | None:
    clock = RunningClock(
        clock="follow_up",
        agency=agency,
        responsible=agency,
        time_zone=zone,
        started_at=START,
        amount=5,
        unit=DurationUnit.WORKING_DAYS,
    )
    return clock_deadline(clock, ctx.calendar)


@pytest.mark.parametrize("scope", ['region = "64.03"', 'agency = "berau"'])
def test_a_regional_day_off_moves_the_regions_deadlines_only(scope: str) -> None:
    ctx = Context.create(_berau(scope), REGISTRY)
    plain = Context.create(KALTIM, REGISTRY)
    # Berau's own clock: the 17th is off, so the fifth working day is Friday the 19th
    assert datetime(2025, 9, 19, 0, 0, tzinfo=WITA) == _due(plain, "berau", "Asia/Makassar")
    assert datetime(2025, 9, 20, 0, 0, tzinfo=WITA) == _due(ctx, "berau", "Asia/Makassar")
    # a ministry in Jakarta and a neighbouring city keep theirs
    for agency, zone in (("kemenkes", "Asia/Jakarta"), ("samarinda", "Asia/Makassar")):
        assert _due(plain, agency, zone) == _due(ctx, agency, zone)
    assert datetime(2025, 9, 19, 0, 0, tzinfo=WIB) == _due(ctx, "kemenkes", "Asia/Jakarta")
    # the calendar itself, and every other agency's, keep the 17th a working day
    assert ctx.calendar.is_working_day(date(2025, 9, 17))
    assert not ctx.calendar.for_agency("berau").is_working_day(date(2025, 9, 17))
    assert ctx.calendar.for_agency("kemenkes") is ctx.calendar


def test_an_agency_scope_covers_its_subtree() -> None:
    ctx = Context.create(_berau('agency = "kaltim"'), REGISTRY)
    assert not ctx.calendar.for_agency("berau").is_working_day(date(2025, 9, 17))
    assert not ctx.calendar.for_agency("samarinda").is_working_day(date(2025, 9, 17))
    assert ctx.calendar.for_agency("kemenkes").is_working_day(date(2025, 9, 17))


def test_an_unknown_agency_in_scope_matches_nothing() -> None:
    ctx = Context.create(_berau('agency = "nowhere"'), REGISTRY)
    assert () == ctx.calendar.agency_overrides
    assert _due(ctx, "berau", "Asia/Makassar") == datetime(2025, 9, 19, 0, 0, tzinfo=WITA)


def test_a_bad_scope_is_refused_with_its_key() -> None:
    with pytest.raises(ValidationError):
        CalendarOverride(date(2025, 9, 17), OverrideKind.HOLIDAY, "x", "b", region="64.3.x")
    with pytest.raises(ValidationError):
        CalendarOverride(date(2025, 9, 17), OverrideKind.HOLIDAY, "x", "b", agency=" ")
    with pytest.raises(ProfileError, match=r"calendar\.override\[0\]\.region: invalid"):
        _berau('region = "berau"')


def test_a_region_and_an_agency_scope_both_hold() -> None:
    ctx = Context.create(_berau('region = "64.03"\nagency = "kaltim"'), REGISTRY)
    assert not ctx.calendar.for_agency("berau").is_working_day(date(2025, 9, 17))
    assert ctx.calendar.for_agency("samarinda").is_working_day(date(2025, 9, 17))
    assert ctx.calendar.for_agency("kaltim").is_working_day(date(2025, 9, 17))  # region 64


def test_an_unresolved_scoped_override_changes_no_day() -> None:
    scoped = CalendarOverride(date(2025, 9, 17), OverrideKind.HOLIDAY, "x", "b", region="64.03")
    calendar = WorkingCalendar(time_zone="Asia/Makassar", overrides=(scoped,))
    assert calendar.is_working_day(date(2025, 9, 17))
    assert calendar.for_agency("berau") is calendar


def test_check_warns_about_a_scope_that_matches_no_agency() -> None:
    warnings = scope_warnings(_berau('agency = "beru"'), REGISTRY)
    assert ["calendar.override[0].agency"] == [w.key for w in warnings]
    assert "no agency 'beru' in the registry" in str(warnings[0])
    assert ["calendar.override[0].region"] == [
        w.key for w in scope_warnings(_berau('region = "65.01"'), REGISTRY)
    ]
    assert () == scope_warnings(_berau('region = "64.03"'), REGISTRY)
    assert () == scope_warnings(KALTIM, REGISTRY)


def test_the_check_command_keeps_every_warning_with_a_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "berau.toml"
    profile.write_text(
        '[profile]\nname = "berau"\nparent = "kaltim"\n\n'
        "[durations.follow_up]\namount = 3\n\n"  # a changed value without a basis: a warning
        '[[calendar.override]]\ndate = 2025-09-17\nkind = "holiday"\nname = "Hari jadi"\n'
        'basis = "EXAMPLE"\nconfidence = "L"\nagency = "beru"\n',
        encoding="utf-8",
    )
    assert 0 == main(["check", str(profile), "--registry", "kaltim", "--lang", "en"])
    out = capsys.readouterr().out
    assert "warning: calendar.override[0].agency: no agency 'beru'" in out
    assert "warning: durations.follow_up" in out


def test_registry_problems_keep_the_profile_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "berau.toml"
    profile.write_text(
        '[profile]\nname = "berau"\nparent = "kaltim"\n\n[durations.follow_up]\namount = 3\n',
        encoding="utf-8",
    )
    registry = tmp_path / "bad_agencies.toml"
    registry.write_text(
        '[registry]\nparent = "kaltim"\n\n[[agency]]\nid = "berau.x"\n'
        'name = "Dinas Kesehatan Kabupaten Berau"\n'
        'kind = "office"\nparent = "berau"\nregion = "64.72"\n',
        encoding="utf-8",
    )
    assert 1 == main(["check", str(profile), "--registry", str(registry), "--lang", "en"])
    out = capsys.readouterr().out
    assert "agency[0].region: " in out
    assert "warning: durations.follow_up" in out
