"""Reading a user's file with a cap: never more than ``limit + 1`` bytes, whatever its size.

The caller compares the length with its limit (one byte more means "too large") and words the
refusal for its own file kind; an unreadable file becomes one :class:`InputError` line.
"""

from __future__ import annotations

from pathlib import Path

from scanner.errors import InputError


def read_capped(path: Path, limit: int, what: str = "cannot read") -> bytes:
    """At most ``limit + 1`` bytes of ``path``; InputError ``"<path>: <what>: <reason>"``."""
    try:
        with path.open("rb") as f:
            return f.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: {what}: {exc.strerror or exc}") from None
