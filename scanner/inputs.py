"""Input files: the one way biosweep opens a file someone hands it, bounded and checked.

Every file a user or an attacker can give (observations, runs, packages, nmap XML, captures,
the configuration and its secret files, registries, signatures, scenarios, exclusion lists)
is opened here:

- only a regular file is read. A FIFO, a device (``/dev/zero``), a directory or a socket is
  refused with one sentence; the open itself is non-blocking, so a FIFO without a writer
  cannot hang it. stdin is read only where a command documents ``-``;
- at most a stated number of bytes: a larger file is refused, never read to the end or
  truncated silently;
- structured text is depth-checked before it is built, in time linear in its size:
  :func:`check_json_depth` counts brackets outside strings, :func:`yaml_too_deep` counts
  collection events and stops at the first one too deep. Python's JSON, TOML and YAML
  parsers and constructors recurse, so a document nested 100,000 deep would otherwise end in
  ``RecursionError`` (or, for PyYAML's scanner, in quadratic time).

Every refusal is an :class:`~scanner.errors.InputError` naming the file (and the line).
"""

from __future__ import annotations

import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO

from scanner.errors import InputError

#: Nesting allowed in any JSON, TOML, YAML or XML document biosweep reads. The deepest
#: document biosweep writes (a ScanRun) nests 7 levels.
MAX_DEPTH = 100
MiB = 1 << 20

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def size_text(limit: int) -> str:
    """``256 MiB``, ``64 KiB`` or ``4096 bytes``."""
    if limit >= MiB and limit % MiB == 0:
        return f"{limit // MiB} MiB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


def open_input(path: Path | str) -> BinaryIO:
    """A regular file opened for reading; anything else is refused with one sentence."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: {_kind(mode)}, not a regular file: give a file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: Path | str, limit: int) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes (see :func:`open_input`)."""
    with open_input(path) as f:
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than {size_text(limit)}, more than biosweep reads here")
    return data


def read_capped(path: Path | str, limit: int, what: str = "cannot read") -> bytes:
    """At most ``limit + 1`` bytes of a regular file, for a caller that words its own "too
    large" (one byte more than ``limit`` means it is); InputError ``"<path>: <what>: …"``."""
    try:
        with open_input(path) as f:
            return f.read(limit + 1)
    except InputError as exc:
        raise InputError(f"{path}: {what}: {str(exc).removeprefix(f'{path}: ')}") from None
    except OSError as exc:
        raise InputError(f"{path}: {what}: {exc.strerror or exc}") from None


def read_text(path: Path | str, limit: int) -> str:
    """:func:`read_input` decoded as UTF-8; a bad byte is named by its line."""
    data = read_input(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text") from None


# -- nesting ---------------------------------------------------------------------------------

_OPEN, _CLOSE = b"[{", b"]}"
_DELTA = [1 if b in _OPEN else -1 if b in _CLOSE else 0 for b in range(256)]
_NOT_BRACKET = bytes(b for b in range(256) if b not in _OPEN + _CLOSE)
_NOT_BRACKET_OR_QUOTE = bytes(b for b in range(256) if b not in _OPEN + _CLOSE + b'"')
#: What hides brackets: JSON strings (with escapes).
JSON_SKIP = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: TOML: multi-line and one-line basic and literal strings, comments.
TOML_SKIP = re.compile(
    rb'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|#[^\n]*'
)


def bracket_depth(data: bytes, skip: re.Pattern[bytes] = JSON_SKIP) -> int:
    """The deepest nesting of ``[``/``{`` in ``data`` outside what ``skip`` matches.

    Linear and in C: strings are cut out, every other byte but the brackets is deleted, and
    the running sum of +1/-1 is taken by ``accumulate``. JSON (the default ``skip``) takes a
    faster road: see :func:`_json_brackets`.
    """
    if data.count(b"[") + data.count(b"{") <= 1:
        return data.count(b"[") + data.count(b"{")
    if skip is JSON_SKIP:
        brackets = _json_brackets(data)
    else:
        brackets = skip.sub(b"", data).translate(None, _NOT_BRACKET)
    return max(accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def _json_brackets(data: bytes) -> bytes:
    """The brackets of a JSON text that lie outside its strings.

    Escaped backslashes and quotes are dropped, then everything but quotes and brackets. A
    string holding no bracket is now ``""``, and removing ``""`` pairs left to right removes
    exactly those strings (each opening quote is met first). A quote left over means some
    string holds a bracket: then every other piece between quotes is outside a string.
    """
    if b"\\" in data:
        data = data.replace(b"\\\\", b"")
    if b'\\"' in data:
        data = data.replace(b'\\"', b"")
    marks = data.translate(None, _NOT_BRACKET_OR_QUOTE)
    outside = marks.replace(b'""', b"")
    if b'"' in outside:
        outside = b"".join(marks.split(b'"')[0::2])
    return outside


def _too_deep_line(data: bytes, skip: re.Pattern[bytes], limit: int) -> int:
    """The line of the first bracket past ``limit`` (called only when there is one)."""
    token = re.compile(skip.pattern + rb"|[\[\]{}]", skip.flags)
    depth = 0
    for m in token.finditer(data):
        char = m.group()
        if len(char) == 1 and char in b"[{":
            depth += 1
            if depth > limit:
                return data.count(b"\n", 0, m.start()) + 1
        elif len(char) == 1 and char in b"]}":
            depth -= 1
    return 1


def check_json_depth(
    data: bytes | str, source: str, limit: int = MAX_DEPTH, skip: re.Pattern[bytes] = JSON_SKIP
) -> None:
    """Refuse a document nested deeper than ``limit`` (InputError ``source:line: …``)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if bracket_depth(raw, skip) > limit:
        line = _too_deep_line(raw, skip, limit)
        raise InputError(f"{source}:{line}: nested deeper than {limit} levels")


def load_json(data: bytes | str, source: str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` after the depth check; NaN and Infinity are not JSON and are refused.

    Raises InputError naming ``source`` and the line for every problem.
    """
    check_json_depth(data, source, limit)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{source}: not valid JSON: {str(exc)[:120]}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def yaml_too_deep(text: str, loader: Any, limit: int = MAX_DEPTH) -> int | None:
    """The line of the first YAML collection nested deeper than ``limit``, or None.

    Events are read only up to that collection, so neither a composer's recursion nor
    PyYAML's scanner (quadratic in the flow depth) ever sees the rest. A syntax error is left
    to the caller's own parse, which reports it in its words.
    """
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    return int(getattr(event.start_mark, "line", 0)) + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own cap (1000)
            return int(getattr(getattr(exc, "problem_mark", None), "line", 0)) + 1
        return None
    return None


__all__ = [
    "MAX_DEPTH",
    "MiB",
    "bracket_depth",
    "check_json_depth",
    "load_json",
    "open_input",
    "read_capped",
    "read_input",
    "read_text",
    "size_text",
    "yaml_too_deep",
]
