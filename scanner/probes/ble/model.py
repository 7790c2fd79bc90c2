"""What a BLE backend reports: one :class:`Sighting` per advertising report.

Address kinds (Core Specification v5.4, Vol 6, Part B, §1.3 "Device address"): a public
address is IEEE-assigned and fixed; a random address's two most significant bits say which
random kind it is: ``0b11`` static (fixed until power cycle), ``0b01`` resolvable private
(RPA: rotated, typically every 15 minutes, resolvable only with the owner's IRK) and ``0b00``
non-resolvable private (rotated, never resolvable). Phones, earbuds and watches use private
addresses precisely so they cannot be followed; biosweep groups them by payload instead
(:mod:`scanner.probes.ble.table`) and never keeps them raw (:mod:`scanner.probes.ble.privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scanner.errors import InputError
from scanner.normalize import clean_text, mac
from scanner.probes.ble.adparse import Advert


class AddressKind(StrEnum):
    PUBLIC = "public"
    STATIC = "random-static"
    RESOLVABLE = "random-resolvable"
    NON_RESOLVABLE = "random-non-resolvable"
    #: The OS stack does not say (CoreBluetooth gives a per-host UUID, not the address).
    UNKNOWN = "unknown"

    @property
    def rotates(self) -> bool:
        """Private addresses change over time; one device shows up under many."""
        return self in (AddressKind.RESOLVABLE, AddressKind.NON_RESOLVABLE)


_RANDOM_KINDS = {0b11: AddressKind.STATIC, 0b01: AddressKind.RESOLVABLE}


def address_kind(address: str, random: bool | None) -> AddressKind:
    """The kind of a normalised address; ``random`` is the report's address type (None when
    the stack does not report one)."""
    if random is None or len(address) != 17:
        return AddressKind.UNKNOWN
    if not random:
        return AddressKind.PUBLIC
    top = int(address[:2], 16) >> 6
    if top == 0b00:
        return AddressKind.NON_RESOLVABLE
    return _RANDOM_KINDS.get(top, AddressKind.UNKNOWN)  # 0b10 is reserved


def normal_address(raw: str) -> str:
    """``aa:bb:cc:dd:ee:ff`` for a Bluetooth address; other stack identifiers (CoreBluetooth
    UUIDs) are kept as inert lowercase text, capped."""
    try:
        return mac(raw)
    except InputError:
        return clean_text(raw, 64).lower()


@dataclass(frozen=True, slots=True)
class Sighting:
    """One advertising report: who (address and its kind), what (the parsed advert), how loud
    (RSSI in dBm, None when the controller did not measure it) and when (monotonic seconds)."""

    address: str
    kind: AddressKind
    advert: Advert
    rssi: int | None = None
    at: float = 0.0
    scan_response: bool = False

    @property
    def is_mac(self) -> bool:
        return len(self.address) == 17 and self.address.count(":") == 5
