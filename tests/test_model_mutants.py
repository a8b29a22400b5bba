"""
What `lapor_core.domain.model` answers and refuses, word for word (its mutation run).

The value objects' refusals are checked whole (type, message, fields): a naive or
non-datetime instant, an id or code that does not match its pattern, a coordinate that
is not a number or is out of range (at the bounds and just past them), an attachment
that is not a one-line http(s) URL, a regional-app channel without its name; and what
they answer: an int coordinate as a float, a reporter's ``repr()`` with its name and
contact hidden. The validator factories run when the classes are defined, so they are
also called afresh here, so that every change ``bench/mutation.py model`` makes fails a
test here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import pytest

from helpers import T0, NoOffset, refused
from lapor_core import (
    Channel,
    ChannelType,
    Content,
    GeoPoint,
    Reporter,
    ValidationError,
)

# The validator factories are private and called only while the classes are defined
# (at import, before mutmut switches a mutant on): importing them is the only way to
# check a fresh validator.
from lapor_core.domain.model import ComplaintId, _check_coordinate, _pattern, require_aware
from lapor_core.errors import Term

LAT: attrs.Attribute[Any] = attrs.fields(GeoPoint).lat
LONG: attrs.Attribute[Any] = attrs.fields(GeoPoint).long


def _kept(check: Callable[..., object], value: object) -> object:
    """What an attrs class validated by *check* keeps of *value* (the check raises to refuse)."""
    probe = attrs.make_class("Probe", {"field": attrs.field(validator=check)})
    return probe(value).field


# ------------------------------------------------------------------------ require_aware


def test_require_aware_returns_an_aware_instant_as_it_is() -> None:
    assert require_aware(T0) is T0


def test_require_aware_refuses_what_is_not_a_datetime_word_for_word() -> None:
    error = refused(lambda: require_aware("2025-01-01"))  # type: ignore[arg-type]
    assert type(error) is ValidationError
    assert str(error) == "datetime must be a datetime, got str"
    assert dict(error.fields) == {"what": "datetime", "type_name": "str"}


def test_require_aware_refuses_a_naive_instant_word_for_word() -> None:
    naive = datetime(2025, 1, 2, 3, 4)  # noqa: DTZ001 - naive on purpose
    error = refused(lambda: require_aware(naive, "event_date"))
    assert type(error) is ValidationError
    assert str(error) == "event_date must be timezone-aware, got naive 2025-01-02T03:04:00"
    assert dict(error.fields) == {"what": "event_date", "instant": "2025-01-02T03:04:00"}


def test_require_aware_refuses_a_zone_without_an_offset() -> None:
    error = refused(lambda: require_aware(datetime(2025, 1, 2, tzinfo=NoOffset())))
    assert str(error) == "datetime must be timezone-aware, got naive 2025-01-02T00:00:00"


# ----------------------------------------------------------------------------- patterns


def test_a_fresh_pattern_accepts_a_full_match() -> None:
    assert _kept(_pattern(r"[a-z]{1,3}", "code"), "abc") == "abc"


@pytest.mark.parametrize("value", ["abcd", "ab1", "", 3])
def test_a_fresh_pattern_refuses_anything_else_word_for_word(value: object) -> None:
    error = refused(lambda: _pattern(r"[a-z]{1,3}", "code")(None, LAT, value))
    assert type(error) is ValidationError
    assert str(error) == f"invalid code: {value!r} (expected to match [a-z]{{1,3}})"
    assert error.template == "invalid {what}: {value!r} (expected to match {regex})"
    assert dict(error.fields) == {"what": "code", "value": value, "regex": "[a-z]{1,3}"}
    assert type(error.fields["what"]) is Term


def test_a_complaint_id_that_does_not_match_is_refused_word_for_word() -> None:
    error = refused(lambda: ComplaintId("c 1"))
    assert str(error) == "invalid complaint id: 'c 1' (expected to match [A-Za-z0-9._:-]{1,64})"


# -------------------------------------------------------------------------- coordinates


def test_an_int_coordinate_becomes_a_float() -> None:
    point = GeoPoint(lat=1, long=-2)
    assert (point.lat, point.long) == (1.0, -2.0)
    assert type(point.lat) is float
    assert type(point.long) is float


@pytest.mark.parametrize("value", [-90.0, -45.0, 0.0, 45.5, 90.0, -90, 90])
def test_a_fresh_coordinate_check_accepts_its_range_bounds_included(value: float) -> None:
    assert _kept(_check_coordinate(90.0), value) == value


@pytest.mark.parametrize("value", [True, False, "1", None])
def test_a_fresh_coordinate_check_refuses_what_is_not_a_number_word_for_word(
    value: object,
) -> None:
    error = refused(lambda: _check_coordinate(90.0)(None, LAT, value))
    assert type(error) is ValidationError
    assert str(error) == f"lat must be a number, got {type(value).__name__} {value!r}"
    assert dict(error.fields) == {
        "attr_name": "lat",
        "type_name": type(value).__name__,
        "value": value,
    }


@pytest.mark.parametrize("value", [90.5, -90.5, 100.0, math.inf, -math.inf])
def test_a_fresh_coordinate_check_refuses_what_is_out_of_range_word_for_word(
    value: float,
) -> None:
    error = refused(lambda: _check_coordinate(90.0)(None, LAT, value))
    assert type(error) is ValidationError
    assert str(error) == f"lat must be between -90 and 90, got {value!r}"
    assert error.template == "{attr_name} must be between -{limit:g} and {limit:g}, got {value!r}"
    assert dict(error.fields) == {"attr_name": "lat", "limit": 90.0, "value": value}


def test_a_fresh_coordinate_check_refuses_nan() -> None:
    error = refused(lambda: _check_coordinate(180.0)(None, LONG, math.nan))
    assert str(error) == "long must be between -180 and 180, got nan"


def test_a_point_out_of_range_is_refused_word_for_word() -> None:
    error = refused(lambda: GeoPoint(lat=0.0, long=180.5))
    assert str(error) == "long must be between -180 and 180, got 180.5"


# ---------------------------------------------------------------------------- media URLs


def test_attachment_urls_are_kept_in_order() -> None:
    urls = ("https://a.example/1.jpg", "http://b.example")
    assert Content(title="t", body="b", media_urls=urls).media_urls == urls


def test_an_attachment_that_is_not_an_http_url_is_refused_word_for_word() -> None:
    error = refused(
        lambda: Content(title="t", body="b", media_urls=("https://a.example", "ftp://b.example"))
    )
    assert type(error) is ValidationError
    assert str(error) == "media_urls[1] must be an http:// or https:// URL, got 'ftp://b.example'"
    assert dict(error.fields) == {"what": "media_urls[1]", "url": "ftp://b.example"}


def test_an_attachment_with_a_tab_is_refused_as_single_line_text() -> None:
    error = refused(lambda: Content(title="t", body="b", media_urls=("https://a.example/\tx",)))
    assert type(error) is ValidationError
    assert str(error) == (
        "media_urls[0] contains the control character U+0009 (at position 18); "
        "media_urls[0] is a single line, without line breaks or tabs"
    )


# ------------------------------------------------------------------------------ reporter


def test_a_reporters_repr_hides_the_name_and_the_contact() -> None:
    reporter = Reporter(id="p-1", name="Siti", contact="+62811")
    assert repr(reporter) == (
        "Reporter(id='p-1', name='<disembunyikan / redacted>', "
        "contact='<disembunyikan / redacted>')"
    )


def test_a_reporters_repr_shows_a_missing_contact_as_none() -> None:
    reporter = Reporter(id="p-1", name="Siti")
    assert repr(reporter) == "Reporter(id='p-1', name='<disembunyikan / redacted>', contact=None)"


# ------------------------------------------------------------------------------- channel


def test_a_regional_app_channel_without_its_name_is_refused_word_for_word() -> None:
    error = refused(lambda: Channel(ChannelType.REGIONAL_APP))
    assert type(error) is ValidationError
    assert str(error) == "a regional-app channel must carry the app's name"
    assert dict(error.fields) == {}
