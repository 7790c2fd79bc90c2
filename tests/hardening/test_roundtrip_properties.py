"""Round trips of the test-side builders through the scanner's parsers (SAFETY-CATALOGUE case
69): ``parse(build(x)) == x`` for mDNS answers, SSDP answers and WS-Discovery ProbeMatches,
with interdependent length fields drawn first and payloads sized to match; then a second
strategy breaks those lengths on purpose and the parser must answer with its family's error or
a result, never anything else. (BLE AD's round trip is ``tests/ble/test_adparse.py``.)

The builders here are written from the RFCs, not from the parsers: RFC 1035 §4.1 and RFC 6763
(mDNS), UPnP Device Architecture 2.0 §1.3.3 (SSDP), WS-Discovery 2005/04 as ONVIF profiles it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from scanner.probes.multicast import mdns, ssdp, wsd
from scanner.probes.xmlsafe import XmlParseError
from tests.multicast.test_wsd import ENVELOPE

# The profile (bounded, derandomised in CI) is loaded by test_parser_properties.py.

LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)


@dataclass(frozen=True)
class Service:
    stype: str  # _x._tcp
    instance: str  # one label, any printable text
    host: str  # one label
    port: int
    txt: tuple[tuple[str, str], ...]
    address: str


@st.composite
def services(draw: st.DrawFn) -> Service:
    # lengths first (a DNS label holds at most 63 octets), then text of exactly that size
    size = draw(st.integers(1, 40))
    instance = draw(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")),
            min_size=size,
            max_size=size,
        ).filter(lambda t: "." not in t and t == t.strip() and len(t.encode()) <= 63)
    )
    keys = draw(st.lists(LABEL.map(str.lower), max_size=8, unique=True))
    values = [draw(st.text("ABCDEF0123456789xyz", max_size=30)) for _ in keys]
    return Service(
        stype=f"_{draw(LABEL)}._{draw(st.sampled_from(['tcp', 'udp']))}",
        instance=instance,
        host=draw(LABEL),
        port=draw(st.integers(1, 65535)),
        txt=tuple(zip(keys, values, strict=True)),
        address=str(ipaddress.IPv4Address(draw(st.integers(0x0A000001, 0x0AFFFFFE)))),
    )


def _name(text: str) -> bytes:
    return b"".join(bytes([len(p)]) + p for p in (x.encode() for x in text.split("."))) + b"\0"


def _rr(owner: str, rtype: int, rdata: bytes) -> bytes:
    return _name(owner) + struct.pack("!HHIH", rtype, 1, 120, len(rdata)) + rdata


def build_mdns(s: Service) -> bytes:
    """An mDNS response (RFC 6762 §6) with PTR, SRV, TXT and A records, no compression."""
    stype, full, host = f"{s.stype}.local", f"{s.instance}.{s.stype}.local", f"{s.host}.local"
    txt = b"".join(bytes([len(i)]) + i for i in (f"{k}={v}".encode() for k, v in s.txt)) or b"\0"
    records = [
        _rr(stype, 12, _name(full)),
        _rr(full, 33, struct.pack("!HHH", 0, 0, s.port) + _name(host)),
        _rr(full, 16, txt),
        _rr(host, 1, socket.inet_aton(s.address)),
    ]
    return struct.pack("!6H", 0, 0x8400, 0, len(records), 0, 0) + b"".join(records)


@given(services())
def test_case69_mdns_parse_of_build_is_identity(s: Service) -> None:
    r = mdns.decode(build_mdns(s))
    full = f"{s.instance}.{s.stype}.local."
    assert r.types == {f"{s.stype}.local.".lower()}
    assert r.instances == {full: f"{s.stype}.local.".lower()}
    assert r.srv == {full: f"{s.host}.local."}
    assert dict(r.hosts) == {f"{s.host}.local.": {s.address}}
    assert mdns.txt_pairs(r.txt[full]) == list(s.txt)


@st.composite
def broken_mdns(draw: st.DrawFn) -> bytes:
    """A valid answer with one length field rewritten: ANCOUNT, an RDLENGTH or a label length."""
    packet = bytearray(build_mdns(draw(services())))
    where = draw(st.sampled_from(["count", "rdlength", "label", "cut"]))
    if where == "count":
        packet[6:8] = struct.pack("!H", draw(st.integers(0, 0xFFFF)))
    elif where == "rdlength":
        # the first record's RDLENGTH sits after its owner name and TYPE/CLASS/TTL
        at = 12 + mdns._name_end(bytes(packet), 12) - 12 + 8
        packet[at : at + 2] = struct.pack("!H", draw(st.integers(0, 0xFFFF)))
    elif where == "label":
        packet[12] = draw(st.integers(0, 255))
    else:
        del packet[draw(st.integers(0, len(packet) - 1)) :]
    return bytes(packet)


@given(broken_mdns())
def test_case69_broken_mdns_lengths_give_a_result_or_the_mdns_error(packet: bytes) -> None:
    with contextlib.suppress(mdns.MdnsParseError):
        mdns.decode(packet)


HEADER_TEXT = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/._-", min_size=1, max_size=80
)


@st.composite
def ssdp_answers(draw: st.DrawFn) -> dict[str, str]:
    names = ["server", "st", "usn", "location", "cache-control", "ext-x"]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    return {n: draw(HEADER_TEXT) for n in chosen}


def build_ssdp(headers: dict[str, str]) -> bytes:
    """A unicast M-SEARCH answer (UDA 2.0 §1.3.3); header names as devices send them."""
    lines = ["HTTP/1.1 200 OK", *(f"{k.upper()}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@given(ssdp_answers())
def test_case69_ssdp_parse_of_build_is_identity(headers: dict[str, str]) -> None:
    msg = ssdp.parse_ssdp(build_ssdp(headers))
    assert msg.kind == "response"
    assert dict(msg.headers) == headers


@given(ssdp_answers(), st.integers(0, 400), st.binary(min_size=1, max_size=8))
def test_case69_broken_ssdp_gives_a_result_or_the_ssdp_error(
    headers: dict[str, str], at: int, junk: bytes
) -> None:
    data = bytearray(build_ssdp(headers))
    data[at % len(data) : at % len(data)] = junk  # a stray byte: a lost colon, a NUL, a CR
    with contextlib.suppress(ssdp.SsdpParseError):
        ssdp.parse_ssdp(bytes(data))


@dataclass(frozen=True)
class Match:
    endpoint: str
    xaddrs: tuple[str, ...]
    scopes: tuple[str, ...]


@st.composite
def probe_matches(draw: st.DrawFn) -> list[Match]:
    count = draw(st.integers(0, 20))  # past MAX_MATCHES (16): the parser must cap
    out = []
    for n in range(count):
        k = draw(st.integers(0, 12))  # past MAX_XADDRS (8)
        xaddrs = tuple(f"http://10.0.{n}.{i + 1}/onvif/device_service" for i in range(k))
        scopes = tuple(
            f"onvif://www.onvif.org/{draw(LABEL)}/{i}" for i in range(draw(st.integers(0, 4)))
        )
        out.append(Match(f"uuid:{draw(st.uuids())}", xaddrs, scopes))
    return out


def build_wsd(matches: list[Match], relates: str) -> bytes:
    body = "".join(
        "<d:ProbeMatch><a:EndpointReference><a:Address>urn:"
        f"{m.endpoint}</a:Address></a:EndpointReference>"
        "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
        f"<d:Scopes>{' '.join(m.scopes)}</d:Scopes><d:XAddrs>{' '.join(m.xaddrs)}</d:XAddrs>"
        "</d:ProbeMatch>"
        for m in matches
    )
    return ENVELOPE.format(relates=relates, matches=body).encode()


@given(probe_matches())
def test_case69_wsd_parse_of_build_is_identity_within_the_caps(matches: list[Match]) -> None:
    got = wsd.parse_wsd(build_wsd(matches, "uuid:ours"), frozenset({"uuid:ours"}))
    want = matches[: wsd.MAX_MATCHES]
    assert [g.endpoint for g in got] == [m.endpoint for m in want]
    assert [g.xaddrs for g in got] == [m.xaddrs[: wsd.MAX_XADDRS] for m in want]
    assert [g.scopes for g in got] == [m.scopes for m in want]


@given(probe_matches(), st.integers(0, 10_000))
def test_case69_broken_wsd_gives_a_result_or_its_errors(matches: list[Match], cut: int) -> None:
    data = build_wsd(matches, "uuid:ours")
    with contextlib.suppress(wsd.WsdParseError, XmlParseError):
        wsd.parse_wsd(data[: cut % (len(data) + 1)], frozenset({"uuid:ours"}))
    try:
        wsd.parse_wsd(data, frozenset({"uuid:theirs"}))
    except wsd.WsdParseError:
        pass  # an answer to someone else's probe is refused (case 24e)
    else:
        raise AssertionError("an answer to another probe was accepted")
