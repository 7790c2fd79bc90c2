"""What a finding says about a found device and a registry row (shown to the officer, so no
raw observations)."""

from __future__ import annotations

from scanner.compare.facts import Facts
from scanner.registry.model import Deployment, RegisteredDevice


def device_details(f: Facts) -> dict[str, str]:
    return {
        "device_class": f.device_class.value if f.device_class else "",
        "label": f.label,
        "address": f.address,
        "ip": f.ip or "",
        "mac": min(f.macs) if f.macs else "",
        "serial": f.serial or "",
        "model": f.model or "",
        "vendor": f.vendor or "",
        "firmware": f.firmware or "",
        "ports": ", ".join(str(p) for p in sorted(f.ports)),
        "uuid": min(f.uuids) if f.uuids else "",
        "ble_address": min(f.ble) if f.ble else "",
        "basis": f.prefix_only or "",  # the class rests on a vendor prefix only (certainty.py)
    }


def registry_details(dep: Deployment, reg: RegisteredDevice) -> dict[str, str]:
    return {"registry_id": reg.id, "deployment": dep.id, "location": dep.location}
