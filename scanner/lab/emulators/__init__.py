"""Protocol emulators for lab devices: one module per protocol, shared by every device model.

The registry maps a spec's ``proto`` tag to its spec class and emulator class, so the device
process can rebuild emulators from the JSON that ``lab up`` wrote. Multicast and UDP discovery
protocols (SSDP, mDNS, WS-Discovery, SADP, DHIP) are not here yet: see ``scanner/lab/README.md``.
"""

from __future__ import annotations

from typing import Any

from scanner.lab.emulators.banner import BannerEmulator, BannerSpec
from scanner.lab.emulators.base import Emulator, EventLog, LogEvent, ServiceSpec, read_events
from scanner.lab.emulators.http import HttpEmulator, HttpSpec, Route
from scanner.lab.emulators.jetdirect import JetDirectEmulator, JetDirectSpec
from scanner.lab.emulators.rtsp import RtspEmulator, RtspSpec
from scanner.lab.emulators.zk import ZkEmulator, ZkSpec

EMULATORS: dict[str, tuple[type[ServiceSpec], type[Emulator[Any]]]] = {
    "http": (HttpSpec, HttpEmulator),
    "rtsp": (RtspSpec, RtspEmulator),
    "zk": (ZkSpec, ZkEmulator),
    "jetdirect": (JetDirectSpec, JetDirectEmulator),
    "banner": (BannerSpec, BannerEmulator),
}


def spec_from_json(data: dict[str, Any]) -> ServiceSpec:
    """Rebuild a spec from its JSON form (``proto`` selects the class)."""
    spec_type, _ = EMULATORS[data["proto"]]
    return spec_type.from_json(data)


def emulator_for(spec: ServiceSpec, device: str, log: EventLog) -> Emulator[Any]:
    """The emulator that serves ``spec`` for ``device``, logging to ``log``."""
    _, emulator_type = EMULATORS[spec.proto]
    return emulator_type(spec, device, log)


__all__ = [
    "EMULATORS",
    "BannerSpec",
    "Emulator",
    "EventLog",
    "HttpSpec",
    "JetDirectSpec",
    "LogEvent",
    "Route",
    "RtspSpec",
    "ServiceSpec",
    "ZkSpec",
    "emulator_for",
    "read_events",
    "spec_from_json",
]
