"""JSON forms of devices (the ``identify`` line format; ScanRun JSON builds on it).

One device per line: ``id``, ``subjects``, ``macs``, ``ips``, ``ble``, ``collector`` and
``identifications`` (best first, each with ``signature_id``, ``vendor``, ``product``,
``device_class``, ``confidence``, ``certainty``, ``attributes`` and ``evidence``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from scanner.compare import IDENTITY_FIELDS
from scanner.models import Device, Finding, Identification, ScanRun

DEVICE_SCHEMA = "biosweep.device/1"


def identification_dict(ident: Identification) -> dict[str, Any]:
    return {
        "signature_id": ident.signature_id,
        "vendor": ident.vendor,
        "product": ident.product,
        "device_class": ident.device_class.value,
        "collector": ident.is_collector,
        "confidence": ident.confidence,
        "certainty": ident.certainty.value,
        "attributes": dict(ident.attributes),
        "evidence": [
            {
                "field": e.field,
                "value": e.value,
                "pattern": e.pattern,
                "subject": e.subject,
                "source": e.source,
            }
            for e in ident.evidence
        ],
    }


def device_dict(device: Device) -> dict[str, Any]:
    return {
        "schema": DEVICE_SCHEMA,
        "id": device.id,
        "subjects": list(device.subjects),
        "macs": list(device.macs),
        "ips": list(device.ips),
        "ble": list(device.ble),
        "collector": device.is_collector,
        "identifications": [identification_dict(i) for i in device.identifications],
    }


def device_line(device: Device) -> str:
    """One line of JSON; ASCII-only so any terminal or pipe can carry it."""
    return json.dumps(device_dict(device), ensure_ascii=True, separators=(",", ":"))


SCANRUN_SCHEMA = "biosweep.scanrun/1"


def finding_dict(f: Finding) -> dict[str, Any]:
    """A finding as JSON: ``kind``, ``severity``, ``device_id``, ``why`` (English) and, from
    compare, ``reason``, ``expected``, ``deployment``, ``registry_id`` and ``details``."""
    return {
        "kind": f.kind.value,
        "severity": f.severity.value,
        "device_id": f.device_id,
        "why": f.why,
        "reason": f.reason or "",
        "expected": f.expected,
        "deployment": f.deployment,
        "registry_id": f.registry_id,
        "details": dict(f.details),
    }


def facts_list(device: Device) -> list[dict[str, str]]:
    """The observations compare relies on (serials, UUIDs, model, firmware, open ports), kept
    so a run read back from JSON compares exactly like the live one."""
    return [
        {"subject": o.subject, "field": o.field, "value": o.value, "source": o.source}
        for o in device.observations
        if o.field in IDENTITY_FIELDS
    ]


def scanrun_device_dict(device: Device) -> dict[str, Any]:
    """A device in a ScanRun: the ``identify`` form plus its ``facts``."""
    return {**device_dict(device), "facts": facts_list(device)}


def _header(run: ScanRun) -> dict[str, Any]:
    return {
        "schema": SCANRUN_SCHEMA,
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "tool_version": run.tool_version,
        "signatures_version": run.signatures_version,
        "site": run.site,
        "operator": run.operator,
        "scope": list(run.scope),
        "complete": run.complete,
        "notes": list(run.notes),
        "registry": run.registry,
    }


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
    head = json.dumps(_utf8_safe(_header(run)), ensure_ascii=True, indent=2)
    yield (head[: head.rindex("\n}")] + ",\n").encode("ascii")
    yield from _array("devices", (scanrun_device_dict(d) for d in run.devices), last=False)
    yield from _array("findings", (finding_dict(f) for f in run.findings), last=False)
    skipped = (
        {"probe": s.probe, "reason": s.reason.value, "detail": s.detail, "target": s.target}
        for s in run.skipped
    )
    yield from _array("skipped", skipped, last=True)
    yield b"}\n"


def scanrun_json(run: ScanRun) -> bytes:
    """The ScanRun as one JSON document (UTF-8, ASCII-escaped): the machine format."""
    return b"".join(scanrun_chunks(run))


#: Observations made by identify itself, not by a probe: not saved as raw observations.
_DERIVED_SOURCES = frozenset({"ieee-oui", "subject"})


def observations_jsonl(run: ScanRun) -> bytes:
    """The raw observations of a run as JSON lines, the input format of ``biosweep identify``."""
    lines = []
    for device in run.devices:
        for o in device.observations:
            if o.source in _DERIVED_SOURCES:
                continue
            row = {"subject": o.subject, "field": o.field, "value": o.value, "source": o.source}
            if o.seen_at:
                row["seen_at"] = o.seen_at.isoformat()
            lines.append(json.dumps(row, ensure_ascii=True))
    return ("\n".join(lines) + "\n").encode("ascii") if lines else b""
