"""The device table of one BLE scan: sightings → devices, bounded.

A device is keyed by its address when the address is stable (public, static random, or a
platform identifier), and by a *payload fingerprint* when it is private (resolvable or
non-resolvable, :class:`~scanner.probes.ble.model.AddressKind`): a phone that rotates its
address keeps sending the same name, company ids, message types and service UUIDs, so the
new address lands on the same device instead of counting as a new one. An address already
seen (an advert and its scan response) always lands where it did before.

The table is an LRU of at most ``cap`` devices (catalogue case 45: 100,000 random addresses
a minute must not grow memory without bound); each device keeps at most
:data:`MAX_ADDRESSES` addresses and :data:`MAX_FINGERPRINTS` fingerprints, and the indexes
shrink with every eviction. Nothing here is persisted.

Trade-off: two devices with identical anonymous payloads (two iPhones of one model showing no
name) share a fingerprint and count as one; biosweep prefers undercounting phones to tracking
their owners.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

from scanner.probes.ble.adparse import Advert
from scanner.probes.ble.model import AddressKind, Sighting

DEFAULT_CAP = 5000
MAX_ADDRESSES = 8
MAX_FINGERPRINTS = 4


def fingerprint(advert: Advert) -> str | None:
    """The stable part of one advert, hashed; None when it says nothing (an empty advert
    cannot tell one device from another)."""
    parts = [
        advert.local_name or "",
        ",".join(f"{cid:04x}:{payload[:1].hex()}" for cid, payload in advert.manufacturer),
        ",".join(sorted(advert.service_uuids)),
        ",".join(sorted(uuid for uuid, _ in advert.service_data)),
        "" if advert.appearance is None else f"{advert.appearance:04x}",
    ]
    if not any(parts):
        return None
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:24]


@dataclass
class TrackedDevice:
    """Everything one scan learned about one device (merged across its reports)."""

    key: str
    kind: AddressKind
    advert: Advert
    first_seen: float
    last_seen: float
    #: the most recent addresses (insertion order), at most MAX_ADDRESSES
    addresses: dict[str, None] = field(default_factory=dict)
    #: addresses seen in all (a rotating device shows more than it keeps)
    address_count: int = 0
    fingerprints: set[str] = field(default_factory=set)
    rssi: int | None = None
    best_rssi: int | None = None
    reports: int = 0
    malformed: int = 0

    def add(self, s: Sighting) -> None:
        self.advert = self.advert.merged(s.advert)
        self.last_seen = max(self.last_seen, s.at)
        self.reports += 1
        self.malformed += s.advert.malformed
        if s.rssi is not None:
            self.rssi = s.rssi
            self.best_rssi = s.rssi if self.best_rssi is None else max(self.best_rssi, s.rssi)


class DeviceTable:
    """Sightings grouped into devices, at most ``cap`` of them (least recently seen go)."""

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        self.cap = max(1, cap)
        self._devices: OrderedDict[str, TrackedDevice] = OrderedDict()
        self._by_address: dict[str, str] = {}
        self._by_fingerprint: dict[str, str] = {}
        self.evicted = 0
        self.reports = 0

    def __len__(self) -> int:
        return len(self._devices)

    def devices(self) -> list[TrackedDevice]:
        """Devices, least recently seen first."""
        return list(self._devices.values())

    def add(self, s: Sighting) -> TrackedDevice:
        """Fold one sighting in and return the device it belongs to."""
        self.reports += 1
        fp = fingerprint(s.advert) if s.kind.rotates else None
        key = self._by_address.get(s.address) or (fp and self._by_fingerprint.get(fp))
        device = self._devices.get(key) if key else None
        if device is None:
            key = f"fp:{fp}" if fp else f"addr:{s.address}"
            device = self._devices.get(key) or TrackedDevice(key, s.kind, Advert(), s.at, s.at)
            self._devices[key] = device
        self._devices.move_to_end(device.key)
        self._remember(device, s.address, fp)
        device.add(s)
        while len(self._devices) > self.cap:
            self._evict()
        return device

    def _remember(self, device: TrackedDevice, address: str, fp: str | None) -> None:
        if address not in device.addresses:
            if len(device.addresses) >= MAX_ADDRESSES:  # keep the most recent addresses
                oldest = next(iter(device.addresses))
                del device.addresses[oldest]
                if self._by_address.get(oldest) == device.key:
                    del self._by_address[oldest]
            device.addresses[address] = None
            device.address_count += 1
            self._by_address[address] = device.key
        if fp and fp not in device.fingerprints and len(device.fingerprints) < MAX_FINGERPRINTS:
            device.fingerprints.add(fp)
            self._by_fingerprint[fp] = device.key

    def _evict(self) -> None:
        _, old = self._devices.popitem(last=False)
        self.evicted += 1
        for address in old.addresses:
            if self._by_address.get(address) == old.key:
                del self._by_address[address]
        for fp in old.fingerprints:
            if self._by_fingerprint.get(fp) == old.key:
                del self._by_fingerprint[fp]

    def index_sizes(self) -> tuple[int, int]:
        """(addresses, fingerprints) held in the indexes: bounded by the cap."""
        return len(self._by_address), len(self._by_fingerprint)
