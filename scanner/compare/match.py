"""Which registered device each found device is: strong identifiers first, then IP address.

Pass 1 places devices by serial, UUID, MAC or BLE identity address (in that order); pass 2
places the rest by IP address, only on registry rows no device claimed in pass 1. In both
passes an identifier known on both sides that disagrees (serial, UUID, MAC, BLE address,
model, vendor) is recorded as a difference: after a strong match it means the identifiers
contradict each other, after an IP match it means another device sits where the registered
one should be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from scanner.compare.facts import Facts, canonical, canonical_uuid, same_model
from scanner.registry.model import Deployment, RegisteredDevice, Registry

Row = tuple[Deployment, RegisteredDevice]


@dataclass
class Match:
    """One found device and the registry row it is (``reg`` None: not registered)."""

    found: Facts
    dep: Deployment | None = None
    reg: RegisteredDevice | None = None
    matched_by: tuple[str, ...] = ()
    #: identifier -> the registry's value, where it disagrees with what was seen
    diffs: dict[str, str] = field(default_factory=dict)


def _reg_keys(reg: RegisteredDevice) -> Iterator[tuple[str, str]]:
    if reg.serial:
        yield "serial", canonical(reg.serial)
    if reg.uuid:
        yield "uuid", canonical_uuid(reg.uuid)
    if reg.mac:
        yield "mac", reg.mac.lower()
    if reg.ble_address:
        yield "ble_address", reg.ble_address.lower()


def _found_keys(f: Facts) -> Iterator[tuple[str, str]]:
    yield from (("serial", s) for s in sorted(f.serials))
    yield from (("uuid", u) for u in sorted(f.uuids))
    yield from (("mac", m) for m in sorted(f.macs))
    yield from (("ble_address", b) for b in sorted(f.ble))


def _seen(f: Facts, key: str) -> frozenset[str]:
    return {"serial": f.serials, "uuid": f.uuids, "mac": f.macs, "ble_address": f.ble}[key]


def same_vendor(a: str, b: str) -> bool:
    """Vendor names agree if one contains the other's first word (``ZKTeco (ZKSoftware…)``)."""
    x, y = a.casefold(), b.casefold()
    return x.split()[0] in y or y.split()[0] in x


def differences(f: Facts, reg: RegisteredDevice) -> dict[str, str]:
    """Every identifier known on both sides that disagrees, whatever key made the match
    (a vendor named by a cross-vendor signature is no vendor at all, so it is not compared)."""
    diffs = {}
    for key, value in _reg_keys(reg):
        seen = _seen(f, key)
        if seen and value not in seen:
            diffs[key] = getattr(reg, key)
    vendors = tuple(v for v in (reg.vendor, f.vendor) if v)
    if reg.model and f.model and not same_model(reg.model, f.model, vendors):
        diffs["model"] = reg.model
    if reg.vendor and f.vendor and not f.generic and not same_vendor(reg.vendor, f.vendor):
        diffs["vendor"] = reg.vendor
    return diffs


def match_devices(found: list[Facts], registry: Registry) -> list[Match]:
    index: dict[tuple[str, str], Row] = {}
    by_ip: dict[str, Row] = {}
    for dep, reg in registry.devices():
        for key in _reg_keys(reg):
            index.setdefault(key, (dep, reg))
        if reg.ip:
            by_ip.setdefault(reg.ip, (dep, reg))
    claimed: set[str] = set()
    matches = [Match(f) for f in found]
    for m in matches:
        row = next((index[k] for k in _found_keys(m.found) if k in index), None)
        if row is None or row[1].id in claimed:
            continue
        dep, reg = row
        shared = tuple(k for k, v in _reg_keys(reg) if v in _seen(m.found, k))
        m.dep, m.reg, m.matched_by = dep, reg, shared
        m.diffs = differences(m.found, reg)
        claimed.add(reg.id)
    for m in matches:
        if m.reg is not None or (m.found.device_class is not None and not m.found.collector):
            continue
        row = next((by_ip[ip] for ip in m.found.ips if ip in by_ip), None)
        if row is None or row[1].id in claimed:
            continue
        dep, reg = row
        m.dep, m.reg = dep, reg
        m.diffs = differences(m.found, reg)
        m.matched_by = () if m.diffs else ("ip",)
        claimed.add(reg.id)
    return matches
