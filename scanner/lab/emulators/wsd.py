"""WS-Discovery for lab ONVIF devices: answers Probe with ProbeMatches, announces Hello.

Wire format: WS-Discovery (OASIS, April 2005, namespace
``http://schemas.xmlsoap.org/ws/2005/04/discovery``) as ONVIF Core (github onvif/specs
``doc/Core.xml``, "Discovery") profiles it: a ``Probe`` arriving on 239.255.255.250:3702 whose
``Types`` are empty or name ``NetworkVideoTransmitter``/``Device`` is answered by unicast to the
sender with ``ProbeMatches``: ``RelatesTo`` = the probe's ``MessageID``, and a ``ProbeMatch``
with ``EndpointReference/Address``, ``Types``, ``Scopes``, ``XAddrs``, ``MetadataVersion``.
A device on a foreign subnet has no route back to the asker: its unicast answer is lost,
as on a real network.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import ClassVar

from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator

GROUP = "239.255.255.250"
_MESSAGE_ID = re.compile(rb"<(?:\w+:)?MessageID>\s*([^<\s]{1,128})\s*</(?:\w+:)?MessageID>")
_TYPES = re.compile(rb"<(?:\w+:)?Types>([^<]{0,512})</(?:\w+:)?Types>")
_PROBE = re.compile(rb"<(?:\w+:)?Probe[\s>/]")
_NS = (
    'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"'
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WsdSpec(ServiceSpec):
    proto: ClassVar[str] = "wsd"
    transport: ClassVar[str] = "udp"
    endpoint: str  # urn:uuid:…
    scopes: tuple[str, ...]
    types: str = "dn:NetworkVideoTransmitter tds:Device"
    xaddr_port: int = 80
    #: The device's IPv6 link-local address, listed as a second XAddr as cameras do.
    link_local: str | None = None


class WsdEmulator(DatagramEmulator):
    proto: ClassVar[str] = "wsd"
    group: ClassVar[str] = GROUP

    def _xaddrs(self, address: str) -> str:
        s: WsdSpec = self.spec
        hosts = [address, *([f"[{s.link_local}]"] if s.link_local else [])]
        return " ".join(f"http://{h}:{s.xaddr_port}/onvif/device_service" for h in hosts)

    def _match(self, address: str, tag: str) -> str:
        s: WsdSpec = self.spec
        return (
            f"<d:{tag}><a:EndpointReference><a:Address>{s.endpoint}</a:Address>"
            f"</a:EndpointReference><d:Types>{s.types}</d:Types>"
            f"<d:Scopes>{' '.join(s.scopes)}</d:Scopes>"
            f"<d:XAddrs>{self._xaddrs(address)}</d:XAddrs>"
            f"<d:MetadataVersion>1</d:MetadataVersion></d:{tag}>"
        )

    def answer(self, data: bytes, address: str) -> bytes | None:
        if not _PROBE.search(data):
            return None
        found = _MESSAGE_ID.search(data)
        wanted = _TYPES.search(data)
        names = {t.split(b":")[-1] for t in wanted.group(1).split()} if wanted else set()
        if names and not names & {b"NetworkVideoTransmitter", b"Device"}:
            return None
        relates = found.group(1).decode("ascii", "replace") if found else ""
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {_NS}><s:Header>'
            "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>"
            f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID><a:RelatesTo>{relates}</a:RelatesTo>"
            "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
            f"</s:Header><s:Body><d:ProbeMatches>{self._match(address, 'ProbeMatch')}"
            "</d:ProbeMatches></s:Body></s:Envelope>"
        ).encode()

    def announcements(self, address: str) -> list[bytes]:
        hello = (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {_NS}><s:Header>'
            "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action>"
            f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
            "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>"
            f"<s:Body>{self._match(address, 'Hello')}</s:Body></s:Envelope>"
        )
        return [hello.encode()]
