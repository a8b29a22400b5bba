"""
The statements the SQLite store runs, and how its columns spell the projection.

Plain SQL text with ``?`` marks; values always travel as parameters, and the only text
composed here is the constant column list of the projection and the marks of a constant
list of statuses. The tables are those of :mod:`lapor_core.storage.sqlite_schema`.

Internal to :mod:`lapor_core.storage.sqlite`.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from lapor_core.ports.projection import ROW_FIELDS
from lapor_core.storage._reporting import OPEN_STATUSES
from lapor_core.storage._sql import VERSION_COLUMNS, Dialect
from lapor_core.storage.codec import _dumps
from lapor_core.storage.support import from_micros, to_micros

__all__ = [
    "CLAIM_DUE",
    "DIALECT",
    "INDICATORS",
    "INSERT_EVENT",
    "INSERT_KEY",
    "LOAD",
    "LOAD_AFTER",
    "LOAD_LATEST",
    "LOAD_SNAPSHOT",
    "MUSRENBANG",
    "READ_ALL",
    "SAVE_SNAPSHOT",
    "SELECT_KEY",
    "SELECT_ROW",
    "SELECT_VERSIONS",
    "STREAM_IDS",
    "STREAM_VERSION",
    "STREAM_VERSIONS",
    "UPSERT_ROW",
    "json_list",
]


def json_list(values: Sequence[str]) -> str:
    """*values* as a JSON array: a row's agencies, the parameter of :data:`STREAM_VERSIONS`."""
    return _dumps(list(values))


def _agencies_from(text: str) -> tuple[str, ...]:
    agencies = orjson.loads(text)
    if not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies):
        raise TypeError(f"agencies must be a JSON array of strings, got {text!r}")
    return tuple(agencies)


DIALECT = Dialect(
    mark="?",
    instant=to_micros,
    instant_from=from_micros,
    micros=int,
    agencies=json_list,
    agencies_from=_agencies_from,
    arrays=False,
    statuses="status IN ({})",
    agency_filter="id IN (SELECT complaint_id FROM complaint_agencies WHERE agency IN ({}))",
    due_before="next_due_at IS NOT NULL AND next_due_at <= ?",
)
"""Datetimes as epoch microseconds, agencies as JSON text, lists as one mark per value."""

# ------------------------------------------------------------------------- the log

INSERT_EVENT = (
    "INSERT INTO events (complaint_id, version, type, schema_version, payload, recorded_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
STREAM_VERSION = "SELECT max(version) FROM events WHERE complaint_id = ?"
STREAM_VERSIONS = (
    "SELECT complaint_id, max(version) FROM events "
    "WHERE complaint_id IN (SELECT value FROM json_each(?)) GROUP BY complaint_id"
)
"""The versions of the streams named in a JSON array (one statement for a bulk append)."""
LOAD = (
    "SELECT version, type, schema_version, payload FROM events WHERE complaint_id = ? "
    "ORDER BY version"
)
LOAD_AFTER = (
    "SELECT version, type, schema_version, payload FROM events "
    "WHERE complaint_id = ? AND version > ? ORDER BY version"
)
SAVE_SNAPSHOT = (
    "INSERT INTO snapshots (complaint_id, version, fingerprint, state) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (complaint_id) DO UPDATE SET version = excluded.version, "
    "fingerprint = excluded.fingerprint, state = excluded.state "
    "WHERE snapshots.fingerprint <> excluded.fingerprint "
    "OR snapshots.version <= excluded.version"
)
LOAD_LATEST = (
    "WITH s AS (SELECT version, state FROM snapshots WHERE complaint_id = ?1 "
    "AND fingerprint = ?2 "
    "AND version <= (SELECT coalesce(max(version), 0) FROM events WHERE complaint_id = ?1)) "
    "SELECT 0, version, NULL, NULL, NULL, state FROM s UNION ALL "
    "SELECT 1, version, type, schema_version, payload, NULL FROM events "
    "WHERE complaint_id = ?1 AND version > coalesce((SELECT version FROM s), 0) "
    "ORDER BY 1, 2"
)
"""The usable snapshot (kind 0) and the events after it (kind 1), in one statement."""
LOAD_SNAPSHOT = (
    "SELECT state FROM snapshots WHERE complaint_id = ? AND fingerprint = ? "
    "AND version <= (SELECT coalesce(max(version), 0) FROM events WHERE complaint_id = ?)"
)
READ_ALL = (
    "SELECT position, complaint_id, version, type, schema_version, payload FROM events "
    "WHERE position > ? ORDER BY position LIMIT ?"
)
STREAM_IDS = "SELECT complaint_id FROM events UNION SELECT id FROM complaints ORDER BY 1"
INSERT_KEY = "INSERT INTO idempotency (key, complaint_id, version) VALUES (?, ?, ?)"
SELECT_KEY = "SELECT complaint_id, version FROM idempotency WHERE key = ?"

# ------------------------------------------------------------------- the projection

SELECT_ROW = f"SELECT {', '.join(ROW_FIELDS)} FROM complaints"  # noqa: S608 - constant column list
SELECT_VERSIONS = f"SELECT {', '.join(VERSION_COLUMNS)} FROM complaints"  # noqa: S608 - constant column list
_FIXED = ("id", "submitted_at")
"""Columns a complaint's row never changes: left out of an update, which then leaves
the ``complaints_order`` index alone (SQLite rewrites the index of every column set)."""
UPSERT_ROW = (
    f"INSERT INTO complaints ({', '.join(ROW_FIELDS)}, claimant, claim_expires_at) "  # noqa: S608 - constant column list
    f"VALUES ({', '.join('?' * len(ROW_FIELDS))}, NULL, NULL) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ROW_FIELDS if c not in _FIXED)
    + ", claimant = NULL, claim_expires_at = NULL"
)
CLAIM_DUE = (
    "UPDATE complaints SET claimant = :claimant, claim_expires_at = :expires "
    "WHERE id IN (SELECT id FROM complaints "
    "WHERE next_due_at IS NOT NULL AND next_due_at <= :now "
    "AND (claimant IS NULL OR claimant = :claimant OR claim_expires_at <= :now) "
    "ORDER BY next_due_at, id LIMIT :limit) "
    "RETURNING next_due_at, id"
)
"""Claim the earliest due rows in one statement; ``RETURNING`` gives them in no set order."""

# --------------------------------------------------------------------- the reports

_OPEN_MARKS = ", ".join("?" * len(OPEN_STATUSES))

INDICATORS = (
    "SELECT responsible, count(*), count(first_forwarded_at), "  # noqa: S608 - placeholders only
    "count(first_follow_up_at), sum(status = ?), sum(status = ?), sum(status = ?), "
    f"sum(status IN ({_OPEN_MARKS})), sum(closed_automatically), sum(reroutings > 0), "
    "sum(reroutings), sum(breaches), sum(escalations), sum(ombudsman_eligible), "
    "avg((first_forwarded_at - submitted_at) / ?), "
    "avg((first_follow_up_at - first_forwarded_at) / ?), "
    "sum(reporter_timeouts), sum(warning_breaches) "
    "FROM complaints WHERE submitted_at >= ? AND submitted_at < ? GROUP BY responsible"
)
"""Parameters: completed, in progress, archived, the open statuses, micros per hour twice,
then the window."""
MUSRENBANG = (
    "SELECT coalesce(substr(region, 1, ?), '-'), coalesce(category, '-'), count(*), "  # noqa: S608 - placeholders only
    f"sum(status = ?), sum(status IN ({_OPEN_MARKS})) FROM complaints "
    "WHERE submitted_at >= ? AND submitted_at < ? GROUP BY 1, 2"
)
"""Parameters: the region length, completed, the open statuses, then the window."""
