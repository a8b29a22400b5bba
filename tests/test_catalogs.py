"""
The gettext catalogs: complete, compiled, and what the commands print is translated.

The messages are extracted from the source the way a maintainer does (``pybabel
extract -F babel.cfg``); every one must be in both catalogs with a translation, the same
placeholders, and a compiled ``.mo`` that says the same as its ``.po``.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lapor_core.cli import main
from lapor_core.errors import ValidationError
from lapor_core.i18n import LANGUAGES, translations, translator

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "lapor_core" / "locale"
SOURCE = ROOT / "src" / "lapor_core"


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {str(message) for _file, _line, message, _comments, _context in found}


EXTRACTED = _extracted()


def _catalog(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "lapor_core.po").open("rb") as po:
        return read_po(po, locale=lang)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_the_source_has_messages_to_translate() -> None:
    assert len(EXTRACTED) > 100
    assert "working day {number}" in EXTRACTED  # the CLI
    assert "Track your report" in EXTRACTED  # a template of the tracking page
    assert "Report received" in EXTRACTED  # the tracking page's code


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_in_the_catalog_with_a_translation(lang: str) -> None:
    catalog = _catalog(lang)
    ids = {message.id for message in catalog if message.id}
    missing = sorted(EXTRACTED - ids)
    assert not missing, f"{lang}: not in the catalog (run pybabel extract and update): {missing}"
    stale = sorted(ids - EXTRACTED)
    assert not stale, f"{lang}: in the catalog but no longer in the source: {stale}"
    untranslated = sorted(m.id for m in catalog if m.id and (not m.string or m.fuzzy))
    assert not untranslated, f"{lang}: untranslated or fuzzy: {untranslated}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_translation_keeps_the_placeholders(lang: str) -> None:
    for message in _catalog(lang):
        if message.id:
            assert _fields(str(message.string)) == _fields(str(message.id)), message.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_says_what_the_po_says(lang: str) -> None:
    with (LOCALE / lang / "LC_MESSAGES" / "lapor_core.mo").open("rb") as mo:
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}
    written = {m.id: m.string for m in _catalog(lang) if m.id}
    assert compiled == written, f"{lang}: run pybabel compile -d src/lapor_core/locale"


def test_no_message_is_hidden_from_the_extractor() -> None:
    # The extractor cannot see a call inside an f-string's braces on every Python
    # version: a message spelled that way would be printed untranslated.
    hidden = re.compile(r"\{_\(['\"]|\{translator\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in SOURCE.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hidden.search(line)
    ]
    assert not offenders


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(ValidationError, match="available: id, en"):
        translations("fr")
    assert translator("id")("working days") == "hari kerja"
    assert translator("en")("working days") == "working days"


# ---------------------------------------------------------------------- the commands' output


def _english_only() -> list[str]:
    """The phrases of the English messages (text between fields) that Indonesian changes."""
    phrases = []
    for message in _catalog("id"):
        english, indonesian = str(message.id), str(message.string)
        if not english or english == indonesian:
            continue
        for literal, *_field in string.Formatter().parse(english):
            phrase = literal.strip(" :;,()")
            if " " in phrase and len(phrase) >= 8 and phrase not in indonesian:
                phrases.append(phrase)
    return phrases


ENGLISH = _english_only()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    _run(capsys, "simulate", "--days", "20", "--store", url, "--quiet", "--lang", "en")
    exported = str(tmp_path / "lapor.csv")
    _run(capsys, "export", "lapor-csv", "--store", url, "--output", exported)
    return url


def _commands(url: str, tmp_path: Path, lang: str) -> dict[str, list[str]]:
    fresh = f"sqlite:///{tmp_path / f'fresh-{lang}.sqlite3'}"
    commands = {
        "report": ["report", "--store", url],
        "deadline": ["deadline", "--start", "2025-03-27T09:00+07:00", "--days", "3"],
        "walk": ["walk"],
        "simulate": ["simulate", "--days", "20", "--store", fresh, "--quiet"],
        "verify": ["verify", "--store", url, "--profile", "kaltim"],
        "calendar status": ["calendar", "status", "--today", "2025-06-01"],
        "check": ["check", "kaltim"],
        "import": ["import", str(tmp_path / "lapor.csv"), "--store", "memory://"],
    }
    return {name: [*argv, "--lang", lang] for name, argv in commands.items()}


def test_the_commands_speak_indonesian_with_lang_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert len(ENGLISH) > 30
    url = _store(tmp_path, capsys)
    english = {n: _run(capsys, *argv) for n, argv in _commands(url, tmp_path, "en").items()}
    for name, argv in _commands(url, tmp_path, "id").items():
        indonesian = _run(capsys, *argv)
        left = [phrase for phrase in ENGLISH if phrase in indonesian]
        assert not left, f"{name} --lang id still prints English: {left}"
        assert [p for p in ENGLISH if p in english[name]], f"{name} --lang en is not English"


def test_report_prints_each_header_and_legend_in_the_language_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = _store(tmp_path, capsys)
    indonesian = _run(capsys, "report", "--store", url, "--lang", "id")
    english = _run(capsys, "report", "--store", url, "--lang", "en")
    header_id, header_en = indonesian.splitlines()[0].split(), english.splitlines()[0].split()
    assert header_id[:3] == ["instansi", "masuk", "ditindak"]
    assert header_en[:3] == ["agency", "received", "followed"]
    assert "Keterangan kolom:" in indonesian
    assert "Columns:" in english
    assert "(semua)" in indonesian
    assert "(all)" in english


def test_the_command_line_page_shows_what_deadline_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    block = page.split("$ lapor-core deadline ", 1)[1].split("```", 1)[0].splitlines()
    argv = block[0].split(" | ", 1)[0].split()
    shown = block[1:]
    printed = _run(capsys, "deadline", *argv).splitlines()
    assert printed[: len(shown)] == shown


def _failing(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    assert main(list(argv)) == 1
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_check_reports_the_model_problems_in_the_language_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = str(ROOT / "tests" / "profiles_broken" / "clock_never_stops.toml")
    indonesian, _err = _failing(capsys, "check", broken, "--lang", "id")
    english, _err = _failing(capsys, "check", broken, "--lang", "en")
    assert "profil 'broken-clock': 4 masalah" in indonesian
    assert "tidak terjangkau" in indonesian
    assert "(profil menonaktifkan Close)" in indonesian
    assert "profile 'broken-clock': 4 problem(s)" in english
    assert "unreachable: no sequence of commands" in english

    # the dotted keys are the same in both languages
    def keys(text: str, warning: str) -> list[str]:
        return [
            line.removeprefix(f"  {warning}: ").split(": ", 1)[0] for line in text.splitlines()[1:]
        ]

    assert keys(english, "warning") == keys(indonesian, "peringatan")


def test_a_refusal_is_printed_in_the_language_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # a refusal from the library, through the command line's error handler
    url = _store(tmp_path, capsys)
    for lang, expected in (
        ("id", "lapor-core: galat: data kalender yang terpasang terkonfirmasi sampai"),
        ("en", "lapor-core: error: the installed calendar data is confirmed up to"),
    ):
        argv = ["recompute", "--store", url, "--previous-data", "2999", "--lang", lang]
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert expected in err, err
        assert "2999" in err
