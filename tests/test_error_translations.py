"""Refusals of user input in Indonesian: import rows, Open311 POST, profiles, configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from lapor_core import ComplaintId, ProfileError, ValidationError
from lapor_core.cli import main
from lapor_core.domain.check import CheckReport
from lapor_core.errors import N_, CorruptStream, NotFound, StorageError, Term, UndecodableEvent
from lapor_core.i18n import translator
from lapor_core.interop import COLUMNS
from lapor_core.interop.importer import import_lapor_csv, read_map_file
from lapor_core.interop.lapor_csv import CsvRowError, read_lapor_csv
from lapor_core.interop.open311 import submit_from_request
from lapor_core.profiles import load_profile, load_registry
from lapor_core.service import ComplaintService
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
