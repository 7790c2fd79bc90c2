"""Privacy of BLE sweeps at collection time: site-scoped hashes and their salts.

A sweep in an office hears every phone, earbud and watch in range. Personal information
protection (PIPL Art. 6: collection limited to the minimum necessary; SAFETY-CATALOGUE cases
45, 46, 67) means:

- **Subjects are hashes.** A BLE device's subject is ``ble:h-`` + 16 hex digits of
  HMAC-SHA256(site salt, device key): the same device gets the same id at the same site (so
  runs compare), another site's ids cannot be linked to it, and the id reveals no address. The
  salt is random, kept per site in the state directory (mode 0600) and replaced after
  :data:`SALT_TTL`, after which old ids no longer link either.
- **Non-collectors keep only the hash.** After identification,
  :func:`scanner.identify.privacy.apply_policy` strips every raw address, local name,
  manufacturer and service-data payload from devices that are not
  collectors, keeping the hash, company ids, service UUIDs and appearance (what a product is,
  not whose it is).
- **A BLE claim alone is at most medium.** Anyone can advertise a vendor's company id and a
  product name (BLE advertisements are unauthenticated), so the matching engine caps a rule
  made only of ``ble.*`` fields at ``medium`` certainty (:mod:`scanner.identify.engine`;
  signatures/README.md "Certainty").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.errors import InputError
from scanner.inputs import load_json, read_input

HASH_PREFIX = "h-"
SALT_TTL = timedelta(days=30)
SALT_FILE = "ble-salts.json"
STATE_ENV = "BIOSWEEP_STATE_DIR"


def hashed_id(salt: bytes, key: str) -> str:
    """The site-scoped id of a device key (``h-`` + 16 hex digits)."""
    digest = hmac.new(salt, key.encode("utf-8"), hashlib.sha256).hexdigest()
    return HASH_PREFIX + digest[:16]


def state_dir() -> Path:
    """``$BIOSWEEP_STATE_DIR``, else ``$XDG_STATE_HOME/biosweep``, else ``~/.local/state/…``."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "biosweep"


def site_salt(
    site: str | None, directory: Path | None = None, now: datetime | None = None
) -> bytes:
    """The salt of ``site`` (None: the unnamed site), created or renewed when older than
    :data:`SALT_TTL`; the file is written atomically and readable by its owner only."""
    path = (directory or state_dir()) / SALT_FILE
    now = now or datetime.now(UTC)
    salts = _read_salts(path)
    name = site or ""
    entry = salts.get(name)
    if isinstance(entry, dict):
        try:
            created = datetime.fromisoformat(str(entry["created"]))
            salt = bytes.fromhex(str(entry["salt"]))
        except (KeyError, ValueError):
            salt, created = b"", now - SALT_TTL
        if len(salt) == 32 and now - created < SALT_TTL:
            return salt
    salt = secrets.token_bytes(32)
    salts[name] = {"salt": salt.hex(), "created": now.isoformat()}
    _write_private(path, json.dumps(salts, indent=1, sort_keys=True).encode("ascii"))
    return salt


def _read_salts(path: Path) -> dict[str, object]:
    try:
        data = load_json(read_input(path, 1 << 20), str(path))
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
