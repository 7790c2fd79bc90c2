"""Vendor discovery answers over UDP (unicast for now): Hikvision SADP and Dahua DHIP.

Wire formats (the same public sources as the scanner's probes, read independently here):
- SADP, UDP 37020: an XML ``<Probe>…<Types>inquiry</Types></Probe>`` is answered by an XML
  ``<ProbeMatch>`` with ``Uuid`` (echoed), ``Types``, ``DeviceType``, ``DeviceDescription``
  (the model), ``DeviceSN``, ``MAC`` (dash-separated), ``IPv4Address`` (github
  julienblitte/UniversalScanner ``Hikvision.cs`` L62-75 reads exactly these elements).
- DHIP, UDP 37810: a 32-byte header (uint32 LE 0x20, magic ``DHIP``, 8 zero bytes, body length
  twice as uint32 LE each followed by 4 zero bytes) then a JSON body; a
  ``DHDiscover.search`` is answered by ``client.notifyDevInfo`` with ``params.deviceInfo``
  carrying ``DeviceType``, ``SerialNo``, ``mac``, ``IPv4Address.IPAddress``
  (UniversalScanner ``Dahua2.cs`` L20-36, L141-178).
Anything else is logged as ``malformed`` and not answered. The framing is written here again
on purpose rather than imported from ``scanner.probes.vendor_udp``: the lab is a second,
independent reading of the published layouts, so a probe bug cannot hide behind a shared one.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from scanner.lab.emulators.base import EventLog, LogEvent, ServiceSpec

MAX_DATAGRAM = 4096
_UUID = re.compile(rb"<Uuid>([0-9A-Za-z-]{1,64})</Uuid>")


@dataclass(frozen=True, slots=True, kw_only=True)
class SadpSpec(ServiceSpec):
    proto: ClassVar[str] = "sadp"
    transport: ClassVar[str] = "udp"
    model: str
    serial: str
    mac: str
    device_type: str = "139"


@dataclass(frozen=True, slots=True, kw_only=True)
class DhipSpec(ServiceSpec):
    proto: ClassVar[str] = "dhip"
    transport: ClassVar[str] = "udp"
    device_type: str
    serial: str
    mac: str


class DatagramEmulator:
    """Answers single datagrams; subclasses implement :meth:`answer`."""

    proto: ClassVar[str] = ""

    def __init__(self, spec: Any, device: str, log: EventLog) -> None:
        self.spec = spec
        self.device = device
        self.log = log

    def answer(self, data: bytes, address: str) -> bytes | None:
        raise NotImplementedError

    def received(self, data: bytes, peer: tuple[str, int], address: str) -> bytes | None:
        reply = self.answer(data[:MAX_DATAGRAM], address)
        self.log.write(
            LogEvent(
                device=self.device, proto=self.proto, port=self.spec.port,
                peer=f"{peer[0]}:{peer[1]}", kind="request" if reply is not None else "malformed",
                size=len(data), method=self.proto.upper(),
            )
        )  # fmt: skip
        return reply


class SadpEmulator(DatagramEmulator):
    proto: ClassVar[str] = "sadp"

    def answer(self, data: bytes, address: str) -> bytes | None:
        if b"<Probe>" not in data or b"<Types>inquiry</Types>" not in data:
            return None
        found = _UUID.search(data)
        uid = found.group(1).decode() if found else ""
        s: SadpSpec = self.spec
        mac = s.mac.replace(":", "-")
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>{uid}</Uuid>'
            f"<Types>inquiry</Types><DeviceType>{s.device_type}</DeviceType>"
            f"<DeviceDescription>{s.model}</DeviceDescription><DeviceSN>{s.serial}</DeviceSN>"
            f"<CommandPort>8000</CommandPort><HttpPort>80</HttpPort><MAC>{mac}</MAC>"
            f"<IPv4Address>{address}</IPv4Address><DHCP>false</DHCP></ProbeMatch>"
        ).encode()


def dhip_frame(body: bytes) -> bytes:
    return (
        struct.pack("<I", 0x20)
        + b"DHIP"
        + bytes(8)
        + struct.pack("<I4xI4x", len(body), len(body))
        + body
    )


class DhipEmulator(DatagramEmulator):
    proto: ClassVar[str] = "dhip"

    def answer(self, data: bytes, address: str) -> bytes | None:
        if len(data) < 32 or data[4:8] != b"DHIP":
            return None
        try:
            request = json.loads(data[32:].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(request, dict) or request.get("method") != "DHDiscover.search":
            return None
        s: DhipSpec = self.spec
        info = {
            "DeviceType": s.device_type, "SerialNo": s.serial, "mac": s.mac,
            "IPv4Address": {"IPAddress": address, "DhcpEnable": False},
        }  # fmt: skip
        body = json.dumps(
            {"mac": s.mac, "method": "client.notifyDevInfo", "params": {"deviceInfo": info}}
        )
        return dhip_frame(body.encode())
