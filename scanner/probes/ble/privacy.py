"""Privacy of BLE sweeps: site-scoped hashes, withheld names, capped BLE claims.

A sweep in an office hears every phone, earbud and watch in range. Personal information
protection (PIPL Art. 6: collection limited to the minimum necessary; SAFETY-CATALOGUE cases
45, 46, 67) means:

- **Subjects are hashes.** A BLE device's subject is ``ble:h-`` + 16 hex digits of
  HMAC-SHA256(site salt, device key): the same device gets the same id at the same site (so
  runs compare), another site's ids cannot be linked to it, and the id reveals no address. The
  salt is random, kept per site in the state directory (mode 0600) and replaced after
  :data:`SALT_TTL`, after which old ids no longer link either.
- **Non-collectors keep only the hash.** After identification, :func:`apply_policy` strips
  every raw address, local name, manufacturer and service-data payload from devices that are
  not collectors (the observations, the addresses and the evidence values), keeping the hash,
  company ids, service UUIDs and appearance (what a product is, not whose it is).
- **A BLE claim alone is at most medium.** Anyone can advertise a vendor's company id and a
  product name (BLE advertisements are unauthenticated), so an identification whose evidence is
  all ``ble.*`` is capped at ``medium`` certainty (signatures/README.md "Certainty").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.errors import InputError
from scanner.inputs import load_json, read_input
from scanner.models import Certainty, Device, Evidence, Identification

HASH_PREFIX = "h-"
SALT_TTL = timedelta(days=30)
SALT_FILE = "ble-salts.json"
STATE_ENV = "BIOSWEEP_STATE_DIR"
#: Fields that can identify a person's device: never kept for a non-collector.
PRIVATE_FIELDS = frozenset(
    {"ble.address", "ble.local_name", "ble.manufacturer_data", "ble.service_data"}
)
WITHHELD = "(withheld: not a collector)"


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


def apply_policy(devices: Iterable[Device]) -> list[Device]:
    """Cap BLE-only claims, then strip personal data from BLE devices that are not collectors.
    Devices without BLE evidence pass unchanged."""
    out = []
    for device in devices:
        capped = cap_ble_claims(device)
        out.append(redact(capped) if not capped.is_collector and _is_ble(capped) else capped)
    return out


def _is_ble(device: Device) -> bool:
    return any(s.startswith("ble:") for s in device.subjects)


def _ble_only(ident: Identification) -> bool:
    return bool(ident.evidence) and all(e.field.startswith("ble.") for e in ident.evidence)


def cap_ble_claims(device: Device) -> Device:
    """Identifications resting on BLE evidence alone, lowered to medium certainty at most;
    re-ranked by confidence (ties keep the engine's order)."""
    capped = tuple(
        replace(i, certainty=Certainty.MEDIUM, confidence=Certainty.MEDIUM.confidence)
        if _ble_only(i) and i.confidence > Certainty.MEDIUM.confidence
        else i
        for i in device.identifications
    )
    if capped == device.identifications:
        return device
    ranked = tuple(sorted(capped, key=lambda i: -i.confidence))
    return replace(device, identifications=ranked)


def redact(device: Device) -> Device:
    """The device as a non-collector may be kept: hashed ids, no address, name or payload."""
    subjects = tuple(s for s in device.subjects if not _raw_ble(s))
    hashed = [s for s in subjects if s.startswith("ble:" + HASH_PREFIX)]
    device_id = device.id if not _raw_ble(device.id) else (hashed[0] if hashed else "ble:")
    return replace(
        device,
        id=device_id,
        subjects=subjects,
        ble=tuple(b for b in device.ble if b.startswith(HASH_PREFIX)),
        observations=tuple(
            o
            for o in device.observations
            if o.field not in PRIVATE_FIELDS or o.value.startswith(HASH_PREFIX)
        ),
        identifications=tuple(_withhold(i) for i in device.identifications),
    )


def _raw_ble(subject: str) -> bool:
    return subject.startswith("ble:") and not subject.startswith("ble:" + HASH_PREFIX)


def _withhold(ident: Identification) -> Identification:
    if not any(e.field in PRIVATE_FIELDS for e in ident.evidence):
        return ident
    evidence: Sequence[Evidence] = tuple(
        replace(e, value=WITHHELD) if e.field in PRIVATE_FIELDS else e for e in ident.evidence
    )
    return replace(ident, evidence=tuple(evidence), attributes=())
