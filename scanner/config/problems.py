"""Every problem of a configuration file at once, each with its line and key.

``tomllib`` keeps no positions, so :class:`KeyLines` finds them in the text: the line of each
``[table]`` header and of each ``key =`` under it (a key written another way, as a dotted
key or inside an inline table, is placed at its table's header, else at line 1).
"""

from __future__ import annotations

import re
from pathlib import Path

from scanner.errors import InputError

_HEADER = re.compile(r"^\s*\[\s*([^\[\]#]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


class ConfigError(InputError):
    """The configuration file is unreadable or invalid; ``problems`` has one line per problem,
    each ``FILE:LINE: section.key: problem``."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        first = self.problems[0] if self.problems else "invalid configuration"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


class KeyLines:
    """The 1-based line of each table and key of a TOML text."""

    def __init__(self, text: str) -> None:
        self.tables: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        table = ""
        for n, line in enumerate(text.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                table = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
                self.tables.setdefault(table, n)
                continue
            key = _KEY.match(line)
            if key:
                name = key.group(1).strip("\"'")
                self.keys.setdefault(f"{table}.{name}" if table else name, n)

    def line(self, where: str) -> int:
        """``where`` is ``section.key`` or ``section``."""
        if where in self.keys:
            return self.keys[where]
        table = where
        while table:
            if table in self.tables:
                return self.tables[table]
            table = table.rpartition(".")[0]
        return 1


class Problems:
    """Collects ``FILE:LINE: where: message`` lines; :meth:`raise_any` raises them together."""

    def __init__(self, src: Path, text: str) -> None:
        self.src = src
        self.lines = KeyLines(text)
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{self.src}:{self.lines.line(where)}: {where}: {message}")

    def raise_any(self) -> None:
        if self.found:
            raise ConfigError(self.found)
