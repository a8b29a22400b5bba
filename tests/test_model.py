"""Tests for lapor_core.domain.model: value objects refuse bad input and never exist invalid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lapor_core import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    ExternalIds,
    Kind,
    LaporError,
    Privacy,
    RegionCode,
    Reporter,
    TrackingId,
    ValidationError,
)
from lapor_core.domain.model import require_aware

# --------------------------------------------------------------------------- require_aware


def test_require_aware_returns_an_aware_datetime() -> None:
    value = datetime(2025, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=8)))
    assert value is require_aware(value)


def test_require_aware_refuses_a_naive_datetime_and_names_it() -> None:
    with pytest.raises(ValidationError, match="event_date must be timezone-aware"):
        require_aware(datetime(2025, 1, 2, 3, 4), "event_date")  # noqa: DTZ001 - naive on purpose


def test_require_aware_refuses_a_non_datetime() -> None:
    with pytest.raises(ValidationError, match="must be a datetime"):
        require_aware("2025-01-02T03:04:00+07:00")  # type: ignore[arg-type]


def test_validation_error_is_a_lapor_error_and_a_value_error() -> None:
    assert issubclass(ValidationError, LaporError)
    assert issubclass(ValidationError, ValueError)


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize("value", ["c-1", "SP4N.2025:001", "a" * 64, "A_b-9"])
def test_complaint_id_accepts_letters_digits_and_separators(value: str) -> None:
    assert value == str(ComplaintId(value))


@pytest.mark.parametrize("value", ["", "a" * 65, "with space", "slash/id", "é", "a\n"])
def test_complaint_id_refuses_other_values(value: str) -> None:
    with pytest.raises(ValidationError, match="invalid complaint id"):
        ComplaintId(value)


@pytest.mark.parametrize("value", ["LAPOR-123", "abc", "9" * 32])
def test_tracking_id_accepts_letters_digits_and_dashes(value: str) -> None:
    assert value == str(TrackingId(value))


@pytest.mark.parametrize("value", ["", "9" * 33, "a.b", "a_b", "a:b", "a b"])
def test_tracking_id_refuses_other_values(value: str) -> None:
    with pytest.raises(ValidationError, match="invalid tracking id"):
        TrackingId(value)


def test_ids_compare_by_value() -> None:
    assert ComplaintId("a") == ComplaintId("a")
    assert ComplaintId("a") < ComplaintId("b")
    assert TrackingId("X-1") == TrackingId("X-1")


# --------------------------------------------------------------------------- region codes


@pytest.mark.parametrize(
    ("value", "level"), [("64", 1), ("64.72", 2), ("64.72.01", 3), ("64.72.01.1001", 4)]
)
def test_region_code_level_follows_the_kemendagri_hierarchy(value: str, level: int) -> None:
    assert level == RegionCode(value).level


@pytest.mark.parametrize(
    ("value", "parent"),
    [("64", None), ("64.72", "64"), ("64.72.01", "64.72"), ("64.72.01.1001", "64.72.01")],
)
def test_region_code_parent_is_the_enclosing_region(value: str, parent: str | None) -> None:
    expected = None if parent is None else RegionCode(parent)
    assert expected == RegionCode(value).parent


def test_province_contains_its_city_and_itself() -> None:
    province = RegionCode("64")
    assert province.contains(RegionCode("64.72"))
    assert province.contains(RegionCode("64.72.01.1001"))
    assert province.contains(province)


def test_region_does_not_contain_its_parent_or_a_sibling() -> None:
    city = RegionCode("64.72")
    assert not city.contains(RegionCode("64"))
    assert not city.contains(RegionCode("64.71"))
    assert not RegionCode("64").contains(RegionCode("65.72"))


@pytest.mark.parametrize(
    "value", ["", "6", "640", "64.7", "64.723", "64.72.1", "64.72.01.100", "64-72", "64.", 64]
)
def test_region_code_refuses_malformed_codes(value: object) -> None:
    with pytest.raises(ValidationError, match="invalid Kemendagri region code"):
        RegionCode(value)  # type: ignore[arg-type]


def test_region_codes_sort_by_value() -> None:
    codes = [RegionCode("64.72"), RegionCode("64"), RegionCode("64.01")]
    assert ["64", "64.01", "64.72"] == [str(c) for c in sorted(codes)]


# --------------------------------------------------------------------------- channel, privacy


def test_regional_app_channel_needs_the_app_name() -> None:
    with pytest.raises(ValidationError, match="regional-app channel must carry"):
        Channel(ChannelType.REGIONAL_APP)


def test_regional_app_channel_with_a_name_is_accepted() -> None:
    assert "LAPOR WAL!" == Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!").name


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_channel_name_must_be_non_blank_and_short(name: str) -> None:
    with pytest.raises(ValidationError, match="channel name"):
        Channel(ChannelType.WEB, name)


def test_only_paper_and_messaging_are_digitised_by_an_admin() -> None:
    expected = {ChannelType.PAPER, ChannelType.MESSAGING}
    assert expected == {t for t in ChannelType if t.digitised_by_admin}


def test_privacy_defaults_to_public_and_named() -> None:
    assert Privacy(anonymous=False, confidential=False) == Privacy()
    flags = Privacy(anonymous=True, confidential=True)
    assert (True, True) == (flags.anonymous, flags.confidential)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: Privacy(anonymous="yes"),  # type: ignore[arg-type]
            id="Privacy-anonymous-str",
        ),
        pytest.param(
            lambda: Channel("web"),  # type: ignore[arg-type]
            id="Channel-type-str",
        ),
    ],
)
def test_type_errors_in_value_objects_are_validation_errors(build: Callable[[], object]) -> None:
    with pytest.raises(ValidationError):
        build()


# --------------------------------------------------------------------------- other values


@pytest.mark.parametrize("code", ["lalu-lintas", "kesehatan", "a", "infra_1.jalan"])
def test_category_accepts_lowercase_codes(code: str) -> None:
    assert code == str(Category(code))


@pytest.mark.parametrize("code", ["", "Lalu", "-x", "a b", "x" * 65])
def test_category_refuses_other_codes(code: str) -> None:
    with pytest.raises(ValidationError, match="invalid category code"):
        Category(code)


def test_reporter_needs_id_and_name() -> None:
    with pytest.raises(ValidationError, match="reporter id"):
        Reporter(id="", name="Siti")
    with pytest.raises(ValidationError, match="reporter name"):
        Reporter(id="p-1", name="  ")
    with pytest.raises(ValidationError, match="contact"):
        Reporter(id="p-1", name="Siti", contact="")


def test_content_needs_title_and_body_within_limits() -> None:
    with pytest.raises(ValidationError, match="title"):
        Content(title="", body="isi")
    with pytest.raises(ValidationError, match="title is 301 characters long"):
        Content(title="x" * 301, body="isi")
    with pytest.raises(ValidationError, match="body"):
        Content(title="judul", body=" ")


def test_content_event_date_must_be_aware() -> None:
    aware = datetime(2025, 3, 1, tzinfo=UTC)
    assert aware == Content(title="judul", body="isi", event_date=aware).event_date
    with pytest.raises(ValidationError, match="event_date must be timezone-aware"):
        Content(title="judul", body="isi", event_date=datetime(2025, 3, 1))  # noqa: DTZ001


def test_external_ids_check_their_types() -> None:
    ids = ExternalIds(sp4n_tracking_id=TrackingId("LAPOR-1"), regional_app_id="wal-9")
    assert "LAPOR-1" == str(ids.sp4n_tracking_id)
    with pytest.raises(ValidationError, match="regional app id"):
        ExternalIds(regional_app_id="")


def test_kind_labels_exist_in_both_languages() -> None:
    assert "Pengaduan" == Kind.COMPLAINT.label_id
    assert "Request for information" == Kind.INFORMATION_REQUEST.label_en
    assert all(k.label_id and k.label_en for k in Kind)


def test_archive_reasons_include_duplicate_withdrawn_and_other() -> None:
    values = {r.value for r in ArchiveReason}
    assert {"duplicate", "withdrawn", "other"} <= values
