"""
What `lapor_core.domain.regions` answers and refuses, word for word (its mutation run).

Each refusal of :class:`RegionList` and :meth:`RegionList.from_toml` is checked whole: its
type, its message, its key and its fields, down to the problems of one ``[[region]]``
table; and the answers of :meth:`RegionList.named_in` and :meth:`RegionList.province_of`
at their edges (case, a province's own code, a district's code), so that every change
``bench/mutation.py regions`` makes to them fails a test here.
"""

from __future__ import annotations

import pytest

from helpers import refused
from lapor_core.domain.model import RegionCode
from lapor_core.domain.regions import Region, RegionList
from lapor_core.errors import ProfileError, ValidationError

KALTIM = Region(RegionCode("64"), "provinsi", "Kalimantan Timur")
BERAU = Region(RegionCode("64.03"), "kabupaten", "Berau")
SAMARINDA = Region(RegionCode("64.72"), "kota", "Samarinda")


def _table(code: str | None = "64", kind: str | None = "provinsi", name: str = "A") -> str:
    lines = ["[[region]]"]
    if code is not None:
        lines.append(f'code = "{code}"')
    if kind is not None:
        lines.append(f'kind = "{kind}"')
    lines.append(f'name = "{name}"')
    return "\n".join(lines) + "\n"


def _refused(text: str) -> ProfileError:
    """The ``ProfileError`` (that exact type) with which ``from_toml`` refuses *text*."""
    error = refused(lambda: RegionList.from_toml(text))
    assert type(error) is ProfileError
    return error


def _nested(error: ProfileError) -> list[tuple[str | None, str | None]]:
    """The key and template of each problem of *error* (each itself a ``ProfileError``)."""
    found: list[tuple[str | None, str | None]] = []
    for problem in error.args:
        assert type(problem) is ProfileError
        found.append((problem.key, problem.template))
    return found


# ------------------------------------------------------------------------ from_toml's refusals


def test_invalid_toml_is_refused_with_the_parser_reason() -> None:
    error = _refused("x = ")
    assert str(error) == "region list is not valid TOML: Invalid value (at end of document)"
    assert error.key is None
    assert error.template == "region list is not valid TOML: {reason}"
    assert dict(error.fields) == {"reason": "Invalid value (at end of document)"}


def test_a_region_key_that_is_not_an_array_is_refused_under_the_key_region() -> None:
    error = _refused("region = 1\n")
    assert str(error) == "region: expected an array of tables"
    assert error.key == "region"
    assert error.template == "expected an array of tables"
    assert dict(error.fields) == {}


def test_items_that_are_not_tables_are_each_refused_with_their_index() -> None:
    error = _refused("region = [1, 2]\n")
    assert error.problems == ("region[0]: expected a table", "region[1]: expected a table")
    assert _nested(error) == [
        ("region[0]", "expected a table"),
        ("region[1]", "expected a table"),
    ]


def test_an_unknown_top_level_key_is_refused() -> None:
    error = _refused("colour = 1\n" + _table())
    assert error.problems == ("colour: unknown key",)
    assert _nested(error) == [("colour", "unknown key")]


@pytest.mark.parametrize("name", [" ", ""], ids=["blank", "empty"])
def test_a_blank_name_is_refused_as_not_a_non_empty_str(name: str) -> None:
    error = _refused(_table(name=name))
    assert error.problems == ("region[0].name: expected a non-empty str",)
    assert _nested(error) == [("region[0].name", "expected a non-empty str")]


def test_a_value_that_is_not_a_str_is_refused_as_not_a_non_empty_str() -> None:
    text = '[[region]]\ncode = 64\nkind = "provinsi"\nname = "A"\n'
    error = _refused(text)
    assert error.problems == ("region[0].code: expected a non-empty str",)
    assert _nested(error) == [("region[0].code", "expected a non-empty str")]


def test_an_unknown_kind_with_a_valid_code_is_refused_only_for_its_kind() -> None:
    error = _refused(_table(kind="county"))
    assert error.problems == ("region[0].kind: 'county' is not one of provinsi, kabupaten, kota",)
    assert _nested(error) == [("region[0].kind", "{value!r} is not one of {choices}")]


def test_a_missing_code_with_a_valid_kind_is_refused_only_for_its_code() -> None:
    error = _refused(_table(code=None))
    assert error.problems == ("region[0].code: missing key",)
    assert _nested(error) == [("region[0].code", "missing key")]


def test_a_missing_kind_with_a_valid_code_is_refused_only_for_its_kind() -> None:
    error = _refused(_table(kind=None))
    assert error.problems == ("region[0].kind: missing key",)


def test_a_duplicate_code_is_refused_under_the_key_region_with_its_reason() -> None:
    text = _table(name="A") + _table(name="B")
    error = _refused(text)
    assert str(error) == "region: duplicate region code 64"
    assert error.key == "region"
    assert error.template == "{reason}"
    reason = error.fields["reason"]
    assert type(reason) is ValidationError
    assert str(reason) == "duplicate region code 64"
    assert set(error.fields) == {"reason"}


def test_a_regency_without_its_province_is_refused_under_the_key_region() -> None:
    error = _refused(_table(code="64.01", kind="kabupaten"))
    assert str(error) == "region: region Kabupaten A (64.01): its province 64 is not listed"
    assert error.key == "region"


# ------------------------------------------------------------------------ from_toml's answers


def test_an_empty_text_is_an_empty_list() -> None:
    regions = RegionList.from_toml("")
    assert len(regions) == 0
    assert list(regions) == []


def test_tables_are_parsed_into_regions_in_code_order() -> None:
    text = _table("64.72", "kota", "Samarinda") + _table("64", "provinsi", "Kalimantan Timur")
    assert list(RegionList.from_toml(text)) == [KALTIM, SAMARINDA]


# ------------------------------------------------------------------------ the constructor


def test_a_duplicate_code_is_refused_word_for_word() -> None:
    error = refused(lambda: RegionList([KALTIM, Region(RegionCode("64"), "provinsi", "B")]))
    assert type(error) is ValidationError
    assert str(error) == "duplicate region code 64"
    assert error.template == "duplicate region code {region_code}"
    assert dict(error.fields) == {"region_code": RegionCode("64")}


def test_a_regency_whose_province_is_not_listed_is_refused_word_for_word() -> None:
    error = refused(lambda: RegionList([BERAU]))
    assert type(error) is ValidationError
    assert str(error) == "region Kabupaten Berau (64.03): its province 64 is not listed"
    assert error.template == "region {region}: its province {parent} is not listed"
    assert dict(error.fields) == {"region": BERAU, "parent": RegionCode("64")}


# ------------------------------------------------------------------------ the queries


def test_named_in_ignores_case() -> None:
    regions = RegionList([KALTIM, BERAU, SAMARINDA])
    assert regions.named_in("dinas pu kota samarinda") == (SAMARINDA,)
    assert regions.named_in("PEMERINTAH KABUPATEN BERAU") == (BERAU,)


def test_named_in_matches_whole_words_only() -> None:
    regions = RegionList([KALTIM, SAMARINDA])
    assert regions.named_in("Kota Samarindahilir") == ()


@pytest.mark.parametrize("code", ["64", "64.72", "64.72.01"])
def test_province_of_a_code_is_its_listed_province(code: str) -> None:
    regions = RegionList([KALTIM, SAMARINDA])
    assert regions.province_of(RegionCode(code)) == KALTIM


def test_province_of_a_code_outside_the_list_is_none() -> None:
    assert RegionList([KALTIM]).province_of(RegionCode("63.01")) is None
