"""
The shared grammar of ``lapor-core``, and its ``deadline``, ``simulate``, ``report`` ...

Besides ``deadline``, ``simulate``, ``verify``, ``report`` and ``export
musrenbang|indicators``, this module holds what every subcommand shares.

One spelling for each shared option (``--profile``, ``--registry``, ``--store``,
``--time-zone``, ``--lang``), one rule for their defaults, one exit-code table:

* 0: done, nothing wrong;
* 1: problems found (``check``, ``verify``, an import with refused rows) or input refused
  (a store or file that cannot be read, a date outside the calendar);
* 2: usage: a bad option, a missing required option, an unknown profile or registry.

Defaults come from the environment: ``$LAPOR_STORE`` for ``--store``, ``$LAPOR_LANG``
(then the locale, then English) for ``--lang``; ``--time-zone`` defaults to the
profile's zone.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import os
import re
import sys
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import NoReturn

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import INDONESIAN_TIME_ZONES, Explanation, WorkingCalendar
from lapor_core.domain.calendar_explain import PROVISIONAL_TEXT
from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.lifecycle import Status
from lapor_core.errors import LaporError, NotFound, Term, ValidationError
from lapor_core.i18n import N_, WEEKDAYS, Translate, translator
from lapor_core.profiles import bundled_profiles, load_profile, load_registry
from lapor_core.reports import (
    INDICATOR_LEGEND,
    AgencyIndicators,
    agencies_without_decree,
    indicators,
    indicators_cells,
    indicators_csv,
    indicators_json,
    indicators_legend,
    indicators_table,
    musrenbang,
    musrenbang_csv,
    musrenbang_json,
)
from lapor_core.service import ComplaintService
from lapor_core.simulate import SimulationConfig, SimulationResult, national_registry, simulate
from lapor_core.storage import LAPOR_STORE_ENV, ComplaintStore, open_store, project, redact_dsn

DEFAULT_DB = "lapor-simulation.sqlite3"

__all__ = [
    "DEFAULT_REPORT_ZONE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "LANGS",
    "LAPOR_LANG_ENV",
    "Formatter",
    "Parser",
    "UsageError",
    "add_command",
    "add_export_parsers",
    "add_lang",
    "add_parsers",
    "add_profile",
    "add_registry",
    "add_store",
    "add_time_zone",
    "argparse_message",
    "bundled_registries",
    "check_names",
    "count_argument",
    "day_argument",
    "default_lang",
    "deprecation",
    "local_day",
    "local_time",
    "open_existing",
    "path_argument",
    "refuse_argument",
    "translate_parser",
    "write_output",
    "zone_abbreviation",
]

# ---------------------------------------------------------------------- the shared grammar

EXIT_OK = 0
"""Done, nothing wrong."""
EXIT_PROBLEMS = 1
"""Problems found, or input refused."""
EXIT_USAGE = 2
"""A usage error: a bad or missing option, an unknown profile or registry."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C (SIGINT), as shells report it: what was written stays whole."""

LAPOR_LANG_ENV = "LAPOR_LANG"
"""The environment variable naming the default label language (``id`` or ``en``)."""
LANGS = ("id", "en")
"""The label languages: Indonesian and English."""
_LOCALE_ENV = ("LC_ALL", "LC_MESSAGES", "LANG")


class UsageError(LaporError):
    """
    A command line that parsed but cannot be run as given (exit 2).

    Its message is a template with named fields, like every :class:`LaporError`, so
    that it is said in the language of ``--lang``.
    """


def refuse_argument(template: str, **fields: object) -> argparse.ArgumentTypeError:
    """
    The error an option's type function raises: *template* with its *fields*.

    argparse puts its English text after ``argument --x:``; a :class:`Parser` says the
    whole message again in its own language.
    """
    return argparse.ArgumentTypeError(ValidationError(template, **fields))


def _argument_refusal(message: str, say: Translate) -> str | None:
    """
    *message* in the language of *say* when it wraps an option's own reason.

    argparse reports a type function's :class:`argparse.ArgumentTypeError` as an
    ``ArgumentError`` raised while handling it, and calls :meth:`Parser.error` within
    that handler: the reason is the handled error's cause, when it is one of ours.
    """
    handled = sys.exc_info()[1]
    if not isinstance(handled, argparse.ArgumentError) or str(handled) != message:
        return None
    cause = handled.__context__
    if not isinstance(cause, argparse.ArgumentTypeError) or not cause.args:
        return None
    reason = cause.args[0]
    if not isinstance(reason, LaporError):
        return None
    return say(N_("argument {argument}: {reason}")).format(
        argument=handled.argument_name, reason=reason.translate(say)
    )


# argparse's own messages (Python 3.11 to 3.13), as it fills them in, and their templates
_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), template)
    for pattern, template in (
        (
            r"the following arguments are required: (?P<names>.+)",
            N_("the following arguments are required: {names}"),
        ),
        (r"unrecognized arguments: (?P<words>.+)", N_("unrecognized arguments: {words}")),
        (
            (
                r"argument (?P<argument>\S+): invalid choice: (?P<value>.+) \(choose from "
                r"(?P<choices>.+)\)"
            ),
            N_("argument {argument}: invalid choice: {value} (choose from {choices})"),
        ),
        (
            r"argument (?P<argument>\S+): invalid (?P<kind>\S+) value: (?P<value>.+)",
            N_("argument {argument}: invalid {kind} value: {value}"),
        ),
        (
            r"argument (?P<argument>\S+): expected one argument",
            N_("argument {argument}: expected one argument"),
        ),
        (
            r"argument (?P<argument>\S+): expected at least one argument",
            N_("argument {argument}: expected at least one argument"),
        ),
        (
            r"argument (?P<argument>\S+): not allowed with argument (?P<other>.+)",
            N_("argument {argument}: not allowed with argument {other}"),
        ),
        (
            r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)",
            N_("ambiguous option: {option} could match {matches}"),
        ),
        (
            r"one of the arguments (?P<names>.+) is required",
            N_("one of the arguments {names} is required"),
        ),
    )
)


def argparse_message(message: str, gettext: Translate) -> str:
    """
    One of argparse's own error messages in the language of *gettext*.

    argparse fills its messages in English before a parser sees them; the known ones
    are matched and said again from the catalogs, the others are returned as they are.
    """
    for pattern, template in _ARGPARSE_MESSAGES:
        found = pattern.fullmatch(message)
        if found is not None:
            translated = gettext(template)
            try:
                return translated.format_map(found.groupdict())
            except (KeyError, IndexError, ValueError):
                return message
    return message


class Parser(argparse.ArgumentParser):
    """
    An ``ArgumentParser`` whose own errors are said in the language of its help.

    :func:`translate_parser` sets :attr:`gettext`; a usage error prints the usage, then
    ``lapor-core: galat: ...`` in Indonesian (``error`` in English), and exits 2.
    """

    gettext: Translate = staticmethod(str)
    """The translation of the parser's messages (``str``: English)."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and *message* in the parser's language; exit 2."""
        say = self.gettext
        said = _argument_refusal(message, say) or argparse_message(message, say)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {say('error')}: {said}\n")


class Formatter(argparse.RawDescriptionHelpFormatter):
    """
    Descriptions and epilogs by paragraph: prose is wrapped, indented lines are kept.

    An epilog's ``example:`` lines (indented) therefore stay exactly as written. The
    ``usage:`` prefix is said in the language of *gettext* (see :func:`translate_parser`).
    """

    def __init__(self, prog: str, *, gettext: Translate = str, **kwargs: int | None) -> None:
        """A formatter for *prog* that says ``usage:`` through *gettext*."""
        super().__init__(prog, **kwargs)  # type: ignore[arg-type]
        self._gettext = gettext

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        """The usage line, prefixed ``usage:`` (or its translation) unless told otherwise."""
        if prefix is None:
            prefix = self._gettext(N_("usage: "))
        super().add_usage(usage, actions, groups, prefix)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith(" ") or "\n " in paragraph:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
            else:
                paragraphs.append(
                    argparse.HelpFormatter._fill_text(self, paragraph, width, indent)  # noqa: SLF001
                )
        return "\n\n".join(paragraphs)


def path_argument(text: str) -> str:
    """A file name (or a bundled profile's name): refused when no file can have it."""
    if "\x00" in text:
        raise refuse_argument(N_("no file name holds a NUL character: {text!r}"), text=text)
    return text


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    summary: str | None,
    description: str,
    examples: tuple[str, ...],
) -> argparse.ArgumentParser:
    """
    A subcommand with a description and an ``example:`` epilog.

    *summary* is its line in the parent's listing (``None``: not listed); *examples* are
    command lines without the program's name.
    """
    lines = "\n".join(f"  lapor-core {example}" for example in examples)
    epilog = (N_("examples:") if len(examples) > 1 else N_("example:")) + "\n" + lines
    if summary is None:  # no help: argparse lists no line for it
        return sub.add_parser(
            name, description=description, epilog=epilog, formatter_class=Formatter
        )
    return sub.add_parser(
        name, help=summary, description=description, epilog=epilog, formatter_class=Formatter
    )


PROFILE_HELP = N_("bundled profile name (%(bundled)s) or path (default %(default)s)")
"""The help of ``--profile`` (``%(bundled)s``: the bundled profiles' names)."""
REGISTRY_HELP = N_("bundled agency registry name or path (default %(default)s)")
"""The help of ``--registry``."""
STORE_HELP = N_(
    "store URL: sqlite:///path, postgresql://..., memory:// (default: $LAPOR_STORE; one "
    "of the two is required)"
)
"""The help of a required ``--store`` (``$LAPOR_STORE`` can stand in for it)."""
TIME_ZONE_HELP = N_(
    "IANA time zone (default: the profile's: Asia/Jakarta, WIB, for national; "
    "Asia/Makassar, WITA, for kaltim)"
)
"""The help of ``--time-zone``."""
LANG_HELP = N_(
    "label language: id (Bahasa Indonesia) or en (default: $LAPOR_LANG, else the locale's, else en)"
)
"""The help of ``--lang``."""


def add_profile(
    cmd: argparse.ArgumentParser, *, default: str | None = "national", text: str = PROFILE_HELP
) -> None:
    """``--profile NAME_OR_PATH``: a bundled profile's name or a profile file."""
    action = cmd.add_argument("--profile", type=path_argument, default=default, help=text)
    action.bundled = ", ".join(bundled_profiles())  # type: ignore[attr-defined] # %(bundled)s


def add_registry(
    cmd: argparse.ArgumentParser, *, default: str | None = "kaltim", text: str = REGISTRY_HELP
) -> None:
    """``--registry NAME_OR_PATH``: a bundled agency registry's name or a registry file."""
    cmd.add_argument("--registry", type=path_argument, default=default, help=text)


def add_store(cmd: argparse.ArgumentParser, *, fallback: str | None = None) -> None:
    """
    ``--store URL``, defaulting to ``$LAPOR_STORE``.

    *fallback* is the whole help of a store that has a default of its own (a
    ``N_``-marked sentence saying it); without one, ``--store`` or ``$LAPOR_STORE`` is
    required (argparse's usage error, exit 2).
    """
    from_env = os.environ.get(LAPOR_STORE_ENV) or None
    cmd.add_argument(
        "--store",
        default=from_env,
        required=fallback is None and from_env is None,
        help=STORE_HELP if fallback is None else fallback,
    )


class _DeprecatedOption(argparse.Action):
    """A hidden old spelling: stores like the new one and says so on stderr."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        self.instead = str(kwargs.pop("instead"))
        super().__init__(option_strings, dest, **kwargs)  # type: ignore[arg-type]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        deprecation(f"{option_string}", self.instead, getattr(parser, "gettext", str))
        setattr(namespace, self.dest, values)


def add_time_zone(
    cmd: argparse.ArgumentParser, *, text: str = TIME_ZONE_HELP, old_zone: bool = False
) -> None:
    """``--time-zone ZONE`` (default: the profile's); *old_zone* adds the hidden ``--zone``."""
    cmd.add_argument("--time-zone", metavar="ZONE", help=text)
    if old_zone:
        cmd.add_argument(
            "--zone",
            dest="time_zone",
            action=_DeprecatedOption,
            instead="--time-zone",
            help=argparse.SUPPRESS,
        )


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """
    The label language when ``--lang`` is not given.

    ``$LAPOR_LANG`` (``id`` or ``en``), then the locale (the first set of ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``: ``id_ID.UTF-8`` is Indonesian), else English.
    """
    env = os.environ if environ is None else environ
    given = env.get(LAPOR_LANG_ENV, "").strip().lower()
    if given in LANGS:
        return given
    for name in _LOCALE_ENV:
        value = env.get(name, "")
        if value:
            language = value.lower().split(".", 1)[0].split("_", 1)[0]
            return "id" if language in {"id", "in"} else "en"
    return "en"


def add_lang(cmd: argparse.ArgumentParser, *, text: str = LANG_HELP) -> None:
    """``--lang {id,en}``, resolved by :func:`default_lang` when not given."""
    cmd.add_argument("--lang", choices=LANGS, default=None, help=text)


_ARGPARSE_TEXTS = (
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
)
"""argparse's own headings and ``-h`` help, translated through the project's catalog."""


def lang_in(argv: Sequence[str]) -> str | None:
    """The language ``--lang`` names in *argv* (``--lang id`` or ``--lang=id``), if any."""
    for number, word in enumerate(argv):
        if word == "--":
            break
        given = None
        if word == "--lang" and number + 1 < len(argv):
            given = argv[number + 1]
        elif word.startswith("--lang="):
            given = word.removeprefix("--lang=")
        if given in LANGS:
            return given
    return None


def translate_parser(parser: argparse.ArgumentParser, gettext: Translate) -> None:
    """
    Say *parser*'s help in the language of *gettext*, with its subcommands'.

    Every help text is an ``N_``-marked English message: the description is translated
    paragraph by paragraph, the epilog line by line (the example command lines are not
    in the catalog, so they stay as written), each option's help, the listing of the
    subcommands and argparse's headings. A text missing from the catalog stays English.
    """
    known = {_LEGEND_HELP: _legend_help(gettext)}

    def say(text: str) -> str:
        return known.get(text) or (gettext(text) if text else text)

    if isinstance(parser, Parser):
        parser.gettext = gettext
    if parser.description:
        parser.description = "\n\n".join(map(say, parser.description.split("\n\n")))
    if parser.epilog:
        parser.epilog = "\n".join(map(say, parser.epilog.split("\n")))
    parser.formatter_class = functools.partial(Formatter, gettext=gettext)
    for group in parser._action_groups:  # noqa: SLF001 - argparse keeps no public list
        if group.title:
            group.title = say(group.title)
    for action in parser._actions:  # noqa: SLF001
        _translate_action(action, say)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for child in dict.fromkeys(action.choices.values()):
                translate_parser(child, gettext)


def _translate_action(action: argparse.Action, say: Translate) -> None:
    """An option's help, and a subcommand listing's lines, through *say*."""
    if action.help and action.help is not argparse.SUPPRESS:
        action.help = say(action.help)
    if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
        for listed in action._choices_actions:  # noqa: SLF001
            if listed.help:
                listed.help = say(listed.help)


def deprecation(old: str, new: str, gettext: Translate = str) -> None:
    """Say on stderr, in one line and the language of *gettext*, that *old* is deprecated."""
    warning = gettext("warning")
    text = gettext(
        N_("{old!r} is deprecated and will be removed in the next release; use {new!r}")
    ).format(old=old, new=new)
    sys.stderr.write(f"lapor-core: {warning}: {text}\n")


def bundled_registries() -> tuple[str, ...]:
    """Names of the agency registries shipped with the library (``kaltim``, ...)."""
    suffix = "_agencies.toml"
    files = resources.files("lapor_core.profiles").iterdir()
    return tuple(sorted(p.name.removesuffix(suffix) for p in files if p.name.endswith(suffix)))


def _is_name(given: str) -> bool:
    return "/" not in given and "." not in given


def _unknown(given: str | None, what: str, bundled: tuple[str, ...]) -> UsageError | None:
    """Why *given* names no profile (or registry), or ``None`` when it may."""
    if given is None:
        return None
    names: str = ", ".join(bundled) or Term(N_("none"))
    if _is_name(given):
        if given in bundled:
            return None
        return UsageError(
            N_("no bundled {what} named {name!r} (bundled: {names}; or give a .toml file's path)"),
            what=Term(what),
            name=given,
            names=names,
        )
    if not Path(given).exists():
        return UsageError(
            N_("{what} file {path!r} does not exist (bundled: {names})"),
            what=Term(what),
            path=given,
            names=names,
        )
    return None


def check_names(args: argparse.Namespace) -> None:
    """
    Refuse an unknown profile or registry before running anything.

    Raises:
        UsageError: ``--profile`` (or ``check``'s argument) or ``--registry`` names no
            bundled one and no existing file.
    """
    for attribute, what, bundled in (
        ("profile", N_("profile"), bundled_profiles),
        ("registry", N_("agency registry"), bundled_registries),
    ):
        given = getattr(args, attribute, None)
        if isinstance(given, str):
            problem = _unknown(given, what, bundled())
            if problem is not None:
                raise problem


def zone_abbreviation(zone: str, at: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; the zone's own abbreviation otherwise."""
    known = INDONESIAN_TIME_ZONES.get(zone)
    if known is not None:
        return known
    return at.astimezone(zoneinfo.ZoneInfo(zone)).tzname() or zone


def local_time(at: datetime, zone: str) -> str:
    """``2025-03-27 09:30 WITA``: *at* on the clock of *zone*, with its abbreviation."""
    local = at.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone_abbreviation(zone, at)}"


# ---------------------------------------------------------------------- the subcommands


def day_argument(text: str) -> datetime:
    """
    Parse ``YYYY-MM-DD`` or an ISO instant: a day is naive (see :func:`local_day`).

    A day is the midnight that begins it where the command counts days, known only once
    its options are all read; an instant with an offset is that instant.
    """
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise refuse_argument(N_("not a date: {text!r} (use YYYY-MM-DD)"), text=text) from None


def local_day(value: datetime, zone: str) -> datetime:
    """*value* of :func:`day_argument`: a day becomes its midnight in *zone* (IANA)."""
    if value.tzinfo is not None:
        return value
    try:
        return value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            N_("time_zone: unknown IANA time zone {value!r}"), value=zone
        ) from None


def _date(text: str) -> datetime:
    """``simulate --start``: a day at UTC midnight, or an ISO instant with offset."""
    value = day_argument(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def count_argument(text: str) -> int:
    """A count option (``--top``, ``--rounds``): a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise refuse_argument(N_("expected a whole number >= 1, got {text!r}"), text=text)
    return value


DEFAULT_REPORT_ZONE = "Asia/Jakarta"
"""The zone of a report's days without ``--time-zone``: WIB, the national time."""


def _period(text: str) -> int:
    """A simulated period in days, ``>= 1``."""
    try:
        value = int(text)
    except ValueError:
        raise refuse_argument(N_("not a number of days: {text!r}"), text=text) from None
    if value < 1:
        raise refuse_argument(N_("the period must be at least 1 day, got {value}"), value=value)
    return value


def _progress(
    _: Callable[[str], str],
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback: a rich bar when rich is installed, else a line per 10 %."""
    try:
        from rich.progress import (  # noqa: PLC0415 - optional dependency, CLI only
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeElapsedColumn,
        )
    except ImportError:  # pragma: no cover - depends on the installed extras
        last = [-1]

        def plain(done: int, total: int) -> None:
            tenth = done * 10 // total
            if tenth != last[0]:
                last[0] = tenth
                line = _("simulated {done}/{total} hours").format(done=done, total=total)
                print(f"  {line}", file=sys.stderr)

        return plain, lambda: None
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    )
    task = bar.add_task(_("simulating hours"), total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


# A simulation keeps every complaint's state (the service cache) and allocates a few
# objects per event that are freed at once. With the default threshold (700) the cyclic
# collector runs thousands of times and scans the growing cache again and again: a fifth
# or more of a national run. 50,000 makes it rare; our objects form almost no cycles.
# An import allocates the same way in each of its processes (100,000 rows in one
# process: 8,588 collections and 6.0 to 6.7 s of 37 s; 102 and 2.0 to 2.4 s at 50,000).
_BATCH_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """Collect cycles rarely while a batch runs; the thresholds are restored afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(_BATCH_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``lapor-core simulate``."""
    national = args.scale == "national"
    try:
        args.start + timedelta(days=args.days + 1)
    except OverflowError:
        raise ValidationError(
            N_("--start {start} and --days {days} run past the last representable date {last}"),
            start=args.start.isoformat(),
            days=args.days,
            last=date.max.isoformat(),
        ) from None
    profile_source = args.profile or ("national" if national else "kaltim")
    profile = load_profile(profile_source)
    registry: AgencyRegistry = national_registry() if national else load_registry(args.registry)
    url = shown = args.store
    if url is None:
        path = Path(DEFAULT_DB)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shown = f"sqlite:///{path}"
        # A scratch file recreated each run: no fsync (an OS crash may lose it, which
        # costs a rerun); a third faster at national scale.
        url = f"{shown}?synchronous=OFF"
    store = open_store(url)
    try:
        if store.read_all(0, 1):
            raise ValidationError(
                N_("store {url} is not empty; simulate needs a fresh one"), url=redact_dsn(url)
            )
        service = ComplaintService(store, profile, registry, cache_size=1_000_000)
        config = SimulationConfig(
            days=args.days, seed=args.seed, start=args.start, national=national
        )
        show = not args.quiet and sys.stderr.isatty()
        update, stop = _progress(translator(args.lang)) if show else (None, lambda: None)
        try:
            with batch_gc():
                result = simulate(service, config, progress=update)
        finally:
            stop()
        until = args.start + timedelta(days=args.days)
        figures = indicators(store, args.start, until)
        if args.format == "csv":
            print(indicators_csv(figures), end="")
            return 0
        if args.format == "json":
            print(_simulation_json(result, figures, redact_dsn(shown), args.lang), end="")
            return 0
        _print_simulation(args, result, profile.name, len(registry))
        statuses = ", ".join(
            f"{profile.label(Status(s), args.lang)} {n}" for s, n in result.by_status.items()
        )
        _ = translator(args.lang)
        print(_("by status: {statuses}").format(statuses=statuses) + "\n")
        print_indicators(figures, top=args.top, lang=args.lang)
        print(_legend(args.lang), end="")
        missing = agencies_without_decree(registry)
        if missing:
            print("\n" + _without_decree(missing, args.lang))
        print("\n" + _("database: {url}").format(url=redact_dsn(shown)))
        # the store does not record its profile: verify, sweep and serve are told it
        print(
            _(
                "its profile: {profile} (give --profile {profile} to verify, sweep or serve it)"
            ).format(profile=profile_source)
        )
    finally:
        store.close()
    return 0


def _simulation_json(
    result: SimulationResult, figures: Sequence[AgencyIndicators], database: str, lang: str
) -> str:
    """``simulate --format json``: the run's counts, its refusals and the indicators."""
    _ = translator(lang)
    record = {
        "complaints": result.complaints,
        "commands": result.commands,
        "refused": result.refused,
        "refusals": {
            kind: {"count": count, "example": example.translate(_)}
            for kind, (count, example) in sorted(result.refusals.items())
        },
        "events": result.events,
        "by_status": result.by_status,
        "database": database,
        "indicators": json.loads(indicators_json(figures)),
    }
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _print_simulation(
    args: argparse.Namespace, result: SimulationResult, profile: str, agencies: int
) -> None:
    """The first lines of ``simulate``: what ran, how much, how fast, what was refused."""
    _ = translator(args.lang)
    ran = _("simulated {days} days from {start} (seed {seed}, profile {profile}, {n} agencies)")
    print(
        ran.format(
            days=args.days, start=args.start.date(), seed=args.seed, profile=profile, n=agencies
        )
    )
    print(
        _(
            "{complaints} complaints, {commands} commands ({refused} refused), {events} "
            "events in {seconds} s ({rate} events/s), peak memory {memory} MiB"
        ).format(
            complaints=result.complaints,
            commands=result.commands,
            refused=result.refused,
            events=result.events,
            seconds=f"{result.elapsed:.1f}",
            rate=f"{result.events_per_second:,.0f}",
            memory=f"{result.peak_memory / 2**20:.0f}",
        )
    )
    if result.refusals:
        print(_("refused commands, by kind (the service said no, as it should):"))
        ranked = sorted(result.refusals.items(), key=lambda item: (-item[1][0], item[0]))
        for kind, (count, refusal) in ranked:
            example = refusal.translate(_)
            shown = example if len(example) <= _EXAMPLE_WIDTH else example[:_EXAMPLE_WIDTH] + "..."
            print(f"  {count} {kind}: {shown}")


_EXAMPLE_WIDTH = 90
_LISTED = 10


def _without_decree(missing: Sequence[str], lang: str) -> str:
    """The agencies without a decree: the first ten, then how many more."""
    _ = translator(lang)
    names = ", ".join(missing[:_LISTED])
    if len(missing) > _LISTED:
        more = _("... and {count} more").format(count=len(missing) - _LISTED)
        names = f"{names}, {more}"
    return _("agencies without a decree (SK): {count}: {names}").format(
        count=len(missing), names=names
    )


def _window(args: argparse.Namespace) -> tuple[datetime, datetime]:
    """``--since`` and ``--until``, a day each beginning at midnight in ``--time-zone``."""
    zone = args.time_zone or DEFAULT_REPORT_ZONE
    since = local_day(args.since, zone) if args.since else datetime(2000, 1, 1, tzinfo=UTC)
    until = local_day(args.until, zone) if args.until else datetime(2100, 1, 1, tzinfo=UTC)
    if until <= since:
        raise ValidationError(N_("--until must be after --since"))
    return since, until


def write_output(text: str, output: str | None, *, newline: str | None = None) -> None:
    """
    Write *text* to the file *output* names (UTF-8), or to standard output without one.

    Raises:
        ValidationError: The file cannot be written (no such directory, a directory, no
            permission, a full disk): the message names ``--output`` and the reason.
    """
    if not output:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8", newline=newline)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError(
            N_("cannot write --output {output!r}: {reason}"), output=output, reason=reason
        ) from None


def open_existing(url: str) -> ComplaintStore:
    """Open a store to read from; a SQLite file must already exist (no silent empty file)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        if not path.is_file():
            raise NotFound(N_("no SQLite database at {path!r}"), path=str(path))
    return open_store(url)


def print_indicators(
    figures: Sequence[AgencyIndicators], *, top: int | None = None, lang: str = "en"
) -> None:
    """
    Print the indicators table on standard output.

    Drawn with ``rich`` on a terminal when it is installed (the ``cli`` extra), plain
    text otherwise (a pipe, a file, no rich).
    """
    if sys.stdout.isatty():
        try:
            from rich.console import Console  # noqa: PLC0415 - optional dependency, CLI only
            from rich.table import Table  # noqa: PLC0415
        except ImportError:  # pragma: no cover - depends on the installed extras
            pass
        else:
            headers, rows = indicators_cells(figures, top=top, lang=lang)
            table = Table(*headers[:1], box=None, header_style="bold")
            for header in headers[1:]:
                table.add_column(header, justify="right")
            for number, row in enumerate(rows):
                table.add_row(*row, style="bold" if number == 0 else None)
            Console().print(table)
            return
    print(indicators_table(figures, top=top, lang=lang), end="")


def _legend(lang: str) -> str:
    _ = translator(lang)
    return "\n" + _("Columns:") + "\n" + indicators_legend(lang)


def _legend_help(gettext: Translate) -> str:
    """
    The paragraph of ``--help`` that explains the indicators' columns.

    Each column is named as the table's header in that language names it.
    """
    columns = "; ".join(
        f"{', '.join(gettext(name) for name in names)}: {gettext(text)}"
        for names, text in INDICATOR_LEGEND
    )
    return gettext(N_("The table's columns: {columns}. Hours are calendar hours.")).format(
        columns=columns
    )


_LEGEND_HELP = _legend_help(str)


def run_report(args: argparse.Namespace) -> int:
    """Run ``lapor-core report``: the indicators of any store."""
    store = open_existing(args.store)
    try:
        since, until = _window(args)
        figures = indicators(store, since, until)
        if args.format == "table":
            print_indicators(figures, lang=args.lang)
            print(_legend(args.lang), end="")
        else:
            render = indicators_csv if args.format == "csv" else indicators_json
            print(render(figures), end="")
    finally:
        store.close()
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core verify``: check every stream of a store; exit 1 on any problem.

    Each problem is printed on its own line, ``<complaint id>: <kind>: <what>``; then a
    summary.
    """
    profile = load_profile(args.profile)
    calendar = profile.calendar()
    clocks = profile.clocks
    store = open_existing(args.store)
    try:
        report = store.verify(lambda complaint: project(complaint, calendar, clocks))
    finally:
        store.close()
    _ = translator(args.lang)
    for problem in report.problems:
        print(problem.translate(_))
    counts = {"streams": report.streams, "events": report.events}
    if report.ok:
        print(_("complaints checked: {streams}, events: {events}, problems: none").format(**counts))
        return 0
    print(
        _("complaints checked: {streams}, events: {events}, problems: {problems}").format(
            problems=len(report.problems), **counts
        )
    )
    return 1


def run_export(args: argparse.Namespace) -> int:
    """Run ``lapor-core export``: the Musrenbang aggregation or the indicators, as CSV/JSON."""
    store = open_existing(args.store)
    try:
        since, until = _window(args)
        if args.what == "musrenbang":
            rows = musrenbang(store, since, until, args.level)
            text = musrenbang_csv(rows) if args.format == "csv" else musrenbang_json(rows)
        else:
            figures = indicators(store, since, until)
            text = indicators_csv(figures) if args.format == "csv" else indicators_json(figures)
    finally:
        store.close()
    write_output(text, args.output)
    return 0


def _count(text: str) -> int:
    """A number of days, ``>= 0``."""
    try:
        value = int(text)
    except ValueError:
        raise refuse_argument(N_("not a number of days: {text!r}"), text=text) from None
    if value < 0:
        raise refuse_argument(N_("the number of days must be >= 0, got {value}"), value=value)
    return value


def _instant(text: str) -> datetime:
    """Parse an ISO date or instant; a naive one is read in the calendar's zone later."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise refuse_argument(
            N_("not an ISO date or instant: {text!r} (e.g. 2025-03-27T09:00+07:00)"), text=text
        ) from None


def _reason(reason: str, day: date, _: Translate) -> str:
    """A skip reason, translated (holiday names stay as their source spells them)."""
    if reason.startswith("weekend ("):
        return _("weekend ({weekday})").format(weekday=_(WEEKDAYS[day.weekday()]))
    if reason.startswith("override: "):
        return _("override: {reason}").format(reason=reason.removeprefix("override: "))
    return reason


def _listing(explanation: Explanation, _: Translate) -> list[str]:
    """One line per counted or skipped day, in date order."""
    entries: list[tuple[date, str]] = []
    for number, day in enumerate(explanation.counted, start=1):
        label = _("working day {number}").format(number=number)
        weekday = _(WEEKDAYS[day.weekday()])
        entries.append((day, f"  {day.isoformat()} {weekday:<9} {label}"))
    for skipped in explanation.skipped:
        reasons = "; ".join(_reason(r, skipped.date, _) for r in skipped.reasons)
        mark = " " + _("[estimate]") if skipped.estimated else ""
        weekday = _(WEEKDAYS[skipped.date.weekday()])
        text = _("skipped: {reasons}").format(reasons=reasons)
        entries.append((skipped.date, f"  {skipped.date.isoformat()} {weekday:<9} {text}{mark}"))
    entries.sort(key=lambda entry: entry[0])
    return [text for _date, text in entries]


def _deadline_record(
    calendar: WorkingCalendar, start: datetime, days: int, unit: DurationUnit
) -> dict[str, object]:
    """``deadline --format json``: the count as data (dates ISO, reasons as the calendar says)."""
    record: dict[str, object] = {
        "start": start.isoformat(),
        "days": days,
        "unit": unit.value,
        "time_zone": calendar.time_zone,
        "include_cuti_bersama": calendar.include_cuti_bersama,
    }
    if unit is DurationUnit.WORKING_DAYS:
        explanation = calendar.explain(start, days)
        due, deadline = explanation.result, explanation.deadline
        record["counted"] = [day.isoformat() for day in explanation.counted]
        record["skipped"] = [
            {"date": s.date.isoformat(), "reasons": list(s.reasons), "estimated": s.estimated}
            for s in explanation.skipped
        ]
        record["estimated"] = explanation.estimated
    else:
        calendar.local_date(start)
        deadline = calendar.add_calendar_days_deadline(start, days)
        due = start.astimezone(zoneinfo.ZoneInfo(calendar.time_zone)).date() + timedelta(days=days)
    record["due_date"] = due.isoformat()
    record["deadline"] = deadline.isoformat()
    record["provisional"] = calendar.is_provisional(due)
    return record


def run_deadline(args: argparse.Namespace) -> int:
    """Run ``lapor-core deadline``: compute a deadline and explain it day by day."""
    profile = load_profile(args.profile)
    calendar: WorkingCalendar = profile.calendar()
    if args.time_zone is not None or args.cuti_bersama is not None:
        calendar = calendar.replace(
            time_zone=args.time_zone, include_cuti_bersama=args.cuti_bersama
        )
    start: datetime = args.start
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=zoneinfo.ZoneInfo(calendar.time_zone))
    unit = DurationUnit(args.unit)
    if args.format == "json":
        print(json.dumps(_deadline_record(calendar, start, args.days, unit), indent=2))
        return 0
    _ = translator(args.lang)
    calendar.local_date(start)  # a start with no local date (0001-01-01T00:00+14:00) is refused
    local = start.astimezone(zoneinfo.ZoneInfo(calendar.time_zone))
    # the count first: a count the calendar refuses prints nothing before its error
    cuti = None
    if unit is DurationUnit.WORKING_DAYS:
        explanation = calendar.explain(start, args.days)
        due, deadline = explanation.result, explanation.deadline
        cuti = _("days off") if calendar.include_cuti_bersama else _("working days")
        lines = _listing(explanation, _)
        estimated = explanation.estimated
    else:
        deadline = calendar.add_calendar_days_deadline(start, args.days)
        due = local.date() + timedelta(days=args.days)
        lines = ["  " + _("calendar days: weekends and holidays count like any other day")]
        estimated = False
    provisional = calendar.is_provisional(due)
    units = _("working days (HK)") if unit is DurationUnit.WORKING_DAYS else _("calendar days")
    print(_("duration: {days} {unit}").format(days=args.days, unit=units))
    weekday = _(WEEKDAYS[local.weekday()])
    started = local.isoformat(timespec="minutes")
    print(_("start: {start} ({weekday}), not counted").format(start=started, weekday=weekday))
    print(
        _("time zone: {zone}; profile: {profile}").format(
            zone=calendar.time_zone, profile=profile.name
        )
    )
    if cuti is not None:
        print(_("cuti bersama: {treatment}").format(treatment=cuti))
    print()
    print("\n".join(lines))
    print()
    due_day = _(WEEKDAYS[due.weekday()])
    print(_("due date: {day} ({weekday})").format(day=due.isoformat(), weekday=due_day))
    print(
        _("deadline: {instant} (exclusive: overdue from this instant on)").format(
            instant=deadline.isoformat()
        )
    )
    if estimated:
        print(_("note: some holiday dates are estimates (perkiraan) and may still change"))
    if provisional:
        print(PROVISIONAL_TEXT[args.lang].format(since=calendar.provisional_from.isoformat()))
    return 0


def _add_deadline_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "deadline",
        summary=N_("compute a deadline on the working-day calendar and explain it day by day"),
        description=N_(
            "Count N working days (hari kerja) or calendar days (hari kalender) from "
            "a start instant on a profile's calendar, as the clocks do: the start day is not "
            "counted and the deadline (tenggat) is the end of the N-th day in the time zone. "
            "Lists every skipped day with its reasons (weekend, holiday, cuti bersama, override)."
        ),
        examples=(
            "deadline --start 2025-03-27T09:00+07:00 --days 3",
            "deadline --start 2025-03-27 --days 14 --unit calendar_days --profile kaltim",
        ),
    )
    cmd.add_argument(
        "--start",
        type=_instant,
        required=True,
        help=N_(
            "when the clock starts: an ISO instant (2025-03-27T09:00+07:00) or date; "
            "without an offset it is read in the calendar's time zone"
        ),
    )
    cmd.add_argument("--days", type=_count, required=True, help=N_("number of days (>= 0)"))
    cmd.add_argument(
        "--unit",
        choices=(DurationUnit.WORKING_DAYS.value, DurationUnit.CALENDAR_DAYS.value),
        default=DurationUnit.WORKING_DAYS.value,
        help=N_("working_days (hari kerja, the default) or calendar_days (hari kalender)"),
    )
    add_time_zone(
        cmd,
        text=N_(
            "IANA time zone the days are counted in (default: the profile's: Asia/Jakarta, "
            "WIB, for national; Asia/Makassar, WITA, for kaltim)"
        ),
        old_zone=True,
    )
    cmd.add_argument(
        "--cuti-bersama",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=N_(
            "count collective leave (cuti bersama) as days off (default: the profile's option)"
        ),
    )
    add_profile(cmd)
    add_lang(
        cmd,
        text=N_(
            "output language: id (Bahasa Indonesia) or en (default: $LAPOR_LANG, else the "
            "locale's, else en)"
        ),
    )
    cmd.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help=N_(
            "text (explained day by day, in --lang) or json (the same count as data, for "
            "scripts; default text)"
        ),
    )
    cmd.set_defaults(func=run_deadline)


def _add_simulate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = add_command(
        sub,
        "simulate",
        summary=N_(
            "run a synthetic period of traffic through the service and print the indicators"
        ),
        description=N_(
            "Synthetic SP4N-LAPOR! traffic through the real ComplaintService, on SQLite by "
            "default (./lapor-simulation.sqlite3, a scratch file recreated each run and "
            "written without fsync). Deterministic with --seed."
        )
        + "\n\n"
        + _LEGEND_HELP,
        examples=("simulate --days 30 --seed 4", "simulate --scale national --days 365 --quiet"),
    )
    sim.add_argument(
        "--days", type=_period, default=90, help=N_("length of the period (default 90)")
    )
    sim.add_argument("--seed", type=int, default=1, help=N_("random seed (default 1)"))
    sim.add_argument(
        "--start",
        type=_date,
        default=datetime(2025, 1, 6, tzinfo=UTC),
        help=N_("first day, YYYY-MM-DD or an ISO instant (default 2025-01-06)"),
    )
    sim.add_argument(
        "--scale",
        choices=("regional", "national"),
        default="regional",
        help=N_(
            "regional: the Kaltim profile and registry, ~1,000 reports a year; national: "
            "~650 K/L/D (~3,800 agency nodes) and ~200,000 reports a year"
        ),
    )
    add_profile(
        sim,
        default=None,
        text=N_("bundled profile name (%(bundled)s) or path (default: by --scale)"),
    )
    add_registry(
        sim,
        text=N_(
            "bundled agency registry name or path for the regional scale (default %(default)s)"
        ),
    )
    add_store(
        sim,
        fallback=N_(
            "store URL: sqlite:///path, postgresql://..., memory:// (default: $LAPOR_STORE, "
            "else a fresh SQLite file ./lapor-simulation.sqlite3; the store must be empty)"
        ),
    )
    add_lang(sim)
    sim.add_argument(
        "--top", type=count_argument, default=15, help=N_("agencies shown (default 15)")
    )
    sim.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help=N_(
            "table (the summary and the indicators, in --lang), csv (the indicators only) "
            "or json (the counts, the refusals and the indicators; default table)"
        ),
    )
    sim.add_argument("--quiet", action="store_true", help=N_("no progress bar"))
    sim.set_defaults(func=run_simulate)


def _add_verify_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = add_command(
        sub,
        "verify",
        summary=N_("check every stream of a store (gaps, undecodable events, stale projections)"),
        description=N_(
            "Decode every complaint's stream, check that its versions run 1, 2, 3, "
            "... without a gap and that its projection row equals a fresh replay (next due "
            "instants counted with the profile's calendar and clocks). Print each problem with "
            "its complaint id. Exit 0 when there is none, 1 otherwise."
        ),
        examples=("verify --store sqlite:///lapor.sqlite3 --profile kaltim",),
    )
    add_store(verify)
    add_lang(
        verify,
        text=N_(
            "summary language: id (Bahasa Indonesia) or en (default: $LAPOR_LANG, else the "
            "locale's, else en)"
        ),
    )
    add_profile(
        verify,
        text=N_(
            "the profile the store was written with: a bundled name (%(bundled)s) or a path "
            "(default %(default)s)"
        ),
    )
    verify.set_defaults(func=run_verify)


def _window_options(cmd: argparse.ArgumentParser) -> None:
    add_store(cmd)
    cmd.add_argument("--since", type=day_argument, help=N_("first submission day (inclusive)"))
    cmd.add_argument("--until", type=day_argument, help=N_("last submission day (exclusive)"))
    cmd.add_argument(
        "--time-zone",
        metavar="ZONE",
        help=N_("the zone whose midnight begins a --since or --until day (default Asia/Jakarta)"),
    )


def _add_report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "report",
        summary=N_("print the indicators per agency from a store"),
        description=N_(
            "Print the indicators (indikator) per agency (instansi) of the complaints "
            "submitted in a period."
        )
        + "\n\n"
        + _LEGEND_HELP,
        examples=(
            "report --store sqlite:///lapor.sqlite3 --since 2025-01-01 --until 2025-04-01",
            "report --format json --lang id   # the store from $LAPOR_STORE",
        ),
    )
    _window_options(cmd)
    cmd.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help=N_("table (with a legend), csv or json (default table)"),
    )
    add_lang(
        cmd,
        text=N_(
            "legend language: id (Bahasa Indonesia) or en (default: $LAPOR_LANG, else the "
            "locale's, else en)"
        ),
    )
    cmd.set_defaults(func=run_report)


def add_export_parsers(export: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export musrenbang`` and ``export indicators``."""
    musrenbang = add_command(
        export,
        "musrenbang",
        summary=N_("complaints by region and category, for the Musrenbang (CSV or JSON)"),
        description=N_(
            "Count the complaints submitted in a period by region (wilayah, cut to "
            "--level) and category (kategori), with how many are completed and how many are "
            "still open: the input of the development-planning meetings (Musrenbang)."
        ),
        examples=("export musrenbang --store sqlite:///lapor.sqlite3 --level 1 --format json",),
    )
    _window_options(musrenbang)
    musrenbang.add_argument(
        "--level",
        type=int,
        choices=(1, 2, 3, 4),
        default=2,
        help=N_(
            "Kemendagri region level to group by: 1 province (provinsi), 2 regency or "
            "city (kabupaten/kota), 3 district (kecamatan), 4 village (desa/kelurahan) "
            "(default 2)"
        ),
    )
    indicators_ = add_command(
        export,
        "indicators",
        summary=N_("the indicators per agency (CSV or JSON)"),
        description=N_(
            "Write the indicators per agency (instansi) of the complaints submitted "
            "in a period, as report --format csv|json does."
        )
        + "\n\n"
        + _LEGEND_HELP,
        examples=("export indicators --store sqlite:///lapor.sqlite3 --output indikator.csv",),
    )
    _window_options(indicators_)
    for cmd, what in ((musrenbang, "musrenbang"), (indicators_, "indicators")):
        cmd.add_argument(
            "--format", choices=("csv", "json"), default="csv", help=N_("csv or json (default csv)")
        )
        cmd.add_argument(
            "--output", type=path_argument, help=N_("file to write (default: standard output)")
        )
        cmd.set_defaults(func=run_export, what=what)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``deadline``, ``simulate``, ``verify`` and ``report``."""
    _add_deadline_parser(sub)
    _add_simulate_parser(sub)
    _add_verify_parser(sub)
    _add_report_parser(sub)
