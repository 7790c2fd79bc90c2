"""The audit log: who changed what, when. Only ever inserted into; the database refuses
updates and deletes of it (triggers in SQLite, a trigger function in PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from scanner.normalize import clean_text
from scanner.store.backend import Tx
from scanner.store.codec import untext


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    detail: str


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(tx: Tx, actor: str, action: str, target: str, detail: str = "") -> None:
    """Append one entry in the caller's transaction (so it exists exactly when the change
    does)."""
    tx.execute(
        "INSERT INTO console_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (now(), clean_text(actor, 200), action, clean_text(target, 300), clean_text(detail, 2000)),
    )


def entries(tx: Tx, limit: int = 200, offset: int = 0) -> list[Entry]:
    rows = tx.execute(
        "SELECT seq, at, actor, action, target, detail FROM console_audit "
        "ORDER BY seq DESC LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [Entry(int(r[0]), *(untext(v) for v in r[1:])) for r in rows]
