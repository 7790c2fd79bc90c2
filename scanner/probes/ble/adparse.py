"""Bluetooth LE Advertising Data (AD) parsing: our own, bounded and tolerant.

Format (Core Specification v5.4, Vol 3, Part C, §11 "Advertising and Scan Response Data
Format"): a sequence of AD structures, each ``Length`` (1 octet, counting the type and the
data), ``AD Type`` (1 octet) and ``AD Data`` (``Length − 1`` octets). "If the Length field is
set to zero, then the Data field has zero octets. This shall only occur to allow an early
termination", so a zero length ends parsing and zero padding is ignored (catalogue case 40).

AD types and their data (Core Specification Supplement v11, Part A; numbers from Bluetooth SIG
Assigned Numbers §2.3 "Common Data Types"): 0x01 Flags (§1.3), 0x02–0x07 16/32/128-bit service
UUID lists (§1.1), 0x08/0x09 shortened/complete local name (§1.2), 0x0A TX power level, a
signed octet in dBm (§1.5), 0x16/0x20/0x21 service data for 16/32/128-bit UUIDs (§1.11), 0x19
Appearance, a little-endian uint16 (§1.12), 0xFF manufacturer specific data: a little-endian
company identifier then vendor bytes (§1.4). Multi-octet fields are little-endian; 16- and
32-bit UUIDs stand for ``0000xxxx-0000-1000-8000-00805f9b34fb`` (Core Vol 3 Part B §2.5.1,
the Bluetooth Base UUID).

Every byte is untrusted (a spoofer or a broken firmware sent it), so: at most
:data:`MAX_AD_BYTES` are read (the extended-advertising maximum, Core Vol 4 Part E §7.8.57);
a structure longer than what is left is dropped and the advert flagged malformed, keeping the
structures before it (case 41); manufacturer data shorter than a company id is skipped (42);
a UUID list whose length is not a multiple of the UUID size keeps the whole UUIDs (43); lists
and payloads are capped. The parser never raises: a broken advert is still evidence of a
device, with ``malformed`` set and the problems listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from scanner.errors import InputError
from scanner.normalize import BLUETOOTH_BASE_UUID, clean_text, uuid128

T = TypeVar("T")

#: Largest advertising payload a controller reports (extended advertising, 1650 octets).
MAX_AD_BYTES = 1650
#: Entries kept per list (UUIDs, manufacturer records, service data records).
MAX_ENTRIES = 32
#: Octets kept of one manufacturer or service data payload.
MAX_PAYLOAD = 64
#: A local name is at most 248 octets on the air (the GAP Device Name characteristic's
#: limit); at most 64 characters of it are kept, after cleaning (a name long enough to carry
#: anything but a name is a payload, and the report has no use for it).
MAX_NAME_OCTETS = 248
MAX_NAME = 64
MAX_PROBLEMS = 8

AD_FLAGS = 0x01
AD_NAME_SHORT = 0x08
AD_NAME_COMPLETE = 0x09
AD_TX_POWER = 0x0A
AD_APPEARANCE = 0x19
AD_MANUFACTURER = 0xFF
#: AD type → UUID size in octets, for the service UUID lists (incomplete and complete).
UUID_LISTS = {0x02: 2, 0x03: 2, 0x04: 4, 0x05: 4, 0x06: 16, 0x07: 16}
#: AD type → UUID size in octets, for service data.
SERVICE_DATA = {0x16: 2, 0x20: 4, 0x21: 16}


@dataclass(frozen=True, slots=True)
class Advert:
    """What one advertisement (or an advert merged with its scan response) says."""

    local_name: str | None = None
    name_complete: bool = False
    flags: int | None = None
    tx_power: int | None = None
    appearance: int | None = None
    manufacturer: tuple[tuple[int, bytes], ...] = ()
    service_uuids: tuple[str, ...] = ()
    service_data: tuple[tuple[str, bytes], ...] = ()
    malformed: bool = False
    problems: tuple[str, ...] = ()

    @property
    def company_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(cid for cid, _ in self.manufacturer))

    def merged(self, other: Advert) -> Advert:
        """This advert with ``other`` (its scan response, or a later advert) folded in."""
        name, complete = self.local_name, self.name_complete
        if other.local_name and (not name or (other.name_complete and not complete)):
            name, complete = other.local_name, other.name_complete
        return Advert(
            local_name=name,
            name_complete=complete,
            flags=other.flags if other.flags is not None else self.flags,
            tx_power=other.tx_power if other.tx_power is not None else self.tx_power,
            appearance=other.appearance if other.appearance is not None else self.appearance,
            manufacturer=_capped(self.manufacturer + other.manufacturer),
            service_uuids=_capped(self.service_uuids + other.service_uuids),
            service_data=_capped(self.service_data + other.service_data),
            malformed=self.malformed or other.malformed,
            problems=tuple(dict.fromkeys(self.problems + other.problems))[:MAX_PROBLEMS],
        )


def _capped(items: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))[:MAX_ENTRIES]


def uuid_from_le(raw: bytes) -> str:
    """A UUID from its little-endian AD form (2, 4 or 16 octets) as full 128-bit text."""
    value = raw[::-1].hex()
    if len(raw) in (2, 4):
        return f"{int(value, 16):08x}{BLUETOOTH_BASE_UUID}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def decode_name(raw: bytes) -> str:
    """A local name as inert text: invalid UTF-8 replaced, controls removed, then capped at
    :data:`MAX_NAME` characters."""
    return clean_text(raw[:MAX_NAME_OCTETS].decode("utf-8", errors="replace"), MAX_NAME)


@dataclass
class _Builder:
    names: dict[bool, str] = field(default_factory=dict)
    flags: int | None = None
    tx_power: int | None = None
    appearance: int | None = None
    manufacturer: list[tuple[int, bytes]] = field(default_factory=list)
    uuids: list[str] = field(default_factory=list)
    service_data: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS and text not in self.problems:
            self.problems.append(text)

    def structure(self, ad_type: int, data: bytes) -> None:
        if ad_type in UUID_LISTS:
            self._uuids(UUID_LISTS[ad_type], data)
        elif ad_type in SERVICE_DATA:
            self._service_data(SERVICE_DATA[ad_type], data)
        elif ad_type in (AD_NAME_SHORT, AD_NAME_COMPLETE):
            name = decode_name(data)
            if name:
                self.names.setdefault(ad_type == AD_NAME_COMPLETE, name)
        elif ad_type == AD_MANUFACTURER:
            self._manufacturer(data)
        else:
            self._scalar(ad_type, data)

    def _scalar(self, ad_type: int, data: bytes) -> None:
        if ad_type == AD_FLAGS and data:
            self.flags = data[0]
        elif ad_type == AD_TX_POWER and len(data) == 1:
            self.tx_power = int.from_bytes(data, "little", signed=True)
        elif ad_type == AD_APPEARANCE and len(data) == 2:
            self.appearance = int.from_bytes(data, "little")
        elif ad_type in (AD_FLAGS, AD_TX_POWER, AD_APPEARANCE):
            self.problem(f"AD type 0x{ad_type:02x} with {len(data)} data octets")

    def _uuids(self, size: int, data: bytes) -> None:
        whole = len(data) - len(data) % size
        if whole != len(data):
            self.problem(f"{size * 8}-bit UUID list of {len(data)} octets: partial UUID dropped")
        for i in range(0, whole, size):
            if len(self.uuids) < MAX_ENTRIES:
                self.uuids.append(uuid_from_le(data[i : i + size]))

    def _service_data(self, size: int, data: bytes) -> None:
        if len(data) < size:
            self.problem(f"{size * 8}-bit service data of {len(data)} octets: no UUID")
        elif len(self.service_data) < MAX_ENTRIES:
            self.service_data.append((uuid_from_le(data[:size]), data[size:][:MAX_PAYLOAD]))

    def _manufacturer(self, data: bytes) -> None:
        if len(data) < 2:
            self.problem(f"manufacturer data of {len(data)} octets: no company id")
        elif len(self.manufacturer) < MAX_ENTRIES:
            company = int.from_bytes(data[:2], "little")
            self.manufacturer.append((company, data[2:][:MAX_PAYLOAD]))

    def build(self) -> Advert:
        complete = True in self.names
        return Advert(
            local_name=self.names.get(True, self.names.get(False)),
            name_complete=complete,
            flags=self.flags,
            tx_power=self.tx_power,
            appearance=self.appearance,
            manufacturer=_capped(tuple(self.manufacturer)),
            service_uuids=_capped(tuple(self.uuids)),
            service_data=_capped(tuple(self.service_data)),
            malformed=bool(self.problems),
            problems=tuple(self.problems),
        )


def parse_ad(data: bytes) -> Advert:
    """Parse advertising or scan-response data; never raises (see the module docstring)."""
    out = _Builder()
    if len(data) > MAX_AD_BYTES:
        out.problem(f"{len(data)} octets of advertising data: cut at {MAX_AD_BYTES}")
        data = data[:MAX_AD_BYTES]
    offset = 0
    while offset < len(data):
        length = data[offset]
        if length == 0:
            break  # early termination (Core Vol 3 Part C §11); the rest is padding
        end = offset + 1 + length
        if end > len(data):
            out.problem(f"AD structure of length {length} at octet {offset} runs past the end")
            break
        out.structure(data[offset + 1], data[offset + 2 : end])
        offset = end
    return out.build()


def advert_from_fields(
    *,
    local_name: str | None = None,
    manufacturer: dict[int, bytes] | None = None,
    service_uuids: list[str] | None = None,
    service_data: dict[str, bytes] | None = None,
    tx_power: int | None = None,
    appearance: int | None = None,
) -> Advert:
    """An :class:`Advert` from an OS stack's already-decoded fields (bleak gives no raw
    bytes), held to the same caps and normal forms as :func:`parse_ad`."""
    out = _Builder()
    if local_name:
        name = decode_name(local_name.encode("utf-8", errors="replace"))
        if name:
            out.names[True] = name
    for company, payload in list((manufacturer or {}).items())[:MAX_ENTRIES]:
        if 0 <= company <= 0xFFFF:
            out.manufacturer.append((company, bytes(payload[:MAX_PAYLOAD])))
    for text in (service_uuids or [])[:MAX_ENTRIES]:
        if (uuid := _uuid(out, text)) is not None:
            out.uuids.append(uuid)
    for text, payload in list((service_data or {}).items())[:MAX_ENTRIES]:
        if (uuid := _uuid(out, text)) is not None:
            out.service_data.append((uuid, bytes(payload[:MAX_PAYLOAD])))
    if tx_power is not None and -127 <= tx_power <= 127:
        out.tx_power = tx_power
    if appearance is not None and 0 <= appearance <= 0xFFFF:
        out.appearance = appearance
    return out.build()


def _uuid(out: _Builder, text: str) -> str | None:
    try:
        return uuid128(str(text)[:64])
    except InputError:
        out.problem(f"not a UUID: {clean_text(str(text), 40)!r}")
        return None
