"""The device table: rotating private addresses count once, stable ones never merge, and a
flood of random addresses cannot grow it past its cap (catalogue case 45)."""

from __future__ import annotations

import tracemalloc

from scanner.lab.ble import adbuild as ad
from scanner.probes.ble.adparse import Advert, parse_ad
from scanner.probes.ble.model import AddressKind, Sighting, address_kind
from scanner.probes.ble.table import DeviceTable, fingerprint

PHONE = parse_ad(ad.flags(0x1A) + ad.manufacturer(0x004C, bytes.fromhex("100501")))
PHONE_NAME = parse_ad(ad.name("Zhang San's phone"))


def seen(
    address: str, kind: AddressKind, advert: Advert = PHONE, at: float = 0.0, rssi: int = -60
) -> Sighting:
    return Sighting(address, kind, advert, rssi, at)


def test_address_kinds_follow_the_top_bits() -> None:
    assert address_kind("4a:00:00:00:00:01", True) is AddressKind.RESOLVABLE
    assert address_kind("1a:00:00:00:00:01", True) is AddressKind.NON_RESOLVABLE
    assert address_kind("e2:00:00:00:00:01", True) is AddressKind.STATIC
    assert address_kind("8a:00:00:00:00:01", True) is AddressKind.UNKNOWN  # reserved 0b10
    assert address_kind("4a:00:00:00:00:01", False) is AddressKind.PUBLIC
    assert address_kind("4a:00:00:00:00:01", None) is AddressKind.UNKNOWN


def test_a_phone_rotating_its_address_is_one_device() -> None:
    table = DeviceTable()
    for i in range(20):
        table.add(seen(f"4a:00:00:00:00:{i:02x}", AddressKind.RESOLVABLE, at=float(i)))
    (phone,) = table.devices()
    assert phone.address_count == 20
    assert len(phone.addresses) == 8  # the most recent are kept
    assert "4a:00:00:00:00:13" in phone.addresses
    assert phone.reports == 20


def test_an_advert_and_its_scan_response_merge_even_with_different_content() -> None:
    table = DeviceTable()
    table.add(seen("4a:00:00:00:00:01", AddressKind.RESOLVABLE))
    table.add(seen("4a:00:00:00:00:01", AddressKind.RESOLVABLE, PHONE_NAME))
    table.add(seen("4a:00:00:00:00:02", AddressKind.RESOLVABLE, PHONE_NAME))  # rotated
    (phone,) = table.devices()
    assert phone.advert.local_name == "Zhang San's phone"
    assert phone.advert.company_ids == (0x004C,)


def test_stable_addresses_with_identical_payloads_stay_two_devices() -> None:
    table = DeviceTable()
    table.add(seen("e2:00:00:00:00:01", AddressKind.STATIC))
    table.add(seen("e2:00:00:00:00:02", AddressKind.STATIC))
    table.add(seen("00:1b:ad:00:00:01", AddressKind.PUBLIC))
    assert len(table) == 3


def test_different_message_types_of_one_vendor_are_different_devices() -> None:
    airpods = parse_ad(ad.manufacturer(0x004C, bytes.fromhex("0719")))
    assert fingerprint(airpods) != fingerprint(PHONE)
    assert fingerprint(parse_ad(b"")) is None
    table = DeviceTable()
    table.add(seen("4a:00:00:00:00:01", AddressKind.RESOLVABLE))
    table.add(seen("5a:00:00:00:00:01", AddressKind.RESOLVABLE, airpods))
    assert len(table) == 2


def test_rssi_is_tracked() -> None:
    table = DeviceTable()
    for rssi in (-80, -60, -70):
        device = table.add(seen("e2:00:00:00:00:01", AddressKind.STATIC, rssi=rssi))
    assert (device.rssi, device.best_rssi) == (-70, -60)


def test_case45_a_flood_of_random_addresses_is_capped_with_bounded_memory() -> None:
    table = DeviceTable(cap=5000)
    real = seen("e2:00:00:00:00:01", AddressKind.STATIC)
    tracemalloc.start()
    try:
        for i in range(100_000):
            address = f"{(i >> 24) & 0x3F:02x}:{(i >> 16) & 0xFF:02x}:{(i >> 8) & 0xFF:02x}:{i & 0xFF:02x}:00:01"
            advert = parse_ad(ad.name(f"flood-{i:06x}"))
            table.add(Sighting(address, AddressKind.NON_RESOLVABLE, advert, -90, float(i)))
            if i % 50 == 0:
                table.add(real)  # a real device keeps advertising during the flood
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table) == 5000
    assert table.evicted > 90_000
    addresses, fingerprints = table.index_sizes()
    assert addresses <= 5000 * 8 and fingerprints <= 5000 * 4
    assert peak < 64 << 20
    assert any(d.key == "addr:e2:00:00:00:00:01" for d in table.devices())
