"""The one error root of biosweep.

::

    BiosweepError
    ├── SignatureError        a signature file is invalid (carries every problem found)
    ├── InputError            user input is malformed (observation lines, arguments)
    ├── ScopeError            a scope was refused (no target, too large, public, bad syntax)
    ├── ProbeError            a probe could not finish against one service
    └── ParseError            bytes from a device could not be parsed (one per protocol family)

Third-party exceptions are translated to these where the library is imported, so the CLI can
print one line and choose an exit status without knowing which library failed.
"""

from __future__ import annotations

from dataclasses import dataclass


class BiosweepError(Exception):
    """Root of every error biosweep raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a signature file, located by file and line."""

    file: str
    line: int
    signature: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.signature}: {self.message}"


class SignatureError(BiosweepError):
    """One or more signature files are invalid."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid signatures"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class InputError(BiosweepError):
    """User-supplied input is malformed; the message names where."""


class ParseError(BiosweepError):
    """Bytes from a device could not be parsed."""


class ScopeError(BiosweepError):
    """A scope was refused (no target, too large, public without consent, bad syntax)."""


class ProbeError(BiosweepError):
    """A probe could not finish against one service (refused, timed out, cut short)."""
