"""
``lapor-core verify`` and the exports' report of unreadable complaints (issue 13).

Damage is done to a SQLite file directly through SQL; the command must name each
damaged complaint, exit 1, and never print a traceback.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lapor_core import ComplaintId, ProvideInformation, RequestInformation
from lapor_core.cli import main
from lapor_core.domain.events import ComplaintSubmitted
from lapor_core.profiles import load_profile, load_registry
from lapor_core.service import ComplaintService
from lapor_core.simulate import SimulationConfig, simulate
from lapor_core.storage import SQLiteStore
from lapor_core.testing.store_contract import T0, Draft, submit_command
from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER


def _three_events(store: SQLiteStore, cid: str) -> None:
    draft = Draft()
    draft.write(store, OWNER, submit_command(cid), T0)
    ask = RequestInformation(complaint_id=ComplaintId(cid), question="Di mana tepatnya?")
    draft.write(store, NATIONAL, ask, T0 + timedelta(minutes=10))
    answer = ProvideInformation(complaint_id=ComplaintId(cid), text="Di depan pasar.")
    draft.write(store, OWNER, answer, T0 + timedelta(minutes=20))


def _store(tmp_path: Path, *ids: str) -> tuple[Path, str]:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)
    for cid in ids:
        _three_events(store, cid)
    store.close()
    return path, f"sqlite:///{path}"


def _sql(path: Path, text: str, *params: object) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(text, params)
    conn.close()


def _damage_five_ways(path: Path) -> None:
    _sql(path, "DELETE FROM events WHERE complaint_id = 'gap-1' AND version = 2")
    _sql(path, "UPDATE events SET payload = '{\"torn' WHERE complaint_id = 'bad-1' AND version = 3")
    _sql(
        path,
        "INSERT INTO events (complaint_id, version, type, schema_version, payload, recorded_at) "
        "VALUES ('next-1', 4, 'ComplaintSubmitted', ?, '{}', 0)",
        ComplaintSubmitted.SCHEMA_VERSION + 1,
    )
    _sql(path, "UPDATE complaints SET status = 'completed' WHERE id = 'stale-1'")
    _sql(path, "DELETE FROM events WHERE complaint_id = 'short-1' AND version = 3")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_verify_reports_five_kinds_of_damage_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Gap, undecodable payload, newer version, stale projection, truncation: one line each."""
    path, url = _store(tmp_path, "fine-1", "gap-1", "bad-1", "next-1", "stale-1", "short-1")
    _damage_five_ways(path)
    code, out, _err = _run(capsys, "verify", "--store", url)
    assert 1 == code
    lines = out.splitlines()
    assert [
        "bad-1: undecodable:",
        "gap-1: gap:",
        "next-1: newer_version:",
        "short-1: truncated:",
        "stale-1: projection:",
    ] == [" ".join(line.split()[:2]) for line in lines[:-1]]
    assert "version 2 is missing" in lines[1]
    assert "written by a newer lapor_core" in lines[2]
    assert "upgrade" in lines[2]
    assert "status" in lines[4]
    assert "complaints checked: 6," in lines[-1]
    assert "problems: 5" in lines[-1]
    assert "fine-1" not in out


def test_verify_reports_the_damage_in_indonesian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, url = _store(tmp_path, "gap-1", "stale-1", "short-1")
    _damage_five_ways(path)
    code, out, _err = _run(capsys, "verify", "--store", url, "--lang", "id")
    assert 1 == code
    said = {line.split(":", 1)[0]: line for line in out.splitlines()}
    assert said["gap-1"] == (
        "gap-1: gap: laporan gap-1: aliran peristiwanya rusak: versi 2 hilang (versi "
        "tersimpan berikutnya adalah 3)"
    )
    assert said["short-1"] == (
        "short-1: truncated: aliran peristiwanya berakhir pada versi 2, baris proyeksinya "
        "pada versi 3"
    )
    assert said["stale-1"].startswith("stale-1: projection: usang: status bernilai ")
    assert ", pemutaran ulang memberikan " in said["stale-1"]


def test_verify_on_a_simulated_store_reports_nothing_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store written by a short simulation (Kaltim profile) verifies clean."""
    path = tmp_path / "sim.sqlite3"
    store = SQLiteStore(path, synchronous="OFF")
    service = ComplaintService(store, load_profile("kaltim"), load_registry("kaltim"))
    simulate(service, SimulationConfig(days=10, seed=4, start=datetime(2025, 1, 6, tzinfo=UTC)))
    store.close()
    code, out, err = _run(capsys, "verify", "--store", f"sqlite:///{path}", "--profile", "kaltim")
    assert (0, "") == (code, err)
    assert out.endswith("problems: none\n")
    assert int(out.split("complaints checked: ", 1)[1].split(",", 1)[0]) > 10


def test_verify_of_a_missing_file_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No database at the URL: exit 1 with a message, not a traceback, and no file made."""
    code, _out, err = _run(capsys, "verify", "--store", f"sqlite:///{tmp_path / 'none.db'}")
    assert 1 == code
    assert "no SQLite database" in err
    assert not (tmp_path / "none.db").exists()


def test_an_export_names_the_skipped_complaints_in_indonesian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, url = _store(tmp_path, "a-1", "gap-1")
    _sql(path, "DELETE FROM events WHERE complaint_id = 'gap-1' AND version = 2")
    output = str(tmp_path / "out.csv")
    code, _out, err = _run(
        capsys, "export", "lapor-csv", "--store", url, "--output", output, "--lang", "id"
    )
    assert 1 == code
    assert err.startswith(
        "lapor-core export lapor-csv: 1 laporan dilewati karena aliran peristiwanya tidak "
        "dapat dibaca (lihat lapor-core verify):\n"
    )


@pytest.mark.parametrize("command", ["open311", "lapor-csv"])
def test_exports_write_the_readable_complaints_and_list_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """An unreadable stream is skipped and named on stderr; exit 1; the rest is exported."""
    path, url = _store(tmp_path, "a-1", "gap-1", "next-1", "c-1")
    _sql(path, "DELETE FROM events WHERE complaint_id = 'gap-1' AND version = 2")
    _sql(
        path,
        "INSERT INTO events (complaint_id, version, type, schema_version, payload, recorded_at) "
        "VALUES ('next-1', 4, 'ComplaintSubmitted', ?, '{}', 0)",
        ComplaintSubmitted.SCHEMA_VERSION + 1,
    )
    output = tmp_path / "out.txt"
    code, _out, err = _run(capsys, "export", command, "--store", url, "--output", str(output))
    assert 1 == code
    assert "skipped 2 complaint(s)" in err
    assert "gap-1: gap:" in err
    assert "next-1: newer_version:" in err
    text = output.read_text(encoding="utf-8")
    if command == "open311":
        assert 2 == len(json.loads(text))
    else:
        assert 3 == len(text.splitlines())  # the header and two complaints
    assert "gap-1" not in text


@pytest.mark.parametrize("command", ["open311", "lapor-csv"])
def test_exports_of_a_healthy_store_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Nothing unreadable: exit 0 and nothing on stderr."""
    _path, url = _store(tmp_path, "a-1", "b-1")
    output = str(tmp_path / "o")
    code, _out, err = _run(capsys, "export", command, "--store", url, "--output", output)
    assert (0, "") == (code, err)
