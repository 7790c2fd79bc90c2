"""ONVIF device service: two unauthenticated SOAP calls, nothing else.

``GetSystemDateAndTime`` must be answered without credentials (ONVIF Core Specification,
github onvif/specs ``doc/Core.xml``, "Security" — pre-authentication operations), so a SOAP
answer proves an ONVIF device; ``GetDeviceInformation`` (Core §8.3.1: Manufacturer, Model,
FirmwareVersion, SerialNumber, HardwareId) is answered by devices that allow it without
authentication, and a 401 is simply recorded. Never a UsernameToken, never a media call
(GetStreamUri/GetSnapshotUri). Answers are parsed with defusedxml: no DTD, no entities,
512 KiB at most (catalogue cases 21-23).
"""

from __future__ import annotations

from typing import ClassVar
from xml.etree.ElementTree import Element

from scanner.models import Observation
from scanner.normalize import clean_text
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.httphead import read_body, read_head
from scanner.probes.xmlsafe import XmlParseError, find_local, local, parse_xml

DEVICE_WSDL = "http://www.onvif.org/ver10/device/wsdl"
PATH = "/onvif/device_service"
_INFO_FIELDS = {
    "Manufacturer": "onvif.manufacturer",
    "Model": "onvif.model",
    "FirmwareVersion": "onvif.firmware",
    "SerialNumber": "onvif.serial",
    "HardwareId": "onvif.hardware_id",
}


def envelope(operation: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        f'<{operation} xmlns="{DEVICE_WSDL}"/></s:Body></s:Envelope>'
    ).encode()


def soap_request(host: str, port: int, operation: str) -> bytes:
    body = envelope(operation)
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: biosweep\r\n"
        f'Content-Type: application/soap+xml; charset=utf-8; action="{DEVICE_WSDL}/{operation}"\r\n'
        f"Accept-Encoding: identity\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def device_information(root: Element) -> list[tuple[str, str]]:
    response = find_local(root, "GetDeviceInformationResponse")
    if response is None:
        return []
    pairs = []
    for child in response:
        field = _INFO_FIELDS.get(local(child.tag))
        text = clean_text(child.text or "", 128)
        if field and text:
            pairs.append((field, text))
    return pairs


class OnvifProbe(Probe):
    name: ClassVar[str] = "onvif"
    ports: ClassVar[frozenset[int]] = frozenset({80, 2020, 8080, 8899})

    async def _call(
        self, ctx: ProbeContext, host: str, port: int, operation: str
    ) -> Element | None:
        limits = ctx.scope.limits
        async with ctx.dialer.connect(host, port) as stream:
            await stream.send(soap_request(host, port, operation))
            head = await read_head(stream, limits.max_headers)
            body, truncated = await read_body(stream, head, limits.max_xml + 1)
        if head.status != 200 or "xml" not in (head.get("content-type") or "xml"):
            return None
        if truncated:
            raise XmlParseError("XML document larger than the cap")
        return parse_xml(body, limits.max_xml)

    async def probe(self, ctx: ProbeContext, host: str, port: int) -> list[Observation]:
        subject, source = f"ip:{host}", f"onvif:{port}"
        clock = await self._call(ctx, host, port, "GetSystemDateAndTime")
        if clock is None or find_local(clock, "GetSystemDateAndTimeResponse") is None:
            return []
        out = [Observation(subject, "tcp.service", "onvif", source)]
        info = await self._call(ctx, host, port, "GetDeviceInformation")
        if info is not None:
            out += [Observation(subject, f, v, source) for f, v in device_information(info)]
        return out
