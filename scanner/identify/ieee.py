"""The IEEE registry table: every MAC block the IEEE Registration Authority has assigned.

The IEEE publishes each registry as a CSV file (``Registry,Assignment,Organization Name,
Organization Address``); Debian's ``ieee-data`` package ships the same files in
``/usr/share/ieee-data`` (and its ``update-ieee-data`` refreshes them into ``/var/lib/ieee-data``).
:func:`read_csv_dir` validates the four files and :func:`dump` writes them as one compact table:
gzipped UTF-8 lines ``CODE<TAB>PREFIX<TAB>REGISTRANT`` after a ``#`` header that names the
registry date, the build time and each source file (rows, modification date, SHA-256). The
registrant is the full legal name as registered, only cleaned of control characters; addresses
are dropped. :func:`load` reads a table back, validating it as untrusted input.

Nothing here touches the network: users fetch the CSV files themselves (:data:`REGISTRIES` has
the URLs) or install ``ieee-data``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import sys
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from scanner.errors import InputError
from scanner.inputs import read_capped
from scanner.normalize import clean_text

FORMAT = "biosweep-ieee-registry/1"
#: The largest CSV file accepted (oui.csv was 3.8 MB in 2026) and the largest table, unpacked.
MAX_CSV_BYTES = 32 * 1024 * 1024
MAX_TABLE_BYTES = 32 * 1024 * 1024
#: The most rows one file may hold (MA-L had 39,630 in 2026; 2^24 could never fit anyway).
MAX_ROWS = 400_000
MAX_NAME = 200
CSV_HEADER = ("Registry", "Assignment", "Organization Name", "Organization Address")


@dataclass(frozen=True, slots=True)
class Registry:
    """One IEEE registry: its name, its one-letter code in the table, its CSV file and URL."""

    name: str
    code: str
    file: str
    digits: int  # hex digits of an assignment: 6 (24-bit), 7 (28-bit) or 9 (36-bit)
    url: str


REGISTRIES = (
    Registry("MA-L", "L", "oui.csv", 6, "https://standards-oui.ieee.org/oui/oui.csv"),
    Registry("MA-M", "M", "mam.csv", 7, "https://standards-oui.ieee.org/oui28/mam.csv"),
    Registry("MA-S", "S", "oui36.csv", 9, "https://standards-oui.ieee.org/oui36/oui36.csv"),
    Registry("IAB", "I", "iab.csv", 9, "https://standards-oui.ieee.org/iab/iab.csv"),
)
_BY_CODE = {r.code: r for r in REGISTRIES}
_BY_NAME = {r.name: r for r in REGISTRIES}
_HEX = re.compile(r"[0-9A-Fa-f]+")
#: Every row of a table: a registry code, a lower-case prefix, a registrant free of control
#: characters (``clean_text`` made it so; a damaged or edited file fails here).
_BODY = re.compile(r"(?:[LMSI]\t[0-9a-f]{6,9}\t[^\x00-\x1f\x7f]{1,200}\n)*")  # 200: MAX_NAME
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Block(NamedTuple):
    """One assignment: ``prefix`` is lower-case hex, 6, 7 or 9 digits (24, 28 or 36 bits).

    A named tuple rather than a dataclass: the table holds some 60,000 and builds them in a
    fraction of the time."""

    registry: str
    prefix: str
    registrant: str

    @property
    def bits(self) -> int:
        return len(self.prefix) * 4

    def __str__(self) -> str:
        """``8c:1f:64:f4:b0:00/36``: the first address of the block and its prefix length."""
        padded = self.prefix.ljust(12, "0")
        return ":".join(padded[i : i + 2] for i in range(0, 12, 2)) + f"/{self.bits}"


@dataclass(frozen=True, slots=True)
class Source:
    """One CSV file a table was built from."""

    registry: str
    file: str
    blocks: int
    modified: str  # YYYY-MM-DD (UTC) of the file's modification time
    sha256: str  # first 16 hex digits

    def line(self) -> str:
        return f"{self.registry} {self.file} {self.blocks} {self.modified} sha256:{self.sha256}"


@dataclass(frozen=True, slots=True)
class Table:
    """A registry table: its date (that of the newest source file), build time and blocks."""

    date: str
    built: str
    sources: tuple[Source, ...]
    blocks: tuple[Block, ...]

    def count(self, registry: str) -> int:
        return sum(1 for b in self.blocks if b.registry == registry)


# ---------------------------------------------------------------- the IEEE CSV files


def read_csv_dir(folder: Path, *, day: str = "") -> Table:
    """The table of the four IEEE CSV files in ``folder``; InputError names a missing or invalid
    file (and the line). ``day`` (YYYY-MM-DD) overrides the registry date, which is otherwise
    the newest file's modification date (the CSVs carry no date of their own)."""
    if day and not _valid_date(day):
        raise InputError(f"--date must be YYYY-MM-DD, got {day[:40]!r}")
    missing = [r.file for r in REGISTRIES if not (folder / r.file).is_file()]
    if missing:
        raise InputError(
            f"{folder}: no {', '.join(missing)}; fetch them from standards-oui.ieee.org "
            "('biosweep signatures update-oui --help' lists the URLs) or install ieee-data"
        )
    blocks: list[Block] = []
    sources: list[Source] = []
    for reg in REGISTRIES:
        path = folder / reg.file
        data = _read_bounded(path)
        rows = parse_csv(reg, data, str(path))
        blocks.extend(rows)
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
        digest = hashlib.sha256(data).hexdigest()[:16]
        sources.append(Source(reg.name, reg.file, len(rows), modified, digest))
    built = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    blocks.sort(key=lambda b: (b.prefix, b.registry))
    return Table(day or max(s.modified for s in sources), built, tuple(sources), tuple(blocks))


def _read_bounded(path: Path) -> bytes:
    data = read_capped(path, MAX_CSV_BYTES)
    if len(data) > MAX_CSV_BYTES:
        raise InputError(f"{path}: larger than {MAX_CSV_BYTES // 2**20} MB, not an IEEE file")
    return data


def parse_csv(reg: Registry, data: bytes, where: str) -> list[Block]:
    """The blocks of one IEEE CSV file, every row checked; InputError at the first bad one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        if tuple(h.strip() for h in header[:4]) != CSV_HEADER:
            raise InputError(f"{where}:1: not an IEEE registry CSV (header {header[:4]!r})")
        blocks = [_row(reg, row, f"{where}:{reader.line_num}") for row in reader if row]
    except csv.Error as exc:
        raise InputError(f"{where}:{reader.line_num}: {exc}") from None
    if len(blocks) > MAX_ROWS:
        raise InputError(f"{where}: more than {MAX_ROWS} rows")
    return blocks


def _row(reg: Registry, row: list[str], where: str) -> Block:
    if len(row) < 3:
        raise InputError(f"{where}: expected 4 columns, got {len(row)}")
    kind, assignment, name = row[0].strip(), row[1].strip(), clean_text(row[2], MAX_NAME)
    if kind != reg.name:
        raise InputError(f"{where}: registry {kind[:20]!r} in the {reg.name} file")
    if len(assignment) != reg.digits or not _HEX.fullmatch(assignment):
        raise InputError(f"{where}: assignment {assignment[:20]!r} is not {reg.digits} hex digits")
    if not name:
        raise InputError(f"{where}: assignment {assignment} has no organization name")
    return Block(reg.name, assignment.lower(), name)


def _valid_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the table file


def dump(table: Table) -> bytes:
    """The gzipped table (reproducible: no time stamp in the gzip header)."""
    lines = [f"# {FORMAT}", f"# date: {table.date}", f"# built: {table.built}"]
    lines += [f"# source: {s.line()}" for s in table.sources]
    lines += [f"{_BY_NAME[b.registry].code}\t{b.prefix}\t{b.registrant}" for b in table.blocks]
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), 9, mtime=0)


def load(path: Path) -> Table:
    """The table in ``path``, validated as a whole; InputError says what is wrong."""
    text = _gunzip(path, MAX_TABLE_BYTES)
    head, body = _split_header(text, path)
    header = _header(head)
    sources = tuple(_source(s, path) for s in header.get("source", []))
    blocks = _rows(body, path, first_line=head.count("\n") + 1)
    return Table(_date(header, path), (header.get("built") or [""])[0], sources, blocks)


def read_date(path: Path) -> str:
    """The registry date in a table's header, without reading the rest (YYYY-MM-DD)."""
    head, _ = _split_header(_gunzip(path, 4096, partial=True), path)
    return _date(_header(head), path)


def _split_header(text: str, path: Path) -> tuple[str, str]:
    if not text.startswith(f"# {FORMAT}\n"):
        raise InputError(f"{path}: not a {FORMAT} table")
    end = 0
    while text.startswith("#", end) and (newline := text.find("\n", end)) >= 0:
        end = newline + 1
    return text[:end], text[end:]


def _header(head: str) -> dict[str, list[str]]:
    header: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, _, value = line.removeprefix("#").partition(":")
        header.setdefault(key.strip(), []).append(value.strip())
    return header


def _date(header: dict[str, list[str]], path: Path) -> str:
    day = (header.get("date") or [""])[0]
    if not _valid_date(day):
        raise InputError(f"{path}: no registry date in the header")
    return day


def _rows(body: str, path: Path, first_line: int) -> tuple[Block, ...]:
    # One regular expression checks the whole body at C speed; the loop then only splits.
    valid = _BODY.match(body)
    if valid is None or valid.end() != len(body):
        bad = first_line + body.count("\n", 0, valid.end() if valid else 0)
        raise InputError(f"{path}:{bad}: not a registry row")
    blocks = []
    for n, line in enumerate(body.splitlines(), first_line):
        code, prefix, name = line.split("\t")
        reg = _BY_CODE[code]
        if len(prefix) != reg.digits:
            raise InputError(f"{path}:{n}: {reg.name} prefix {prefix!r} of the wrong length")
        # One string per registrant: a maker with 80 blocks keeps one copy of its name.
        blocks.append(Block(reg.name, prefix, sys.intern(name)))
    return tuple(blocks)


def _gunzip(path: Path, limit: int, *, partial: bool = False) -> str:
    """At most ``limit`` bytes of the unpacked file (more is an error unless ``partial``)."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: unreadable ({exc})") from None
    if len(raw) > limit:
        if not partial:
            raise InputError(f"{path}: larger than {limit // 2**20} MB unpacked")
        raw = raw[:limit]
    try:
        return raw.decode("utf-8", errors="replace" if partial else "strict")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start})") from None


def _source(text: str, path: Path) -> Source:
    parts = text.split()
    if len(parts) != 5 or not parts[2].isdigit() or not parts[4].startswith("sha256:"):
        raise InputError(f"{path}: malformed source line {text[:80]!r}")
    return Source(parts[0], parts[1], int(parts[2]), parts[3], parts[4].removeprefix("sha256:"))
