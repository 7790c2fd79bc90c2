"""Normalise observation values where they are made (DESIGN.md "Values are normalised").

MAC addresses lowercase ``aa:bb:cc:dd:ee:ff``; BLE company ids ``0x`` + four lowercase hex
digits; BLE UUIDs full lowercase 128-bit strings; ports decimal strings; text trimmed, control
characters removed and length capped. Device bytes are untrusted, so every value passes here.
"""

from __future__ import annotations

import re

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
    text = clean_text(raw)
    return text.lower() if field in _LOWER_FIELDS else text
