"""Advertising Data builders: the bytes a real advertiser puts on the air.

The inverse of :mod:`scanner.probes.ble.adparse` (same references: Core Specification v5.4
Vol 3 Part C §11 for the structure format, Core Specification Supplement Part A for each AD
type). Used by the lab's virtual advertisers and by the parser's round-trip tests
(catalogue case 69); :func:`raw` writes any length byte, for hostile payloads.
"""

from __future__ import annotations

import uuid as uuidlib

from scanner.normalize import BLUETOOTH_BASE_UUID, uuid128
from scanner.probes.ble.adparse import Advert


def raw(ad_type: int, data: bytes, length: int | None = None) -> bytes:
    """One AD structure; ``length`` overrides the length octet (to build broken ones)."""
    size = len(data) + 1 if length is None else length
    return bytes([size & 0xFF, ad_type & 0xFF]) + data


def flags(value: int = 0x06) -> bytes:
    """Flags: 0x06 = LE General Discoverable, BR/EDR not supported (CSS Part A §1.3)."""
    return raw(0x01, bytes([value]))


def name(text: str, complete: bool = True) -> bytes:
    return raw(0x09 if complete else 0x08, text.encode("utf-8"))


def tx_power(dbm: int) -> bytes:
    return raw(0x0A, dbm.to_bytes(1, "little", signed=True))


def appearance(value: int) -> bytes:
    return raw(0x19, value.to_bytes(2, "little"))


def manufacturer(company: int, payload: bytes = b"") -> bytes:
    return raw(0xFF, company.to_bytes(2, "little") + payload)


def uuid_le(text: str) -> bytes:
    """A UUID's AD form: 2 octets for a Bluetooth base UUID under 0x10000, 4 above, else 16."""
    full = uuid128(text)
    if full.endswith(BLUETOOTH_BASE_UUID):
        short = int(full[:8], 16)
        return short.to_bytes(2 if short < 0x10000 else 4, "little")
    return uuidlib.UUID(full).bytes[::-1]


def uuids(*texts: str) -> bytes:
    """Complete service UUID lists, one per UUID size present."""
    by_size: dict[int, bytes] = {}
    for text in texts:
        encoded = uuid_le(text)
        by_size[len(encoded)] = by_size.get(len(encoded), b"") + encoded
    types = {2: 0x03, 4: 0x05, 16: 0x07}
    return b"".join(raw(types[size], data) for size, data in sorted(by_size.items()))


def service_data(text: str, payload: bytes = b"") -> bytes:
    encoded = uuid_le(text)
    return raw({2: 0x16, 4: 0x20, 16: 0x21}[len(encoded)], encoded + payload)


def build(advert: Advert) -> bytes:
    """Bytes that :func:`~scanner.probes.ble.adparse.parse_ad` turns back into ``advert``
    (for a well-formed advert)."""
    out = b""
    if advert.flags is not None:
        out += flags(advert.flags)
    if advert.local_name is not None:
        out += name(advert.local_name, advert.name_complete)
    if advert.tx_power is not None:
        out += tx_power(advert.tx_power)
    if advert.appearance is not None:
        out += appearance(advert.appearance)
    out += uuids(*advert.service_uuids) if advert.service_uuids else b""
    for text, payload in advert.service_data:
        out += service_data(text, payload)
    for company, payload in advert.manufacturer:
        out += manufacturer(company, payload)
    return out
