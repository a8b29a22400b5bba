"""
The command line's grammar: every subcommand of the real parser, walked.

Each one is described, has an ``example:`` epilog and help for every option; the shared
options are spelled alike; exit codes follow one table (0 ok, 1 problems or refused
input, 2 usage); the deprecated spellings still work and say so on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from importlib import metadata
from pathlib import Path

import pytest

from lapor_core._cli_reports import default_lang, local_time, zone_abbreviation
from lapor_core.cli import build_parser, main
from lapor_core.profiles import bundled_profiles

_ENV = ("LAPOR_STORE", "LAPOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No store and no language from the machine running the tests."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (sub)command under *parser*, nested ones too, with its words."""
    found: list[tuple[tuple[str, ...], argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.append(((*path, name), child))
                found.extend(_commands(child, (*path, name)))
    return found


def _listed(parser: argparse.ArgumentParser) -> set[str]:
    """The subcommands that have a line in *parser*'s help listing."""
    return {
        choice.dest
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for choice in action._choices_actions
    }


COMMANDS = _commands(build_parser())
NAMES = [" ".join(words) for words, _ in COMMANDS]
DEPRECATED: dict[tuple[str, ...], tuple[str, ...]] = {
    ("export-open311",): ("export", "open311"),
    ("export-lapor-csv",): ("export", "lapor-csv"),
}


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {
        option: action
        for action in parser._actions
        for option in action.option_strings
        if not isinstance(action, argparse._HelpAction)
    }


def _leaf(parser: argparse.ArgumentParser) -> bool:
    return not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def _run(argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``lapor-core argv`` (argparse's exits included)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def test_the_walk_finds_the_nested_commands() -> None:
    expected = {
        "walk", "diagram", "check", "deadline", "simulate", "verify", "report", "import",
        "export", "export open311", "export lapor-csv", "export musrenbang",
        "export indicators", "serve", "sweep", "calendar", "calendar status", "recompute",
        "export-open311", "export-lapor-csv",
    }  # fmt: skip
    assert expected == set(NAMES)


@pytest.mark.parametrize(("words", "parser"), COMMANDS, ids=NAMES)
def test_every_command_is_described_with_an_example(
    words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    assert parser.description, words
    assert parser.description.strip()
    assert parser.epilog is not None
    assert "example" in parser.epilog
    shown = " ".join(DEPRECATED.get(words, words))  # an alias's example shows the new name
    assert f"lapor-core {shown}" in parser.epilog
    assert parser.prog == "lapor-core " + " ".join(words)


@pytest.mark.parametrize(("words", "parser"), COMMANDS, ids=NAMES)
def test_every_option_has_help(words: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        if action.help == argparse.SUPPRESS:  # hidden: only the deprecated --zone
            assert ["--zone"] == action.option_strings, (words, name)
            continue
        assert action.help, (words, name)
        assert action.help.strip(), (words, name)


def test_the_main_help_lists_the_commands_but_not_the_deprecated_ones() -> None:
    parser = build_parser()
    listed = _listed(parser)
    assert {"walk", "export", "calendar", "recompute"} <= listed
    assert not listed & {"export-open311", "export-lapor-csv"}
    assert "export-open311" not in parser.format_help()
    assert {"open311", "lapor-csv", "musrenbang", "indicators"} == _listed(
        dict(COMMANDS)[("export",)]
    )


@pytest.mark.parametrize(("words", "parser"), COMMANDS, ids=NAMES)
def test_shared_options_are_spelled_alike(
    words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    options = _options(parser)
    shown = parser.format_help()
    assert "--zone" not in shown.replace("--time-zone", "")
    assert "--timezone" not in options
    assert "--tz" not in options
    if "--store" in options:
        assert "LAPOR_STORE" in str(options["--store"].help), words
    if "--lang" in options:
        assert ("id", "en") == tuple(options["--lang"].choices or ()), words
        assert options["--lang"].default is None  # resolved by one rule, default_lang
        assert "LAPOR_LANG" in str(options["--lang"].help), words
    if "--time-zone" in options:
        assert options["--time-zone"].default is None, words  # the profile's zone
    for option in options:
        assert option.islower(), (words, option)
        assert "_" not in option, (words, option)


def test_the_time_zone_is_taken_as_time_zone_wherever_a_zone_is_taken() -> None:
    takes = {" ".join(w) for w, p in COMMANDS if "--time-zone" in _options(p)}
    assert {
        "deadline", "import", "export open311", "export lapor-csv",
        "export-open311", "export-lapor-csv",
        "report", "export musrenbang", "export indicators",  # where a --since day begins
    } == takes  # fmt: skip


def test_version() -> None:
    code, out, _ = _run(["--version"])
    assert 0 == code
    assert f"lapor-core {metadata.version('lapor-core')}\n" == out


_NEEDS: dict[str, list[str]] = {
    "check": [],
    "deadline": ["--start", "2025-03-27", "--days", "3"],
    "import": ["missing.csv"],
    "recompute": ["--previous-data", "2027"],
}
_PROFILED = [
    (words, parser)
    for words, parser in COMMANDS
    if _leaf(parser) and ("--profile" in _options(parser) or words == ("check",))
]


@pytest.mark.parametrize(("words", "parser"), _PROFILED, ids=[" ".join(w) for w, _ in _PROFILED])
def test_an_unknown_profile_is_a_usage_error_naming_the_bundled_ones(
    words: tuple[str, ...], parser: argparse.ArgumentParser, tmp_path: Path
) -> None:
    assert parser is not None
    store = (
        ["--store", f"sqlite:///{tmp_path / 'none.db'}"] if "--store" in _options(parser) else []
    )
    profile = ["nope"] if words == ("check",) else ["--profile", "nope"]
    argv = [*words, *_NEEDS.get(words[-1], []), *store, *profile]
    code, _, err = _run(argv)
    assert 2 == code, (argv, err)
    assert "usage: lapor-core" in err
    assert "'nope'" in err
    assert all(name in err for name in bundled_profiles())
    assert "Traceback" not in err
    assert not (tmp_path / "none.db").exists()


def test_an_unknown_registry_is_a_usage_error_too() -> None:
    code, _, err = _run(["walk", "--registry", "nowhere"])
    assert 2 == code
    assert "kaltim" in err


@pytest.mark.parametrize(("words", "parser"), COMMANDS, ids=NAMES)
def test_a_bad_option_is_a_usage_error(
    words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    assert parser is not None
    code, _, err = _run([*words, "--no-such-option"])
    assert 2 == code
    assert "usage: lapor-core" in err


@pytest.mark.parametrize(
    "words",
    [("report",), ("verify",), ("export", "musrenbang"), ("export", "indicators"),
     ("export", "lapor-csv")],
)  # fmt: skip
def test_a_needed_store_comes_from_lapor_store_or_is_a_usage_error(
    words: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _run(list(words))
    assert 2 == code
    assert "--store" in err
    missing = tmp_path / "from-env.db"
    monkeypatch.setenv("LAPOR_STORE", f"sqlite:///{missing}")
    code, _, err = _run(list(words))
    assert 1 == code  # it was used: refused input, not a usage error
    assert "no SQLite database" in err
    assert str(missing) in err


def test_lapor_store_also_feeds_report_with_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    assert 0 == _run(["simulate", "--store", url, "--days", "2", "--quiet"])[0]
    monkeypatch.setenv("LAPOR_STORE", url)
    code, out, err = _run(["report", "--format", "json"])
    assert (0, "") == (code, err)
    assert json.loads(out)


@pytest.mark.parametrize(("old", "new"), list(DEPRECATED.items()))
def test_deprecated_export_names_work_the_same_and_warn(
    old: tuple[str, ...], new: tuple[str, ...]
) -> None:
    what = ["services"] if "open311" in new[-1] else ["--store", "memory://"]
    code_new, out_new, err_new = _run([*new, *what])
    code_old, out_old, err_old = _run([*old, *what])
    assert (0, "") == (code_new, err_new)
    assert (code_new, out_new) == (code_old, out_old)
    assert 1 == len(err_old.splitlines())
    assert "deprecated" in err_old
    assert " ".join(new) in err_old


def test_the_deprecated_zone_option_works_and_warns() -> None:
    argv = ["deadline", "--start", "2025-03-27", "--days", "3", "--lang", "en"]
    code, new, err_new = _run([*argv, "--time-zone", "Asia/Jayapura"])
    assert (0, "") == (code, err_new)
    assert "time zone: Asia/Jayapura" in new
    code, old, err_old = _run([*argv, "--zone", "Asia/Jayapura"])
    assert (0, new) == (code, old)
    assert "'--zone' is deprecated" in err_old
    assert "--time-zone" in err_old


def test_the_time_zone_defaults_to_the_profile_s() -> None:
    argv = ["deadline", "--start", "2025-03-27", "--days", "3", "--lang", "en"]
    assert "time zone: Asia/Makassar" in _run([*argv, "--profile", "kaltim"])[1]
    assert "time zone: Asia/Jakarta" in _run(argv)[1]


def test_export_indicators_takes_no_level_and_musrenbang_uses_it(tmp_path: Path) -> None:
    code, _, err = _run(["export", "indicators", "--store", "memory://", "--level", "3"])
    assert 2 == code
    assert "--level" in err
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    assert 0 == _run(["simulate", "--store", url, "--days", "5", "--quiet"])[0]
    regions = {}
    for level in ("1", "2"):
        out = _run(["export", "musrenbang", "--store", url, "--level", level, "--format", "json"])[
            1
        ]
        regions[level] = {row["region"] for row in json.loads(out)}
    assert all(len(code) == 2 for code in regions["1"])
    assert all(len(code) == 5 for code in regions["2"])


def test_walk_prints_local_times_and_an_owner_on_every_line() -> None:
    code, out, _ = _run(["walk", "--lang", "en"])
    assert 0 == code
    steps = [line for line in out.splitlines() if line.startswith("2025-")]
    assert 10 == len(steps)
    assert steps[0].startswith("2025-03-27 09:30 WITA ")  # 01:30 UTC, Samarinda's clock
    assert all(" WITA " in line for line in steps)
    assert all(not line.rstrip().endswith("owner:") for line in steps)
    assert steps[-1].endswith("owner: -")
    assert "+00:00" not in out


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, "id"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),
        ({"LAPOR_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
        ({"LAPOR_LANG": "en", "LANG": "id_ID.UTF-8"}, "en"),
        ({"LAPOR_LANG": "fr", "LANG": "id_ID.UTF-8"}, "id"),
    ],
)
def test_the_default_language(environ: dict[str, str], lang: str) -> None:
    assert lang == default_lang(environ)


@pytest.mark.parametrize(
    ("argv", "english", "indonesian"),
    [
        (["walk"], "(Completed)", "(Selesai)"),
        (["diagram"], "Not yet verified", "Belum Terverifikasi"),
        (["deadline", "--start", "2025-03-27", "--days", "3"], "due date", "jatuh tempo"),
        (["calendar", "status"], "holiday data", "data hari libur"),
    ],
)
def test_every_command_follows_the_same_language_rule(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], english: str, indonesian: str
) -> None:
    out = _run(argv)[1]
    assert english in out
    assert indonesian not in out
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    assert indonesian in _run(argv)[1]
    monkeypatch.setenv("LAPOR_LANG", "en")
    assert english in _run(argv)[1]


def test_report_takes_lang_for_its_legend(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    assert 0 == _run(["simulate", "--store", url, "--days", "2", "--quiet"])[0]
    assert "Keterangan kolom" in _run(["report", "--store", url, "--lang", "id"])[1]
    assert "Columns:" in _run(["report", "--store", url, "--lang", "en"])[1]


def test_zone_names() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    at = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
    assert "2025-03-27 08:30 WIB" == local_time(at, "Asia/Jakarta")
    assert "2025-03-27 09:30 WITA" == local_time(at, "Asia/Makassar")
    assert "2025-03-27 10:30 WIT" == local_time(at, "Asia/Jayapura")
    assert "UTC" == zone_abbreviation("UTC", at)


# ------------------------------------------------------------------ the help in two languages

INDONESIAN = dict(_commands(build_parser("id")))
"""The same commands, their help built in Indonesian."""


def _texts(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    """(what, text) of every text a person reads in *parser*'s help."""
    texts = [("description", parser.description or ""), ("epilog", parser.epilog or "")]
    texts += [(f"group {n}", group.title or "") for n, group in enumerate(parser._action_groups)]
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            texts.append(("/".join(action.option_strings) or action.dest, action.help))
        if isinstance(action, argparse._SubParsersAction):
            texts += [(f"listing {c.dest}", c.help or "") for c in action._choices_actions]
    return texts


@pytest.mark.parametrize(
    ("words", "parser"),
    [((), build_parser()), *COMMANDS],
    ids=["lapor-core", *NAMES],
)
def test_every_help_text_is_said_in_indonesian(
    words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    translated_parser = INDONESIAN[words] if words else build_parser("id")
    english, indonesian = _texts(parser), _texts(translated_parser)
    assert [what for what, _ in english] == [what for what, _ in indonesian]
    for (what, text), (_, translated) in zip(english, indonesian, strict=True):
        assert translated.strip(), (words, what)
        if what == "epilog":  # the example lines are commands: only the heading changes
            assert translated.splitlines()[1:] == text.splitlines()[1:]
            assert translated.splitlines()[0] == "contoh:", (words, text)
        else:
            assert translated != text, (words, what, text)


@pytest.mark.parametrize(("words", "parser"), COMMANDS, ids=NAMES)
def test_the_help_keeps_its_values_in_both_languages(
    words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    """``%(default)s`` and the other fields are filled in the translation as in English."""
    english, indonesian = parser.format_help(), INDONESIAN[words].format_help()
    assert english.startswith("usage: lapor-core")
    assert indonesian.startswith("penggunaan: lapor-core")
    assert "%(" not in english
    assert "%(" not in indonesian
    for action in parser._actions:
        if action.help and "%(default)s" in action.help and action.default is not None:
            assert str(action.default) in english
            assert str(action.default) in indonesian


def test_the_help_fills_the_bundled_names_and_the_date_formats() -> None:
    commands = dict(COMMANDS)
    walk = " ".join(commands[("walk",)].format_help().split())
    assert f"({', '.join(bundled_profiles())}) or path (default national)" in walk
    imported = " ".join(commands[("import",)].format_help().split())
    assert "default: iso, %d/%m/%Y %H:%M:%S" in imported
    simulate = " ".join(INDONESIAN[("simulate",)].format_help().split())
    assert "./lapor-simulation.sqlite3" in simulate
    assert "Kolom tabel: masuk:" in simulate  # the columns as the Indonesian table names them


@pytest.mark.parametrize(
    ("argv", "environment"),
    [
        (["walk", "--lang", "id", "--help"], {}),
        (["walk", "--help", "--lang=id"], {}),
        (["--lang", "id", "walk", "--help"], {}),
        (["walk", "--help"], {"LAPOR_LANG": "id"}),
        (["walk", "--help"], {"LANG": "id_ID.UTF-8"}),
    ],
)
def test_help_follows_the_language_asked(
    argv: list[str], environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, _ = _run(argv)
    assert 0 == code
    assert out.startswith("penggunaan: lapor-core walk")
    assert "\nopsi:\n" in out
    assert "tampilkan pesan bantuan ini lalu keluar" in out
    assert "show this help message" not in out


def test_help_is_english_without_a_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAPOR_LANG", "id")
    code, out, _ = _run(["walk", "--lang", "en", "--help"])
    assert 0 == code
    assert out.startswith("usage: lapor-core walk")
    assert "show this help message and exit" in out


def test_a_usage_error_says_usage_in_the_language_asked() -> None:
    code, _, err = _run(["report", "--lang", "id"])  # no --store, no $LAPOR_STORE
    assert 2 == code
    assert err.startswith("penggunaan: lapor-core report")


def test_the_root_lang_reaches_the_command() -> None:
    code, out, _ = _run(["--lang", "id", "deadline", "--start", "2025-03-27", "--days", "3"])
    assert 0 == code
    assert out.startswith("durasi: 3 hari kerja")
    code, out, _ = _run(["--lang", "en", "deadline", "--start", "2025-03-27", "--days", "3"])
    assert out.startswith("duration: 3 working days")


# ------------------------------------------------------------------ argparse's own errors


@pytest.mark.parametrize(
    ("argv", "indonesian", "english"),
    [
        (
            ["check", "--lang", "id"],
            "lapor-core check: galat: argumen berikut wajib diisi: FILE_OR_NAME",
            "lapor-core check: error: the following arguments are required: FILE_OR_NAME",
        ),
        (
            ["walk", "--no-such-option", "--lang", "id"],
            "lapor-core: galat: argumen tidak dikenal: --no-such-option",
            "lapor-core: error: unrecognized arguments: --no-such-option",
        ),
        (
            ["report", "--format", "nope", "--lang", "id"],
            (
                "lapor-core report: galat: argumen --format: pilihan tidak sah: 'nope' "
                "(pilih dari 'table', 'csv', 'json')"
            ),
            (
                "lapor-core report: error: argument --format: invalid choice: 'nope' "
                "(choose from 'table', 'csv', 'json')"
            ),
        ),
    ],
)
def test_argparse_errors_follow_the_language(
    argv: list[str], indonesian: str, english: str
) -> None:
    code, _, err = _run(argv)
    assert 2 == code
    assert indonesian == err.strip().splitlines()[-1]
    assert "penggunaan:" in err  # the usage line is Indonesian too
    code, _, err = _run([word for word in argv if word not in ("--lang", "id")] + ["--lang", "en"])
    assert 2 == code
    assert english == err.strip().splitlines()[-1]


def test_an_argparse_message_it_does_not_know_stays_as_it_is() -> None:
    from lapor_core._cli_reports import argparse_message  # noqa: PLC0415 - the helper under test
    from lapor_core.i18n import translator  # noqa: PLC0415

    indonesian = translator("id")
    assert "something else entirely" == argparse_message("something else entirely", indonesian)
    known = "one of the arguments --a --b is required"
    assert "salah satu argumen --a --b wajib diisi" == argparse_message(known, indonesian)
    assert known == argparse_message(known, translator("en"))
