"""No secret in any message: DSNs are shown without their passwords, libpq's own text included."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
import uuid

import pytest

from lapor_core import LaporError, StorageError, ValidationError
from lapor_core.cli import main
from lapor_core.storage import open_store, redact_dsn

SECRET = "s3cr3tPW"  # noqa: S105 - a made-up password: what must never be shown
DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"


def _everything_shown(exc: BaseException) -> str:
    """The error as a traceback prints it, with every chained exception, and its repr."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.args)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://postgres:s3cr3tPW@[::1", "postgresql://postgres:***@[::1"),
        ("postgresql://postgres:s3cr3tPW@db:5432/lapor", "postgresql://postgres:***@db:5432/lapor"),
        ("postgres://u:p%40ss%2Fword@h/db", "postgres://u:***@h/db"),
        ("postgresql://u:a@b@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql://h/db?password=s3cr3tPW&sslmode=require",
            "postgresql://h/db?password=***&sslmode=require",
        ),
        ("host=x password=s3cr3tPW port=5432", "host=x password=*** port=5432"),
        ("host=x password = 's3cr3t PW\\' x' port=1", "host=x password = *** port=1"),
        ("host=x password='s3cr3tPW", "host=x password=***"),
        ("host=x sslpassword=s3cr3tPW", "host=x sslpassword=***"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql://postgres@127.0.0.1:5432/test"),
        ("sqlite:///data/a:b@c.sqlite3", "sqlite:///data/a:b@c.sqlite3"),
        ("memory://", "memory://"),
    ],
)
def test_redact_dsn_hides_every_form_of_password(text: str, shown: str) -> None:
    """URL user info, query parameter, key/value (quoted or not): hidden; the rest kept."""
    assert shown == redact_dsn(text)


def test_redact_dsn_hides_a_password_libpq_repeats_alone() -> None:
    """libpq quotes a bad percent-encoded password by itself: the DSN tells what to hide."""
    message = 'invalid percent-encoded token: "s3cr3t%PW"'
    assert 'invalid percent-encoded token: "***"' == redact_dsn(
        message, "postgresql://u:s3cr3t%PW@h/db"
    )


@pytest.mark.parametrize(
    "url",
    [
        f"host=x password={SECRET}",
        f"host=x user=postgres password='{SECRET}' dbname=test",
        f"mysql://root:{SECRET}@db/lapor",
        f"memory://root:{SECRET}@x",
        f"sqlite://root:{SECRET}@x/db",
    ],
)
def test_open_store_does_not_echo_a_password_in_its_refusal(url: str) -> None:
    """``open_store("host=... password=...")`` said "not a store URL: '...password...'"."""
    with pytest.raises(ValidationError) as info:
        open_store(url)
    assert SECRET not in _everything_shown(info.value)
    assert "***" in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://postgres:{SECRET}@[::1",
        f"postgresql://postgres:{SECRET}%ZZ@127.0.0.1:5432/test",
        f"postgresql://postgres:{SECRET}@127.0.0.1:5432/test?bogus=1",
        f"postgresql://postgres:{SECRET}@127.0.0.1:1/test",
    ],
    ids=["unterminated-ipv6", "bad-percent", "bad-option", "refused"],
)
def test_a_postgres_url_libpq_refuses_never_shows_its_password(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the error, nor its chain as printed, nor a log record shows the password."""
    pytest.importorskip("psycopg")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StorageError) as info:
        open_store(url)
    shown = _everything_shown(info.value)
    assert SECRET not in shown
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    assert str(info.value).startswith("cannot use PostgreSQL at ")
    assert SECRET not in caplog.text


def test_safe_dsn_hides_passwords_of_parsable_and_unparsable_dsns() -> None:
    """It said "<unparsable DSN>" for a URL libpq cannot parse; it now shows it, hidden."""
    pytest.importorskip("psycopg")
    from lapor_core.storage.postgres import safe_dsn  # noqa: PLC0415 - optional extra

    assert "postgresql://postgres:***@[::1" == safe_dsn(f"postgresql://postgres:{SECRET}@[::1")
    parsed = safe_dsn(f"host=db user=u password={SECRET} sslpassword={SECRET}x dbname=d")
    assert SECRET not in parsed
    assert "host=db" in parsed


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("postgresql://app:Rahasia@2026@127.0.0.1:5432/lapor", "2026"),
        ("postgres://app:Kata@Sandi99@127.0.0.1/lapor?sslmode=disable", "Sandi99"),
        ("postgresql://app:a@b@c@127.0.0.1/lapor", "b@c"),
    ],
)
def test_an_unencoded_at_sign_in_a_password_is_refused_without_showing_any_of_it(
    url: str, fragment: str
) -> None:
    """libpq took the password up to its first '@' and the rest for the host, and said so."""
    pytest.importorskip("psycopg")
    from lapor_core.storage.postgres import safe_dsn  # noqa: PLC0415 - optional extra

    with pytest.raises(ValidationError, match="%40") as info:
        open_store(url)
    shown = _everything_shown(info.value)
    assert fragment not in shown
    assert "app:***@127.0.0.1" in shown
    assert fragment not in safe_dsn(url)


def test_the_cli_shows_no_password_for_a_malformed_store_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``lapor-core report --store 'postgresql://postgres:s3cr3tPW@[::1'`` printed it."""
    pytest.importorskip("psycopg")
    assert 1 == main(["report", "--store", f"postgresql://postgres:{SECRET}@[::1"])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "lapor-core: error: cannot use PostgreSQL at postgresql://postgres:***@[::1" in err


def test_the_installed_command_shows_no_password_nor_a_traceback() -> None:
    """The same through the real entry point, as an operator runs it."""
    pytest.importorskip("psycopg")
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [
            sys.executable,
            "-m",
            "lapor_core",
            "report",
            "--store",
            f"postgresql://postgres:{SECRET}@[::1",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 1 == done.returncode
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.postgres
def test_a_real_server_never_sees_its_password_in_repr_or_errors() -> None:
    """With a password in the URL: the store's repr hides it (or, if refused, the error does)."""
    dsn = os.environ.get(DSN_ENV)
    if not dsn:
        pytest.skip(f"{DSN_ENV} is not set: PostgreSQL tests need a server")
    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    scheme, rest = dsn.split("://", 1)
    userinfo, _, where = rest.rpartition("@")
    user = userinfo.split(":", 1)[0] or "postgres"
    with_secret = f"{scheme}://{user}:{SECRET}@{where}"
    refused: LaporError | None = None
    try:
        store = PostgresStore(with_secret, schema=f"lapor_dsn_{uuid.uuid4().hex[:12]}")
    except LaporError as exc:  # the server checks passwords: the refusal must hide it
        refused = exc
    if refused is not None:
        assert SECRET not in _everything_shown(refused)
        return
    try:
        assert SECRET not in repr(store)
    finally:
        store.close()
        store.drop_schema()
