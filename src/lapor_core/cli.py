"""
The ``lapor-core`` command.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from importlib import metadata

import attrs

from lapor_core import (
    Actor,
    AgencyRegistry,
    Channel,
    ChannelType,
    Close,
    Command,
    Complaint,
    ComplaintId,
    Content,
    Context,
    Forward,
    ForwardInternally,
    Kind,
    LaporError,
    NotFound,
    PostFollowUp,
    Privacy,
    Profile,
    ProfileError,
    ProvideInformation,
    RegionCode,
    RejectDisposition,
    Reply,
    Reporter,
    RequestInformation,
    Role,
    Submit,
    ValidationError,
    decide,
    evolve,
    load_profile,
    load_registry,
    make_agency_actor,
)
from lapor_core._cli_calendar import add_parsers as add_calendar_parsers
from lapor_core._cli_calendar import calendar_warning
from lapor_core._cli_interop import add_parsers as add_interop_parsers
from lapor_core._cli_reports import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    Formatter,
    Parser,
    UsageError,
    add_command,
    add_lang,
    add_profile,
    add_registry,
    check_names,
    default_lang,
    deprecation,
    lang_in,
    local_time,
    path_argument,
    translate_parser,
)
from lapor_core._cli_reports import add_parsers as add_report_parsers
from lapor_core._cli_web import add_parsers as add_web_parsers
from lapor_core.domain.check import CheckProblem, CheckReport, check, scope_warnings
from lapor_core.domain.complaint import owners
from lapor_core.domain.lifecycle import Lifecycle, markdown_table, mermaid
from lapor_core.i18n import N_, Translate, translator

__all__ = ["build_parser", "main"]


_Step = tuple[timedelta, Actor, Command]
_WALK_ID = ComplaintId("walk-1")
_WALK_REPORTER = Reporter(id="pelapor-1", name="Siti Aminah", contact="+62811000000")


def _reception(citizen: Actor, province: Actor) -> list[_Step]:
    """The report arrives through LAPOR WAL!; the province asks where; the reporter says."""
    cid = _WALK_ID
    submit = Submit(
        complaint_id=cid,
        content=Content(
            title="Lampu lalu lintas mati",
            body="Lampu lalu lintas di simpang Jl. Juanda mati sejak tiga hari.",
            location="Simpang Jl. Juanda, Samarinda",
        ),
        kind=Kind.COMPLAINT,
        reporter=_WALK_REPORTER,
        channel=Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!"),
        privacy=Privacy(anonymous=True),
        region=RegionCode("64.72"),
        target_agency="kaltim",
    )
    question = RequestInformation(complaint_id=cid, question="Simpang yang mana tepatnya?")
    answer = ProvideInformation(complaint_id=cid, text="Simpang Jl. Juanda - Jl. Antasari.")
    return [
        (timedelta(0), citizen, submit),
        (timedelta(hours=2), province, question),
        (timedelta(hours=5), citizen, answer),
    ]


def _disposition(province: Actor, pupr: Actor, national: Actor, samarinda: Actor) -> list[_Step]:
    """Forwarded to the wrong office, refused as *bukan wewenang*, routed again, handed down."""
    cid = _WALK_ID
    reject = RejectDisposition(
        complaint_id=cid,
        agency="kaltim.pupr",
        reason="Lampu lalu lintas kota adalah wewenang Dinas Perhubungan Kota Samarinda.",
    )
    down = ForwardInternally(complaint_id=cid, agency="samarinda", to="samarinda.dishub.penghubung")
    return [
        (timedelta(days=1), province, Forward(complaint_id=cid, agencies=("kaltim.pupr",))),
        (timedelta(days=2), pupr, reject),
        (timedelta(days=2, hours=3), national, Forward(complaint_id=cid, agencies=("samarinda",))),
        (timedelta(days=3), samarinda, down),
    ]


def _handling(liaison: Actor, citizen: Actor, samarinda: Actor) -> list[_Step]:
    """The liaison officer follows up, the reporter thanks them, the city closes it."""
    cid = _WALK_ID
    follow_up = PostFollowUp(
        complaint_id=cid,
        agency="samarinda",
        text="Tim sudah memperbaiki lampu lalu lintas pada 1 April 2025.",
    )
    thanks = Reply(complaint_id=cid, text="Terima kasih, lampu sudah menyala.")
    return [
        (timedelta(days=5), liaison, follow_up),
        (timedelta(days=6), citizen, thanks),
        (timedelta(days=7), samarinda, Close(complaint_id=cid, note="Selesai ditindaklanjuti.")),
    ]


def _walk_steps(registry: AgencyRegistry) -> list[_Step]:
    """One complaint's whole life: each step's offset from the start, actor and command."""
    national = Actor.national_admin("admin-nasional")
    province = make_agency_actor(registry, "admin-kaltim", Role.AGENCY_ADMIN, "kaltim")
    samarinda = make_agency_actor(registry, "admin-samarinda", Role.AGENCY_ADMIN, "samarinda")
    liaison = make_agency_actor(
        registry, "penghubung-dishub", Role.LIAISON_OFFICER, "samarinda.dishub.penghubung"
    )
    pupr = make_agency_actor(registry, "admin-pupr", Role.AGENCY_ADMIN, "kaltim.pupr")
    citizen = Actor.reporter(_WALK_REPORTER.id)
    return [
        *_reception(citizen, province),
        *_disposition(province, pupr, national, samarinda),
        *_handling(liaison, citizen, samarinda),
    ]


def _walk(args: argparse.Namespace) -> int:
    """Walk one complaint through its whole life, printing each step."""
    profile = load_profile(args.profile)
    registry = load_registry(args.registry)
    ctx = Context.create(profile, registry)
    steps = _walk_steps(registry)
    start = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
    complaint: Complaint | None = None
    target = steps[0][2]
    assert isinstance(target, Submit)  # noqa: S101 - the walk starts with a submission
    agency = target.target_agency
    zone = registry.get(agency).time_zone if agency and agency in registry else profile.time_zone
    _ = translator(args.lang)
    print(
        _("profile {profile}, registry of {count} agencies").format(
            profile=profile.name, count=len(registry)
        )
        + "\n"
    )
    for offset, actor, command in steps:
        now = start + offset
        events = decide(complaint, command, actor, now, ctx)
        for event in events:
            complaint = evolve(complaint, event)
        assert complaint is not None  # noqa: S101 - Submit came first
        label = profile.label(complaint.status, args.lang)
        owner = _("owner: {agencies}").format(agencies=", ".join(owners(complaint)) or "-")
        by = _("by")
        print(
            f"{local_time(now, zone)}  {type(command).__name__:<18} {by} "
            f"{actor.role.value:<16} -> {complaint.status.value:<12} ({label}); {owner}"
        )
    if complaint is not None:
        counts = _("thread messages: {messages}, re-routings: {reroutings}, version: {version}")
        print(
            "\n"
            + counts.format(
                messages=len(complaint.thread),
                reroutings=complaint.reroutings,
                version=complaint.version,
            )
        )
    return 0


def _diagram(args: argparse.Namespace) -> int:
    """Print the Mermaid diagram (or the Markdown table) of a profile's lifecycle."""
    profile = load_profile(args.profile)
    lifecycle = Lifecycle(profile)
    render = markdown_table if args.format == "table" else mermaid
    words = translator(args.lang)
    print(render(lifecycle, lambda s: profile.label(s, args.lang), gettext=words), end="")
    return 0


def _check(args: argparse.Namespace) -> int:
    """Validate and model-check a profile; exit 1 when it has any problem."""
    target = args.profile
    _ = translator(args.lang)
    error = _("error")
    loaded = None
    try:
        loaded = load_profile(target)
    except NotFound as exc:
        print(f"lapor-core check: {error}: {exc.translate(_)}", file=sys.stderr)
        return 2
    except ProfileError as exc:
        report = CheckReport.from_error(str(target), exc)
    else:
        report = check(loaded)
    # The registry of the same name (kaltim_agencies.toml for kaltim), or --registry.
    registry = args.registry
    if registry is None and "/" not in target and "." not in target:
        registry = target
    if registry is not None:
        checked = _with_registry(report, loaded, registry, explicit=args.registry is not None, _=_)
        if checked is None:
            return 2
        report = checked
    print(report.render(_), end="")
    _warn_about_the_calendar(loaded, _)
    return 0 if report.ok else 1


def _with_registry(
    report: CheckReport, profile: Profile | None, registry: str, *, explicit: bool, _: Translate
) -> CheckReport | None:
    """
    *report* with the registry's problems, and warnings for overrides scoped to no one.

    ``None`` (after saying why): an explicit ``--registry`` that does not exist.
    """
    try:
        agencies = load_registry(registry)
    except NotFound as exc:
        if explicit:
            error = _("error")
            print(f"lapor-core check: {error}: {exc.translate(_)}", file=sys.stderr)
            return None
        return report
    except ProfileError as exc:
        found = CheckReport.from_error(str(registry), exc).problems
        return attrs.evolve(report, problems=(*report.problems, *found))
    except ValidationError as exc:
        found = (CheckProblem.of("agency", exc.template or str(exc), **exc.fields),)
        return attrs.evolve(report, problems=(*report.problems, *found))
    if profile is None:
        return report
    return attrs.evolve(report, warnings=(*report.warnings, *scope_warnings(profile, agencies)))


def _warn_about_the_calendar(profile: Profile | None, _: Translate) -> None:
    """Say when the calendar's confirmed data ends within 12 months (not a problem)."""
    if profile is None:
        return
    warning = calendar_warning(profile.calendar(), datetime.now(UTC).date(), _)
    if warning is not None:
        print(_("warning") + f": {warning}")


def _version() -> str:
    try:
        return metadata.version("lapor-core")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        from lapor_core import __version__  # noqa: PLC0415

        return __version__


def _add_walk(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    walk = add_command(
        sub,
        "walk",
        summary=N_("walk one complaint through its whole life"),
        description=N_(
            "Walk one complaint (pengaduan) through its whole life with the real "
            "decide and evolve: submitted through a regional app, asked for details, forwarded "
            "(disposisi) to the wrong office, refused as bukan wewenang, routed again, handed "
            "down to a liaison officer, followed up (tindak lanjut) and closed. Each step is "
            "printed at the local time of the agency it was submitted to (WIB, WITA or WIT), "
            "with the status, its label and the agencies that own the complaint then."
        ),
        examples=("walk", "walk --profile kaltim --lang id"),
    )
    add_profile(walk)
    add_registry(walk)
    add_lang(walk)
    walk.set_defaults(func=_walk)


def _add_diagram(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    diagram = add_command(
        sub,
        "diagram",
        summary=N_("print the lifecycle as a Mermaid diagram"),
        description=N_(
            "Print a profile's lifecycle (siklus laporan): every status and the "
            "commands that move a complaint between them, as a Mermaid state diagram or as a "
            "Markdown table with one row per outcome."
        ),
        examples=("diagram > lifecycle.mmd", "diagram --profile kaltim --format table --lang en"),
    )
    add_profile(diagram)
    add_lang(diagram)
    diagram.add_argument(
        "--format",
        choices=("mermaid", "table"),
        default="mermaid",
        help=N_("mermaid (a state diagram, the default) or table (Markdown)"),
    )
    diagram.set_defaults(func=_diagram)


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check_ = add_command(
        sub,
        "check",
        summary=N_("validate and model-check a profile (exit 1 when it has problems)"),
        description=N_(
            "Report every problem of a profile with its key: unreachable statuses, "
            "clocks that never start or stop, breach actions that cannot fire where the clock "
            "runs, missing labels, non-positive durations, rules without a basis; for a file that "
            "does not load, every problem of its keys and values. With a bundled profile, or "
            "--registry, also every problem of the agency registry (region codes that do not sit "
            "under their province's or contradict the shipped Kemendagri list, with the table's "
            "index: agency[3].region). "
            "Exit 0 when clean, 1 with problems, 2 for usage errors (no such profile)."
        ),
        examples=("check kaltim", "check my-profile.toml --registry my-agencies.toml"),
    )
    check_.add_argument(
        "profile",
        type=path_argument,
        metavar="FILE_OR_NAME",
        help=N_("bundled profile name or path"),
    )
    add_lang(check_)
    add_registry(
        check_,
        default=None,
        text=N_(
            "bundled agency registry name or path to check too (without it: the bundled "
            "registry of the profile's name, if any)"
        ),
    )
    check_.set_defaults(func=_check)


def _leaves(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers that run something: *parser* or, if it has subcommands, theirs."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    if not groups:
        yield parser
    for group in groups:
        for child in dict.fromkeys(group.choices.values()):
            yield from _leaves(child)


_MESSAGE_LANG_HELP = N_(
    "message language: id (Bahasa Indonesia) or en (default: $LAPOR_LANG, else the "
    "locale's, else en)"
)
"""``--lang`` of the commands that print data: it is the language of their messages."""


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """
    The ``lapor-core`` argument parser, with every subcommand, its help in *lang*.

    ``$LAPOR_STORE`` is read when it is built (the default of ``--store``). *lang* is
    ``en`` or ``id``; :func:`main` takes it from ``--lang`` on the command line, else as
    ``--lang`` defaults (``$LAPOR_LANG``, then the locale).

    .. versionadded:: 0.2.0
    """
    parser = Parser(
        prog="lapor-core",
        description=N_(
            "SP4N-LAPOR! complaint-workflow core. Exit codes: 0 ok, 1 problems "
            "found or input refused, 2 usage error (a bad option, an unknown profile)."
        ),
        epilog=N_("examples:") + "\n  lapor-core walk --lang en\n  lapor-core check kaltim\n"
        "  lapor-core COMMAND --help",
        formatter_class=Formatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"lapor-core {_version()}",
        help=N_("print the version"),
    )
    parser.add_argument(
        "--lang",
        dest="root_lang",
        choices=("id", "en"),
        default=None,
        help=N_("language of the help and the messages, for every command (as its --lang)"),
    )
    # every subcommand's parser is a Parser too (argparse makes them of the parent's class)
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(  # type: ignore[assignment]
        dest="command", required=True, metavar="COMMAND", help=N_("the command to run")
    )
    _add_walk(sub)
    _add_diagram(sub)
    _add_check(sub)
    add_report_parsers(sub)
    add_interop_parsers(sub)
    add_web_parsers(sub)
    add_calendar_parsers(sub)
    # The deprecated aliases (DEPRECATED_COMMANDS) parse but have no line in the listing.
    for leaf in _leaves(parser):
        leaf.set_defaults(cli_parser=leaf)
        if not any("--lang" in action.option_strings for action in leaf._actions):  # noqa: SLF001
            add_lang(leaf, text=_MESSAGE_LANG_HELP)
    if lang != "en":
        translate_parser(parser, translator(lang))
    return parser


def _usage_error(args: argparse.Namespace, problem: UsageError) -> int:
    leaf: argparse.ArgumentParser = args.cli_parser
    _ = translator(getattr(args, "lang", None) or default_lang())
    error = _("error")
    sys.stderr.write(leaf.format_usage())
    sys.stderr.write(f"{leaf.prog}: {error}: {problem.translate(_)}\n")
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``lapor-core`` command line; return the exit code.

    0 ok; 1 problems found or input refused; 2 a usage error (argparse exits with 2
    itself for a bad option; an unknown profile or registry returns 2).

    .. versionadded:: 0.1.0
    """
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(lang_in(words) or default_lang()).parse_args(words)
    if getattr(args, "lang", "") is None:
        args.lang = args.root_lang or default_lang()
    try:
        check_names(args)
    except UsageError as exc:
        return _usage_error(args, exc)
    deprecated: tuple[str, str] | None = getattr(args, "deprecated", None)
    try:
        return _run(args)
    finally:  # after the command's own output, so its first stderr line stays its own
        if deprecated is not None:
            deprecation(*deprecated, translator(getattr(args, "lang", None) or default_lang()))


def _run(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one exit per kind of failure
    """Run the parsed command; a refusal is a message and exit 1, never a traceback."""
    _ = translator(getattr(args, "lang", None) or default_lang())
    error = _("error")
    try:
        return int(args.func(args))
    except UsageError as exc:  # found only once the command looked at its options
        return _usage_error(args, exc)
    except LaporError as exc:
        print(f"lapor-core: {error}: {exc.translate(_)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into a pager or `head` that closed early
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file the system refuses (a directory, no permission, ...)
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"lapor-core: {error}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as exc:  # a file given as text that is not UTF-8
        not_utf8 = _("not UTF-8 text")
        print(f"lapor-core: {error}: {not_utf8}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: each write is a transaction, so what was written is whole
        interrupted = _("interrupted")
        print(f"lapor-core: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
