"""Refusals of user input in Indonesian: import rows, Open311 POST, profiles, configuration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from helpers import CID, OWNER, SYSTEM, T0, submit_command
from lapor_core import ComplaintId, ProfileError, RecordBreach, ValidationError
from lapor_core.cli import main
from lapor_core.domain import commands as c
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar_overrides import parse_overrides
from lapor_core.domain.check import CheckReport, check
from lapor_core.domain.disposition import RoutingRule
from lapor_core.domain.lifecycle import TRANSITIONS, Lifecycle
from lapor_core.domain.model import Content, Status, TrackingId
from lapor_core.domain.regions import RegionList
from lapor_core.errors import (
    N_,
    CalendarRangeError,
    CorruptStream,
    InvalidTransition,
    NotFound,
    StorageError,
    Term,
    UndecodableEvent,
)
from lapor_core.i18n import translator
from lapor_core.interop import COLUMNS
from lapor_core.interop.importer import import_lapor_csv, read_map_file
from lapor_core.interop.lapor_csv import CsvRowError, read_lapor_csv
from lapor_core.interop.open311 import submit_from_request
from lapor_core.profiles import load_profile, load_registry
from lapor_core.service import ComplaintService, ManualClock
from lapor_core.storage import InMemoryStore, open_store
from lapor_core.storage.codec import CODEC
from lapor_core.storage.support import decode_cursor
from lapor_core.web.config import load_web_config

ID = translator("id")
EN = translator("en")
HEADER = ",".join(COLUMNS)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------- the mechanism


def test_a_field_holding_an_error_is_translated_with_it() -> None:
    inner = ValidationError(N_("required, but empty"))
    outer = ValidationError(N_("line {line}: {reason}"), line=3, reason=inner)
    assert "line 3: required, but empty" == str(outer)
    assert "baris 3: wajib, tetapi kosong" == outer.translate(ID)
    assert str(outer) == outer.translate(EN)


def test_a_term_is_translated_where_it_is_put() -> None:
    error = NotFound(N_("{what} map {name!r} does not exist"), what=Term("agency"), name="m.csv")
    assert "agency map 'm.csv' does not exist" == str(error)
    assert "peta instansi 'm.csv' tidak ada" == error.translate(ID)


def test_a_keyed_profile_error_keeps_its_key_before_the_translation() -> None:
    error = ProfileError(N_("expected str, got {got}"), key="profile.parent", got="int")
    assert "profile.parent: expected str, got int" == str(error)
    assert ("profile.parent: expected str, got int",) == error.problems
    assert "profile.parent: diharapkan str, diterima int" == error.translate(ID)
    report = CheckReport.from_error("bad", error)
    assert "profile.parent" == report.problems[0].key
    assert "profile.parent: diharapkan str, diterima int" == report.problems[0].translate(ID)


def test_a_profile_error_with_several_problems_stays_as_it_is() -> None:
    error = ProfileError("a.b: one", "c.d: two")
    assert error.key is None
    assert "a.b: one\nc.d: two" == error.translate(ID)


def test_a_keyed_profile_error_is_one_template() -> None:
    with pytest.raises(TypeError, match="one template"):
        ProfileError("one", "two", key="profile.parent")


# --------------------------------------------------------------------- import rows


def test_a_row_problem_reads_in_indonesian() -> None:
    rows = list(read_lapor_csv([HEADER + "\n", "LPR-3,,,,2025-03-03,,,,Entah\n"]))
    (error,) = rows
    assert isinstance(error, CsvRowError)
    assert "line 2, column Status: unknown status label 'Entah'" == str(error)
    assert "unknown status label 'Entah'" == error.reason
    assert "baris 2, kolom Status: label status tidak dikenal 'Entah'" == error.translate(ID)


def test_a_bad_date_reads_in_indonesian() -> None:
    (error,) = list(read_lapor_csv([HEADER + "\n", "LPR-2,,,,kemarin,,,,Belum\n"]))
    assert isinstance(error, CsvRowError)
    assert error.translate(ID).startswith(
        "baris 2, kolom TanggalLaporanMasuk: bukan tanggal dalam format mana pun dari iso, "
    )
    assert error.translate(ID).endswith(": 'kemarin'")


def test_the_import_summary_lists_its_row_problems_in_indonesian() -> None:
    service = ComplaintService(InMemoryStore(), load_profile("national"), load_registry("kaltim"))
    summary = import_lapor_csv(service, [HEADER + "\n", "LPR-1,,,,2025-03-03,,,,Entah\n"])
    (problem,) = summary.errors
    assert "line 2, column Status: unknown status label 'Entah'" == str(problem)
    assert "baris 2, kolom Status: label status tidak dikenal 'Entah'" in summary.render(ID)


def test_a_shape_problem_of_a_row_reads_in_indonesian() -> None:
    row = "LPR-4,,kaltim,,2025-03-03,,,,Belum\n"
    service = ComplaintService(InMemoryStore(), load_profile("national"), load_registry("kaltim"))
    summary = import_lapor_csv(service, [HEADER + "\n", row])
    (problem,) = summary.errors
    english = "line 2, column TanggalDisposisi: empty, but DisposisiInstansiID is given"
    assert english == str(problem)
    indonesian = "baris 2, kolom TanggalDisposisi: kosong, padahal DisposisiInstansiID diisi"
    assert indonesian == problem.render(ID)


def test_import_with_lang_id_prints_the_row_problems_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAPOR_STORE", raising=False)
    path = tmp_path / "export.csv"
    path.write_text(
        f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\nLPR-3,,,,2025-03-03,,,,Entah\n",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "import", str(path), "--lang", "id")
    assert 1 == code
    assert "  baris 3, kolom Status: label status tidak dikenal 'Entah'\n" in out
    code, out, _ = _run(capsys, "import", str(path), "--lang", "en")
    assert "  line 3, column Status: unknown status label 'Entah'\n" in out


def test_a_missing_map_file_reads_in_indonesian(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as refused:
        read_map_file(tmp_path / "nomap.csv", "agency")
    assert f"agency map {str(tmp_path / 'nomap.csv')!r} does not exist" == str(refused.value)
    expected = f"peta instansi {str(tmp_path / 'nomap.csv')!r} tidak ada"
    assert expected == refused.value.translate(ID)


def test_import_with_lang_id_prints_a_map_problem_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\n", encoding="utf-8")
    bad = tmp_path / "map.csv"
    bad.write_text("17\n", encoding="utf-8")
    code, _, err = _run(capsys, "import", str(path), "--category-map", str(bad), "--lang", "id")
    assert 1 == code
    expected = (
        f"tidak dapat membaca peta kategori {str(bad)!r}: peta kategori {str(bad)!r}, baris 1: "
        "diharapkan dua kolom (id LAPOR!, id kita), diterima ['17']"
    )
    assert expected in err


# --------------------------------------------------------------------- Open311 POST


def _refusal(request: dict[str, object]) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        submit_from_request(request, complaint_id=ComplaintId("c-1"))
    return refused.value


def test_an_open311_refusal_reads_in_indonesian() -> None:
    error = _refusal({"service_code": "x", "lat": "91", "long": "1"})
    assert "lat: '91' is outside -90..90" == str(error)
    assert "lat: '91' di luar -90..90" == error.translate(ID)


def test_a_missing_open311_location_reads_in_indonesian() -> None:
    error = _refusal({"service_code": "x"})
    assert error.translate(ID) == (
        "address_string: lokasi wajib ada: lat dan long, address_string (atau address) atau "
        "address_id"
    )


def test_an_open311_refusal_wrapping_the_domains_is_translated_whole() -> None:
    error = _refusal({"service_code": "x", "lat": "1", "long": "1", "email": "not-an-address"})
    assert "email: not an e-mail address: 'not-an-address'" == str(error)
    assert "email: bukan alamat surel: 'not-an-address'" == error.translate(ID)
    wrapped = _refusal({"service_code": "Bad Code!", "lat": "1", "long": "1"})
    assert str(wrapped).startswith("service_code: invalid ")
    assert wrapped.translate(ID).startswith("service_code: ")
    assert "tidak sah" in wrapped.translate(ID)


# --------------------------------------------------------------------- profiles, config


def test_a_profile_with_a_bad_parent_reads_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[profile]\nname = "bad"\nparent = 3\n', encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert "profile.parent: expected str, got int" == str(refused.value)
    assert "profile.parent: diharapkan str, diterima int" == refused.value.translate(ID)


def test_check_with_lang_id_reports_a_profile_problem_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[profile]\nname = "bad"\nparent = 3\n', encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(path), "--lang", "id")
    assert 1 == code
    assert "  profile.parent: diharapkan str, diterima int\n" in out
    code, out, _ = _run(capsys, "check", str(path), "--lang", "en")
    assert "  profile.parent: expected str, got int\n" in out


def test_check_with_lang_id_reports_invalid_toml_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[profile\n", encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(path), "--lang", "id")
    assert 1 == code
    assert "  profile: profil bukan TOML yang sah: " in out


def test_a_missing_parent_is_translated_inside_the_profile_problem(tmp_path: Path) -> None:
    path = tmp_path / "child.toml"
    path.write_text('[profile]\nname = "child"\nparent = "./nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    missing = str(tmp_path / "nowhere.toml")
    assert f"profile.parent: profile file {missing!r} does not exist" == str(refused.value)
    expected = f"profile.parent: berkas profil {missing!r} tidak ada"
    assert expected == refused.value.translate(ID)


def test_an_unknown_bundled_profile_reads_in_indonesian() -> None:
    with pytest.raises(NotFound) as refused:
        load_profile("nowhere")
    assert refused.value.translate(ID).startswith(
        "tidak ada profil bawaan bernama 'nowhere' (bawaan: "
    )


def test_a_web_configuration_problem_reads_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "web.toml"
    path.write_text("colour = 'blue'\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        load_web_config(path)
    assert "colour: not a web configuration key" == str(refused.value)
    assert "colour: bukan kunci konfigurasi web" == refused.value.translate(ID)


def test_an_unknown_channel_of_an_api_key_reads_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "web.toml"
    path.write_text("[[api_keys]]\nname = 'app'\nsha256 = 'ab'\nchannel = 'bogus'\n", "utf-8")
    with pytest.raises(ValidationError) as refused:
        load_web_config(path)
    assert "api_keys[0]: 'bogus' is not a valid ChannelType" == str(refused.value)
    assert "api_keys[0]: 'bogus' bukan ChannelType yang sah" == refused.value.translate(ID)


def test_an_api_key_problem_names_its_entry_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "web.toml"
    path.write_text("[[api_keys]]\nname = 'app'\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        load_web_config(path)
    assert refused.value.translate(ID) == (
        "api_keys[0]: sha256: wajib ada (hash_api_key(key), jangan pernah kuncinya sendiri)"
    )


# --------------------------------------------------------------------- storage


def test_a_bad_store_url_reads_in_indonesian_without_its_password() -> None:
    with pytest.raises(ValidationError) as refused:
        open_store("bogus://user:secret@host/db")
    translated = refused.value.translate(ID)
    assert translated.startswith("skema URL penyimpanan tidak dikenal 'bogus' dalam ")
    assert "secret" not in translated
    assert "secret" not in str(refused.value)


def test_import_with_lang_id_names_a_bad_store_url_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\n", encoding="utf-8")
    code, _, err = _run(capsys, "import", str(path), "--store", "bogus://x", "--lang", "id")
    assert 1 == code
    assert "skema URL penyimpanan tidak dikenal 'bogus' dalam 'bogus://x'" in err


def test_a_forged_cursor_reads_in_indonesian() -> None:
    with pytest.raises(ValidationError) as refused:
        decode_cursor("nope")
    assert "kursor kueri tidak sah 'nope'" == refused.value.translate(ID)


def test_an_undecodable_event_reads_in_indonesian_with_the_codecs_reason() -> None:
    with pytest.raises(StorageError) as refused:
        CODEC.decode_parts("NoSuchEvent", 1, {})
    reason = refused.value
    assert "tidak dikenal 'NoSuchEvent'" in reason.translate(ID)
    error = UndecodableEvent(
        reason,
        complaint_id="c-1",
        position=7,
        version=2,
        type_name="NoSuchEvent",
        schema_version=1,
    )
    assert str(error) == (
        "complaint c-1: event 2 (position 7, NoSuchEvent v1) cannot be decoded: unknown event "
        "type 'NoSuchEvent' (not registered in the codec)"
    )
    assert error.reason == str(reason)
    assert error.translate(ID) == (
        "laporan c-1: peristiwa 2 (posisi 7, NoSuchEvent v1) tidak dapat dibaca: jenis "
        "peristiwa tidak dikenal 'NoSuchEvent' (tidak terdaftar di codec)"
    )


def test_a_corrupt_stream_reads_in_indonesian() -> None:
    error = CorruptStream("c-3", 2, 3)
    assert str(error) == (
        "complaint c-3: the stream is corrupt: version 2 is missing (the next stored version is 3)"
    )
    assert error.translate(ID) == (
        "laporan c-3: aliran peristiwanya rusak: versi 2 hilang (versi tersimpan berikutnya "
        "adalah 3)"
    )


def test_the_key_and_value_problems_of_a_profile_file_read_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "child.toml"
    path.write_text(
        '[profile]\nname = "c"\nparent = "national"\ncolour = 1\n'
        "[durations.forwarding]\namount = -3\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert (
        "profile.colour: unknown key",
        "durations.forwarding.amount: must be positive, got -3",
    ) == refused.value.problems
    assert refused.value.translate(ID) == (
        "profile.colour: kunci tidak dikenal\n"
        "durations.forwarding.amount: harus positif, diterima -3"
    )
    code, out, _ = _run(capsys, "check", str(path), "--lang", "id")
    assert 1 == code
    assert "  profile.colour: kunci tidak dikenal\n" in out
    assert "  durations.forwarding.amount: harus positif, diterima -3\n" in out


def test_a_wrong_type_in_a_profile_file_reads_in_indonesian(tmp_path: Path) -> None:
    path = tmp_path / "child.toml"
    path.write_text(
        '[profile]\nname = "c"\nparent = "national"\n[durations.forwarding]\namount = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert ("durations.forwarding.amount: expected int, got str",) == refused.value.problems
    expected = "durations.forwarding.amount: diharapkan int, diterima str"
    assert expected == refused.value.translate(ID)


# --------------------------------------------------------------------- rules between tables


def _profile_problem(tmp_path: Path, body: str) -> ProfileError:
    path = tmp_path / "child.toml"
    path.write_text(f'[profile]\nname = "c"\nparent = "national"\n{body}', encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    return refused.value


def test_a_rule_between_profile_tables_reads_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    error = _profile_problem(tmp_path, '[clocks.forwarding]\nduration = "nope"\n')
    assert ("clocks.forwarding.duration: no duration named 'nope'",) == error.problems
    assert "clocks.forwarding.duration: tidak ada durasi bernama 'nope'" == error.translate(ID)
    code, out, _ = _run(capsys, "check", str(tmp_path / "child.toml"), "--lang", "id")
    assert 1 == code
    assert "  clocks.forwarding.duration: tidak ada durasi bernama 'nope'\n" in out


def test_a_duration_without_a_next_version_reads_in_indonesian(tmp_path: Path) -> None:
    error = _profile_problem(tmp_path, "[durations.forwarding]\nvalid_until = 2025-06-30\n")
    english = (
        "durations.forwarding.valid_until: no version is in force after 2025-06-30; add a "
        "[[durations.forwarding.history]] entry from the next day, or remove valid_until"
    )
    assert (english,) == error.problems
    assert error.translate(ID) == (
        "durations.forwarding.valid_until: tidak ada versi yang berlaku setelah 2025-06-30; "
        "tambahkan entri [[durations.forwarding.history]] mulai hari berikutnya, atau hapus "
        "valid_until"
    )


def test_a_lifecycle_table_problem_reads_in_indonesian() -> None:
    report = check(load_profile("national"), (*TRANSITIONS, TRANSITIONS[0]))
    (problem,) = report.problems
    assert "lifecycle: lifecycle table has two rows for (new, Submit)" == str(problem)
    assert "lifecycle: tabel siklus hidup memiliki dua baris untuk (new, Submit)" == (
        problem.translate(ID)
    )


def test_a_command_the_lifecycle_refuses_reads_in_indonesian() -> None:
    lifecycle = Lifecycle(load_profile("national"))
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.row(Status.COMPLETED, c.Rate)
    assert str(refused.value) == (
        "Rate is not allowed in status completed (option 'rating' is off in profile "
        "'national'); allowed: ChangePrivacy"
    )
    assert refused.value.translate(ID) == (
        "Rate tidak diizinkan pada status completed (opsi 'rating' tidak aktif dalam profil "
        "'national'); yang diizinkan: ChangePrivacy"
    )
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.row(None, c.Forward)
    expected = "Forward tidak diizinkan sebelum pengiriman; yang diizinkan: Submit"
    assert expected == refused.value.translate(ID)


def test_the_clock_a_refusal_is_about_is_named_in_indonesian() -> None:
    service = ComplaintService(
        InMemoryStore(), load_profile("national"), load_registry("kaltim"), clock=ManualClock(T0)
    )
    service.handle(submit_command(), OWNER)
    with pytest.raises(InvalidTransition) as refused:
        service.handle(
            RecordBreach(complaint_id=CID, clock="forwarding", agency="samarinda"), SYSTEM
        )
    assert "clock 'forwarding' of 'samarinda' is not running on complaint c-1" == str(refused.value)
    assert "jam 'forwarding' milik 'samarinda' tidak sedang berjalan pada laporan c-1" == (
        refused.value.translate(ID)
    )


_REGENCY_ELSEWHERE = (
    '[registry]\nparent = "kaltim"\n\n[[agency]]\nid = "r"\nname = "R"\nkind = "regency"\n'
    'parent = "kaltim"\nregion = "65.01"\n'
)


def test_a_region_problem_of_a_registry_reads_in_indonesian(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "berau_agencies.toml"
    path.write_text(_REGENCY_ELSEWHERE, encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        load_registry(path)
    english = (
        "agency[0].region: regency 'r' has 65.01, which is not under the code 64 of its "
        "province 'kaltim'"
    )
    assert (english,) == refused.value.problems
    expected = (
        "agency[0].region: kabupaten 'r' berkode 65.01, yang tidak berada di bawah kode 64 "
        "provinsinya 'kaltim'"
    )
    assert expected == refused.value.translate(ID)
    code, out, _ = _run(capsys, "check", "national", "--registry", str(path), "--lang", "id")
    assert 1 == code
    assert f"  {expected}\n" in out


def test_the_rules_of_an_agency_table_read_in_indonesian() -> None:
    with pytest.raises(ProfileError) as refused:
        AgencyRegistry.from_records([{"id": "Bad!", "name": " ", "kind": "national"}])
    assert refused.value.translate(ID) == (
        "agency[0].id: id instansi tidak sah 'Bad!' (huruf kecil, angka, ._-)\n"
        "agency[0].name: instansi harus memiliki nama"
    )


def test_the_rules_of_a_calendar_override_read_in_indonesian() -> None:
    with pytest.raises(ProfileError) as refused:
        parse_overrides(
            '[[override]]\ndate = 2025-12-24\nkind = "holiday"\nname = ""\nbasis = "x"\n'
        )
    assert ("override[0].name: expected a non-empty string, got ''",) == refused.value.problems
    expected = "override[0].name: diharapkan teks yang tidak kosong, diterima ''"
    assert expected == refused.value.translate(ID)


def test_a_routing_rule_problem_reads_in_indonesian() -> None:
    with pytest.raises(ProfileError) as refused:
        RoutingRule.from_records([{"agency": "x", "region_prefix": "6x"}])
    assert refused.value.translate(ID) == (
        "routing[0]: kode wilayah Kemendagri tidak sah: '6x' (diharapkan 64, 64.72, 64.72.01 "
        "atau 64.72.01.1001)"
    )


def test_the_problems_of_a_region_list_read_in_indonesian() -> None:
    text = (
        '[[region]]\ncode = "64"\nkind = "kota"\nname = "X"\n'
        '[[region]]\ncode = "64.01"\nkind = "desa"\nname = "Y"\n'
    )
    with pytest.raises(ProfileError) as refused:
        RegionList.from_toml(text)
    assert refused.value.translate(ID) == (
        "region[0].code: 64 bukan kode kota\n"
        "region[1].kind: 'desa' bukan salah satu dari provinsi, kabupaten, kota"
    )


# --------------------------------------------------------------------- words in a message


def test_the_field_words_of_a_text_rule_are_translated_with_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Content(title="Lampu\x07mati", body="x")
    assert "title contains the control character U+0007 (at position 5); title is free text" == (
        str(refused.value)
    )
    assert "judul berisi karakter kendali U+0007 (pada posisi 5); judul adalah teks bebas" == (
        refused.value.translate(ID)
    )
    with pytest.raises(ValidationError) as refused:
        TrackingId("x y")
    assert refused.value.translate(ID).startswith("nomor pelacakan tidak sah: 'x y' ")


def test_an_empty_term_is_not_the_catalogs_header() -> None:
    error = ValidationError(
        N_("{what} must be a non-empty string, got {value!r}"), what=Term(""), value=""
    )
    assert " harus berupa teks yang tidak kosong, diterima ''" == error.translate(ID)


# --------------------------------------------------------------------- the command line


def test_an_options_own_reason_reads_in_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["deadline", "--start", "2025-03-03", "--days", "x", "--lang", "id"])
    assert 2 == exited.value.code
    err = capsys.readouterr().err
    assert err.endswith("lapor-core deadline: galat: argumen --days: bukan jumlah hari: 'x'\n")
    with pytest.raises(SystemExit):
        main(["deadline", "--start", "2025-03-03", "--days", "x", "--lang", "en"])
    err = capsys.readouterr().err
    assert err.endswith("lapor-core deadline: error: argument --days: not a number of days: 'x'\n")


def test_an_unknown_profile_on_the_command_line_reads_in_indonesian(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(
        capsys, "deadline", "--start", "2025-03-03", "--days", "3", "--profile", "nowhere",
        "--lang", "id",
    )  # fmt: skip
    assert 2 == code
    assert err.endswith(
        "lapor-core deadline: galat: tidak ada profil bawaan bernama 'nowhere' (bawaan: "
        "kaltim, national; atau berikan path berkas .toml)\n"
    )


def test_a_usage_problem_found_by_the_command_reads_in_indonesian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAPOR_STORE", raising=False)
    code, _, err = _run(capsys, "export", "open311", "requests", "--lang", "id")
    assert 2 == code
    assert err.endswith(
        "lapor-core export open311: galat: export open311 requests memerlukan --store atau "
        "$LAPOR_STORE\n"
    )


def test_a_day_outside_the_calendar_reads_in_indonesian(
    capsys: pytest.CaptureFixture[str],
) -> None:
    calendar = load_profile("national").calendar()
    with pytest.raises(CalendarRangeError) as refused:
        calendar.add_working_days(date(2025, 3, 3), 100_000)
    assert refused.value.translate(ID).startswith(
        "100000 hari kerja setelah 2025-03-03 melewati akhir rentang kalender "
    )
    code, _, err = _run(capsys, "deadline", "--start", "2999-01-01", "--days", "3", "--lang", "id")
    assert 1 == code
    assert err.startswith("lapor-core: galat: 2999-01-01 di luar rentang kalender ")


def test_a_deprecated_spelling_is_named_in_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "export-open311", "services", "--lang", "id")
    assert 0 == code
    assert err.endswith(
        "lapor-core: peringatan: 'export-open311' sudah usang dan akan dihapus pada rilis "
        "berikutnya; gunakan 'export open311'\n"
    )
    code, _, err = _run(
        capsys, "deadline", "--start", "2025-03-03", "--days", "2", "--zone", "Asia/Jakarta",
        "--lang", "id",
    )  # fmt: skip
    assert 0 == code
    assert "lapor-core: peringatan: '--zone' sudah usang " in err


def test_the_detail_of_a_breach_problem_is_translated_with_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "early.toml"
    path.write_text(
        '[profile]\nname = "early"\nparent = "national"\n[clocks.early]\n'
        'duration = "follow_up"\nstart = ["ComplaintForwarded"]\nstop = ["FollowUpPosted"]\n'
        'breach = "auto_close"\nbasis = "b"\nconfidence = "L"\n',
        encoding="utf-8",
    )
    (problem,) = check(load_profile(path)).problems
    assert str(problem).endswith("; AutoClose can close the complaint only in in_progress")
    expected = (
        "clocks.early.breach: tindakan pelanggaran tenggat auto_close dapat terjadi pada "
        "submitted, on_hold, forwarded, tempat jam berjalan; AutoClose hanya dapat menutup "
        "laporan pada in_progress"
    )
    assert expected == problem.translate(ID)
    code, out, _ = _run(capsys, "check", str(path), "--lang", "id")
    assert 1 == code
    assert f"  {expected}\n" in out
