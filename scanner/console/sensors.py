"""Sensor tokens: ``bsw1.<sensor id>.<secret>``, issued once, kept as SHA-256 only.

The secret is 256 random bits, so a fast hash is enough (no password to stretch); the id part
finds the row and the comparison is constant-time. A revoked sensor's uploads are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from scanner.console import audit
from scanner.errors import InputError
from scanner.normalize import clean_text
from scanner.store.backend import Tx
from scanner.store.codec import untext

PREFIX = "bsw1"


@dataclass(frozen=True, slots=True)
class Sensor:
    sensor_id: str
    site: str
    created_at: str
    created_by: str
    revoked: bool
    last_seen: str | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()


def check_site(site: str) -> str:
    name = clean_text(site, 120)
    if not name:
        raise InputError("a site needs a name")
    return name


def add(tx: Tx, actor: str, site: str) -> tuple[Sensor, str]:
    """A new sensor of ``site``; returns it and its token (shown once, never stored)."""
    name = check_site(site)
    sensor_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = audit.now()
    tx.execute(
        "INSERT INTO console_sensors (sensor_id, site, token_hash, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?)",
        (sensor_id, name, _digest(secret), now, actor),
    )
    audit.record(tx, actor, "sensor.add", name, f"sensor {sensor_id}")
    return Sensor(sensor_id, name, now, actor, False, None), f"{PREFIX}.{sensor_id}.{secret}"


def revoke(tx: Tx, actor: str, sensor_id: str) -> None:
    tx.execute("UPDATE console_sensors SET revoked = 1 WHERE sensor_id = ?", (sensor_id,))
    audit.record(tx, actor, "sensor.revoke", sensor_id)


def all_sensors(tx: Tx) -> list[Sensor]:
    rows = tx.execute(
        "SELECT sensor_id, site, created_at, created_by, revoked, last_seen FROM console_sensors "
        "ORDER BY site, created_at"
    ).fetchall()
    return [
        Sensor(untext(r[0]), untext(r[1]), untext(r[2]), untext(r[3]), bool(r[4]),
               untext(r[5]) or None)
        for r in rows
    ]  # fmt: skip


def authenticate(tx: Tx, header: str | None) -> Sensor | None:
    """The sensor of an ``Authorization: Bearer bsw1.ID.SECRET`` header, or None."""
    if not header or not header.startswith("Bearer ") or len(header) > 300:
        return None
    parts = header[len("Bearer ") :].strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    row = tx.execute(
        "SELECT sensor_id, site, created_at, created_by, revoked, last_seen, token_hash "
        "FROM console_sensors WHERE sensor_id = ?",
        (parts[1],),
    ).fetchone()
    if row is None or bool(row[4]):
        return None
    if not hmac.compare_digest(untext(row[6]), _digest(parts[2])):
        return None
    return Sensor(untext(row[0]), untext(row[1]), untext(row[2]), untext(row[3]), False,
                  untext(row[5]) or None)  # fmt: skip
