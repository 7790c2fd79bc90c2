"""ONVIF device-service probe against loopback peers, including hostile XML (cases 21-23)."""

from __future__ import annotations

import asyncio

from scanner.models import Observation
from scanner.probes.base import ProbeContext
from scanner.probes.net import Connector
from scanner.probes.onvif import OnvifProbe
from scanner.scope import Limits, build_scope
from tests.probes.loopback import Peer, drain, peers
from tests.probes.test_hostile import bounded, fields, sweep

SOAP = '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>{}</s:Body></s:Envelope>'
CLOCK = SOAP.format(
    "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime/></tds:GetSystemDateAndTimeResponse>"
)
INFO = SOAP.format(
    "<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer>"
    "<tds:Model>DS-2CD2143G2-I</tds:Model><tds:FirmwareVersion>V5.7.3</tds:FirmwareVersion>"
    "<tds:SerialNumber>DS-2CD2143G2-I20230101AAWR</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId>"
    "</tds:GetDeviceInformationResponse>"
)


def onvif_device(info: str | bytes | None, status: str = "200 OK"):  # type: ignore[no-untyped-def]
    """GetSystemDateAndTime always answers; GetDeviceInformation answers ``info`` (or 401)."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _peer: Peer
    ) -> None:
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += await reader.readuntil(b"\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        body = await reader.readexactly(length)
        if b"GetSystemDateAndTime" in body:
            answer, code = CLOCK.encode(), "200 OK"
        elif info is None:
            answer, code = b"", "401 Unauthorized"
        else:
            answer, code = (info.encode() if isinstance(info, str) else info), status
        writer.write(
            f"HTTP/1.1 {code}\r\nContent-Type: application/soap+xml\r\nContent-Length: {len(answer)}\r\n\r\n".encode()
            + answer
        )
        await writer.drain()

    return handle


def probe(host: str, handler) -> tuple[list[Observation], Peer]:  # type: ignore[no-untyped-def]
    async def main() -> tuple[list[Observation], Peer]:
        async with peers((host, 8899, handler)) as (peer,):
            scope = build_scope([host], limits=Limits(request_deadline=2.0))
            return await OnvifProbe().probe(ProbeContext(scope, Connector(scope)), host, 8899), peer

    return asyncio.run(main())


def test_device_information_is_read_without_credentials() -> None:
    obs, peer = probe("127.0.21.1", onvif_device(INFO))
    got = fields(obs)
    assert got["tcp.service"] == ["onvif"]
    assert got["onvif.manufacturer"] == ["HIKVISION"]
    assert got["onvif.model"] == ["DS-2CD2143G2-I"]
    assert got["onvif.serial"] == ["DS-2CD2143G2-I20230101AAWR"]
    sent = peer.all_received
    assert b"UsernameToken" not in sent and b"Authorization" not in sent
    assert b"GetStreamUri" not in sent and b"GetSnapshotUri" not in sent


def test_401_on_device_information_is_recorded_not_retried() -> None:
    obs, peer = probe("127.0.21.2", onvif_device(None))
    assert fields(obs) == {"tcp.service": ["onvif"]}
    assert peer.connections == 2


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i + 1} "{("&lol" + (str(i) if i else "") + ";") * 10}">' for i in range(9)
    )
    + ']><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:Model>&lol9;</tds:Model></tds:GetDeviceInformationResponse></s:Body></s:Envelope>'
)


def test_case_21_billion_laughs_is_rejected_fast() -> None:
    async def main() -> object:
        async with peers(("127.0.21.3", 8899, onvif_device(BOMB))):
            return await sweep(
                ["127.0.21.3"], (8899,), Limits(request_deadline=2.0, connect_timeout=0.5)
            )

    res = bounded(2.0)(lambda: asyncio.run(main()))
    (err,) = [s for s in res.skipped if s.probe == "onvif"]  # type: ignore[attr-defined]
    assert "forbidden XML construct" in err.detail


def test_case_22_xxe_reads_no_file_and_calls_no_canary() -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">'
        '<!ENTITY % d SYSTEM "http://127.0.22.99:8080/x.dtd"> %d;]>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:Model>&x;</tds:Model></tds:GetDeviceInformationResponse></s:Body></s:Envelope>'
    )

    async def main() -> tuple[object, Peer]:
        specs = [("127.0.22.99", 8080, drain), ("127.0.22.1", 8899, onvif_device(xxe))]
        async with peers(*specs) as (canary, _device):
            limits = Limits(request_deadline=2.0, connect_timeout=0.5)
            res = await sweep(["127.0.22.1"], (8899,), limits)
        return res, canary

    res, canary = asyncio.run(main())
    assert canary.connections == 0
    devices_text = repr(res.observations)  # type: ignore[attr-defined]
    assert "root:" not in devices_text
    assert any(s.probe == "onvif" and "forbidden" in s.detail for s in res.skipped)  # type: ignore[attr-defined]


def test_case_23_quadratic_blowup_and_huge_documents_are_rejected() -> None:
    big_entity = "A" * 100_000
    quadratic = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "{big_entity}">]><r>{"&a;" * 10_000}</r>'
    )
    huge = "<r>" + "x" * (2 << 20) + "</r>"

    async def main() -> object:
        async with peers(
            ("127.0.23.1", 8899, onvif_device(quadratic)), ("127.0.23.2", 8899, onvif_device(huge))
        ):
            return await sweep(
                ["127.0.23.1-2"], (8899,), Limits(request_deadline=3.0, connect_timeout=0.5)
            )

    res = bounded(4.0)(lambda: asyncio.run(main()))
    details = {s.target: s.detail for s in res.skipped if s.probe == "onvif"}  # type: ignore[attr-defined]
    assert (
        "larger than the cap" in details["127.0.23.1:8899"]
        or "forbidden" in details["127.0.23.1:8899"]
    )
    assert "larger than the cap" in details["127.0.23.2:8899"]
