"""The history schema and its migrations, applied in one transaction.

The schema version is SQLite's ``PRAGMA user_version`` (https://www.sqlite.org/pragma.html
#pragma_user_version): 0 for a new file, ``len(MIGRATIONS)`` when current. :func:`migrate`
runs every missing step and the version bump inside one ``BEGIN IMMEDIATE`` transaction, so a
crash or an error mid-way leaves the database exactly at its old version; a database made by
a newer biosweep (a higher version) is refused rather than guessed at. Upgrading a database
that holds runs first saves an online backup of it (the caller's ``backup``), so a migration
that turns out wrong can be undone by hand.

Rows of one run are only ever written in the transaction that marks the run finished
(``status`` complete or partial); a run that is still ``running`` owns no rows, so a crash
can leave no orphans (SAFETY-CATALOGUE case 56).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from scanner.store.errors import StoreError
from scanner.store.identity import APPLICATION_ID

_V1 = """
CREATE TABLE runs (
    pk INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    site TEXT,
    operator TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    tool_version TEXT NOT NULL,
    signatures_version TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]',
    registry TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'partial', 'interrupted')),
    owner TEXT,
    device_count INTEGER NOT NULL DEFAULT 0,
    finding_count INTEGER NOT NULL DEFAULT 0,
    observation_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_site ON runs (site, started_at);
CREATE TABLE devices (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    collector INTEGER NOT NULL,
    device_class TEXT,
    vendor TEXT,
    product TEXT,
    subjects TEXT NOT NULL,
    macs TEXT NOT NULL,
    ips TEXT NOT NULL,
    ble TEXT NOT NULL,
    identifications TEXT NOT NULL,
    PRIMARY KEY (run_pk, seq)
) WITHOUT ROWID;
CREATE TABLE observations (
    run_pk INTEGER NOT NULL,
    device_seq INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    subject TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    seen_at TEXT,
    PRIMARY KEY (run_pk, device_seq, seq),
    FOREIGN KEY (run_pk, device_seq) REFERENCES devices (run_pk, seq) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE findings (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    device_id TEXT,
    reason TEXT NOT NULL,
    why TEXT NOT NULL,
    expected TEXT,
    deployment TEXT,
    registry_id TEXT,
    details TEXT NOT NULL,
    PRIMARY KEY (run_pk, seq)
) WITHOUT ROWID;
CREATE TABLE skipped (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    probe TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    target TEXT,
    PRIMARY KEY (run_pk, seq)
) WITHOUT ROWID;
"""

#: Version 2: the web console's tables (``biosweep serve``, :mod:`scanner.console`): accounts,
#: sessions, sensors, the finding workflow, the site registries, the device inventory across
#: runs, live progress, login throttling, and the audit log, which the database itself keeps
#: append-only. Portable SQL; :func:`scanner.store.pg.for_postgresql` rewrites it for PostgreSQL.
_V2 = """
CREATE TABLE console_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE console_users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'officer', 'admin')),
    created_at TEXT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE console_sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES console_users (username) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE console_sensors (
    sensor_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    last_seen TEXT
);
CREATE TABLE console_uploads (
    run_id TEXT PRIMARY KEY,
    sensor_id TEXT NOT NULL,
    site TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE console_finding_state (
    site TEXT NOT NULL,
    finding_key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved', 'filed')),
    filed_ref TEXT,
    filed_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (site, finding_key)
);
CREATE TABLE console_registries (
    site TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE console_inventory (
    site TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_key TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    run_pk INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    collector INTEGER NOT NULL,
    device_class TEXT NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    unregistered INTEGER NOT NULL,
    search TEXT NOT NULL,
    PRIMARY KEY (site, device_id)
);
CREATE UNIQUE INDEX console_inventory_key ON console_inventory (device_key);
CREATE INDEX console_inventory_seen ON console_inventory (last_seen);
CREATE INDEX console_inventory_class ON console_inventory (device_class);
CREATE INDEX console_inventory_unregistered ON console_inventory (site, device_id)
    WHERE unregistered = 1;
CREATE INDEX console_inventory_collectors ON console_inventory (site, device_id)
    WHERE collector = 1;
CREATE TABLE console_sites (
    site TEXT PRIMARY KEY,
    devices INTEGER NOT NULL,
    collectors INTEGER NOT NULL,
    unregistered INTEGER NOT NULL
);
CREATE TABLE console_vendors (
    site TEXT NOT NULL,
    vendor TEXT NOT NULL,
    PRIMARY KEY (site, vendor)
);
CREATE TABLE console_progress (
    site TEXT PRIMARY KEY,
    sensor_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    addresses INTEGER NOT NULL,
    discovered INTEGER NOT NULL,
    probed INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE console_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    locked_until TEXT
);
CREATE TABLE console_audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER console_audit_no_update BEFORE UPDATE ON console_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER console_audit_no_delete BEFORE DELETE ON console_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

#: Step ``n`` (1-based) brings a database from version ``n - 1`` to ``n``. Append only.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[str] = MIGRATIONS,
    *,
    mark: bool = False,
    backup: Callable[[int], object] | None = None,
) -> int:
    """Bring the database to ``len(migrations)`` in one transaction; returns the old version.

    The same transaction writes biosweep's ``application_id`` (always; ``mark`` forces the
    transaction for a current database that lacks it). Before a database holding data (at
    version 1 or later) is changed, ``backup(version)`` saves a copy of it as it is: if that
    fails, nothing is changed. ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    target = len(migrations)
    current = version(conn)
    if current == target and not mark:
        return target
    if 0 < current < target and backup is not None:
        backup(current)
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version(conn)  # re-read under the write lock: another process may have won
        if current > target:
            raise StoreError(
                f"the history database is at schema version {current}, newer than this "
                f"biosweep knows ({target}): upgrade biosweep"
            )
        for step in migrations[current:]:
            for statement in split_statements(step):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {target:d}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return current


def split_statements(script: str) -> list[str]:
    """Split a migration into statements, run one by one by both backends (SQLite's
    ``executescript`` would COMMIT on its own)."""
    out, buf = [], ""
    for char in script:
        buf += char
        if char == ";" and sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
