"""MAC address → IEEE block and registrant, by longest prefix (36, then 28, then 24 bits).

The table (:mod:`scanner.identify.ieee`) ships in the package (``data/ieee-registry.tsv.gz``,
built from the IEEE MA-L, MA-M, MA-S and IAB files). ``biosweep signatures update-oui`` writes a
fresher one to the user's data folder (:func:`user_table_path`); the newer of the two, by
registry date, is used (a user table that cannot be read is ignored, and :func:`table_in_use`
says why). The table is read once per process into three dictionaries, one per prefix length.

Locally administered addresses (bit 0x02 of the first octet, as used by randomised phone MACs
and BLE private addresses) have no registrant by definition, nor do blocks the IEEE lists as
``Private`` (their owner paid to stay unnamed).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scanner.errors import InputError
from scanner.identify.ieee import Block, Table, load, read_date

SHIPPED = Path(__file__).resolve().parent / "data" / "ieee-registry.tsv.gz"
TABLE_NAME = "ieee-registry.tsv.gz"
PRIVATE = "Private"


@dataclass(frozen=True, slots=True)
class Choice:
    """Which table lookups use, chosen from the headers alone, and why the user's was not."""

    path: Path
    date: str
    shipped: bool
    note: str = ""

    def describe(self) -> str:
        where = "shipped" if self.shipped else str(self.path)
        return f"IEEE registry {self.date} ({where})"


@dataclass(frozen=True, slots=True)
class TableInUse:
    """The table lookups use, read and validated, and where it came from."""

    table: Table
    choice: Choice

    def describe(self) -> str:
        return self.choice.describe()

    @property
    def note(self) -> str:
        return self.choice.note


def user_table_path() -> Path:
    """``$XDG_DATA_HOME/biosweep/ieee-registry.tsv.gz`` (default ``~/.local/share/…``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "biosweep" / TABLE_NAME


def choose() -> Choice:
    """The newer of the shipped and the user's table by registry date (the user's on a tie)."""
    try:
        shipped = Choice(SHIPPED, read_date(SHIPPED), shipped=True)
    except InputError as exc:
        raise InputError(f"the shipped IEEE registry is damaged: {exc}") from None
    user = user_table_path()
    if not user.is_file():
        return shipped
    try:
        date = read_date(user)
    except InputError as exc:
        return Choice(SHIPPED, shipped.date, shipped=True, note=f"ignored {exc}")
    if date < shipped.date:
        note = f"ignored {user}: its registry ({date}) is older than the shipped one"
        return Choice(SHIPPED, shipped.date, shipped=True, note=note)
    return Choice(user, date, shipped=False)


@cache
def table_in_use() -> TableInUse:
    """The chosen table, read once; a user table that fails validation yields to the shipped."""
    choice = choose()
    if not choice.shipped:
        try:
            return TableInUse(load(choice.path), choice)
        except InputError as exc:
            choice = Choice(SHIPPED, read_date(SHIPPED), shipped=True, note=f"ignored {exc}")
    try:
        return TableInUse(load(SHIPPED), choice)
    except InputError as exc:
        raise InputError(f"the shipped IEEE registry is damaged: {exc}") from None


@cache
def _index() -> tuple[dict[str, Block], frozenset[str]]:
    """Blocks by prefix (6-, 7- and 9-digit keys never collide), and the 24-bit prefixes that
    hold longer blocks: most MACs need one set test and one dictionary look-up (a /16 sweep
    derives a registrant per host). The first row of a prefix wins (MA-L 08-00-30 and 00-01-C8
    are each listed more than once)."""
    index: dict[str, Block] = {}
    for b in table_in_use().table.blocks:
        index.setdefault(b.prefix, b)
    return index, frozenset(p[:6] for p in index if len(p) > 6)


def reload() -> None:
    """Forget the table read so far (after ``update-oui`` wrote a new one)."""
    table_in_use.cache_clear()
    _index.cache_clear()
    _by_registrant.cache_clear()


def block(mac: str) -> Block | None:
    """The longest IEEE block holding a normalised MAC (``aa:bb:cc:dd:ee:ff``), or None."""
    hexes = mac.replace(":", "")
    if len(hexes) != 12 or int(hexes[:2], 16) & 0x02:  # locally administered
        return None
    index, parents = _index()
    if hexes[:6] in parents:
        found = index.get(hexes[:9]) or index.get(hexes[:7])
        if found is not None:
            return found
    return index.get(hexes[:6])


def registrant(mac: str) -> str | None:
    """The IEEE registrant of a normalised MAC, verbatim (cleaned), or None."""
    found = block(mac)
    return None if found is None or found.registrant == PRIVATE else found.registrant


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@cache
def _by_registrant() -> dict[str, tuple[Block, ...]]:
    groups: dict[str, list[Block]] = {}
    for b in table_in_use().table.blocks:
        groups.setdefault(_key(b.registrant), []).append(b)
    return {k: tuple(v) for k, v in groups.items()}


def blocks_of(name: str) -> tuple[Block, ...]:
    """Every block registered to exactly this registrant (case and spacing aside)."""
    return _by_registrant().get(_key(name), ())


def registrants_matching(pattern: re.Pattern[str]) -> dict[str, tuple[Block, ...]]:
    """Registrant name → its blocks, for every registrant the pattern finds (``search``)."""
    out: dict[str, tuple[Block, ...]] = {}
    for blocks in _by_registrant().values():
        name = blocks[0].registrant
        if name != PRIVATE and pattern.search(name):
            out[name] = blocks
    return out
