"""Whose SQLite file is this? A biosweep history says so in its header.

``PRAGMA application_id`` (https://www.sqlite.org/pragma.html#pragma_application_id, the
32-bit field at offset 68 of the header, meant for exactly this) is :data:`APPLICATION_ID`,
ASCII ``BSWP``, in every history biosweep makes. ``--store`` pointed at another program's
database must not quietly gain biosweep's tables (and WAL mode), so :func:`check` runs before
anything is written:

- our id: ours;
- another id: another program's file, refused;
- no id, no tables, schema version 0: a new or empty file, ours from now on;
- no id but exactly biosweep's tables and a schema version: a history made before the mark
  existed, adopted (the mark is written with the next migration step);
- anything else: refused, naming a few of its tables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scanner.store.errors import StoreError

APPLICATION_ID = 0x42535750  # "BSWP"
TABLES = frozenset({"runs", "devices", "observations", "findings", "skipped"})
#: The console's tables (schema version 2, scanner.store.schema): a history the console used.
CONSOLE_TABLES = frozenset({
    "console_settings", "console_users", "console_sessions", "console_sensors",
    "console_uploads", "console_finding_state", "console_registries", "console_inventory",
    "console_progress", "console_throttle", "console_audit", "console_sites",
    "console_vendors",
})  # fmt: skip


class ForeignStoreError(StoreError):
    """The file is an SQLite database of another application (or no database at all)."""


def check(conn: sqlite3.Connection, path: Path) -> bool:
    """Whether the file is a biosweep history; True when the mark must still be written.

    Reads only; raises :class:`ForeignStoreError` for a database that is not biosweep's.
    """
    hint = "give biosweep its own history file (--store PATH)"
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    except sqlite3.DatabaseError as exc:
        raise ForeignStoreError(f"{path} is not an SQLite database ({exc}): {hint}") from None
    if app_id == APPLICATION_ID:
        return False
    if app_id != 0:
        raise ForeignStoreError(
            f"{path} belongs to another application (application_id {app_id:#010x}), not "
            f"biosweep: {hint}"
        )
    if not tables and version == 0:
        return True
    if (tables == TABLES and version >= 1) or (tables == TABLES | CONSOLE_TABLES and version >= 2):
        return True
    named = ", ".join(sorted(tables)[:5]) or "none"
    raise ForeignStoreError(
        f"{path} is another application's SQLite database (tables: {named}; schema version "
        f"{version}), not a biosweep history: {hint}"
    )
