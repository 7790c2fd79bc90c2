"""MAC prefix → IEEE registrant, from the registry that ships in ``netaddr``.

netaddr carries the IEEE MA-L (OUI, 24-bit) and IAB (36-bit) files. MA-M and MA-S blocks are
not in it; signatures that need one match ``mac.address`` against the prefix directly.
The tables are parsed once into dictionaries (netaddr's own lookup seeks in a file per call,
too slow for a /16). Locally administered addresses (bit 0x02 of the first octet, as used by
randomised phone MACs and BLE private addresses) have no registrant by definition.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from scanner.normalize import clean_text

_BASE16 = re.compile(r"^\s*([0-9A-Fa-f]{6})\s+\(base 16\)\s+(.*)$")
_HEX_LINE = re.compile(r"^\s*([0-9A-Fa-f]{2})-([0-9A-Fa-f]{2})-([0-9A-Fa-f]{2})\s+\(hex\)")
_IAB_RANGE = re.compile(r"^\s*([0-9A-Fa-f]{3})[0-9A-Fa-f]{3}-[0-9A-Fa-f]{6}\s+\(base 16\)\s+(.*)$")


def _read(name: str) -> str:
    raw = resources.files("netaddr.eui").joinpath(name).read_bytes()
    return raw.decode("utf-8", errors="replace")


@cache
def _ma_l() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _read("oui.txt").splitlines():
        m = _BASE16.match(line)
        if m:
            table[m.group(1).lower()] = clean_text(m.group(2), 200)
    return table


@cache
def _iab() -> dict[str, str]:
    # Each block is a "(hex)" line with the 24-bit prefix, then "XXX000-XXXFFF (base 16)".
    table: dict[str, str] = {}
    prefix = ""
    for line in _read("iab.txt").splitlines():
        h = _HEX_LINE.match(line)
        if h:
            prefix = "".join(h.groups()).lower()
            continue
        m = _IAB_RANGE.match(line)
        if m and prefix:
            table[prefix + m.group(1).lower()] = clean_text(m.group(2), 200)
    return table


def is_locally_administered(mac: str) -> bool:
    return bool(int(mac[:2], 16) & 0x02)


def registrant(mac: str) -> str | None:
    """The IEEE registrant of a normalised MAC (``aa:bb:cc:dd:ee:ff``), or None."""
    hexes = mac.replace(":", "")
    if len(hexes) != 12 or is_locally_administered(mac):
        return None
    iab = _iab().get(hexes[:9])
    return iab or _ma_l().get(hexes[:6])
