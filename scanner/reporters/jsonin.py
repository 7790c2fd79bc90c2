"""Read a ScanRun back from the JSON that ``biosweep sweep --json`` prints.

The file is input like any other: a regular file of at most :data:`MAX_BYTES`, strict JSON (no
NaN, nested at most :data:`~scanner.inputs.MAX_DEPTH` deep), every key
type-checked and every enum value known, strings capped and cleaned of control characters.
A problem stops the read with one :class:`~scanner.errors.InputError` naming the JSON path
(``devices[3].identifications[0].device_class``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from scanner.errors import InputError
from scanner.inputs import load_json, read_input
from scanner.models import (
    Certainty,
    Device,
    DeviceClass,
    Evidence,
    Finding,
    FindingKind,
    Identification,
    Observation,
    Reason,
    ScanRun,
    Severity,
    Skipped,
    SkipReason,
)
from scanner.normalize import clean_text
from scanner.reporters.jsonout import SCANRUN_SCHEMA

MAX_BYTES = 256 * 1024 * 1024
MAX_ITEMS = 1_000_000
MAX_STR = 4096

T = TypeVar("T")


class _Path:
    """Where in the document a value sits, for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"{self.source}: {where}: {message}")


def _obj(p: _Path, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise p.fail(where, "expected an object")
    return value


def _list(p: _Path, value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise p.fail(where, "expected a list")
    if len(value) > MAX_ITEMS:
        raise p.fail(where, f"more than {MAX_ITEMS} items")
    return value


def _str(p: _Path, d: dict[str, Any], key: str, where: str, optional: bool = False) -> str:
    value = d.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise p.fail(f"{where}.{key}", "expected a string")
    return clean_text(value, MAX_STR) if value else ""


def _opt(p: _Path, d: dict[str, Any], key: str, where: str) -> str | None:
    return _str(p, d, key, where, optional=True) or None


def _strs(p: _Path, d: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _list(p, d.get(key, []), f"{where}.{key}")
    if not all(isinstance(i, str) for i in items):
        raise p.fail(f"{where}.{key}", "expected a list of strings")
    return tuple(clean_text(i, MAX_STR) for i in items)


def _enum(p: _Path, d: dict[str, Any], key: str, where: str, enum: Callable[[str], T]) -> T:
    raw = d.get(key)
    try:
        return enum(str(raw))
    except ValueError:
        raise p.fail(f"{where}.{key}", f"unknown value {str(raw)[:40]!r}") from None


def _time(p: _Path, d: dict[str, Any], key: str, where: str) -> datetime | None:
    raw = d.get(key)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise p.fail(f"{where}.{key}", "not an ISO 8601 time") from None


def _evidence(p: _Path, raw: Any, where: str) -> Evidence:
    e = _obj(p, raw, where)
    return Evidence(
        field=_str(p, e, "field", where),
        pattern=_str(p, e, "pattern", where, optional=True),
        value=_str(p, e, "value", where, optional=True),
        subject=_str(p, e, "subject", where, optional=True),
        source=_str(p, e, "source", where, optional=True),
    )


def _identification(p: _Path, raw: Any, where: str) -> Identification:
    i = _obj(p, raw, where)
    confidence = i.get("confidence")
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise p.fail(f"{where}.confidence", "expected a number from 0 to 1")
    attributes = _obj(p, i.get("attributes", {}), f"{where}.attributes")
    evidence = _list(p, i.get("evidence", []), f"{where}.evidence")
    return Identification(
        signature_id=_str(p, i, "signature_id", where),
        vendor=_str(p, i, "vendor", where, optional=True),
        product=_str(p, i, "product", where, optional=True),
        device_class=_enum(p, i, "device_class", where, DeviceClass),
        confidence=float(confidence),
        certainty=_enum(p, i, "certainty", where, Certainty),
        rule=0,
        attributes=tuple(
            (clean_text(str(k), 64), clean_text(str(v), MAX_STR)) for k, v in attributes.items()
        ),
        evidence=tuple(_evidence(p, e, f"{where}.evidence[{n}]") for n, e in enumerate(evidence)),
    )


def _device(p: _Path, raw: Any, where: str) -> Device:
    d = _obj(p, raw, where)
    ident = _str(p, d, "id", where)
    idents = _list(p, d.get("identifications", []), f"{where}.identifications")
    facts = _list(p, d.get("facts", []), f"{where}.facts")
    observations = []
    for n, f in enumerate(facts):
        at = f"{where}.facts[{n}]"
        fact = _obj(p, f, at)
        subject = _str(p, fact, "subject", at, optional=True) or ident
        source = _str(p, fact, "source", at, optional=True) or "run"
        observations.append(
            Observation(subject, _str(p, fact, "field", at), _str(p, fact, "value", at), source)
        )
    return Device(
        id=ident,
        subjects=_strs(p, d, "subjects", where),
        macs=_strs(p, d, "macs", where),
        ips=_strs(p, d, "ips", where),
        ble=_strs(p, d, "ble", where),
        identifications=tuple(
            _identification(p, i, f"{where}.identifications[{n}]") for n, i in enumerate(idents)
        ),
        observations=tuple(observations),
    )


def _finding(p: _Path, raw: Any, where: str) -> Finding:
    f = _obj(p, raw, where)
    details = _obj(p, f.get("details", {}), f"{where}.details")
    return Finding(
        kind=_enum(p, f, "kind", where, FindingKind),
        severity=_enum(p, f, "severity", where, Severity),
        device_id=_opt(p, f, "device_id", where),
        why=_str(p, f, "why", where, optional=True),
        expected=_opt(p, f, "expected", where),
        reason=_enum(p, f, "reason", where, Reason) if f.get("reason") else None,
        deployment=_opt(p, f, "deployment", where),
        registry_id=_opt(p, f, "registry_id", where),
        details=tuple(
            (clean_text(str(k), 64), clean_text(str(v), MAX_STR)) for k, v in details.items()
        ),
    )


def _skipped(p: _Path, raw: Any, where: str) -> Skipped:
    s = _obj(p, raw, where)
    return Skipped(
        probe=_str(p, s, "probe", where),
        reason=_enum(p, s, "reason", where, SkipReason),
        detail=_str(p, s, "detail", where, optional=True),
        target=_opt(p, s, "target", where),
    )


def parse_scanrun(data: bytes, source: str = "run") -> ScanRun:
    """A ScanRun from its JSON bytes; raises InputError naming the first bad value."""
    p = _Path(source)
    if len(data) > MAX_BYTES:
        raise InputError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    doc = load_json(data, source)
    top = _obj(p, doc, "$")
    if top.get("schema") != SCANRUN_SCHEMA:
        raise p.fail("schema", f"expected {SCANRUN_SCHEMA} (the output of biosweep sweep --json)")
    started = _time(p, top, "started_at", "$")
    if started is None:
        raise p.fail("started_at", "missing")
    lists = {k: _list(p, top.get(k, []), k) for k in ("devices", "findings", "skipped")}
    return ScanRun(
        id=_str(p, top, "id", "$"),
        started_at=started,
        finished_at=_time(p, top, "finished_at", "$"),
        tool_version=_str(p, top, "tool_version", "$", optional=True),
        signatures_version=_str(p, top, "signatures_version", "$", optional=True),
        site=_opt(p, top, "site", "$"),
        operator=_opt(p, top, "operator", "$"),
        scope=_strs(p, top, "scope", "$"),
        devices=tuple(_device(p, d, f"devices[{n}]") for n, d in enumerate(lists["devices"])),
        findings=tuple(_finding(p, f, f"findings[{n}]") for n, f in enumerate(lists["findings"])),
        skipped=tuple(_skipped(p, s, f"skipped[{n}]") for n, s in enumerate(lists["skipped"])),
        complete=bool(top.get("complete", True)),
        notes=_strs(p, top, "notes", "$"),
        registry=_opt(p, top, "registry", "$"),
    )


def read_scanrun(path: Path) -> ScanRun:
    """Read and validate a ScanRun JSON file (a regular file: ``-`` is not accepted, reports
    need a file)."""
    return parse_scanrun(read_input(path, MAX_BYTES), str(path))
