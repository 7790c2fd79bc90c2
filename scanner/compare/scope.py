"""Whether a sweep looked where a registered device should be (so "not seen" means something).

A run's scope is ``ScanRun.scope``: networks swept and ``!``-prefixed exclusions; entries that
are not networks (a BLE adapter, say) are tags. A device registered with an IP address is
expected only if that address was in scope; one registered by MAC, serial or UUID only is
expected on any network sweep; a BLE-only device only when the run listened to BLE.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from scanner.compare.facts import Facts
from scanner.registry.model import RegisteredDevice

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse(scope: Sequence[str]) -> tuple[list[Network], list[Network], list[str]]:
    include: list[Network] = []
    exclude: list[Network] = []
    tags: list[str] = []
    for entry in scope:
        text = entry.removeprefix("!")
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            tags.append(entry.lower())
            continue
        (exclude if entry.startswith("!") else include).append(net)
    return include, exclude, tags


def expected_in_scope(reg: RegisteredDevice, scope: Sequence[str], found: list[Facts]) -> str:
    """Where the sweep should have seen ``reg`` (an address or the networks); "" if nowhere."""
    include, exclude, tags = _parse(scope)
    if reg.ip:
        ip = ipaddress.ip_address(reg.ip)
        inside = any(ip in n for n in include) and not any(ip in n for n in exclude)
        return reg.ip if inside else ""
    if reg.mac or reg.serial or reg.uuid:
        return ", ".join(str(n) for n in include)
    if reg.ble_address and (any(t.startswith("ble") for t in tags) or any(f.ble for f in found)):
        return "BLE"
    return ""


def address_in_scope(f: Facts, scope: Sequence[str]) -> bool:
    """Whether a sweep of ``scope`` looked where device ``f`` was: one of its IP addresses is
    in scope, or (a Bluetooth-only device) the run listened to BLE."""
    include, exclude, tags = _parse(scope)
    for text in f.ips:
        ip = ipaddress.ip_address(text)
        if any(ip in n for n in include) and not any(ip in n for n in exclude):
            return True
    return not f.ips and bool(f.ble) and any(t.startswith("ble") for t in tags)
