"""
Pluggable storage: the port, its backends and ``open_store(url)``.

Backends: :class:`InMemoryStore` (``memory://``), :class:`SQLiteStore`
(``sqlite:///relative/path`` or ``sqlite:////absolute/path``) and
``lapor_core.storage.postgres.PostgresStore`` (``postgresql://...``; needs the
``postgres`` extra, and is imported only when such a URL is opened).

Nothing here connects or reads the environment at import time:
:func:`store_from_env` takes the mapping to read.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote

from lapor_core.errors import N_, StorageError, ValidationError
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    ComplaintStore,
    Page,
    ProblemKind,
    Projector,
    RowVersion,
    StoredEvent,
    StreamProblem,
    VerifyReport,
    VersionPage,
    project,
)
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore

__all__ = [
    "DEFAULT_STORE_URL",
    "LAPOR_STORE_ENV",
    "ComplaintQuery",
    "ComplaintRow",
    "ComplaintStore",
    "InMemoryStore",
    "Page",
    "ProblemKind",
    "Projector",
    "RowVersion",
    "SQLiteStore",
    "StoredEvent",
    "StreamProblem",
    "VerifyReport",
    "VersionPage",
    "open_store",
    "project",
    "redact_dsn",
    "store_from_env",
]

LAPOR_STORE_ENV = "LAPOR_STORE"
"""
Name of the environment variable :func:`store_from_env` reads (a store URL).

.. versionadded:: 0.1.0
"""

DEFAULT_STORE_URL = "memory://"
"""
The store URL :func:`store_from_env` uses when the variable is unset.

.. versionadded:: 0.1.0
"""

_SQLITE_OPTIONS = frozenset({"synchronous"})

_HIDDEN = "***"
# The password of a URL's user info (libpq: up to the last "@" of the URL; over-hiding a
# strange host is better than showing a password), a ``password=`` (or ``sslpassword=``)
# query parameter, and a key/value ``password=value`` or ``password = 'quoted value'``.
_URL_PASSWORD = re.compile(r"(?P<head>://[^\s:/@?#]*):(?P<secret>\S*)@")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]\w*password=)(?P<secret>[^&\s\"']*)", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(
    r"(?<![?&\w])(?P<head>\w*password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'?|[^\s'\"]+)",
    re.IGNORECASE,
)
_PASSWORD_PATTERNS = (_URL_PASSWORD, _QUERY_PASSWORD, _KEYWORD_PASSWORD)
_SHORTEST_LITERAL = 4  # shorter "passwords" would hide letters all over a message


def redact_dsn(text: str, dsn: str | None = None) -> str:
    """
    *text* (a store URL, a DSN, or a message about one) with every password hidden.

    Hides the password of a URL's user info (``postgresql://user:***@host``), of a
    ``password=`` query parameter and of a libpq ``password=...`` keyword, even in a
    URL or DSN libpq cannot parse; and, when *dsn* is given, every other occurrence in
    *text* of a password *dsn* holds (libpq repeats parts of a malformed DSN in its
    messages, e.g. ``invalid percent-encoded token: "..."``).

    Args:
        text: What to show.
        dsn: The DSN or URL *text* talks about, if it is not *text* itself.

    Returns:
        *text*, without the passwords.

    .. versionadded:: 0.1.0
    """
    secrets = {
        found
        for source in {text, dsn or text}
        for pattern in _PASSWORD_PATTERNS
        for match in pattern.finditer(source)
        for found in _spellings(match.group("secret"))
    }
    for pattern in _PASSWORD_PATTERNS:
        text = pattern.sub(_hide, text)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _SHORTEST_LITERAL:
            text = text.replace(secret, _HIDDEN)
    return text


def _hide(match: re.Match[str]) -> str:
    """The match with its secret replaced."""
    whole, start = match.group(0), match.start()
    return whole[: match.start("secret") - start] + _HIDDEN + whole[match.end("secret") - start :]


def _spellings(secret: str) -> set[str]:
    """How a password may appear in a message: as written, unquoted, percent-decoded."""
    spellings = {secret}
    if secret.startswith("'"):
        inner = secret[1:-1] if len(secret) > 1 and secret.endswith("'") else secret[1:]
        spellings |= {inner, re.sub(r"\\(.)", r"\1", inner)}
    spellings |= {unquote(s) for s in spellings}
    return {s for s in spellings if s and s != _HIDDEN}


def _open_sqlite(rest: str, url: str) -> ComplaintStore:
    path, _, query = rest.partition("?")
    try:
        path = unquote(path, errors="strict")
        path.encode("utf-8")
    except UnicodeError:
        raise ValidationError(
            N_("the SQLite path of {url!r} is not UTF-8 text"), url=redact_dsn(url)
        ) from None
    if "\x00" in path:
        raise ValidationError(
            N_("the SQLite path of {url!r} holds a NUL character (%00), which no file name can"),
            url=redact_dsn(url),
        )
    if not path or path == ":memory:" or path.endswith("/"):  # "dir/" made a file "dir"
        raise ValidationError(
            N_(
                "store URL {url!r} names no SQLite file; use sqlite:///relative/path, "
                "sqlite:////absolute/path, or memory:// for a store in memory"
            ),
            url=redact_dsn(url),
        )
    options = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    unknown = set(options) - _SQLITE_OPTIONS
    if unknown:
        raise ValidationError(
            N_("unknown SQLite option(s) {unknown} in {url!r}; known: {known}"),
            unknown=sorted(unknown),
            url=redact_dsn(url),
            known=sorted(_SQLITE_OPTIONS),
        )
    return SQLiteStore(path, synchronous=options.get("synchronous", "NORMAL"))


def open_store(url: str) -> ComplaintStore:
    """
    Open the store a URL names.

    Args:
        url: ``memory://``; ``sqlite:///relative/path`` or ``sqlite:////absolute/path``
            (optionally ``?synchronous=FULL``); ``postgresql://...`` or
            ``postgres://...`` (a libpq URL, passed on as is).

    Returns:
        A new store; close it when done.

    Raises:
        ValidationError: An unknown scheme or a malformed URL.
        StorageError: The backend cannot be opened (missing file directory,
            unreachable server, newer schema, psycopg not installed).

    .. versionadded:: 0.1.0
    """
    if not isinstance(url, str):
        raise ValidationError(N_("a store URL must be a string, got {got}"), got=type(url).__name__)
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        if url.strip().lower() == "memory":
            return InMemoryStore()
        raise ValidationError(
            N_("not a store URL: {url!r} (expected scheme://...)"), url=redact_dsn(url)
        )
    if scheme == "memory":
        if rest:
            raise ValidationError(
                N_("memory:// takes nothing after the scheme, got {url!r}"), url=redact_dsn(url)
            )
        return InMemoryStore()
    if scheme == "sqlite":
        if not rest.startswith("/"):
            raise ValidationError(
                N_(
                    "SQLite URLs have three slashes: sqlite:///relative/path or "
                    "sqlite:////absolute/path, got {url!r}"
                ),
                url=redact_dsn(url),
            )
        return _open_sqlite(rest[1:], url)
    if scheme in {"postgresql", "postgres"}:
        try:
            from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra
        except ImportError as exc:
            raise StorageError(
                N_("PostgreSQL support needs psycopg: pip install 'lapor-core[postgres]'")
            ) from exc
        return PostgresStore(url)
    raise ValidationError(
        N_(
            "unknown store URL scheme {scheme!r} in {url!r}; use memory://, sqlite:///path "
            "or postgresql://..."
        ),
        scheme=scheme,
        url=redact_dsn(url),
    )


def store_from_env(environ: Mapping[str, str]) -> ComplaintStore:
    """
    Open the store named by ``LAPOR_STORE`` in *environ* (default ``memory://``).

    Args:
        environ: The environment to read, e.g. ``os.environ`` (passed in, never read at
            import).

    Raises:
        ValidationError: See :func:`open_store`.
        StorageError: See :func:`open_store`.

    .. versionadded:: 0.1.0
    """
    return open_store(environ.get(LAPOR_STORE_ENV) or DEFAULT_STORE_URL)
