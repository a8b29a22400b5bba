"""
The schema of the SQLite store, and how a file gets it.

Version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version``; a newer file is refused:

- ``events``: the append-only log, ``UNIQUE (complaint_id, version)``; the payload is the
  codec's JSON (datetimes in ISO 8601 with their offset). ``position`` is the rowid, one
  more than the largest so far: events are never deleted, so positions only grow. (Files
  made before 0.2.0 declare it ``AUTOINCREMENT``, which numbers the same way but writes
  the ``sqlite_sequence`` table on every append; they keep it.)
- ``complaints``: the projection, one column per
  :class:`~lapor_core.ports.projection.ComplaintRow` field, datetimes as epoch
  microseconds (integers compare fast), agencies as JSON text, and the claim of a
  sweeper (``claimant``, ``claim_expires_at``), cleared whenever the row is rewritten.
- ``complaint_agencies``: the agencies a complaint is assigned or routed to, for the
  agency filter, kept by two triggers on ``complaints`` (a file made with the earlier
  update trigger and its second index is brought up to date when opened:
  :data:`AGENCIES_MIGRATION`).
- ``idempotency``: keys and the (complaint, version) they produced.
- ``snapshots``: one snapshot per complaint (its version, the
  :func:`~lapor_core.storage.snapshots.fingerprint` of the code that made it, the state
  as JSON). Added after schema version 1 was first released, without a new version: it
  is created, if missing, whenever a file is opened (older code ignores it).

Version 2 (0.2.0) adds the breach split of the projection rows (``reporter_timeouts``,
``warning_breaches``); a version 1 file is migrated when opened (:data:`MIGRATION_1_TO_2`).

The due query reads a partial index on ``next_due_at`` (``WHERE next_due_at IS NOT
NULL``; terminal complaints have none), so its cost does not grow with the table.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import sqlite3

from lapor_core.errors import N_, StorageError

__all__ = [
    "AGENCIES_MIGRATION",
    "AGENCIES_UPDATE",
    "MIGRATION_1_TO_2",
    "SCHEMA_VERSION",
    "SNAPSHOTS",
    "STATEMENTS",
    "ensure_schema",
]

SCHEMA_VERSION = 2
"""
Version of the SQLite schema this code writes (``PRAGMA user_version``).

.. versionadded:: 0.1.0
"""

AGENCIES_UPDATE = """
CREATE TRIGGER IF NOT EXISTS complaints_agencies_update AFTER UPDATE OF agencies, router
    ON complaints
    WHEN OLD.agencies IS NOT NEW.agencies OR OLD.router IS NOT NEW.router
BEGIN
    DELETE FROM complaint_agencies WHERE complaint_id = NEW.id AND agency IN (
        SELECT value FROM json_each(OLD.agencies) UNION SELECT OLD.router
        EXCEPT SELECT value FROM json_each(NEW.agencies) EXCEPT SELECT NEW.router
    );
    INSERT INTO complaint_agencies (agency, complaint_id) SELECT agency, NEW.id FROM (
        SELECT value AS agency FROM json_each(NEW.agencies) UNION SELECT NEW.router
        EXCEPT SELECT value FROM json_each(OLD.agencies) EXCEPT SELECT OLD.router
    );
END
"""
"""
The trigger that keeps ``complaint_agencies`` when a row's agencies or router change:
it removes the pairs that went and adds the ones that came, each found by the primary
key (``agency``, ``complaint_id``), so the table needs no second index.

.. versionadded:: 0.2.0
"""

STATEMENTS: tuple[str, ...] = (
    """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (complaint_id, version)
)
""",
    """
CREATE TABLE IF NOT EXISTS complaints (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    region TEXT,
    category TEXT,
    router TEXT NOT NULL,
    responsible TEXT NOT NULL,
    agencies TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_due_at INTEGER,
    first_forwarded_at INTEGER,
    first_follow_up_at INTEGER,
    closed_at INTEGER,
    closed_automatically INTEGER NOT NULL,
    archive_reason TEXT,
    reroutings INTEGER NOT NULL,
    escalations INTEGER NOT NULL,
    breaches INTEGER NOT NULL,
    ombudsman_eligible INTEGER NOT NULL,
    sp4n_tracking_id TEXT,
    regional_app_id TEXT,
    claimant TEXT,
    claim_expires_at INTEGER,
    reporter_timeouts INTEGER NOT NULL DEFAULT 0,
    warning_breaches INTEGER NOT NULL DEFAULT 0
)
""",
    """
CREATE INDEX IF NOT EXISTS complaints_order ON complaints (submitted_at, id)
""",
    """
CREATE INDEX IF NOT EXISTS complaints_due ON complaints (next_due_at, id)
    WHERE next_due_at IS NOT NULL
""",
    """
CREATE TABLE IF NOT EXISTS complaint_agencies (
    agency TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    PRIMARY KEY (agency, complaint_id)
) WITHOUT ROWID
""",
    """
CREATE TRIGGER IF NOT EXISTS complaints_agencies_insert AFTER INSERT ON complaints BEGIN
    INSERT OR IGNORE INTO complaint_agencies (agency, complaint_id)
        SELECT value, NEW.id FROM json_each(NEW.agencies) UNION SELECT NEW.router, NEW.id;
END
""",
    AGENCIES_UPDATE,
    """
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID
""",
)
"""
The statements that create the schema, in order (each idempotent).

.. versionadded:: 0.1.0
"""

SNAPSHOTS = """
CREATE TABLE IF NOT EXISTS snapshots (
    complaint_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL
) WITHOUT ROWID
"""
"""
The snapshots table, created whenever a file is opened and lacks it (the migration of
files made before it existed).

.. versionadded:: 0.1.0
"""

_SHAPE = (
    "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'), "
    "(SELECT count(*) FROM sqlite_master WHERE type = 'index' "
    "AND name = 'complaint_agencies_by_complaint')"
)
"""Whether the file has the snapshots table, and still the agencies' second index."""

AGENCIES_MIGRATION: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS complaints_agencies_update",
    AGENCIES_UPDATE,
    "DROP INDEX IF EXISTS complaint_agencies_by_complaint",
)
"""
The agencies trigger of a file made before :data:`AGENCIES_UPDATE`, replaced when the
file is opened, without a new schema version: the old trigger deleted a complaint's
pairs through an index on ``complaint_id``, which every forwarding then had to keep too.
Older code works on a migrated file (its queries never read that index).

.. versionadded:: 0.2.0
"""

_COUNT_BREACHES = """
UPDATE complaints SET {column} = (
    SELECT count(*) FROM events
    WHERE events.complaint_id = complaints.id AND events.type = 'ClockBreached'
        AND json_extract(events.payload, '$.action') IN ({actions})
)
WHERE breaches > 0
"""

MIGRATION_1_TO_2: tuple[str, ...] = (
    "ALTER TABLE complaints ADD COLUMN reporter_timeouts INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE complaints ADD COLUMN warning_breaches INTEGER NOT NULL DEFAULT 0",
    _COUNT_BREACHES.format(column="reporter_timeouts", actions="'auto_close', 'archive_withdrawn'"),
    _COUNT_BREACHES.format(column="warning_breaches", actions="'warn'"),
)
"""
From version 1 to 2: the breach split of the projection rows, counted from the stored
``ClockBreached`` events (what replaying them gives), in the same transaction.

.. versionadded:: 0.2.0
"""


def _user_version(conn: sqlite3.Connection, path: str) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StorageError(
            N_(
                "{path!r} has schema version {version}, newer than this code "
                "({known}): upgrade lapor_core to open it"
            ),
            path=path,
            version=version,
            known=SCHEMA_VERSION,
        )
    return version


def ensure_schema(conn: sqlite3.Connection, path: str) -> None:
    """
    Create the schema in the empty database behind *conn*, or check the one it has.

    The creation runs in one ``BEGIN IMMEDIATE`` transaction, so two processes opening
    a new file at once create it once.

    Args:
        conn: A connection in autocommit mode (``isolation_level=None``).
        path: The database file, for messages.

    Raises:
        StorageError: The file has a newer schema than this code.
        sqlite3.Error: The database failed (the caller translates it).

    .. versionadded:: 0.1.0
    """
    if _user_version(conn, path) == SCHEMA_VERSION and conn.execute(_SHAPE).fetchone() == (1, 0):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = _user_version(conn, path)
        if found == 0:
            for statement in STATEMENTS:
                conn.execute(statement)
        elif found == 1:
            for statement in MIGRATION_1_TO_2:
                conn.execute(statement)
        if found != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute(SNAPSHOTS)
        if conn.execute(_SHAPE).fetchone()[1]:
            for statement in AGENCIES_MIGRATION:
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
