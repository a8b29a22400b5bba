"""
``sweep``'s exit codes and refusals, ``calendar status`` at the year 9999 and in both
languages, the indicators' legend in ``--help``, ``diagram`` and SQLite errors in Indonesian.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from helpers import cli_usage_error as _usage_error
from helpers import run_cli as _run
from lapor_core import ComplaintService, load_profile, load_registry
from lapor_core._cli_web import _sweep_loop
from lapor_core.cli import main
from lapor_core.domain.lifecycle import Lifecycle, markdown_table, mermaid
from lapor_core.errors import N_, StorageError
from lapor_core.reports import indicators_cells
from lapor_core.storage.sqlite import SQLiteStore

CLOSED = StorageError(N_("the SQLite store on {path!r} is closed"), path="lapor.sqlite3")
"""A store failure whose message the catalogs hold (``... sudah ditutup``)."""


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """An empty SQLite store (a sweep of it claims nothing)."""
    path = tmp_path / "lapor.sqlite3"
    SQLiteStore(path).close()
    return f"sqlite:///{path}"


def _claims_fail(monkeypatch: pytest.MonkeyPatch, *failing: bool) -> None:
    """``claim_due`` fails in the rounds marked ``True`` (then works as before)."""
    rounds = list(failing)
    original = SQLiteStore.claim_due

    def claim_due(self: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        if rounds and rounds.pop(0):
            raise CLOSED
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLiteStore, "claim_due", claim_due)


# ---------------------------------------------------------------------- sweep


def test_a_sweep_that_fails_exits_1_with_the_error_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    _claims_fail(monkeypatch, True)
    code, out, err = _run(capsys, "sweep", "--store", store_url, "--lang", "en")
    assert (1, "") == (code, out)
    assert "lapor-core: error: the SQLite store on 'lapor.sqlite3' is closed\n" == err


def test_a_failed_sweep_is_said_in_indonesian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    _claims_fail(monkeypatch, True)
    code, _, err = _run(capsys, "sweep", "--store", store_url, "--lang", "id")
    assert 1 == code
    assert "lapor-core: galat: penyimpanan SQLite pada 'lapor.sqlite3' sudah ditutup\n" == err


def test_a_failed_round_is_said_on_stderr_the_next_runs_and_the_exit_code_is_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    _claims_fail(monkeypatch, True, False)
    argv = ("sweep", "--store", store_url, "--every", "0.01s", "--rounds", "2", "--lang", "id")
    code, out, err = _run(capsys, *argv)
    assert 1 == code
    assert "lapor-core sweep: galat: penyimpanan SQLite pada 'lapor.sqlite3' sudah ditutup\n" == err
    assert 1 == len(out.splitlines())  # the second round swept


def test_the_sweep_line_is_in_indonesian_with_lang_id(
    capsys: pytest.CaptureFixture[str], store_url: str
) -> None:
    """Waits for the catalogs: ``sweep: {claimed} claimed, {commands} commands`` is new."""
    code, out, _ = _run(capsys, "sweep", "--store", store_url, "--lang", "id")
    assert (0, "penyapuan: 0 diklaim, 0 perintah\n") == (code, out)


def test_an_empty_claimant_is_a_usage_error_before_the_store_is_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "tidak-ada.sqlite3"
    err = _usage_error(capsys, "sweep", "--store", f"sqlite:///{missing}", "--claimant", "")
    assert "argument --claimant: actor id must be a non-empty string, got ''" in err
    indonesian = _usage_error(capsys, "sweep", "--claimant", " ", "--lang", "id")
    assert "galat: argumen --claimant: id aktor harus berupa teks yang tidak kosong" in indonesian


@pytest.mark.parametrize("rounds", ["0", "-1", "dua", "1.5"])
def test_rounds_below_one_or_not_whole_are_a_usage_error(
    capsys: pytest.CaptureFixture[str], rounds: str
) -> None:
    err = _usage_error(capsys, "sweep", "--every", "1s", "--rounds", rounds, "--lang", "en")
    assert f"argument --rounds: expected a whole number >= 1, got {rounds!r}" in err


def _service(url: str) -> ComplaintService:
    store = SQLiteStore(url.removeprefix("sqlite:///"))
    return ComplaintService(store, load_profile("national"), load_registry("kaltim"))


def test_the_server_sweeper_logs_a_failed_round_and_goes_on(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    """``serve --sweep`` gives no *failed*: the round is logged, the thread sweeps again."""
    _claims_fail(monkeypatch, True, False)
    service = _service(store_url)
    swept: list[object] = []
    with caplog.at_level(logging.WARNING, logger="lapor_core.sweep"):
        _sweep_loop(
            service, 0.0, threading.Event(), claimant="serve-1", rounds=2, report=swept.append
        )
    service.store.close()
    assert 1 == len(swept)
    assert ["sweep failed: the SQLite store on 'lapor.sqlite3' is closed"] == caplog.messages


def test_the_loop_gives_a_failed_round_to_its_callback(
    monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    _claims_fail(monkeypatch, False, True, False)
    service = _service(store_url)
    failed: list[object] = []
    swept: list[object] = []
    _sweep_loop(
        service,
        0.0,
        threading.Event(),
        claimant="sweeper",
        rounds=3,
        report=swept.append,
        failed=failed.append,
    )
    service.store.close()
    assert ([CLOSED], 2) == (failed, len(swept))


# ---------------------------------------------------------------------- calendar status


@pytest.mark.parametrize("today", ["9999-12-31", "9999-01-01"])
def test_calendar_status_in_the_year_9999_warns_without_a_traceback(
    capsys: pytest.CaptureFixture[str], today: str
) -> None:
    code, out, err = _run(capsys, "calendar", "status", "--today", today, "--lang", "en")
    assert (0, "") == (code, err)
    assert out.splitlines()[-1].startswith("warning: the confirmed holiday data ends on ")


def _status_warning(capsys: pytest.CaptureFixture[str], lang: str) -> str:
    last = load_profile("national").calendar().confirmed_until
    code, out, _ = _run(capsys, "calendar", "status", "--today", f"{last}-06-01", "--lang", lang)
    assert 0 == code
    return out.splitlines()[-1]


def test_calendar_status_warns_in_english_with_lang_en(
    capsys: pytest.CaptureFixture[str],
) -> None:
    warning = _status_warning(capsys, "en")
    assert warning.startswith("warning: the confirmed holiday data ends on ")
    assert "data hari libur" not in warning


def test_calendar_status_warns_in_indonesian_with_lang_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    warning = _status_warning(capsys, "id")
    assert warning.startswith("peringatan: data hari libur yang pasti berakhir pada ")
    assert "pasang paket holidays yang lebih baru" in warning
    assert "confirmed" not in warning
    assert "provisional" not in warning


# ---------------------------------------------------------------------- --help legend


@pytest.mark.parametrize("words", [("report",), ("simulate",), ("export", "indicators")])
def test_the_help_legend_names_the_columns_as_the_indonesian_table_does(
    capsys: pytest.CaptureFixture[str], words: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit):
        main([*words, "--help", "--lang", "id"])
    text = " ".join(capsys.readouterr().out.split())
    headers, _rows = indicators_cells([], lang="id")
    legend = text[text.index("Kolom tabel: ") :]
    assert legend.startswith(f"Kolom tabel: {headers[1]}: ")  # masuk
    for header in headers[1:]:
        assert f"{header}:" in legend or f"{header}," in legend
    for english in ("received:", "followed:", "fol%", "h->fwd", "rep-to", "rerout"):
        assert english not in legend


# ---------------------------------------------------------------------- diagram, SQLite


def _marked(message: str) -> str:
    """A "translation" that shows which texts went through gettext."""
    return f"<{message}>"


def test_the_lifecycle_table_says_its_own_words_through_gettext() -> None:
    table = markdown_table(Lifecycle(load_profile("national")), gettext=_marked).splitlines()
    assert (
        "| <from> | <command> | <records> | <to> | <roles> | <condition> | <option> | <basis> |"
        == table[0]
    )
    assert "|---|---|---|---|---|---|---|---|" == table[1]
    assert table[2].startswith("| <(new)> | `Submit` | `ComplaintSubmitted` | `submitted` |")
    assert "<back to where it was held from (`submitted` <or> `forwarded`)>" in "\n".join(table)


def test_the_lifecycle_diagram_says_its_title_and_new_state_through_gettext() -> None:
    diagram = mermaid(Lifecycle(load_profile("national")), gettext=_marked)
    assert diagram.startswith("---\ntitle: <lifecycle of profile national>\n---\n")
    assert '  state "<(new)>" as new\n' in diagram


def test_diagram_in_indonesian_has_an_indonesian_title_and_table_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Waits for cli._diagram to pass gettext=translator(lang), and for the catalogs."""
    _, diagram, _ = _run(capsys, "diagram", "--lang", "id")
    assert "lifecycle of profile" not in diagram
    _, table, _ = _run(capsys, "diagram", "--format", "table", "--lang", "id")
    assert not table.startswith("| from | command |")


@pytest.mark.parametrize("kind", ["text file", "directory"])
def test_a_store_that_is_no_database_is_refused_without_english_words_under_lang_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    """Waits for the catalogs: the SQLite error's template and operations are new."""
    path = tmp_path / "bukan.sqlite3"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_text("bukan basis data\n", encoding="utf-8")
    argv = ("simulate", "--days", "1", "--store", f"sqlite:///{path}", "--quiet", "--lang", "id")
    code, _, err = _run(capsys, *argv)
    assert 1 == code
    message = err.split(": galat: ", 1)[1]
    said, _sep, _reason = message.rpartition(": ")  # SQLite's own reason stays English
    for english in ("SQLite store", "opening", "failed", " on "):
        assert english not in said
    assert repr(str(path)) in said
