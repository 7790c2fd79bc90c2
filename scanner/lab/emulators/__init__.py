"""Protocol emulators for lab devices: one module per protocol, shared by every device model.

The registry maps a spec's ``proto`` tag to its spec class and emulator class, so the device
process can rebuild emulators from the JSON that ``lab up`` wrote. SADP, DHIP, HID discoveryd
and Suprema's discovery port listen on UDP (``DATAGRAM_EMULATORS``); SADP, DHIP, SSDP, mDNS and
WS-Discovery also listen on their multicast groups where the device has a real interface (the
namespaces backend).
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
from scanner.lab.emulators.hid import HidEmulator, HidSpec
from scanner.lab.emulators.hostile import HOSTILE_EMULATORS
from scanner.lab.emulators.hostile_udp import HOSTILE_DATAGRAM_EMULATORS
from scanner.lab.emulators.http import HttpEmulator, HttpSpec, Route
from scanner.lab.emulators.jetdirect import JetDirectEmulator, JetDirectSpec
from scanner.lab.emulators.mdns import MdnsEmulator, MdnsSpec
from scanner.lab.emulators.rtsp import RtspEmulator, RtspSpec
from scanner.lab.emulators.smb import SmbEmulator, SmbSpec
from scanner.lab.emulators.ssdp import SsdpEmulator, SsdpSpec
from scanner.lab.emulators.suprema import (
    SupremaEmulator,
    SupremaSpec,
    SupremaUdpEmulator,
    SupremaUdpSpec,
)
from scanner.lab.emulators.wsd import WsdEmulator, WsdSpec
from scanner.lab.emulators.zk import ZkEmulator, ZkSpec

EMULATORS: dict[str, tuple[type[ServiceSpec], type[Emulator[Any]]]] = {
    "http": (HttpSpec, HttpEmulator),
    "rtsp": (RtspSpec, RtspEmulator),
    "zk": (ZkSpec, ZkEmulator),
    "jetdirect": (JetDirectSpec, JetDirectEmulator),
    "banner": (BannerSpec, BannerEmulator),
    "smb": (SmbSpec, SmbEmulator),
    "suprema": (SupremaSpec, SupremaEmulator),
    **HOSTILE_EMULATORS,  # tarpit, drip, flood, fragile_http, fragile_jetdirect
}
#: UDP services: spec class and datagram emulator class.
DATAGRAM_EMULATORS: dict[str, tuple[type[ServiceSpec], type[DatagramEmulator]]] = {
    "sadp": (SadpSpec, SadpEmulator),
    "dhip": (DhipSpec, DhipEmulator),
    "ssdp": (SsdpSpec, SsdpEmulator),
    "mdns": (MdnsSpec, MdnsEmulator),
    "wsd": (WsdSpec, WsdEmulator),
    "hid": (HidSpec, HidEmulator),
    "suprema_udp": (SupremaUdpSpec, SupremaUdpEmulator),
    **HOSTILE_DATAGRAM_EMULATORS,  # mdns_loop, ssdp_flood, sadp_bomb
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
    "HidSpec",
    "HttpSpec",
    "JetDirectSpec",
    "LogEvent",
    "MdnsSpec",
    "Route",
    "RtspSpec",
    "SadpSpec",
    "ServiceSpec",
    "SmbSpec",
    "SsdpSpec",
    "SupremaSpec",
    "SupremaUdpSpec",
    "WsdSpec",
    "ZkSpec",
    "datagram_emulator_for",
    "emulator_for",
    "read_events",
    "spec_from_json",
]
