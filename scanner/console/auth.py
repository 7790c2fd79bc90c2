"""Local accounts: argon2id password hashes, three roles, login throttling.

Roles are ordered: a viewer reads; an officer also works findings, edits registries and
downloads 12339 packages; an admin also manages accounts and sensors and reads the audit log.
Throttling counts failed logins per account name and per client address: after
:data:`MAX_FAILURES` within :data:`WINDOW` further tries are refused for :data:`LOCKOUT`
(also with the right password), so a password cannot be guessed at speed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from scanner.console import audit
from scanner.errors import InputError
from scanner.store.backend import Tx
from scanner.store.codec import untext

ROLES = ("viewer", "officer", "admin")
RANK = {r: n for n, r in enumerate(ROLES)}
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory defaults (t=3, m=64 MiB, p=4)
_DUMMY = _hasher.hash(secrets.token_hex(16))  # verified against when the name is unknown


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    must_change: bool
    disabled: bool

    def can(self, role: str) -> bool:
        return not self.disabled and RANK[self.role] >= RANK[role]


def check_name(username: str) -> str:
    name = username.strip().lower()
    if not NAME.fullmatch(name):
        raise InputError("user names are 1-64 of a-z, 0-9, '.', '_', '-'")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD or len(password) > 1024:
        raise InputError(f"passwords are {MIN_PASSWORD} to 1024 characters")
    return password


def one_time_password() -> str:
    return secrets.token_urlsafe(15)


def _user(row: tuple[object, ...]) -> User:
    return User(untext(row[0]), untext(row[1]), bool(row[2]), bool(row[3]))


def get(tx: Tx, username: str) -> User | None:
    row = tx.execute(
        "SELECT username, role, must_change, disabled FROM console_users WHERE username = ?",
        (username,),
    ).fetchone()
    return _user(row) if row else None


def users(tx: Tx) -> list[User]:
    rows = tx.execute(
        "SELECT username, role, must_change, disabled FROM console_users ORDER BY username"
    ).fetchall()
    return [_user(r) for r in rows]


def add(tx: Tx, actor: str, username: str, role: str, password: str, must_change: bool) -> User:
    """A new account; raises InputError for a taken name, unknown role or weak password."""
    name = check_name(username)
    if role not in ROLES:
        raise InputError(f"role: one of {', '.join(ROLES)}")
    check_password(password)
    if get(tx, name) is not None:
        raise InputError(f"user {name} exists")
    tx.execute(
        "INSERT INTO console_users (username, password_hash, role, created_at, must_change) "
        "VALUES (?, ?, ?, ?, ?)",
        (name, _hasher.hash(password), role, audit.now(), int(must_change)),
    )
    audit.record(tx, actor, "user.add", name, f"role {role}")
    return User(name, role, must_change, False)


def set_password(tx: Tx, actor: str, username: str, password: str, must_change: bool) -> None:
    check_password(password)
    tx.execute(
        "UPDATE console_users SET password_hash = ?, must_change = ? WHERE username = ?",
        (_hasher.hash(password), int(must_change), username),
    )
    tx.execute("DELETE FROM console_sessions WHERE username = ?", (username,))
    audit.record(tx, actor, "user.password", username)


def update(tx: Tx, actor: str, username: str, role: str, disabled: bool) -> None:
    if role not in ROLES:
        raise InputError(f"role: one of {', '.join(ROLES)}")
    tx.execute(
        "UPDATE console_users SET role = ?, disabled = ? WHERE username = ?",
        (role, int(disabled), username),
    )
    if disabled:
        tx.execute("DELETE FROM console_sessions WHERE username = ?", (username,))
    audit.record(tx, actor, "user.update", username, f"role {role}, disabled {disabled}")


def _throttled(tx: Tx, keys: list[str], now: datetime) -> bool:
    for key in keys:
        row = tx.execute(
            "SELECT locked_until FROM console_throttle WHERE throttle_key = ?", (key,)
        ).fetchone()
        if row and row[0] and datetime.fromisoformat(untext(row[0])) > now:
            return True
    return False


def _fail(tx: Tx, keys: list[str], now: datetime) -> None:
    for key in keys:
        row = tx.execute(
            "SELECT failures, first_at FROM console_throttle WHERE throttle_key = ?", (key,)
        ).fetchone()
        if row is None or datetime.fromisoformat(untext(row[1])) < now - WINDOW:
            failures, first = 1, now
        else:
            failures, first = int(row[0]) + 1, datetime.fromisoformat(untext(row[1]))
        locked = (now + LOCKOUT).isoformat() if failures >= MAX_FAILURES else None
        tx.execute(
            "INSERT INTO console_throttle (throttle_key, failures, first_at, locked_until) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (throttle_key) DO UPDATE SET "
            "failures = excluded.failures, first_at = excluded.first_at, "
            "locked_until = excluded.locked_until",
            (key, failures, first.isoformat(), locked),
        )


def login(tx: Tx, username: str, password: str, client: str) -> User | None:
    """The user when the password is right and neither the name nor the address is locked
    out; failures are counted and audited either way (no hint which part was wrong)."""
    now = datetime.now(UTC)
    name = username.strip().lower()[:64]
    keys = [f"user:{name}", f"addr:{client}"]
    if _throttled(tx, keys, now):
        audit.record(tx, name or "-", "login.throttled", client)
        return None
    row = tx.execute(
        "SELECT password_hash FROM console_users WHERE username = ? AND disabled = 0", (name,)
    ).fetchone()
    try:
        _hasher.verify(untext(row[0]) if row else _DUMMY, password[:1024])
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _fail(tx, keys, now)
        audit.record(tx, name or "-", "login.failed", client)
        return None
    tx.execute("DELETE FROM console_throttle WHERE throttle_key = ?", (keys[0],))
    audit.record(tx, name, "login", client)
    return get(tx, name)
