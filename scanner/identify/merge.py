"""Merge observations of one device that arrive under different subjects.

Probes report links: ARP/ND put an ``ip.address`` under a ``mac:`` subject, SADP/DHIP/UPnP
report serials, UUIDs (UPnP UDN, WS-Discovery endpoint), MACs and IPs under whatever subject
they saw. Two subjects are one device when
they share a strong identifier (MAC, serial, UUID, BLE identity) or when one names the other's
address (``ip.address`` under ``mac:…`` links to ``ip:…``). A subject's own prefix is a
statement too: ``mac:aa:…`` has that MAC.

An address is weaker than an identifier: two devices with different MACs that answer on one IP
(factory-default cameras all at 192.168.1.64, an address conflict) stay two devices; what was
said under the shared ``ip:`` subject joins the first of them.

An IPv6 link-local address formed from a MAC (its interface id the modified EUI-64 of the MAC,
RFC 4291 section 2.5.1 and appendix A: ``ff:fe`` in the middle, the universal/local bit
flipped) links whoever reports it to that MAC, with the same care: never onto a device that
has another MAC. So a camera seen by neighbour discovery (``mac:…`` at ``fe80::…``) and by
WS-Discovery (an endpoint UUID, an IPv4 and that link-local address) is one device.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable

from scanner.models import Observation

#: field → identity namespace; two subjects with equal (namespace, value) are one device.
LINK_FIELDS = {
    "mac.address": "mac",
    "mdns.txt.macaddress": "mac",
    "ip.address": "ip",
    "ble.address": "ble",
    "sadp.serial": "serial",
    "dhip.serial": "serial",
    "upnp.serial": "serial",
    "onvif.serial": "serial",
    "upnp.udn": "uuid",
    "wsd.endpoint": "uuid",
}
_SUBJECT_FIELDS = {"mac": "mac.address", "ip": "ip.address", "ble": "ble.address"}
#: Preference for a device's id: the most stable identifier first.
_ID_ORDER = ("mac", "serial", "uuid", "ble", "ip")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grand = self.parent[parent]
            self.parent[item] = grand
            item, parent = parent, grand
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def subject_observations(subject: str) -> list[Observation]:
    """What a subject's own name says (``mac:aa:…`` → mac.address), as observations."""
    kind, _, value = subject.partition(":")
    field = _SUBJECT_FIELDS.get(kind)
    return [Observation(subject, field, value, source="subject")] if field and value else []


def link_local_of(mac: str) -> str:
    """The link-local IPv6 address a host forms from ``mac`` (modified EUI-64, RFC 4291 A)."""
    b = bytearray(int(x, 16) for x in mac.split(":"))
    b[0] ^= 0x02  # the universal/local bit, inverted
    return str(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + bytes([*b[:3], 0xFF, 0xFE, *b[3:]])))


def eui64_mac(address: str) -> str | None:
    """The MAC a link-local IPv6 address was formed from (modified EUI-64), if it was."""
    try:
        ip = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return None
    raw = ip.packed
    if not ip.is_link_local or raw[2:8] != bytes(6) or raw[11:13] != b"\xff\xfe":
        return None
    mac = bytes([raw[8] ^ 0x02, *raw[9:11], *raw[13:16]])
    return ":".join(f"{b:02x}" for b in mac)


def link_key(obs: Observation) -> str | None:
    kind = LINK_FIELDS.get(obs.field)
    if kind is None:
        return None
    value = obs.value.lower()
    if kind == "uuid":  # UPnP UDNs and WS-Discovery addresses carry their own scheme
        value = value.removeprefix("urn:").removeprefix("uuid:")
    return f"{kind}:{value}"


def group(observations: Iterable[Observation]) -> list[tuple[tuple[str, ...], list[Observation]]]:
    """Group observations into devices: ``[(subjects, observations)]`` in first-seen order."""
    uf = _UnionFind()
    by_subject: dict[str, list[Observation]] = defaultdict(list)
    addresses: list[tuple[str, str]] = []
    for obs in observations:
        if obs.subject not in by_subject:
            by_subject[obs.subject].extend(subject_observations(obs.subject))
            uf.find(obs.subject)
        by_subject[obs.subject].append(obs)
        key = link_key(obs)
        if key is None:
            continue
        if key.startswith("ip:"):
            addresses.append((obs.subject, key))
            mac = eui64_mac(obs.value)
            if mac is not None:
                addresses.append((obs.subject, f"mac:{mac}"))
        else:
            uf.union(obs.subject, key)
    _link_addresses(uf, by_subject, addresses)
    members: dict[str, list[str]] = defaultdict(list)
    for subject in by_subject:
        members[uf.find(subject)].append(subject)
    return [
        (tuple(subjects), [o for s in subjects for o in by_subject[s]])
        for subjects in members.values()
    ]


def _link_addresses(
    uf: _UnionFind, by_subject: dict[str, list[Observation]], addresses: list[tuple[str, str]]
) -> None:
    """Join subjects through a shared IP, unless that would give one device two MACs."""
    macs: dict[str, set[str]] = defaultdict(set)
    for subject, obs in by_subject.items():
        for o in obs:
            if LINK_FIELDS.get(o.field) == "mac":
                macs[uf.find(subject)].add(o.value.lower())
    for subject, key in addresses:
        a, b = uf.find(subject), uf.find(key)
        if a == b or (macs[a] and macs[b] and macs[a] != macs[b]):
            continue
        uf.union(a, b)
        root = uf.find(a)
        macs[root] = macs[a] | macs[b]


def device_id(subjects: tuple[str, ...], observations: list[Observation]) -> str:
    """A readable, stable id: the device's MAC if it has one, else serial, BLE, IP, subject."""
    keys = {k for o in observations if (k := link_key(o))}
    for kind in _ID_ORDER:
        found = sorted(k for k in keys if k.startswith(kind + ":"))
        if found:
            return found[0]
    return min(subjects)
