"""JSON forms of devices (the ``identify`` line format; ScanRun JSON builds on it).

One device per line: ``id``, ``subjects``, ``macs``, ``ips``, ``ble``, ``collector`` and
``identifications`` (best first, each with ``signature_id``, ``vendor``, ``product``,
``device_class``, ``confidence``, ``certainty``, ``attributes`` and ``evidence``).
"""

from __future__ import annotations

import json
from typing import Any

from scanner.models import Device, Identification

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
