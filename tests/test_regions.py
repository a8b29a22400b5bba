"""Region codes: the shipped Kemendagri list, and registries held to it (issue 14, gap 7)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import lapor_core.cli
from lapor_core.cli import main
from lapor_core.domain.agencies import AgencyKind, AgencyRegistry
from lapor_core.domain.model import RegionCode
from lapor_core.domain.regions import RegionList
from lapor_core.errors import NotFound, ProfileError
from lapor_core.profiles import bundled_profiles, load_profile, load_regions, load_registry

_HEAD = (
    '[[agency]]\nid = "lapor"\nname = "LAPOR!"\nkind = "national"\n'
    '[[agency]]\nid = "kaltim"\nname = "Pemerintah Provinsi Kalimantan Timur"\n'
    'kind = "province"\nparent = "lapor"\nregion = "64"\n'
)


def _agency(agency_id: str, name: str, kind: str, region: str, parent: str = "kaltim") -> str:
    return (
        f'[[agency]]\nid = "{agency_id}"\nname = "{name}"\nkind = "{kind}"\n'
        f'parent = "{parent}"\nregion = "{region}"\n'
    )


def _problems(text: str, regions: RegionList | None = None) -> tuple[str, ...]:
    with pytest.raises(ProfileError) as info:
        AgencyRegistry.from_toml(text, regions)
    return info.value.problems


# ------------------------------------------------------------------------ the bundled data


def test_the_region_list_cites_kemendagri() -> None:
    text = resources.files("lapor_core.profiles").joinpath("regions.toml").read_text("utf-8")
    assert "Kementerian Dalam Negeri" in text or "Menteri Dalam Negeri" in text
    assert "100.1.1-6117 Tahun 2022" in text


def test_the_region_list_has_kemendagri_codes_for_east_kalimantan() -> None:
    listed = {str(r.code): r.full_name for r in load_regions()}
    assert {
        "64": "Provinsi Kalimantan Timur",
        "64.01": "Kabupaten Paser",
        "64.02": "Kabupaten Kutai Kartanegara",
        "64.03": "Kabupaten Berau",
        "64.07": "Kabupaten Kutai Barat",
        "64.08": "Kabupaten Kutai Timur",
        "64.09": "Kabupaten Penajam Paser Utara",
        "64.11": "Kabupaten Mahakam Ulu",
        "64.71": "Kota Balikpapan",
        "64.72": "Kota Samarinda",
        "64.74": "Kota Bontang",
    } == listed


def test_every_listed_regency_and_city_is_in_the_kaltim_registry_by_name_and_code() -> None:
    registry = load_registry("kaltim")
    governments = {
        str(a.region): a.name
        for a in registry
        if a.kind in {AgencyKind.PROVINCE, AgencyKind.REGENCY, AgencyKind.CITY}
    }
    for region in load_regions():
        assert governments[str(region.code)].endswith(region.full_name), region


def test_the_region_list_is_neither_a_profile_nor_a_registry() -> None:
    assert "regions" not in bundled_profiles()
    with pytest.raises(NotFound):
        load_profile("regions")


# ------------------------------------------------------------------- the registry's tree


def test_a_regency_code_must_sit_under_its_province_code() -> None:
    text = _HEAD + _agency("paser", "Pemerintah Kabupaten Paser", "regency", "62.01")
    assert (
        (
            "agency[2].region: regency 'paser' has 62.01, which is not under the code 64 of its "
            "province 'kaltim'"
        ),
    ) == _problems(text)


def test_a_city_below_an_office_is_still_held_to_the_province_above() -> None:
    text = (
        _HEAD
        + _agency("kaltim.x", "Dinas X", "office", "64")
        + _agency("kota", "Kota", "city", "63.72", parent="kaltim.x")
    )
    assert (
        (
            "agency[3].region: city 'kota' has 63.72, which is not under the code 64 of its "
            "province 'kaltim'"
        ),
    ) == _problems(text)


def test_levels_of_province_regency_and_city_codes() -> None:
    text = (
        _HEAD.replace('region = "64"', 'region = "64.01"')
        + _agency("a", "A", "regency", "64")
        + _agency("b", "B", "city", "64.72.01")
    )
    assert (
        "agency[1].region: province 'kaltim' has 64.01, which is not a province code (such as 64)",
        "agency[2].region: regency 'a' has 64, which is not a regency or city code (such as 64.72)",
        (
            "agency[3].region: city 'b' has 64.72.01, which is not a regency or city code "
            "(such as 64.72)"
        ),
    ) == _problems(text)


def test_a_regency_with_no_province_above_needs_only_a_regency_code() -> None:
    text = _HEAD + _agency("kota", "Kota", "city", "32.73", parent="lapor")
    assert RegionCode("32.73") == AgencyRegistry.from_toml(text).get("kota").region


def test_region_problems_come_with_other_table_problems_in_from_records() -> None:
    records = [
        {"id": "lapor", "name": "LAPOR!", "kind": "national"},
        {"id": "p", "name": "P", "kind": "province", "parent": "lapor", "region": "64"},
        {"id": "r", "name": "R", "kind": "regency", "parent": "p", "region": "65.01"},
    ]
    with pytest.raises(ProfileError) as info:
        AgencyRegistry.from_records(records)
    assert (
        (
            "agency[2].region: regency 'r' has 65.01, which is not under the code 64 of its "
            "province 'p'"
        ),
    ) == info.value.problems


# ---------------------------------------------------------------- the registry's names


def test_the_old_statistics_bureau_codes_are_refused_with_their_paths() -> None:
    """The registry as shipped before the fix (BPS numbers for four regencies)."""
    text = (
        _HEAD
        + _agency("kubar", "Pemerintah Kabupaten Kutai Barat", "regency", "64.02")
        + _agency("kukar", "Pemerintah Kabupaten Kutai Kartanegara", "regency", "64.03")
        + _agency("kutim", "Pemerintah Kabupaten Kutai Timur", "regency", "64.04")
        + _agency("berau", "Pemerintah Kabupaten Berau", "regency", "64.05")
    )
    assert (
        (
            "agency[2].region: 'kubar' is named 'Pemerintah Kabupaten Kutai Barat', but "
            "Kemendagri's list gives Kabupaten Kutai Barat (64.07), not 64.02"
        ),
        (
            "agency[3].region: 'kukar' is named 'Pemerintah Kabupaten Kutai Kartanegara', but "
            "Kemendagri's list gives Kabupaten Kutai Kartanegara (64.02), not 64.03"
        ),
        (
            "agency[4].region: 'kutim' is named 'Pemerintah Kabupaten Kutai Timur', but "
            "Kemendagri's list gives Kabupaten Kutai Timur (64.08), not 64.04"
        ),
        "agency[4].region: 64.04 is not a code of Provinsi Kalimantan Timur in Kemendagri's list",
        (
            "agency[5].region: 'berau' is named 'Pemerintah Kabupaten Berau', but "
            "Kemendagri's list gives Kabupaten Berau (64.03), not 64.05"
        ),
        "agency[5].region: 64.05 is not a code of Provinsi Kalimantan Timur in Kemendagri's list",
    ) == _problems(text, load_regions())


def test_an_office_named_for_another_city_is_refused() -> None:
    text = (
        _HEAD
        + _agency("samarinda", "Pemerintah Kota Samarinda", "city", "64.72")
        + _agency("samarinda.x", "Dinas X Kota Balikpapan", "office", "64.72", "samarinda")
    )
    assert (
        (
            "agency[3].region: 'samarinda.x' is named 'Dinas X Kota Balikpapan', but Kemendagri's "
            "list gives Kota Balikpapan (64.71), not 64.72"
        ),
    ) == _problems(text, load_regions())


def test_a_regency_with_a_city_code_is_refused() -> None:
    text = _HEAD + _agency("x", "Pemerintah Kabupaten X", "regency", "64.72")
    assert (
        (
            "agency[2].region: regency 'x' has 64.72, which is Kota Samarinda (64.72) in "
            "Kemendagri's list"
        ),
    ) == _problems(text, load_regions())


def test_names_and_codes_outside_the_listed_provinces_are_not_judged() -> None:
    text = (
        '[[agency]]\nid = "lapor"\nname = "LAPOR!"\nkind = "national"\n'
        + _agency("jabar", "Pemerintah Provinsi Jawa Barat", "province", "32", "lapor")
        + _agency("bandung", "Pemerintah Kota Bandung", "city", "32.73", "jabar")
    )
    assert 3 == len(AgencyRegistry.from_toml(text, load_regions()))


def test_load_registry_holds_a_file_to_the_shipped_list(tmp_path: Path) -> None:
    path = tmp_path / "reg.toml"
    path.write_text(_HEAD + _agency("berau", "Pemerintah Kabupaten Berau", "regency", "64.05"))
    with pytest.raises(ProfileError) as info:
        load_registry(path)
    assert all(p.startswith("agency[2].region: ") for p in info.value.problems)
    assert 2 == len(info.value.problems)


# ------------------------------------------------------------------------ the region list


def test_every_problem_of_a_region_list_is_reported() -> None:
    text = (
        'extra = 1\n[[region]]\ncode = "64"\nkind = "provinsi"\nname = "K"\n'
        '[[region]]\ncode = "64"\nkind = "kota"\ncolour = 1\n'
        '[[region]]\ncode = "6"\nkind = "desa"\nname = "D"\n'
    )
    with pytest.raises(ProfileError) as info:
        RegionList.from_toml(text)
    assert (
        "extra: unknown key",
        "region[1].colour: unknown key",
        "region[1].name: missing key",
        "region[1].code: 64 is not the code of a kota",
        "region[2].kind: 'desa' is not one of provinsi, kabupaten, kota",
        (
            "region[2].code: invalid Kemendagri region code: '6' (expected 64, 64.72, "
            "64.72.01 or 64.72.01.1001)"
        ),
    ) == info.value.problems


def test_a_region_list_refuses_duplicates_and_orphans() -> None:
    one = '[[region]]\ncode = "64"\nkind = "provinsi"\nname = "K"\n'
    with pytest.raises(ProfileError, match="duplicate region code 64"):
        RegionList.from_toml(one + one)
    with pytest.raises(ProfileError, match="province 65 is not listed"):
        RegionList.from_toml(one + '[[region]]\ncode = "65.01"\nkind = "kota"\nname = "T"\n')


# ------------------------------------------------------------------------------ the CLI


def test_check_reports_each_registry_problem_with_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "reg.toml"
    path.write_text(
        _HEAD
        + _agency("berau", "Pemerintah Kabupaten Berau", "regency", "64.05")
        + _agency("paser", "Pemerintah Kabupaten Paser", "regency", "63.01")
    )
    code = main(["check", "kaltim", "--registry", str(path)])
    out = capsys.readouterr().out
    assert 1 == code
    assert "4 problem(s)" in out
    assert "  agency[2].region: 'berau' is named 'Pemerintah Kabupaten Berau', but" in out
    assert "  agency[2].region: 64.05 is not a code of Provinsi Kalimantan Timur" in out
    assert "  agency[3].region: regency 'paser' has 63.01, which is not under the code 64" in out
    assert "  agency[3].region: 'paser' is named 'Pemerintah Kabupaten Paser', but" in out


def test_check_of_a_bundled_profile_checks_the_bundled_registry_of_its_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[object] = []

    def spy(name: object) -> AgencyRegistry:
        loaded.append(name)
        return load_registry(name)  # type: ignore[arg-type]

    monkeypatch.setattr(lapor_core.cli, "load_registry", spy)
    assert 0 == main(["check", "kaltim"])
    assert ["kaltim"] == loaded
    assert 0 == main(["check", "national"])  # no national registry: nothing more to check
    assert 2 == main(["check", "national", "--registry", "nope"])
    assert "no bundled agency registry named 'nope'" in capsys.readouterr().err
