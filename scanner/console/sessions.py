"""Server-side sessions and CSRF tokens.

The session cookie holds a random 256-bit token; the store keeps only its SHA-256, the user,
the expiry and the session's CSRF token, which every form carries back in a hidden field and
which is compared in constant time. Before login there is no session, so the login form's
token is an HMAC (the console's own secret) of a random pre-login cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scanner.console import audit
from scanner.store.backend import Tx
from scanner.store.codec import untext

COOKIE = "biosweep_session"
PRE_COOKIE = "biosweep_login"


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def secret(tx: Tx) -> str:
    """The console's HMAC secret, made once and kept in the store."""
    row = tx.execute("SELECT value FROM console_settings WHERE name = 'secret'").fetchone()
    if row:
        return untext(row[0])
    value = secrets.token_hex(32)
    tx.execute(
        "INSERT INTO console_settings (name, value) VALUES ('secret', ?) "
        "ON CONFLICT (name) DO NOTHING",
        (value,),
    )
    row = tx.execute("SELECT value FROM console_settings WHERE name = 'secret'").fetchone()
    return untext(row[0]) if row else value


def create(tx: Tx, username: str, hours: int) -> str:
    """A new session; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    tx.execute(
        "INSERT INTO console_sessions (token_hash, username, csrf, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (_digest(token), username, secrets.token_urlsafe(32), now.isoformat(),
         (now + timedelta(hours=hours)).isoformat()),
    )  # fmt: skip
    tx.execute("DELETE FROM console_sessions WHERE expires_at < ?", (now.isoformat(),))
    return token


def find(tx: Tx, token: str | None) -> Session | None:
    if not token or len(token) > 100:
        return None
    row = tx.execute(
        "SELECT s.username, s.csrf, s.expires_at FROM console_sessions s JOIN console_users u "
        "ON u.username = s.username WHERE s.token_hash = ? AND u.disabled = 0",
        (_digest(token),),
    ).fetchone()
    if row is None or datetime.fromisoformat(untext(row[2])) < datetime.now(UTC):
        return None
    return Session(untext(row[0]), untext(row[1]))


def end(tx: Tx, token: str | None, username: str) -> None:
    if token:
        tx.execute("DELETE FROM console_sessions WHERE token_hash = ?", (_digest(token),))
        audit.record(tx, username, "logout", "")


def same(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def login_token(key: str, pre: str) -> str:
    return hmac.new(key.encode(), b"login:" + pre.encode(), hashlib.sha256).hexdigest()
