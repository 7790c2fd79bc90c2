"""WS-Discovery: ProbeMatches through the fake seam; catalogue case 24 (empty, missing XAddrs,
500 matches, 1,000 XAddrs, wrong RelatesTo, then a valid datagram) and hostile XML (21-23)."""

from __future__ import annotations

import re

from scanner.probes.multicast.base import Datagram
from scanner.probes.multicast.wsd import (
    GROUP,
    MAX_MATCHES,
    MAX_XADDRS,
    PORT,
    WsdProbe,
    parse_wsd,
    probe_message,
)
from scanner.probes.xmlsafe import parse_xml
from tests.multicast.helpers import fields, iface, run_probe, scope_for
from tests.probes.test_hostile import bounded

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">'
    "<s:Header><a:RelatesTo>{relates}</a:RelatesTo></s:Header><s:Body><d:ProbeMatches>{matches}</d:ProbeMatches></s:Body></s:Envelope>"
)


def match(n: int = 1, xaddrs: str | None = None) -> str:
    x = f"http://10.99.0.{n}/onvif/device_service" if xaddrs is None else xaddrs
    return (
        f"<d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:0000-{n}</a:Address></a:EndpointReference>"
        "<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>"
        "<d:Scopes>onvif://www.onvif.org/type/Network_Video_Transmitter onvif://www.onvif.org/hardware/IPC322LB</d:Scopes>"
        + (f"<d:XAddrs>{x}</d:XAddrs>" if x else "")
        + "</d:ProbeMatch>"
    )


def relates_of(payload: bytes) -> str:
    found = re.search(rb"<a:MessageID>([^<]+)</a:MessageID>", payload)
    assert found
    return found.group(1).decode()


def test_probe_asks_for_transmitters_and_devices_with_a_message_id() -> None:
    root = parse_xml(probe_message("uuid:1", "dn:NetworkVideoTransmitter"), 64 * 1024)
    assert [e.text for e in root.iter() if e.tag.endswith("Types")] == [
        "dn:NetworkVideoTransmitter"
    ]
    assert [e.text for e in root.iter() if e.tag.endswith("MessageID")] == ["uuid:1"]


def test_a_probe_match_gives_scopes_xaddrs_types_and_endpoint() -> None:
    scope = scope_for("10.99.0.0/24")

    def reply(payload: bytes) -> list[Datagram]:
        doc = ENVELOPE.format(relates=relates_of(payload), matches=match(44))
        return [Datagram(doc.encode(), "10.99.0.44", 3702)]

    obs, _s, net = run_probe(
        WsdProbe(), (GROUP, PORT), reply, scope, iface("10.99.0.0/24", "10.99.0.250")
    )
    got = fields(obs)
    assert set(got["wsd.endpoint"]) == {"uuid:0000-44"}
    assert "onvif://www.onvif.org/type/Network_Video_Transmitter" in got["onvif.scope"]
    assert got["onvif.xaddr"][0] == "http://10.99.0.44/onvif/device_service"
    assert "dn:NetworkVideoTransmitter" in got["wsd.type"]
    # one Probe per type, nothing but the group
    assert len(net.sent) == 2 and {(g, p) for _i, g, p, _b in net.sent} == {(GROUP, PORT)}


def test_case_24_each_datagram_on_its_own_capped_and_ours_only() -> None:
    scope = scope_for("10.99.0.0/24")

    def replies(payload: bytes) -> list[Datagram]:
        ours = relates_of(payload)
        docs = [
            ENVELOPE.format(relates=ours, matches=""),  # (a) empty
            ENVELOPE.format(relates=ours, matches=match(2, xaddrs="")),  # (b) no XAddrs
            ENVELOPE.format(relates=ours, matches="".join(match(3) for _ in range(500))),  # (c)
            ENVELOPE.format(
                relates=ours,
                matches=match(4, " ".join(f"http://10.99.0.4:{p}/" for p in range(300))),
            ),  # (d)
            ENVELOPE.format(relates="uuid:not-ours", matches=match(5)),  # (e) not our probe
            "<<< not xml",
            ENVELOPE.format(relates=ours, matches=match(6)),  # a later valid datagram
        ]
        return [Datagram(d.encode(), f"10.99.0.{i + 1}", 3702) for i, d in enumerate(docs)]

    obs, _s, _n = bounded(5.0)(
        lambda: run_probe(
            WsdProbe(), (GROUP, PORT), replies, scope, iface("10.99.0.0/24", "10.99.0.250")
        )
    )
    by = {}
    for o in obs:
        by.setdefault(o.subject, []).append(o)
    assert "ip:10.99.0.1" not in by  # (a) no record
    assert any(o.field == "wsd.endpoint" for o in by["ip:10.99.0.2"])  # (b) partial record
    assert not any(o.field == "onvif.xaddr" for o in by["ip:10.99.0.2"])
    # (c) 500 full matches do not fit a datagram (dropped above 9000 bytes); compact ones parse capped
    compact = "".join(
        "<d:ProbeMatch><d:XAddrs>http://10.99.0.3/</d:XAddrs></d:ProbeMatch>" for _ in range(500)
    )
    assert len(parse_wsd(ENVELOPE.format(relates="x", matches=compact).encode())) == MAX_MATCHES
    assert sum(1 for o in by["ip:10.99.0.4"] if o.field == "onvif.xaddr") == MAX_XADDRS  # (d)
    thousand = match(4, " ".join(f"http://10.99.0.4:{p}/x" for p in range(1000)))
    (m,) = parse_wsd(ENVELOPE.format(relates="x", matches=thousand).encode())
    assert len(m.xaddrs) == MAX_XADDRS
    assert "ip:10.99.0.5" not in by  # (e) ignored
    assert "ip:10.99.0.7" in by  # the later valid datagram still counts


def test_xaddrs_on_a_foreign_subnet_are_reported_and_excluded_ones_drop_the_match() -> None:
    scope = scope_for("10.99.0.0/24", exclude=("10.99.0.9",))

    def replies(payload: bytes) -> list[Datagram]:
        ours = relates_of(payload)
        foreign = ENVELOPE.format(
            relates=ours, matches=match(64, "http://192.168.1.64/onvif/device_service")
        )
        excluded = ENVELOPE.format(relates=ours, matches=match(9))
        return [
            Datagram(foreign.encode(), "192.168.1.64", 3702),
            Datagram(excluded.encode(), "10.99.0.9", 3702),
        ]

    obs, _s, _n = run_probe(
        WsdProbe(), (GROUP, PORT), replies, scope, iface("10.99.0.0/24", "10.99.0.250")
    )
    assert {o.subject for o in obs} == {"ip:192.168.1.64"}
    assert "192.168.1.64" in fields(obs)["ip.address"]


def test_hostile_xml_in_probe_matches_is_refused_quickly() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY a{i + 1} "{("&a" + (str(i) if i else "") + ";") * 10}">' for i in range(9)
        )
        + "]><r>&a9;</r>"
    )
    scope = scope_for("10.99.0.0/24")
    obs, _s, _n = bounded(1.0)(
        lambda: run_probe(
            WsdProbe(),
            (GROUP, PORT),
            lambda _p: [Datagram(bomb.encode(), "10.99.0.3", 3702)],
            scope,
            iface("10.99.0.0/24", "10.99.0.250"),
        )
    )
    assert obs == []


def test_every_scope_is_kept_whole_standard_or_not() -> None:
    scopes = [
        "onvif://www.onvif.org/hardware/DS-2CD2143G2-IU",
        "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-IU",
        "onvif://www.onvif.org/MAC/bc:ad:28:5a:c0:45",
        "onvif://www.onvif.org/Profile/Streaming",
        "onvif://www.onvif.org/location/city/hangzhou",
        "http://www.hikvision.com/scope/model/" + "X" * 150,
    ]
    body = match(7).replace(
        "onvif://www.onvif.org/type/Network_Video_Transmitter onvif://www.onvif.org/hardware/IPC322LB",
        " ".join(scopes),
    )
    doc = ENVELOPE.format(relates="uuid:x", matches=body)
    (found,) = parse_wsd(doc.encode())
    assert list(found.scopes) == scopes
