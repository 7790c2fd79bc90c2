"""SSDP for lab devices: answers M-SEARCH, announces ``ssdp:alive``; the description is a route
of the device's web server.

Wire format: UPnP Device Architecture 2.0 §1.2.2 (``NOTIFY * HTTP/1.1`` with ``NT``, ``NTS:
ssdp:alive``, ``USN``, ``LOCATION``), §1.3.2-1.3.3 (an ``M-SEARCH`` with ``MAN:
"ssdp:discover"`` and ``ST`` of ``ssdp:all``, ``upnp:rootdevice``, the device type or its
``uuid:`` is answered by unicast ``HTTP/1.1 200 OK`` with ``LOCATION``, ``SERVER``, ``ST``,
``USN``), §2.3 (the description document, with a ``serviceList`` whose ``eventSubURL`` a
scanner must never ``SUBSCRIBE`` to: the web server logs every method it receives).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator, Send

GROUP = "239.255.255.250"


@dataclass(frozen=True, slots=True, kw_only=True)
class SsdpSpec(ServiceSpec):
    proto: ClassVar[str] = "ssdp"
    transport: ClassVar[str] = "udp"
    server: str
    device_type: str
    udn: str  # uuid:…
    location_port: int = 80
    location_path: str = "/upnp/description.xml"


def _head(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


class SsdpEmulator(DatagramEmulator):
    proto: ClassVar[str] = "ssdp"
    group: ClassVar[str] = GROUP

    def _location(self, address: str) -> str:
        s: SsdpSpec = self.spec
        return f"http://{address}:{s.location_port}{s.location_path}"

    def _targets(self, st: str) -> list[str]:
        s: SsdpSpec = self.spec
        mine = ["upnp:rootdevice", s.udn, s.device_type]
        if st == "ssdp:all":
            return mine
        return [st] if st in mine else []

    def responses(self, data: bytes, address: str) -> list[bytes] | None:
        """The answers to an M-SEARCH (possibly none); None when it is not an M-SEARCH."""
        lines = data.decode("latin-1").split("\r\n")
        if not lines[0].upper().startswith("M-SEARCH * HTTP/1.1"):
            return None
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if headers.get("man", "").strip('"') != "ssdp:discover":
            return None
        s: SsdpSpec = self.spec
        return [
            _head(
                [
                    "HTTP/1.1 200 OK",
                    "CACHE-CONTROL: max-age=1800",
                    "EXT:",
                    f"LOCATION: {self._location(address)}",
                    f"SERVER: {s.server}",
                    f"ST: {st}",
                    f"USN: {s.udn}" + ("" if st == s.udn else f"::{st}"),
                ]
            )
            for st in self._targets(headers.get("st", ""))
        ]

    def answer(self, data: bytes, address: str) -> bytes | None:
        found = self.responses(data, address)
        return found[0] if found else None

    def on_group(self, data: bytes, peer: tuple[str, int], address: str) -> list[Send]:
        found = self.responses(data, address)
        if found:
            self._log(peer, "request", len(data), "multicast")
        return [Send(r, peer) for r in found or []]

    def announcements(self, address: str) -> list[bytes]:
        s: SsdpSpec = self.spec
        return [
            _head(
                [
                    "NOTIFY * HTTP/1.1",
                    f"HOST: {GROUP}:1900",
                    "CACHE-CONTROL: max-age=1800",
                    f"LOCATION: {self._location(address)}",
                    f"NT: {nt}",
                    "NTS: ssdp:alive",
                    f"SERVER: {s.server}",
                    f"USN: {s.udn}" + ("" if nt == s.udn else f"::{nt}"),
                ]
            )
            for nt in ("upnp:rootdevice", s.device_type)
        ]


def description(
    *,
    device_type: str,
    friendly_name: str,
    manufacturer: str,
    model_name: str,
    model_number: str,
    serial: str,
    udn: str,
) -> str:
    """A UPnP device description (UDA 2.0 §2.3) with one evented service."""
    return (
        '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
        f"<deviceType>{device_type}</deviceType><friendlyName>{friendly_name}</friendlyName>"
        f"<manufacturer>{manufacturer}</manufacturer><modelName>{model_name}</modelName>"
        f"<modelNumber>{model_number}</modelNumber><serialNumber>{serial}</serialNumber>"
        f"<UDN>{udn}</UDN><serviceList><service>"
        "<serviceType>urn:schemas-upnp-org:service:Basic:1</serviceType>"
        "<serviceId>urn:upnp-org:serviceId:Basic</serviceId><SCPDURL>/upnp/basic.xml</SCPDURL>"
        "<controlURL>/upnp/control/basic</controlURL><eventSubURL>/upnp/event/basic</eventSubURL>"
        "</service></serviceList></device></root>\n"
    )
