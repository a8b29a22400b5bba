"""
Nothing but a ``LaporError`` out of the library, nothing but a message and an exit code
out of the CLI (issue 13): public entry points and ``lapor-core`` fed generated hostile
arguments and files.
"""

from __future__ import annotations

import base64
import contextlib
import io
import string
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.cli import main
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.errors import LaporError
from lapor_core.interop.open311 import submit_from_request
from lapor_core.storage import (
    ComplaintQuery,
    ComplaintStore,
    InMemoryStore,
    SQLiteStore,
    open_store,
)
from lapor_core.storage.codec import CODEC, decode_event

CALENDAR = WorkingCalendar()
DEEP = 5_000

# ------------------------------------------------------------------------ strategies

offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=offsets),
    st.sampled_from([datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)]).flatmap(
        lambda extreme: offsets.map(lambda tz: extreme.replace(tzinfo=tz))
    ),
)
extreme_ints = st.sampled_from([10**9, 10**18, 2**63, 2**64, 2**70, 10**400, -(2**63) - 1])
huge_ints = st.one_of(
    st.integers(), extreme_ints, st.integers(min_value=-(10**30), max_value=10**30)
)
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, min_codepoint=0xD800, max_codepoint=0xDFFF)),
    st.sampled_from(["", " ", "\x00", "1_0", "nan", "inf", "-0", "1e400", "\ud800", "0x10"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    huge_ints,
    st.floats(),
    odd_text,
    st.binary(max_size=20),
    st.dates(),
    st.datetimes(),
    aware,
)
hostile = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
    ),
    max_leaves=8,
)


def deep_json(depth: int) -> str:
    """A JSON array nested *depth* deep."""
    return "[" * depth + "]" * depth


def _only_lapor_errors(call: Callable[[], object]) -> None:
    """Run *call*; a ``LaporError`` is a fine answer, anything else fails the test."""
    with contextlib.suppress(LaporError):
        call()


# --------------------------------------------------------------------------- library


@given(start=st.one_of(aware, hostile), n=st.one_of(huge_ints, hostile))
def test_working_calendar_raises_only_lapor_errors(start: object, n: object) -> None:
    """Every query of a calendar answers or raises a LaporError, whatever its arguments."""
    day = start.date() if isinstance(start, datetime) else start
    _only_lapor_errors(lambda: CALENDAR.deadline(start, n))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.add_calendar_days_deadline(start, n))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.explain(start, n))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.add_working_days(day, n))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.local_date(start))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.is_working_day(day))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.holiday_name(day))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CALENDAR.working_days_between(start, n))  # type: ignore[arg-type]


@settings(max_examples=20)
@given(
    time_zone=st.one_of(st.sampled_from(["Asia/Jakarta", "UTC"]), hostile),
    overrides=hostile,
)
def test_calendar_construction_raises_only_lapor_errors(
    time_zone: object, overrides: object
) -> None:
    """A calendar with hostile settings is refused with a LaporError."""
    _only_lapor_errors(lambda: WorkingCalendar(time_zone=time_zone))
    _only_lapor_errors(lambda: WorkingCalendar(overrides=overrides))  # type: ignore[arg-type]


@given(value=hostile, other=hostile)
def test_value_objects_raise_only_lapor_errors(value: object, other: object) -> None:
    """Value objects built from hostile values are refused with a LaporError."""
    for build in (
        lambda: lc.ComplaintId(value),  # type: ignore[arg-type]
        lambda: lc.RegionCode(value),  # type: ignore[arg-type]
        lambda: lc.Category(value),  # type: ignore[arg-type]
        lambda: lc.Content(title=value, body=other),  # type: ignore[arg-type]
        lambda: lc.Reporter(id=value, name=other),  # type: ignore[arg-type]
        lambda: lc.Actor.reporter(value),  # type: ignore[arg-type]
    ):
        _only_lapor_errors(build)


_OPEN311_KEYS = (
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "account_id",
    "email",
    "first_name",
    "attribute",
    "attribute[anonim]",
    "attribute[kind]",
    "media_url",
)


@given(
    request=st.dictionaries(st.sampled_from(_OPEN311_KEYS), hostile, max_size=8),
    lat=st.one_of(extreme_ints, extreme_ints.map(lambda n: -n), huge_ints, st.floats(), odd_text),
)
def test_open311_post_raises_only_lapor_errors(request: dict[str, object], lat: object) -> None:
    """An Open311 POST with hostile parameters is refused with a LaporError."""
    base = {"service_code": "infrastruktur", "description": "Jalan rusak.", "account_id": "w-1"}
    cid = lc.ComplaintId("o-1")
    _only_lapor_errors(lambda: submit_from_request(request, complaint_id=cid))
    _only_lapor_errors(
        lambda: submit_from_request({**base, "lat": lat, "long": lat}, complaint_id=cid)
    )


_TYPES = st.sampled_from(["ComplaintSubmitted", "MessagePosted", "Nope"])


@given(
    record=st.one_of(
        hostile,
        st.builds(deep_json, st.integers(min_value=1, max_value=DEEP)),
        st.text(alphabet='[]{}":,0a ', max_size=60),
    ),
    type_name=st.one_of(_TYPES, hostile),
    version=st.one_of(st.integers(min_value=-1, max_value=3), hostile),
    data=hostile,
)
def test_decoding_stored_events_raises_only_lapor_errors(
    record: object, type_name: object, version: object, data: object
) -> None:
    """A damaged stored record is a StorageError (a LaporError), never another exception."""
    _only_lapor_errors(lambda: decode_event(record))  # type: ignore[arg-type]
    _only_lapor_errors(lambda: CODEC.decode_parts(type_name, version, data))
    nested = '{"a":' + deep_json(DEEP) + "}"
    _only_lapor_errors(lambda: CODEC.decode_parts(type_name, version, nested))


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ComplaintStore]]:
    """A memory and a SQLite store, shared by the examples (queries write nothing)."""
    opened: list[ComplaintStore] = [
        InMemoryStore(),
        SQLiteStore(tmp_path_factory.mktemp("cursor") / "q.sqlite3"),
    ]
    yield opened
    for store in opened:
        store.close()


def _cursor(micros: str, ident: str) -> str:
    raw = f"{micros}|{ident}".encode(errors="surrogatepass")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cursor=st.one_of(
        st.builds(
            _cursor,
            st.one_of(extreme_ints, huge_ints).map(str),
            st.text(string.ascii_letters, min_size=1, max_size=8),
        ),
        st.builds(_cursor, st.one_of(huge_ints.map(str), odd_text), odd_text),
        odd_text,
        hostile,
    )
)
def test_query_cursors_raise_only_lapor_errors(
    stores: list[ComplaintStore], cursor: object
) -> None:
    """A forged cursor is refused with a LaporError by every backend."""
    for store in stores:
        _only_lapor_errors(lambda store=store: store.query(ComplaintQuery(cursor=cursor)))  # type: ignore[arg-type, misc]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scheme=st.sampled_from(["sqlite", "memory", "SQLITE", "file", "", "sqlite:", "http"]),
    slashes=st.sampled_from(["://", ":///", ":////", ":/", ""]),
    name=st.text(
        alphabet=st.sampled_from([*string.ascii_letters, "%", "0", "?", "=", "\x00", "\ud800"]),
        max_size=12,
    ),
)
def test_open_store_raises_only_lapor_errors(
    tmp_path: Path, scheme: str, slashes: str, name: str
) -> None:
    """A hostile store URL is refused with a LaporError (files only under a scratch dir)."""
    for url in (f"{scheme}{slashes}{name}", f"sqlite:///{tmp_path}/{name}"):
        if "sqlite" in url.lower() and not url.startswith(f"sqlite:///{tmp_path}/"):
            continue  # a relative SQLite path would create files in the working directory
        try:
            store = open_store(url)
        except LaporError:
            continue
        store.close()


# ------------------------------------------------------------------------------ CLI


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Paths a hostile user may pass: missing, directories, binary and latin-1 files."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "latin1.csv").write_bytes("K\u00e9,kaltim\nTrackingID\n".encode("latin-1"))
    (root / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (root / "empty.csv").write_bytes(b"")
    (root / "nul.csv").write_bytes(b"a,b\x00\nc,d\n")
    (root / "map.csv").write_text("1,kaltim\n", encoding="utf-8")
    (root / "profile.toml").write_text('name = "x"\n[[[', encoding="utf-8")
    SQLiteStore(root / "store.sqlite3").close()
    return {
        "missing": str(root / "missing" / "file.csv"),
        "directory": str(root),
        "latin1": str(root / "latin1.csv"),
        "binary": str(root / "binary.bin"),
        "empty": str(root / "empty.csv"),
        "nul": str(root / "nul.csv"),
        "map": str(root / "map.csv"),
        "profile": str(root / "profile.toml"),
        "store": str(root / "store.sqlite3"),
        "out": str(root / "out.txt"),
        "nul-name": str(root / "a\x00b"),
        "dev-full": "/dev/full",
    }


_PATH_KINDS = (
    "missing",
    "directory",
    "latin1",
    "binary",
    "empty",
    "nul",
    "map",
    "profile",
    "store",
    "nul-name",
)
_OUTPUT_KINDS = ("missing", "directory", "out", "nul-name", "dev-full")
numbers = st.one_of(
    huge_ints.map(str),
    st.sampled_from(["1000000000", "-1", "0", "1_0", "3.5", "", "1e9", "9" * 5000]),
)
dates = st.one_of(
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "0001-01-01T00:00+14:00",
            "9999-12-31T23:59-14:00",
            "2025-03-27T09:00+07:00",
            "2025-02-30",
            "1990-01-02",
            "2027-12-31",
            "yesterday",
        ]
    ),
    st.datetimes(timezones=st.one_of(st.none(), offsets)).map(datetime.isoformat),
    st.dates().map(date.isoformat),
)
zones = st.sampled_from(["Asia/Jakarta", "Mars/Olympus", "../../etc/passwd", "", "a" * 300])


def _argv(case: dict[str, str], files: dict[str, str]) -> list[str]:
    """The command line of one generated *case*, its paths taken from *files*."""
    path, output, db = files[case["path"]], files[case["output"]], files[case["store"]]
    number, start, zone = case["number"], case["start"], case["zone"]
    store = f"sqlite:///{db}"
    return {
        "deadline": ["deadline", "--start", start, "--days", number, "--zone", zone],
        "deadline-calendar": [
            *("deadline", "--start", start, "--days", number),
            *("--unit", "calendar_days"),
        ],
        "services": ["export", "open311", "services", "--output", output],
        "import": ["import", path, "--agency-map", path, "--category-map", path],
        "import-file": ["import", path, "--delimiter", number],
        "report": ["report", "--store", store, "--since", start],
        "export": ["export", "indicators", "--store", store, "--output", output],
        "export-csv": ["export", "lapor-csv", "--store", store, "--output", output],
        "verify": ["verify", "--store", store],
        "check": ["check", path],
        "walk": ["walk", "--profile", path],
        "diagram": ["diagram", "--profile", path],
        "walk-registry": ["walk", "--registry", path],
    }[case["kind"]]


def _run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: usage errors (2) and --help (0)
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, err.getvalue()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    case=st.fixed_dictionaries(
        {
            "kind": st.sampled_from(
                [
                    "deadline",
                    "deadline-calendar",
                    "services",
                    "import",
                    "import-file",
                    "report",
                    "export",
                    "export-csv",
                    "verify",
                    "check",
                    "walk",
                    "diagram",
                    "walk-registry",
                ]
            ),
            "path": st.sampled_from(_PATH_KINDS),
            "output": st.sampled_from(_OUTPUT_KINDS),
            "store": st.sampled_from(_PATH_KINDS),
            "number": numbers,
            "start": dates,
            "zone": zones,
        }
    )
)
def test_the_cli_answers_with_a_message_and_an_exit_code(
    files: dict[str, str], case: dict[str, str]
) -> None:
    """Whatever the arguments and files, lapor-core exits 0, 1 or 2 without a traceback."""
    argv = _argv(case, files)
    code, err = _run_cli(argv)
    assert code in {0, 1, 2}, (argv, code, err)
    assert "Traceback (most recent call last)" not in err, (argv, err)
    if code == 1:
        assert "error" in err or "skipped" in err or err == "", (argv, err)
