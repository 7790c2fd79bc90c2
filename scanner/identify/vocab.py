"""The closed vocabularies of the signature format: fields, classes, attributes.

They live as text files beside the signatures (``signatures/vocab/*.txt``) so signature authors
read them where they write; this module finds that folder in a checkout or an installed wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path


def database_version(root: Path | None = None) -> str:
    """The signature database version, from ``signatures/VERSION``."""
    path = (root or signatures_dir()) / "VERSION"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else "unknown"


def signatures_dir() -> Path:
    """The signature database folder: ``scanner/_signatures`` in a wheel, ``signatures/`` here."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_signatures", here.parent / "signatures"):
        if (candidate / "vocab" / "fields.txt").is_file():
            return candidate
    raise FileNotFoundError(f"signature database not found beside {here}")


def _read_list(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(s for s in (line.strip() for line in lines) if s and not s.startswith("#"))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Field names (with ``prefix.*`` families), device classes and attribute names."""

    fields: frozenset[str]
    families: tuple[str, ...]
    classes: frozenset[str]
    attributes: frozenset[str]

    def has_field(self, name: str) -> bool:
        if name in self.fields:
            return True
        return any(name.startswith(f) and len(name) > len(f) for f in self.families)


@cache
def load_vocabulary(root: Path | None = None) -> Vocabulary:
    base = (root or signatures_dir()) / "vocab"
    names = _read_list(base / "fields.txt")
    return Vocabulary(
        fields=frozenset(n for n in names if not n.endswith(".*")),
        families=tuple(n[:-1] for n in names if n.endswith(".*")),
        classes=frozenset(_read_list(base / "classes.txt")),
        attributes=frozenset(_read_list(base / "attributes.txt")),
    )
