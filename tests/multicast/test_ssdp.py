"""SSDP and UPnP descriptions: answers through the fake seam, descriptions from real loopback
peers; catalogue cases 21-23 (hostile XML in a description), 25 (partial descriptions),
27 (floods), 28 (no SUBSCRIBE, no request anywhere but the responder)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from scanner.errors import ParseError
from scanner.probes.multicast.base import Datagram
from scanner.probes.multicast.net import MAX_DATAGRAM, PER_SOURCE
from scanner.probes.multicast.ssdp import (
    GROUP,
    PORT,
    SsdpProbe,
    msearch,
    parse_description,
    parse_ssdp,
)
from scanner.probes.xmlsafe import XmlParseError
from tests.multicast.helpers import fields, run_probe, scope_for
from tests.probes.loopback import Peer, drain, http_handler, peers
from tests.probes.test_hostile import bounded

DESCRIPTION = (
    '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
    "<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>"
    "<friendlyName>AXIS P3245-LVE - ACCC8E5AC043</friendlyName><manufacturer>AXIS</manufacturer>"
    "<manufacturerURL>http://www.axis.com/</manufacturerURL>"
    "<modelName>AXIS P3245-LVE Network Camera</modelName><modelNumber>P3245-LVE</modelNumber>"
    "<serialNumber>ACCC8E5AC043</serialNumber><UDN>uuid:Abc-1</UDN><serviceList><service>"
    "<eventSubURL>/upnp/event/basic</eventSubURL><controlURL>/upnp/control</controlURL>"
    "</service></serviceList></device></root>"
)


def answer(
    source: str,
    location: str,
    server: str = "Linux/4.14-axis8, UPnP/1.0, Portable SDK for UPnP devices/1.8.4",
) -> Datagram:
    text = (
        f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: {location}\r\n"
        f"SERVER: {server}\r\nST: upnp:rootdevice\r\nUSN: uuid:Abc-1::upnp:rootdevice\r\n\r\n"
    )
    return Datagram(text.encode(), source, 1900)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_msearch_is_a_well_formed_discover() -> None:
    msg = parse_ssdp(msearch())
    assert msg.kind == "search"
    assert msg.get("man") == '"ssdp:discover"' and msg.get("st") == "ssdp:all"
    assert msg.get("host") == f"{GROUP}:{PORT}"


def test_answers_and_notifies_parse_and_garbage_does_not() -> None:
    ok = parse_ssdp(answer("10.0.0.5", "http://10.0.0.5/d.xml").data)
    assert ok.kind == "response" and ok.get("usn") == "uuid:Abc-1::upnp:rootdevice"
    notify = parse_ssdp(b"NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n")
    assert notify.kind == "notify"
    for junk in (
        b"",
        b"\xff\xfe garbage",
        b'{"command":"broadcast"}',
        b"HTTP/1.1 200 OK\r\nno colon\r\n",
    ):
        with pytest.raises(ParseError):
            parse_ssdp(junk)


@pytest.fixture
def described() -> Iterator[tuple[int, list[Peer]]]:
    return free_port(), []


def _fetch(
    host: str,
    body: str | bytes,
    location_host: str | None = None,
    extra: tuple[tuple[str, int, object], ...] = (),
):  # type: ignore[no-untyped-def]
    port = free_port()
    data = body.encode() if isinstance(body, str) else body
    handler = http_handler("HTTP/1.1 200 OK", ["Content-Type: text/xml"], data)

    async def main():  # type: ignore[no-untyped-def]
        async with peers((host, port, handler), *extra) as started:  # type: ignore[arg-type]
            loop = asyncio.get_running_loop()
            location = f"http://{location_host or host}:{port}/upnp/description.xml"
            found = await loop.run_in_executor(
                None,
                lambda: run_probe(SsdpProbe(), (GROUP, PORT), lambda _p: [answer(host, location)]),
            )
            return found, started

    return asyncio.run(main())


def test_description_is_fetched_with_one_get_and_no_subscribe() -> None:
    (obs, skipped, net), (peer,) = _fetch("127.0.28.1", DESCRIPTION)
    got = fields(obs)
    assert got["ssdp.server"][0].startswith("Linux/4.14-axis8")
    assert got["upnp.manufacturer"] == ["AXIS"]
    assert got["upnp.model_name"] == ["AXIS P3245-LVE Network Camera"]
    assert got["upnp.model_number"] == ["P3245-LVE"]
    assert got["upnp.friendly_name"] == ["AXIS P3245-LVE - ACCC8E5AC043"]
    assert got["upnp.manufacturer_url"] == ["http://www.axis.com/"]
    assert got["upnp.serial"] == ["ACCC8E5AC043"]
    assert set(got["upnp.udn"]) == {"uuid:abc-1"}  # from the USN and the description
    assert skipped == []
    # case 28: one GET of the description, nothing else (no SUBSCRIBE, no control call)
    assert peer.connections == 1
    sent = peer.all_received
    assert sent.startswith(b"GET /upnp/description.xml HTTP/1.1")
    assert b"SUBSCRIBE" not in sent and b"CALLBACK" not in sent.upper()
    # the multicast question was one M-SEARCH (twice: UDP is lossy), to the group only
    assert {(g, p) for _i, g, p, _b in net.sent} == {(GROUP, PORT)}


def test_case_28_location_naming_another_host_is_not_followed() -> None:
    canary_port = free_port()
    extra = (("127.0.28.99", canary_port, drain),)
    (obs, _s, _n), (_peer, canary) = _fetch("127.0.28.2", DESCRIPTION, "127.0.28.99", extra)  # type: ignore[misc]
    assert canary.connections == 0  # a device cannot send us to someone else
    assert "upnp.manufacturer" not in fields(obs)
    assert fields(obs)["ssdp.server"]  # the answer itself is still recorded


def test_exclusions_apply_to_addresses_learned_from_location() -> None:
    scope = scope_for(exclude=("127.0.28.7",))
    location = "http://127.0.28.7:80/d.xml"
    obs, _s, _n = run_probe(
        SsdpProbe(), (GROUP, PORT), lambda _p: [answer("127.0.28.3", location)], scope
    )
    assert obs == []  # a responder naming an excluded address is dropped whole


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i + 1} "{("&lol" + (str(i) if i else "") + ";") * 10}">' for i in range(9)
    )
    + ']><root xmlns="urn:schemas-upnp-org:device-1-0"><device><manufacturer>&lol9;</manufacturer></device></root>'
)


def test_case_21_billion_laughs_description_is_recorded_as_malformed_fast() -> None:
    (obs, skipped, _n), _peers = bounded(2.0)(lambda: _fetch("127.0.28.4", BOMB))
    assert "upnp.manufacturer" not in fields(obs)
    (err,) = skipped
    assert err.probe == "upnp" and "forbidden XML construct" in err.detail


def test_case_22_xxe_reads_no_file_and_calls_no_canary() -> None:
    canary_port = free_port()
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">'
        f'<!ENTITY % d SYSTEM "http://127.0.28.98:{canary_port}/x.dtd"> %d;]>'
        "<root><device><manufacturer>&x;</manufacturer></device></root>"
    )
    extra = (("127.0.28.98", canary_port, drain),)
    (obs, skipped, _n), (_peer, canary) = _fetch("127.0.28.5", xxe, None, extra)  # type: ignore[misc]
    assert canary.connections == 0
    assert "root:" not in repr(obs)
    assert skipped and "forbidden" in skipped[0].detail


def test_case_23_quadratic_blowup_and_huge_descriptions_are_refused() -> None:
    quadratic = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "{"A" * 100_000}">]><root>{"&a;" * 10_000}</root>'
    with pytest.raises(XmlParseError):
        bounded(1.0)(lambda: parse_description(quadratic.encode(), 512 * 1024))
    huge = "<root>" + "x" * (50 << 20) + "</root>"
    (obs, skipped, _n), _p = bounded(8.0, mib=256)(lambda: _fetch("127.0.28.6", huge))
    assert "upnp.manufacturer" not in fields(obs)
    assert "larger than the cap" in skipped[0].detail


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # missing optional elements: a partial record
        (
            '<root xmlns="urn:schemas-upnp-org:device-1-0"><device><manufacturer>Acme</manufacturer></device></root>',
            {"upnp.manufacturer": "Acme"},
        ),
        # a wrong namespace: still read by local name
        (
            '<root xmlns="urn:wrong"><device><modelName>X1</modelName></device></root>',
            {"upnp.model_name": "X1"},
        ),
        # no device element at all
        ("<root/>", {}),
    ],
)
def test_case_25_partial_descriptions_are_partial_records(
    doc: str, expected: dict[str, str]
) -> None:
    assert dict(parse_description(doc.encode(), 512 * 1024)) == expected


def test_case_25_not_well_formed_description_is_a_parse_error_not_an_attribute_error() -> None:
    broken = (
        b'<?xml version="1.0"?>\n<root>\n<device>\n<modelName>X</modelName>\n<bad<</device></root>'
    )
    with pytest.raises(XmlParseError, match="malformed XML"):
        parse_description(broken, 512 * 1024)


def test_case_27_flood_is_capped_per_source_and_legitimate_responders_survive() -> None:
    def flood(_payload: bytes) -> list[Datagram]:
        noise = [
            Datagram(
                f"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:{i}::x\r\nSERVER: flood\r\n\r\n".encode(),
                "127.0.28.66",
                1900,
            )
            for i in range(10_000)
        ]
        big = [Datagram(b"HTTP/1.1 200 OK\r\n" + b"X" * (1 << 20), "127.0.28.67", 1900)]
        return [*noise, *big, answer("127.0.28.8", "http://127.0.28.200:1/none")]

    obs, _s, net = bounded(5.0)(lambda: run_probe(SsdpProbe(), (GROUP, PORT), flood))
    by_subject: dict[str, int] = {}
    for o in obs:
        if o.field == "upnp.udn":
            by_subject[o.subject] = by_subject.get(o.subject, 0) + 1
    assert by_subject["ip:127.0.28.66"] <= PER_SOURCE
    assert "ip:127.0.28.67" not in {o.subject for o in obs}  # the 1 MiB datagram was dropped
    assert net.dropped["oversized"] == 1 and net.dropped["capped"] >= 10_000 - PER_SOURCE
    assert any(o.subject == "ip:127.0.28.8" for o in obs)  # the legitimate one is recorded
    assert MAX_DATAGRAM == 9000
