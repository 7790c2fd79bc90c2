"""Which device of one run is which device of another: the one pairing rule.

``sweep --previous`` (new and gone since the last run), ``history diff`` and the watch alerts
all ask it, so they can never disagree about what is new. Devices pair, one to one, in two
passes:

1. by a strong identifier they share: device id, serial, ONVIF/UPnP UUID, MAC, BLE identity
   address;
2. then by a shared IP address, only among devices left unpaired and only where one side has
   no strong identifier (it cannot contradict the other). Two devices that each carry strong
   identifiers and share none are different devices, even at one address: that is a swap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.compare.facts import Facts


@dataclass(frozen=True, slots=True)
class Pairing:
    """Indices into ``before`` and ``after``: paired, only in ``after``, only in ``before``."""

    pairs: tuple[tuple[int, int], ...]
    added: tuple[int, ...]
    removed: tuple[int, ...]


def strong_keys(f: Facts) -> list[str]:
    """The identifiers that name one device whatever its address."""
    return [
        f"id:{f.id}",
        *(f"serial:{s}" for s in sorted(f.serials)),
        *(f"uuid:{u}" for u in sorted(f.uuids)),
        *(f"mac:{m}" for m in sorted(f.macs)),
        *(f"ble:{b}" for b in sorted(f.ble)),
    ]


def _index(keys: list[list[str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for n, ks in enumerate(keys):
        for k in ks:
            out.setdefault(k, n)
    return out


def pair(before: Sequence[Facts], after: Sequence[Facts]) -> Pairing:
    """Pair ``after``'s devices with ``before``'s, each used at most once (see module doc)."""
    used: set[int] = set()
    matched: dict[int, int] = {}
    strong = _index([strong_keys(b) for b in before])
    for j, a in enumerate(after):
        hit = next(
            (strong[k] for k in strong_keys(a) if k in strong and strong[k] not in used), None
        )
        if hit is not None:
            used.add(hit)
            matched[j] = hit
    by_ip: dict[str, int] = {}
    for n, b in enumerate(before):
        if n not in used:
            for ip in b.ips:
                by_ip.setdefault(ip, n)
    for j, a in enumerate(after):
        if j in matched:
            continue
        hit = next(
            (
                by_ip[ip]
                for ip in a.ips
                if ip in by_ip
                and by_ip[ip] not in used
                and not (a.strong and before[by_ip[ip]].strong)
            ),
            None,
        )
        if hit is not None:
            used.add(hit)
            matched[j] = hit
    pairs = tuple((matched[j], j) for j in sorted(matched))
    added = tuple(j for j in range(len(after)) if j not in matched)
    removed = tuple(n for n in range(len(before)) if n not in used)
    return Pairing(pairs, added, removed)
