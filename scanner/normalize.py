"""Normalise observation values where they are made (DESIGN.md "Values are normalised").

MAC addresses lowercase ``aa:bb:cc:dd:ee:ff``; BLE company ids ``0x`` + four lowercase hex
digits; BLE UUIDs full lowercase 128-bit strings; BLE payloads ``<id>:<hex>`` with at most 64
octets of lowercase hex; ports and HomeKit categories decimal strings; DNS names lower case
without the root dot (RFC 1035 §2.3.4: at most 253 characters); SNMP OIDs dotted decimal; text
trimmed, control characters removed and length capped. Device bytes are untrusted, so every
value passes here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.errors import InputError

MAX_TEXT = 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_WS = re.compile(r"[\t\n\r]+")
_HEX = re.compile(r"[0-9a-f]+")
BLUETOOTH_BASE_UUID = "-0000-1000-8000-00805f9b34fb"
_MAC_FIELDS = frozenset({"mac.address", "wifi.bssid", "wifi.transmitter", "ble.address"})
_UUID_FIELDS = frozenset({"ble.service_uuid", "ble.service_data_uuid"})
_PORT_FIELDS = frozenset({"tcp.open_port", "udp.open_port"})
_LOWER_FIELDS = frozenset({"http.favicon_md5", "mdns.service_type"})
MAX_PAYLOAD_OCTETS = 64  # BLE manufacturer/service data kept per record
MAX_DNS_NAME = 253
MAX_OID_ARCS = 64
_DNS_NAME = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*"
)
_OID = re.compile(rf"[0-2](?:\.(?:0|[1-9]\d{{0,9}})){{1,{MAX_OID_ARCS - 1}}}")


def clean_text(raw: str, limit: int = MAX_TEXT) -> str:
    """Trim, fold CR/LF/TAB runs into one space, drop other control and bidi characters."""
    if raw.isprintable():  # no control, format or line-break character: nothing to remove
        return raw.strip()[:limit]
    text = _CONTROL.sub("", _WS.sub(" ", raw)).strip()
    return text[:limit]


def mac(raw: str) -> str:
    hexes = re.sub(r"[^0-9a-f]", "", raw.lower())
    if len(hexes) != 12:
        raise InputError(f"not a MAC address: {raw[:40]!r}")
    return ":".join(hexes[i : i + 2] for i in range(0, 12, 2))


def company_id(raw: str) -> str:
    text = raw.strip().lower()
    try:
        number = int(text, 16) if text.startswith("0x") else int(text)
    except ValueError:
        raise InputError(f"not a Bluetooth company id: {raw[:40]!r}") from None
    if not 0 <= number <= 0xFFFF:
        raise InputError(f"Bluetooth company id out of range: {raw[:40]!r}")
    return f"0x{number:04x}"


def uuid128(raw: str) -> str:
    text = raw.strip().lower().removeprefix("0x")
    if len(text) in (4, 8) and _HEX.fullmatch(text):
        return f"{int(text, 16):08x}{BLUETOOTH_BASE_UUID}"
    compact = text.replace("-", "")
    if len(compact) != 32 or not _HEX.fullmatch(compact):
        raise InputError(f"not a Bluetooth UUID: {raw[:40]!r}")
    c = compact
    return f"{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}"


def port(raw: str) -> str:
    text = raw.strip().split("/")[0]
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise InputError(f"not a port number: {raw[:40]!r}")
    return str(int(text))


def dns_name(raw: str) -> str:
    """A DNS name (RFC 1035 §2.3.1 letters, digits, hyphens; underscores as DNS-SD uses them),
    lower case, without the root dot."""
    text = raw.strip().lower().removesuffix(".")
    if not text or len(text) > MAX_DNS_NAME or not _DNS_NAME.fullmatch(text):
        raise InputError(f"not a DNS name: {clean_text(raw, 40)!r}")
    return text


def oid(raw: str) -> str:
    """An object identifier in dotted decimal (X.660: first arc 0-2), at most 64 arcs."""
    text = raw.strip().removeprefix(".")
    if not _OID.fullmatch(text):
        raise InputError(f"not an OID: {clean_text(raw, 40)!r}")
    return text


def decimal(raw: str, limit: int = 0xFFFF) -> str:
    """A small non-negative integer as a decimal string (no sign, no leading zeros)."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 5) or int(text) > limit:
        raise InputError(f"not a number from 0 to {limit}: {clean_text(raw, 40)!r}")
    return str(int(text))


def ble_payload(raw: str, key: str) -> str:
    """``<key>:<hex>`` with the key normalised (a company id or a UUID) and at most 64 octets of
    lowercase hex: ``ble.manufacturer_data`` (``0x004c:0215…``), ``ble.service_data``."""
    head, sep, body = raw.strip().rpartition(":")
    hexes = body.lower()
    if not sep or len(hexes) % 2 or len(hexes) > 2 * MAX_PAYLOAD_OCTETS:
        raise InputError(f"not a BLE payload: {clean_text(raw, 40)!r}")
    if hexes and not _HEX.fullmatch(hexes):
        raise InputError(f"not a BLE payload: {clean_text(raw, 40)!r}")
    ident = company_id(head) if key == "company" else uuid128(head)
    return f"{ident}:{hexes}"


def normalize(field: str, raw: str) -> str:
    """The canonical form of ``raw`` for ``field``; raises InputError if it cannot have one."""
    if field in _MAC_FIELDS:
        return mac(raw)
    if field == "ble.company_id":
        return company_id(raw)
    if field in _UUID_FIELDS:
        return uuid128(raw)
    if field in _PORT_FIELDS:
        return port(raw)
    if special := _SPECIAL.get(field):
        return special(raw)
    text = clean_text(raw)
    return text.lower() if field in _LOWER_FIELDS else text


def _service_data(raw: str) -> str:
    return ble_payload(raw, "uuid")


def _manufacturer_data(raw: str) -> str:
    return ble_payload(raw, "company")


_SPECIAL: dict[str, Callable[[str], str]] = {
    "dns.query": dns_name,
    "snmp.sys_object_id": oid,
    "homekit.category": decimal,
    "ble.service_data": _service_data,
    "ble.manufacturer_data": _manufacturer_data,
}
