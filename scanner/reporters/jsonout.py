"""The JSON a sweep prints: ``biosweep.device/1`` lines (``identify``) and the
``biosweep.scanrun/1`` document, streamed.

Both are :mod:`scanner.codec`'s dicts with a ``schema`` tag and the derived ``collector`` flags
(of each device and each identification). A device line has no ``facts``; a device in a run
keeps as facts the observations compare relies on (:data:`~scanner.compare.IDENTITY_FIELDS`:
serials, UUIDs, model, firmware, open ports), so a run read back compares like the live one;
the raw observations are ``--observations-out``'s (:func:`observations_jsonl`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from scanner import codec
from scanner.compare import IDENTITY_FIELDS
from scanner.models import Device, Observation, ScanRun

DEVICE_SCHEMA = "biosweep.device/1"
SCANRUN_SCHEMA = "biosweep.scanrun/1"


def _with(d: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """``d`` with ``key`` placed right after ``after`` (the order the JSON always had)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v
        if k == after:
            out[key] = value
    return out


def _flagged(device: Device, out: dict[str, Any]) -> dict[str, Any]:
    """``out`` (the device's codec dict) tagged with its schema and with the collector flags
    a reader filters on."""
    out["identifications"] = [
        _with(d, "device_class", "collector", ident.is_collector)
        for ident, d in zip(device.identifications, out["identifications"], strict=True)
    ]
    return _with({"schema": DEVICE_SCHEMA, **out}, "ble", "collector", device.is_collector)


def device_dict(device: Device) -> dict[str, Any]:
    """A device as ``identify`` prints it (no facts)."""
    out = codec.device_dict(device)
    del out["facts"]
    return _flagged(device, out)


def device_line(device: Device) -> str:
    """One line of JSON; ASCII-only so any terminal or pipe can carry it."""
    return json.dumps(device_dict(device), ensure_ascii=True, separators=(",", ":"))


def _is_fact(o: Observation) -> bool:
    return o.field in IDENTITY_FIELDS


def scanrun_device_dict(device: Device) -> dict[str, Any]:
    """A device in a ScanRun: the ``identify`` form plus its ``facts``."""
    out = codec.device_dict(device, facts=_is_fact)
    return _flagged(device, out)


def _utf8_safe(value: Any) -> Any:
    """Replace lone surrogates (undecodable device bytes kept by ``surrogateescape``) so the
    output is valid UTF-8 everywhere; an evidence or fact ``value`` keeps its raw bytes in a
    parallel ``value_b64`` (SAFETY-CATALOGUE case 54)."""
    if isinstance(value, str):
        return _fix_text(value)
    if isinstance(value, list):
        return [_utf8_safe(v) for v in value]
    if isinstance(value, dict):
        out = {k: _utf8_safe(v) for k, v in value.items()}
        raw = value.get("value")
        if isinstance(raw, str) and out["value"] != raw:
            out["value_b64"] = base64.b64encode(raw.encode("utf-8", "surrogateescape")).decode()
        return out
    return value


def _fix_text(text: str) -> str:
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape") if _escaped_only(text) else None
        if raw is not None:
            return raw.decode("utf-8", "replace")
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _escaped_only(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def _dump(obj: Any, indent: int) -> str:
    return _indent(json.dumps(_utf8_safe(obj), ensure_ascii=True, indent=2), indent)


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.split("\n"))


def _array(name: str, items: Iterator[dict[str, Any]], last: bool) -> Iterator[bytes]:
    yield f'  "{name}": ['.encode()
    first = True
    for item in items:
        yield (("\n" if first else ",\n") + _dump(item, 4)).encode("ascii")
        first = False
    yield (("]" if first else "\n  ]") + ("\n" if last else ",\n")).encode()


def scanrun_chunks(run: ScanRun) -> Iterator[bytes]:
    """The ScanRun JSON a piece at a time (one device per piece), so a large run is written
    without building the whole document in memory (SAFETY-CATALOGUE case 55)."""
    header = {"schema": SCANRUN_SCHEMA, **codec.run_header(run)}
    head = json.dumps(_utf8_safe(header), ensure_ascii=True, indent=2)
    yield (head[: head.rindex("\n}")] + ",\n").encode("ascii")
    yield from _array("devices", (scanrun_device_dict(d) for d in run.devices), last=False)
    yield from _array("findings", (codec.finding_dict(f) for f in run.findings), last=False)
    yield from _array("skipped", (codec.skipped_dict(s) for s in run.skipped), last=True)
    yield b"}\n"


def scanrun_json(run: ScanRun) -> bytes:
    """The ScanRun as one JSON document (UTF-8, ASCII-escaped): the machine format."""
    return b"".join(scanrun_chunks(run))


#: Observations made by identify itself, not by a probe: not saved as raw observations.
_DERIVED_SOURCES = frozenset({"ieee-oui", "subject"})


def observations_jsonl(run: ScanRun) -> bytes:
    """The raw observations of a run as JSON lines, the input format of ``biosweep identify``."""
    lines = [
        json.dumps(codec.observation_dict(o), ensure_ascii=True)
        for device in run.devices
        for o in device.observations
        if o.source not in _DERIVED_SOURCES
    ]
    return ("\n".join(lines) + "\n").encode("ascii") if lines else b""
