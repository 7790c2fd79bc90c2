"""Read observations as JSON lines (``{"subject", "field", "value"}``), bounded and strict.

The input may come from another tool or a hostile capture: every line is length-capped and
depth-checked before it is decoded, and every problem is an
:class:`~scanner.errors.InputError` that names the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from scanner.errors import InputError
from scanner.identify.vocab import load_vocabulary
from scanner.inputs import MAX_DEPTH, bracket_depth
from scanner.models import Observation
from scanner.normalize import clean_text, normalize

MAX_LINE = 1 << 20  # 1 MiB: no single observation is larger; a longer line is an error


def _text(obj: dict[str, object], key: str, n: int) -> str:
    value = obj.get(key)
    if value is None:
        raise InputError(f"line {n}: missing key {key!r}")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(f"line {n}: {key!r} must be a string")
    return str(value)


def parse_line(raw: bytes, n: int) -> Observation | None:
    """One observation from one line; None for a blank line."""
    if not raw.strip():
        return None
    if bracket_depth(raw) > MAX_DEPTH:
        raise InputError(f"line {n}: nested deeper than {MAX_DEPTH} levels")
    try:
        text = raw.decode("utf-8")
        obj = json.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"line {n}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"line {n}: bad JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(f"line {n}: expected a JSON object")
    field = _text(obj, "field", n)
    if not load_vocabulary().has_field(field):
        raise InputError(f"line {n}: unknown field {clean_text(field, 60)!r}")
    subject = clean_text(_text(obj, "subject", n), 256)
    if not subject:
        raise InputError(f"line {n}: empty subject")
    try:
        value = normalize(field, _text(obj, "value", n))
    except InputError as exc:
        raise InputError(f"line {n}: {exc}") from None
    source = clean_text(str(obj.get("source") or "input"), 64)
    return Observation(subject, field, value, source, _time(obj.get("seen_at"), n))


def _time(value: object, n: int) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"line {n}: seen_at is not an ISO 8601 time") from None


def read_observations(stream: BinaryIO) -> Iterator[Observation]:
    """Observations from a binary stream of JSON lines; raises InputError naming the line."""
    n = 0
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        n += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            raise InputError(f"line {n}: longer than {MAX_LINE} bytes")
        obs = parse_line(raw, n)
        if obs is not None:
            yield obs
