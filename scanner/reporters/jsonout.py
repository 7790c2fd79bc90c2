"""JSON forms of devices (the ``identify`` line format; ScanRun JSON builds on it).

One device per line: ``id``, ``subjects``, ``macs``, ``ips``, ``ble``, ``collector`` and
``identifications`` (best first, each with ``signature_id``, ``vendor``, ``product``,
``device_class``, ``confidence``, ``certainty``, ``attributes`` and ``evidence``).
"""

from __future__ import annotations

import json
from typing import Any

from scanner.models import Device, Identification, ScanRun

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


def scanrun_json(run: ScanRun) -> bytes:
    """The ScanRun as one JSON document (UTF-8, ASCII-escaped): the machine format."""
    doc = {
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
        "devices": [device_dict(d) for d in run.devices],
        "findings": [
            {
                "kind": f.kind.value,
                "severity": f.severity.value,
                "device_id": f.device_id,
                "why": f.why,
            }
            for f in run.findings
        ],
        "skipped": [
            {"probe": s.probe, "reason": s.reason.value, "detail": s.detail, "target": s.target}
            for s in run.skipped
        ],
    }
    return (json.dumps(doc, ensure_ascii=True, indent=2) + "\n").encode("ascii")


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
