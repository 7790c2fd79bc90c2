"""Protocol emulators for lab devices: one module per protocol, shared by every device model.

The registry maps a spec's ``proto`` tag to its spec class and emulator class, so the device
process can rebuild emulators from the JSON that ``lab up`` wrote. SADP and DHIP answer unicast
over UDP (``DATAGRAM_EMULATORS``); multicast discovery (SSDP, mDNS, WS-Discovery, and SADP/DHIP
on their groups) is not here yet: see ``scanner/lab/README.md``.
"""

from __future__ import annotations

from typing import Any

from scanner.lab.emulators.banner import BannerEmulator, BannerSpec
from scanner.lab.emulators.base import Emulator, EventLog, LogEvent, ServiceSpec, read_events
from scanner.lab.emulators.discovery import (
    DatagramEmulator,
    DhipEmulator,
    DhipSpec,
    SadpEmulator,
    SadpSpec,
)
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
#: UDP services: spec class and datagram emulator class.
DATAGRAM_EMULATORS: dict[str, tuple[type[ServiceSpec], type[DatagramEmulator]]] = {
    "sadp": (SadpSpec, SadpEmulator),
    "dhip": (DhipSpec, DhipEmulator),
}


def spec_from_json(data: dict[str, Any]) -> ServiceSpec:
    """Rebuild a spec from its JSON form (``proto`` selects the class)."""
    table: dict[str, tuple[type[ServiceSpec], Any]] = {**EMULATORS, **DATAGRAM_EMULATORS}
    spec_type, _ = table[data["proto"]]
    return spec_type.from_json(data)


def emulator_for(spec: ServiceSpec, device: str, log: EventLog) -> Emulator[Any]:
    """The emulator that serves ``spec`` for ``device``, logging to ``log``."""
    _, emulator_type = EMULATORS[spec.proto]
    return emulator_type(spec, device, log)


def datagram_emulator_for(spec: ServiceSpec, device: str, log: EventLog) -> DatagramEmulator:
    """The UDP emulator that answers ``spec`` for ``device``."""
    _, emulator_type = DATAGRAM_EMULATORS[spec.proto]
    return emulator_type(spec, device, log)


__all__ = [
    "DATAGRAM_EMULATORS",
    "EMULATORS",
    "BannerSpec",
    "DhipSpec",
    "Emulator",
    "EventLog",
    "HttpSpec",
    "JetDirectSpec",
    "LogEvent",
    "Route",
    "RtspSpec",
    "SadpSpec",
    "ServiceSpec",
    "ZkSpec",
    "datagram_emulator_for",
    "emulator_for",
    "read_events",
    "spec_from_json",
]
