"""The ``lapor-core`` command line: every subcommand through ``main([...])``."""

from __future__ import annotations

import csv
import io
import json
import pkgutil
from pathlib import Path

import pytest

import lapor_core as lc
from helpers import cli_usage_error, run_cli
from lapor_core.cli import main
from lapor_core.domain.lifecycle import Lifecycle

SUBCOMMANDS = (
    "walk",
    "diagram",
    "check",
    "simulate",
    "report",
    "export",
    "deadline",
    "import",
    "export open311",
    "export lapor-csv",
)


_run = run_cli
_usage_error = cli_usage_error


# ---------------------------------------------------------------------- help and usage


@pytest.mark.parametrize("argv", [["--help"], *([*name.split(), "--help"] for name in SUBCOMMANDS)])
def test_help_everywhere(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert 0 == info.value.code
    out = capsys.readouterr().out
    assert "usage: lapor-core" in out


def test_no_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    _usage_error(capsys)


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert "invalid choice" in _usage_error(capsys, "frobnicate")


# ---------------------------------------------------------------------- walk, diagram, check


def test_walk_prints_every_step_and_ends_completed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "walk", "--lang", "id")
    assert (0, "") == (code, err)
    steps = [line for line in out.splitlines() if line.startswith("2025-")]
    assert 10 == len(steps)
    assert "Submit" in steps[0]
    assert "Close" in steps[-1]
    assert "-> completed" in steps[-1]
    assert "(Selesai)" in steps[-1]
    assert "disposisi ulang: 1" in out


def test_walk_in_english_uses_english_labels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "walk", "--lang", "en")
    assert 0 == code
    assert "(Completed)" in out
    assert "(Not yet verified)" in out
    assert "(Selesai)" not in out


def test_diagram_is_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "diagram", "--lang", "id")
    assert 0 == code
    assert "\nstateDiagram-v2\n" in out
    assert 'state "Belum Terverifikasi" as submitted' in out
    assert "submitted --> forwarded: Forward" in out
    _, english, _ = _run(capsys, "diagram", "--lang", "en")
    assert "Not yet verified" in english


@pytest.mark.parametrize("profile", ["national", "kaltim"])
def test_diagram_table_has_a_line_per_outcome(
    capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    code, out, _ = _run(capsys, "diagram", "--format", "table", "--profile", profile)
    assert 0 == code
    lines = out.splitlines()
    assert lines[0].startswith("| from | command | records | to |")
    rows = lines[2:]
    outcomes = [o for row in Lifecycle(lc.load_profile(profile)).rows for o in row.outcomes]
    assert len(outcomes) == len(rows)
    assert all(row.startswith("| ") and row.endswith(" |") for row in rows)


@pytest.mark.parametrize("profile", ["national", "kaltim"])
def test_check_passes_the_bundled_profiles(
    capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    code, out, _ = _run(capsys, "check", profile)
    assert 0 == code
    assert out


@pytest.mark.parametrize(
    "argv",
    [
        ["walk", "--profile", "nope"],
        ["diagram", "--profile", "nope"],
        ["check", "nope"],
        ["simulate", "--profile", "nope", "--days", "1", "--quiet", "--store", "memory://"],
        ["deadline", "--start", "2025-03-27", "--days", "3", "--profile", "nope"],
    ],
)
def test_unknown_profile_is_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = _run(capsys, *argv)
    assert code in {1, 2}
    assert "nope" in err
    assert "error" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------- simulate, report, export


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A 10-day regional simulation in SQLite: (store URL, what simulate printed)."""
    path = tmp_path_factory.mktemp("sim") / "sim.sqlite3"
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        out = io.StringIO()
        mp.setattr("sys.stdout", out)
        code = main(["simulate", "--store", url, "--days", "10", "--quiet", "--seed", "4"])
    assert 0 == code
    return url, out.getvalue()


def test_simulate_prints_indicators_and_the_database(simulated: tuple[str, str]) -> None:
    url, out = simulated
    assert "simulated 10 days from 2025-01-06 (seed 4, profile kaltim," in out
    assert "events/s" in out
    assert "peak memory" in out
    assert "(all)" in out  # the totals line of the indicators table
    assert "agencies without a decree (SK): 2: mahulu, ppu" in out
    assert f"database: {url}" in out.splitlines()[-2]
    assert "its profile: kaltim (give --profile kaltim to verify" in out.splitlines()[-1]


def test_the_simulated_store_verifies_clean_with_the_profile_it_names(
    capsys: pytest.CaptureFixture[str], simulated: tuple[str, str]
) -> None:
    """Verified with the default (national) profile, a Kaltim store's rows look stale."""
    url, _ = simulated
    code, out, _ = _run(capsys, "verify", "--store", url, "--profile", "kaltim", "--lang", "en")
    assert (0, "problems: none") == (code, out.strip().rsplit(", ", 1)[-1])
    code, out, _ = _run(capsys, "verify", "--store", url, "--lang", "en")
    assert 1 == code
    assert "projection: out of date: next_due_at is '20" in out  # an ISO instant
    assert "datetime.datetime(" not in out


def test_simulate_refuses_a_non_empty_store(
    capsys: pytest.CaptureFixture[str], simulated: tuple[str, str]
) -> None:
    url, _ = simulated
    code, _, err = _run(capsys, "simulate", "--store", url, "--days", "1", "--quiet")
    assert 1 == code
    assert "not empty" in err


def test_simulate_default_store_in_the_working_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # the default file is recreated each run
        code, out, _ = _run(capsys, "simulate", "--days", "2", "--quiet", "--lang", "en")
        assert 0 == code
        assert "database: sqlite:///lapor-simulation.sqlite3" in out
        assert "by status: Not yet verified" in out
    assert (tmp_path / "lapor-simulation.sqlite3").exists()


_SAMPLE = Path(__file__).parent / "data" / "lapor_export_sample.csv"


@pytest.mark.parametrize(
    "case",
    [
        (
            "simulate",
            "lapor_core._cli_reports.simulate",
            ["--days", "1", "--quiet"],
            "simulated 1 days",
        ),
        (
            "import",
            "lapor_core._cli_interop.import_lapor_csv",
            [str(_SAMPLE), "--store", "sqlite:///gc.sqlite3"],
            "imported: 6",
        ),
    ],
    ids=["simulate", "import"],
)
def test_batch_commands_collect_cycles_rarely_while_they_run_and_restore_the_thresholds(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, str, list[str], str],
) -> None:
    """The command's work runs at threshold 50,000; the thresholds are the same after it."""
    import gc  # noqa: PLC0415 - only this test looks at the collector

    command, target, args, said = case

    real = pkgutil.resolve_name(target)
    during: list[tuple[int, ...]] = []

    def watched(*args: object, **kwargs: object) -> object:
        during.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(target, watched)
    monkeypatch.chdir(tmp_path)
    before = gc.get_threshold()
    code, out, _ = _run(capsys, command, *args)
    assert 0 == code, out
    assert said in out
    assert [(50_000, *before[1:])] == during
    assert before == gc.get_threshold()
    # Restored after a failure too.
    monkeypatch.setattr(target, lambda *_a, **_k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main([command, *args])
    assert before == gc.get_threshold()


@pytest.mark.parametrize("days", ["0", "-3", "ten"])
def test_simulate_refuses_a_bad_period(capsys: pytest.CaptureFixture[str], days: str) -> None:
    assert "--days" in _usage_error(capsys, "simulate", "--days", days, "--quiet")


def test_report_table_csv_and_json(
    capsys: pytest.CaptureFixture[str], simulated: tuple[str, str]
) -> None:
    url, _ = simulated
    code, table, _ = _run(capsys, "report", "--store", url)
    assert 0 == code
    assert table.splitlines()[2].startswith("(all)")
    _, text, _ = _run(capsys, "report", "--store", url, "--format", "csv")
    records = list(csv.DictReader(io.StringIO(text)))
    _, text, _ = _run(capsys, "report", "--store", url, "--format", "json")
    objects = json.loads(text)
    assert records
    assert [r["agency"] for r in records] == [o["agency"] for o in objects]
    assert [int(r["received"]) for r in records] == [o["received"] for o in objects]
    total = int(table.splitlines()[2].split()[1])
    assert total == sum(o["received"] for o in objects)


def test_report_window(capsys: pytest.CaptureFixture[str], simulated: tuple[str, str]) -> None:
    url, _ = simulated
    argv = ["report", "--store", url, "--format", "json"]
    _, everything, _ = _run(capsys, *argv)
    _, first_days, _ = _run(capsys, *argv, "--since", "2025-01-06", "--until", "2025-01-09")
    _, nothing, _ = _run(capsys, *argv, "--since", "2026-01-01")
    assert 0 < sum(o["received"] for o in json.loads(first_days))
    assert sum(o["received"] for o in json.loads(first_days)) < sum(
        o["received"] for o in json.loads(everything)
    )
    assert [] == json.loads(nothing)
    code, _, err = _run(
        capsys, "report", "--store", url, "--since", "2025-02-01", "--until", "2025-01-01"
    )
    assert 1 == code
    assert "--until must be after --since" in err


@pytest.mark.parametrize("level", ["1", "2"])
def test_export_musrenbang_csv_and_json(
    capsys: pytest.CaptureFixture[str], simulated: tuple[str, str], level: str
) -> None:
    url, _ = simulated
    argv = ["export", "musrenbang", "--store", url, "--level", level]
    code, text, _ = _run(capsys, *argv)
    assert 0 == code
    records = list(csv.DictReader(io.StringIO(text)))
    _, text, _ = _run(capsys, *argv, "--format", "json")
    objects = json.loads(text)
    assert records
    assert [
        {**r, "complaints": int(r["complaints"]), "completed": int(r["completed"]),
         "backlog": int(r["backlog"])}
        for r in records
    ] == objects  # fmt: skip
    width = {"1": 2, "2": 5}[level]
    assert all(o["region"] == "-" or len(o["region"]) <= width for o in objects)


def test_export_indicators_to_a_file(
    capsys: pytest.CaptureFixture[str], simulated: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = simulated
    target = tmp_path / "indicators.json"
    code, out, _ = _run(
        capsys, "export", "indicators", "--store", url, "--format", "json", "--output", str(target)
    )
    assert (0, "") == (code, out)
    _, printed, _ = _run(capsys, "report", "--store", url, "--format", "json")
    assert json.loads(printed) == json.loads(target.read_text(encoding="utf-8"))


def test_report_on_a_bad_store_url_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "report", "--store", "ftp://example.org/x")
    assert 1 == code
    assert "unknown store URL scheme" in err


# ---------------------------------------------------------------------- deadline

START = "2025-03-27T09:00+07:00"  # Thursday, the day before Nyepi's cuti bersama


def test_deadline_worked_example_with_cuti_bersama(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "deadline", "--start", START, "--days", "3", "--lang", "en")
    assert (0, "") == (code, err)
    assert "due date: 2025-04-10 (Thursday)" in out
    assert "deadline: 2025-04-11T00:00:00+07:00" in out
    assert "2025-04-02 Wednesday skipped: cuti bersama: Cuti Bersama Hari Raya Idul Fitri" in out
    assert "2025-03-29 Saturday  skipped: weekend (Saturday); Hari Suci Nyepi" in out
    assert "2025-04-08 Tuesday   working day 1" in out
    assert "2025-04-10 Thursday  working day 3" in out
    assert "time zone: Asia/Jakarta" in out


def test_deadline_worked_example_without_cuti_bersama(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "deadline", "--start", START, "--days", "3", "--no-cuti-bersama", "--lang", "en"
    )
    assert 0 == code
    assert "due date: 2025-04-03 (Thursday)" in out
    assert "deadline: 2025-04-04T00:00:00+07:00" in out
    assert "2025-03-28 Friday    working day 1" in out
    assert "cuti bersama: Cuti" not in out


def test_deadline_in_indonesian_under_an_indonesian_locale(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LAPOR_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    code, out, _ = _run(capsys, "deadline", "--start", START, "--days", "3")
    assert 0 == code
    assert "jatuh tempo: 2025-04-10 (Kamis)" in out
    assert "2025-03-30 Minggu    dilewati: akhir pekan (Minggu)" in out
    assert "hari kerja ke-3" in out


def test_deadline_in_calendar_days_and_another_zone(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["deadline", "--start", "2025-03-27", "--days", "14", "--unit", "calendar_days"]
    code, out, _ = _run(capsys, *argv, "--time-zone", "Asia/Jayapura", "--lang", "en")
    assert 0 == code
    assert "due date: 2025-04-10 (Thursday)" in out
    assert "deadline: 2025-04-11T00:00:00+09:00" in out
    assert "skipped" not in out


def test_deadline_of_the_kaltim_profile_is_in_wita(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "deadline", "--start", START, "--days", "3", "--profile", "kaltim", "--lang", "en"
    )
    assert 0 == code
    assert "time zone: Asia/Makassar; profile: kaltim" in out
    assert "+08:00" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--start", START, "--days", "3", "--time-zone", "Mars/Olympus"], "unknown time zone"),
        (["--start", "1990-01-02", "--days", "3"], "1990"),
    ],
)
def test_deadline_errors_exit_1(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(capsys, "deadline", *argv)
    assert 1 == code
    assert message in err
    assert err.startswith("lapor-core: error:")


@pytest.mark.parametrize(
    "argv",
    [
        ["--days", "3"],
        ["--start", START],
        ["--start", "yesterday", "--days", "3"],
        ["--start", START, "--days", "-1"],
        ["--start", START, "--days", "3", "--unit", "hours"],
        ["--start", START, "--days", "3", "--lang", "fr"],
    ],
)
def test_deadline_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    _usage_error(capsys, "deadline", *argv)


def test_report_on_a_missing_sqlite_file_is_an_error_not_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite3"
    assert 1 == main(["report", "--store", f"sqlite:///{missing}"])
    assert "no SQLite database" in capsys.readouterr().err
    assert not missing.exists()


def test_a_since_day_begins_at_midnight_where_the_command_counts_days(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A report submitted at 00:30 WITA on the 11th was not one of the 11th's: days were UTC."""
    from datetime import datetime, timedelta, timezone  # noqa: PLC0415

    from lapor_core.service import ComplaintService  # noqa: PLC0415
    from lapor_core.storage import open_store  # noqa: PLC0415

    url = f"sqlite:///{tmp_path / 'days.sqlite3'}"
    service = ComplaintService(
        open_store(url), lc.load_profile("kaltim"), lc.load_registry("kaltim")
    )
    wita = timezone(timedelta(hours=8))
    service.handle(
        lc.Submit(
            complaint_id=lc.ComplaintId("c-11"),
            content=lc.Content(title="Jalan rusak", body="Jalan di depan pasar."),
            kind=lc.Kind.COMPLAINT,
            reporter=lc.Reporter("pelapor", "Siti"),
            channel=lc.Channel(lc.ChannelType.WEB),
        ),
        lc.Actor.reporter("pelapor"),
        now=datetime(2025, 1, 11, 0, 30, tzinfo=wita),
    )
    service.store.close()
    day = ["--since", "2025-01-11", "--until", "2025-01-12"]
    exported = _run(capsys, "export", "lapor-csv", "--store", url, "--profile", "kaltim", *day)
    assert "c-11" in exported[1]
    wib = _run(capsys, "export", "lapor-csv", "--store", url, *day, "--time-zone", "Asia/Jakarta")
    assert "c-11" not in wib[1]  # 23:30 on the 10th in WIB
    counted = _run(capsys, "report", "--store", url, "--format", "json", *day)
    assert [] == json.loads(counted[1])  # report's days are WIB's by default
    local = [*day, "--time-zone", "Asia/Makassar"]
    counted = _run(capsys, "report", "--store", url, "--format", "json", *local)
    assert 1 == sum(row["received"] for row in json.loads(counted[1]))


def test_a_deadline_the_calendar_refuses_prints_nothing_before_its_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The header (duration, start, time zone) came out before the refusal."""
    argv = ["deadline", "--start", "2025-03-27T09:00+07:00", "--days", "99999999", "--lang", "en"]
    code, out, err = _run(capsys, *argv)
    assert (1, "") == (code, out)
    assert "runs past the end of the calendar's range" in err


@pytest.mark.parametrize("top", ["-1", "0", "x"])
def test_simulate_refuses_a_top_below_one(capsys: pytest.CaptureFixture[str], top: str) -> None:
    """``--top -1`` was taken, and Python's slicing then dropped the last agency."""
    message = _usage_error(capsys, "simulate", "--top", top, "--store", "memory://", "--lang", "en")
    assert "expected a whole number >= 1" in message
