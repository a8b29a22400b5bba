"""Output for scripts (``--format json|csv``) and the summaries people read in ``simulate``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from lapor_core._cli_reports import _without_decree
from lapor_core.cli import main
from lapor_core.profiles import load_profile


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_deadline_as_json_is_the_count_the_text_explains(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["deadline", "--start", "2025-03-27T09:00+07:00", "--days", "3"]
    record = json.loads(_run(capsys, *argv, "--format", "json"))
    text = _run(capsys, *argv, "--lang", "en")
    assert record["counted"] == ["2025-04-08", "2025-04-09", "2025-04-10"]
    assert record["due_date"] == "2025-04-10"
    assert record["deadline"] == "2025-04-11T00:00:00+07:00"
    assert f"due date: {record['due_date']} (Thursday)" in text
    skipped = {entry["date"]: entry["reasons"] for entry in record["skipped"]}
    assert len(skipped) == 11  # 28 March to 7 April: Nyepi, Idul Fitri, cuti bersama, weekends
    assert any("Idul Fitri" in reason for reason in skipped["2025-03-31"])
    calendar = load_profile("national").calendar()
    assert all(not calendar.is_working_day(date.fromisoformat(day)) for day in skipped)


def test_deadline_in_calendar_days_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["deadline", "--start", "2025-03-27T09:00+08:00", "--days", "3"]
    record = json.loads(
        _run(capsys, *argv, "--unit", "calendar_days", "--profile", "kaltim", "--format", "json")
    )
    assert record["time_zone"] == "Asia/Makassar"
    assert record["due_date"] == "2025-03-30"
    assert record["deadline"] == "2025-03-31T00:00:00+08:00"
    assert "counted" not in record


def test_simulate_as_json_and_csv_for_scripts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    common = ["simulate", "--days", "30", "--seed", "3", "--quiet"]
    record = json.loads(
        _run(capsys, *common, "--store", f"sqlite:///{tmp_path / 'a.sqlite3'}", "--format", "json")
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                _run(
                    capsys, *common, "--store", f"sqlite:///{tmp_path / 'b.sqlite3'}",
                    "--format", "csv",
                )
            )
        )
    )  # fmt: skip
    assert record["complaints"] == sum(record["by_status"].values())
    assert record["refused"] == sum(kind["count"] for kind in record["refusals"].values())
    assert sum(row["received"] for row in record["indicators"]) == record["complaints"]
    by_agency = {row["agency"]: int(row["received"]) for row in rows}
    assert by_agency == {row["agency"]: row["received"] for row in record["indicators"]}


def test_simulate_explains_what_was_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    out = _run(capsys, "simulate", "--days", "60", "--seed", "1", "--quiet", "--store", store)
    refused = int(out.split(" refused)", 1)[0].rsplit("(", 1)[1])
    assert refused > 0
    lines = out.splitlines()
    start = lines.index("refused commands, by kind (the service said no, as it should):")
    listed = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        count, kind = line.split(maxsplit=1)
        assert "(" in kind.split(":", 1)[0]  # "Reply (InvalidTransition): why"
        listed.append(int(count))
    assert sum(listed) == refused


def test_a_long_list_of_agencies_without_a_decree_ends_with_how_many_more() -> None:
    names = [f"dinas-{n}" for n in range(26)]
    line = _without_decree(names, "en")
    assert line.startswith("agencies without a decree (SK): 26: dinas-0, dinas-1,")
    assert line.endswith("dinas-9, ... and 16 more")
    assert _without_decree(names[:3], "en").endswith(": 3: dinas-0, dinas-1, dinas-2")
    assert _without_decree(names, "id").endswith("dinas-9, ... dan 16 lainnya")
