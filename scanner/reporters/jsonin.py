"""Read a ScanRun back from the JSON that ``biosweep sweep --json`` prints.

The file is input like any other: a regular file of at most :data:`MAX_BYTES`, strict JSON (no
NaN, nested at most :data:`~scanner.inputs.MAX_DEPTH` deep), every key
type-checked and every enum value known, strings capped and cleaned of control characters.
A problem stops the read with one :class:`~scanner.errors.InputError` naming the JSON path
(``devices[3].identifications[0].device_class``). The shapes are :mod:`scanner.codec`'s; this
module is the hostile-input reader on top of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner import codec
from scanner.errors import InputError
from scanner.inputs import load_json, read_input
from scanner.models import ScanRun
from scanner.normalize import clean_text
from scanner.reporters.jsonout import SCANRUN_SCHEMA

MAX_BYTES = 256 * 1024 * 1024
MAX_ITEMS = 1_000_000
MAX_STR = 4096
MAX_NAME = 64  # of an attribute or detail name


class HostileReader(codec.Reader):
    """The codec's reader for a file someone handed over: lists bounded, strings capped and
    cleaned of control characters, the first problem an InputError naming file and path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"{self.source}: {where}: {message}")

    def clean(self, text: str) -> str:
        return clean_text(text, MAX_STR)

    def name(self, text: str) -> str:
        return clean_text(text, MAX_NAME)

    def items(self, value: Any, where: str) -> list[Any]:
        items = super().items(value, where)
        if len(items) > MAX_ITEMS:
            raise self.fail(where, f"more than {MAX_ITEMS} items")
        return items


def parse_scanrun(data: bytes, source: str = "run") -> ScanRun:
    """A ScanRun from its JSON bytes; raises InputError naming the first bad value."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    r = HostileReader(source)
    top = r.obj(load_json(data, source), "$")
    if top.get("schema") != SCANRUN_SCHEMA:
        raise r.fail("schema", f"expected {SCANRUN_SCHEMA} (the output of biosweep sweep --json)")
    return codec.scanrun_from(top, r)


def read_scanrun(path: Path) -> ScanRun:
    """Read and validate a ScanRun JSON file (a regular file: ``-`` is not accepted, reports
    need a file)."""
    return parse_scanrun(read_input(path, MAX_BYTES), str(path))
