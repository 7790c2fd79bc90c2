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
Both also listen on their vendors' multicast groups (SADP 239.255.255.250:37020, DHIP
239.255.255.251:37810: UniversalScanner ``Hikvision.cs``, ``Dahua2.cs`` L20-21) and answer a
multicast question to the group, as the devices do, so a device on a foreign subnet is still
heard. On the group, datagrams that are not questions (other devices' answers) are ignored
without a log line; only unicast bytes that do not parse are logged as ``malformed``.
Anything else sent unicast is logged as ``malformed`` and not answered. The framing is
written here again on purpose rather than imported from ``scanner.probes.vendor_udp``: the
lab is a second, independent reading of the published layouts, so a probe bug cannot hide
behind a shared one.
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


@dataclass(frozen=True, slots=True)
class Send:
    """A datagram an emulator sends: to ``to``, or to its multicast group when ``to`` is None."""

    data: bytes
    to: tuple[str, int] | None = None


class DatagramEmulator:
    """Answers single datagrams; subclasses implement :meth:`answer`.

    ``group`` (empty: none) is a multicast group the device process also joins on the device's
    interface for this port; :meth:`on_group` handles what arrives there and
    :meth:`announcements` is what the device multicasts unasked (at start and periodically).
    """

    proto: ClassVar[str] = ""
    group: ClassVar[str] = ""
    answer_to_group: ClassVar[bool] = False  # answers multicast to the group (SADP, DHIP)

    def __init__(self, spec: Any, device: str, log: EventLog) -> None:
        self.spec = spec
        self.device = device
        self.log = log

    def answer(self, data: bytes, address: str) -> bytes | None:
        raise NotImplementedError

    def received(self, data: bytes, peer: tuple[str, int], address: str) -> bytes | None:
        reply = self.answer(data[:MAX_DATAGRAM], address)
        self._log(peer, "request" if reply is not None else "malformed", len(data))
        return reply

    def _log(self, peer: tuple[str, int], kind: str, size: int, detail: str = "") -> None:
        self.log.write(
            LogEvent(
                device=self.device, proto=self.proto, port=self.spec.port,
                peer=f"{peer[0]}:{peer[1]}", kind=kind, size=size, method=self.proto.upper(),
                detail=detail,
            )
        )  # fmt: skip

    def on_group(self, data: bytes, peer: tuple[str, int], address: str) -> list[Send]:
        """A datagram sent to the group: a question gets the unicast answer (to the group for
        SADP/DHIP, else to the asker); anything else is someone else's traffic, ignored."""
        reply = self.answer(data[:MAX_DATAGRAM], address)
        if reply is None:
            return []
        self._log(peer, "request", len(data), "multicast")
        return [Send(reply, None if self.answer_to_group else peer)]

    def announcements(self, address: str) -> list[bytes]:
        """What the device multicasts unasked (nothing by default)."""
        return []


class SadpEmulator(DatagramEmulator):
    proto: ClassVar[str] = "sadp"
    group: ClassVar[str] = "239.255.255.250"
    answer_to_group: ClassVar[bool] = True

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
    group: ClassVar[str] = "239.255.255.251"
    answer_to_group: ClassVar[bool] = True

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
