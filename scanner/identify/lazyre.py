"""A rule regex compiled on first use.

The database generates most of its patterns (a maker table's names and domains, a model
grammar on every model-bearing field): about 2,500 regexes whose compilation was most of the
database's load time, which every command pays (``bench/README.md``, "Passive capture rate").
A run meets only the few fields its devices show, so a generated pattern is compiled when a
value of its field is first matched. Generated patterns are built from validated parts (the
grammar and context regexes are checked when parsed); ``signatures verify`` still compiles
every one (:func:`compile_all`), so a bad one is found before it ships.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class LazyPattern:
    """A regex source and, once needed, its compiled form (``re.Pattern``'s ``match`` and
    ``pattern``). Compiling twice from two threads is harmless: both results are equal."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, source: str, compiled: re.Pattern[str] | None = None) -> None:
        self.pattern = source
        self._compiled = compiled

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def match(self, value: str) -> re.Match[str] | None:
        return self.compiled.match(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyPattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


def compile_all(patterns: Iterable[LazyPattern]) -> list[tuple[str, str]]:
    """Compile every pattern now; each one that does not compile as (source, error)."""
    bad = []
    for p in patterns:
        try:
            _ = p.compiled
        except re.error as exc:
            bad.append((p.pattern, str(exc)))
    return bad
