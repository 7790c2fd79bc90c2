"""SSDP for lab devices: answers M-SEARCH, announces ``ssdp:alive``; the description is a route
of the device's web server.

Wire format: UPnP Device Architecture 2.0 §1.2.2 (``NOTIFY * HTTP/1.1`` with ``NT``, ``NTS:
ssdp:alive``, ``USN``, ``LOCATION``), §1.3.2-1.3.3 (an ``M-SEARCH`` with ``MAN:
"ssdp:discover"`` and ``ST`` of ``ssdp:all``, ``upnp:rootdevice``, the device type or its
``uuid:`` is answered by unicast ``HTTP/1.1 200 OK`` with ``LOCATION``, ``SERVER``, ``ST``,
``USN``), §2.3 (the description document, with a ``serviceList`` whose ``eventSubURL`` a
scanner must never ``SUBSCRIBE`` to: the web server logs every method it receives).

A device may list its services (``services``): M-SEARCH for a service type is answered and
``ssdp:alive`` is sent for each (UDA 2.0 §1.2.2, §1.3.2), and the description lists them with
their SCPD documents (UDA 2.0 §2.5), which :func:`scpd` writes. A DLNA media renderer (a TV)
is a ``urn:schemas-upnp-org:device:MediaRenderer:1`` with the ``RenderingControl:1``,
``ConnectionManager:1`` and ``AVTransport:1`` services (UPnP AV Architecture 1.0 and the
MediaRenderer:1 device template, UPnP Forum) and declares its DLNA device class in a
``dlna:X_DLNADOC`` element, namespace ``urn:schemas-dlna-org:device-1-0`` (DLNA Networked
Device Interoperability Guidelines, "device description" requirements), e.g. ``DMR-1.50``.
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
    services: tuple[str, ...] = ()  # service types, urn:schemas-upnp-org:service:…:1


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
        mine = ["upnp:rootdevice", s.udn, s.device_type, *s.services]
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
            for nt in ("upnp:rootdevice", s.device_type, *s.services)
        ]


#: (service type, service id, one read-only action and its state variable) of UPnP AV services.
AV_SERVICES = {
    "RenderingControl": ("GetVolume", "Volume", "ui2"),
    "ConnectionManager": ("GetProtocolInfo", "SinkProtocolInfo", "string"),
    "AVTransport": ("GetTransportInfo", "TransportState", "string"),
}


def service_path(service_type: str) -> str:
    """Where a service's SCPD lives on the device's web server."""
    return f"/upnp/{service_type.split(':')[-2]}.xml"


def _service(service_type: str) -> str:
    name = service_type.split(":")[-2]
    return (
        f"<service><serviceType>{service_type}</serviceType>"
        f"<serviceId>urn:upnp-org:serviceId:{name}</serviceId>"
        f"<SCPDURL>{service_path(service_type)}</SCPDURL>"
        f"<controlURL>/upnp/control/{name}</controlURL>"
        f"<eventSubURL>/upnp/event/{name}</eventSubURL></service>"
    )


def description(
    *,
    device_type: str,
    friendly_name: str,
    manufacturer: str,
    model_name: str,
    model_number: str,
    serial: str,
    udn: str,
    services: tuple[str, ...] = (),
    dlna: str = "",
) -> str:
    """A UPnP device description (UDA 2.0 §2.3) with its evented services (a ``Basic:1``
    placeholder when none is given) and, for a DLNA device, its ``X_DLNADOC``."""
    listed = services or ("urn:schemas-upnp-org:service:Basic:1",)
    ns = ' xmlns:dlna="urn:schemas-dlna-org:device-1-0"' if dlna else ""
    dlnadoc = f"<dlna:X_DLNADOC>{dlna}</dlna:X_DLNADOC>" if dlna else ""
    return (
        f'<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0"{ns}>'
        "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
        f"<deviceType>{device_type}</deviceType><friendlyName>{friendly_name}</friendlyName>"
        f"<manufacturer>{manufacturer}</manufacturer><modelName>{model_name}</modelName>"
        f"<modelNumber>{model_number}</modelNumber><serialNumber>{serial}</serialNumber>"
        f"<UDN>{udn}</UDN>{dlnadoc}<serviceList>{''.join(_service(t) for t in listed)}"
        "</serviceList></device></root>\n"
    )


def scpd(service_type: str) -> str:
    """A service description (UDA 2.0 §2.5) with one read-only action of the service."""
    action, variable, kind = AV_SERVICES.get(
        service_type.split(":")[-2], ("GetStatus", "Status", "string")
    )
    return (
        '<?xml version="1.0"?>\n<scpd xmlns="urn:schemas-upnp-org:service-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion><actionList><action>"
        f"<name>{action}</name><argumentList><argument><name>Current{variable}</name>"
        f"<direction>out</direction><relatedStateVariable>{variable}</relatedStateVariable>"
        "</argument></argumentList></action></actionList><serviceStateTable>"
        f'<stateVariable sendEvents="no"><name>{variable}</name><dataType>{kind}</dataType>'
        "</stateVariable></serviceStateTable></scpd>\n"
    )
