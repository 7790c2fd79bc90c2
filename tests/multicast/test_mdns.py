"""mDNS browsing: decoding responses built in memory, hostile framing (catalogue cases 29, 31,
32), hostile text (33), personal names kept out (67), and the probe through the fake seam."""

from __future__ import annotations

import logging
import socket
import struct
import time

import pytest

from scanner.probes.multicast import mdns
from scanner.probes.multicast.base import Datagram, Drops
from scanner.probes.multicast.mdns import GROUP, PORT, MdnsParseError, MdnsProbe, decode, query
from tests.multicast.helpers import fields, iface, run_probe, scope_for


def name(text: str) -> bytes:
    labels = [p.encode() for p in text.strip(".").split(".")]
    return b"".join(bytes([len(p)]) + p for p in labels) + b"\x00"


def rr(owner: str | bytes, rtype: int, rdata: bytes) -> bytes:
    owner_b = owner if isinstance(owner, bytes) else name(owner)
    return owner_b + struct.pack("!HHIH", rtype, 1, 120, len(rdata)) + rdata


def response(*records: bytes, qid: int = 0) -> bytes:
    return struct.pack("!6H", qid, 0x8400, 0, len(records), 0, 0) + b"".join(records)


def one_service(stype: str, inst: str, host: str, ip: str, port: int, *extra: bytes) -> bytes:
    """A responder's answer for one instance of ``stype``: PTR, SRV (and ``extra``), A."""
    owner = f"{inst}.{stype}"
    srv = rr(owner, 33, struct.pack("!HHH", 0, 0, port) + name(host))
    return response(rr(stype, 12, name(owner)), srv, *extra, rr(host, 1, socket.inet_aton(ip)))


STYPE = "_axis-video._tcp.local"
INSTANCE = f"AXIS P3245-LVE - ACCC8E5AC043.{STYPE}"
VALID = response(
    rr(STYPE, 12, name(INSTANCE)),
    rr(INSTANCE, 33, struct.pack("!HHH", 0, 0, 80) + name("axis-accc8e5ac043.local")),
    rr(INSTANCE, 16, b"\x17macaddress=ACCC8E5AC043"),
    rr("axis-accc8e5ac043.local", 1, socket.inet_aton("10.99.0.43")),
    rr("_services._dns-sd._udp.local", 12, name(STYPE)),
)


def test_a_response_gives_type_instance_host_txt_and_address() -> None:
    obs = mdns.responder_observations("10.99.0.43", decode(VALID), "mdns")
    got = fields(obs)
    assert got["mdns.service_type"] == ["_axis-video._tcp.local"]
    assert got["mdns.instance"] == ["AXIS P3245-LVE - ACCC8E5AC043"]
    assert got["mdns.hostname"] == ["axis-accc8e5ac043.local"]
    assert got["mdns.txt.macaddress"] == ["ACCC8E5AC043"]
    assert got["mac.address"] == ["ac:cc:8e:5a:c0:43"]
    assert {o.subject for o in obs} == {"ip:10.99.0.43"}


def test_the_query_browses_collector_types_and_the_meta_query() -> None:
    packet = query()
    assert packet[2] & 0x80 == 0  # a query
    assert b"\x0b_axis-video" in packet and b"\x09_services" in packet


def test_a_matter_commissionable_node_gives_its_device_type() -> None:
    # Matter Core Specification §4.3.1: _matterc._udp TXT DT is the device type (322 Camera).
    stype, inst = "_matterc._udp.local", "6F2B9C1D04A3E577"
    txt = rr(f"{inst}.{stype}", 16, b"\x06DT=322\x07D=3840\x0fVP=65521+32769")
    packet = one_service(stype, inst, "cam-7e1f.local", "10.99.0.77", 5540, txt)
    got = fields(mdns.responder_observations("10.99.0.77", decode(packet), "mdns"))
    assert got["mdns.txt.dt"] == ["322"]
    assert b"\x08_matterc" in query()


HOSTILE = {
    "pointer to itself": struct.pack("!6H", 0, 0x8400, 0, 1, 0, 0) + b"\xc0\x0c" + bytes(10),
    "two-cycle": struct.pack("!6H", 0, 0x8400, 0, 2, 0, 0)
    + b"\x01a\xc0\x1b"
    + bytes(10)
    + b"\x01b\xc0\x0c"
    + bytes(10),
    "pointer past the end": struct.pack("!6H", 0, 0x8400, 0, 1, 0, 0) + b"\xcf\xff" + bytes(10),
    "rdlength past the end": struct.pack("!6H", 0, 0x8400, 0, 1, 0, 0)
    + name("a.local")
    + struct.pack("!HHIH", 1, 1, 1, 400)
    + b"\x01\x02",
    "truncated header": b"\x00\x00\x84",
    "ancount 65535": struct.pack("!6H", 0, 0x8400, 0, 65535, 0, 0)
    + rr("a.local", 1, b"\x01\x02\x03\x04"),
    "non-DNS payload": b'{"command","broadcast"}',
    "65 KB datagram": response(rr("a.local", 16, b"\x05a=bcd" * 100)) + bytes(65_000),
}


@pytest.mark.parametrize("packet", HOSTILE.values(), ids=HOSTILE.keys())
def test_cases_29_31_32_hostile_packets_are_rejected_fast(packet: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(MdnsParseError):
        decode(packet)
    assert time.perf_counter() - start < 0.01 + 0.05  # < 10 ms (plus scheduling slack)


def test_the_listener_survives_and_decodes_the_next_valid_packet_with_counted_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scope = scope_for("10.99.0.0/24")
    drops = Drops(logging.getLogger("scanner.probes.multicast.base"))

    def replies(_payload: bytes) -> list[Datagram]:
        bad = [Datagram(p, "10.99.0.66", 40000) for p in HOSTILE.values() if len(p) <= 9000]
        return [*bad, *bad, Datagram(VALID, "10.99.0.43", 5353)]

    with caplog.at_level(logging.INFO, logger="scanner.probes.multicast.base"):
        obs, _s, _n = run_probe(
            MdnsProbe(), (GROUP, PORT), replies, scope, iface("10.99.0.0/24", "10.99.0.250"), drops
        )
    assert "ip:10.99.0.43" in {o.subject for o in obs}
    assert drops.counts["mdns"] >= 10  # every bad packet counted
    lines = [r for r in caplog.records if "10.99.0.66" in r.getMessage()]
    assert len(lines) == 1  # case 32: at most one log line per source per minute


def test_case_33_hostile_text_is_bounded_and_escaped() -> None:
    evil = "Zhang\x00San\x1b[2J\u202eevil"
    txt = b"".join(bytes([len(i)]) + i for i in [f"k{n}=v".encode() for n in range(1000)][:200])
    bad_utf8 = b"\x0cmodel=\xff\xfe\xfd\xfc\xfb\xfa"
    inst = f"{evil}.{STYPE}"
    packet = response(
        rr(STYPE, 12, name(inst)),
        rr(inst, 16, bad_utf8 + txt),
        rr(inst, 33, struct.pack("!HHH", 0, 0, 80) + name("h.local")),
        rr("h.local", 1, socket.inet_aton("10.99.0.5")),
    )
    obs = mdns.responder_observations("10.99.0.5", decode(packet), "mdns")
    got = fields(obs)
    (instance,) = got["mdns.instance"]
    assert "\x00" not in instance and "\x1b" not in instance and "\u202e" not in instance
    assert got["mdns.txt.model"] == ["0x" + "fffefdfcfbfa"]  # raw bytes kept as hex
    assert len([f for f in got if f.startswith("mdns.txt.")]) <= mdns.MAX_TXT_KEYS


def test_case_67_personal_names_are_observed_then_withheld_from_non_collectors() -> None:
    from scanner.identify import identify
    from scanner.identify.privacy import apply_policy
    from scanner.reporters.jsonout import device_line

    stype = "_companion-link._tcp.local"
    packet = one_service(stype, "Zhang-San-iPhone", "Zhang-San-iPhone.local", "10.99.0.19", 7000)
    obs = mdns.responder_observations("10.99.0.19", decode(packet), "mdns")
    assert fields(obs)["mdns.instance"] == ["Zhang-San-iPhone"]  # identification may use it
    (phone,) = apply_policy(identify(obs))
    assert not phone.is_collector
    kept = device_line(phone) + repr(phone.observations)
    assert "Zhang" not in kept
    assert "_companion-link._tcp.local" in kept  # what it is stays, whose it is goes


def test_every_service_is_detailed_and_homekit_category_is_a_field() -> None:
    stype = "_hap._tcp.local"
    inst = f"Doorbell 1A2B.{stype}"
    txt = b"".join(bytes([len(i)]) + i for i in (b"md=DB2C", b"ci=18", b"id=AA:BB:CC:DD:EE:FF"))
    http = f"IPC-HFW2431S.{'_http._tcp.local'}"
    packet = response(
        rr(stype, 12, name(inst)),
        rr(inst, 16, txt),
        rr("_http._tcp.local", 12, name(http)),
        rr(http, 33, struct.pack("!HHH", 0, 0, 80) + name("cam.local")),
        rr("cam.local", 1, socket.inet_aton("10.99.0.7")),
    )
    got = fields(mdns.responder_observations("10.99.0.7", decode(packet), "mdns"))
    assert set(got["mdns.instance"]) == {"Doorbell 1A2B", "IPC-HFW2431S"}
    assert got["mdns.txt.md"] == ["DB2C"]
    assert got["homekit.category"] == ["18"]
    assert got["mdns.hostname"] == ["cam.local"]
    packet = query()
    for stype in (b"\x05_http", b"\x0b_googlecast", b"\x04_hap", b"\x04_ipp"):
        assert stype in packet


def test_reverse_ptr_answers_are_host_names_not_service_types() -> None:
    host = "DS-2CD2722FWD-IZS20170321BBWR733050075.local"
    six = "4.8.2.b.5.1.e.f.f.f.b.c.8.6.a.1.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa"
    packet = response(
        rr("164.1.0.10.in-addr.arpa", 12, name(host)),
        rr(six, 12, name(host)),
        rr("bogus.in-addr.arpa", 12, name("x.local")),
        rr(host, 1, socket.inet_aton("10.0.1.164")),
    )
    r = decode(packet)
    assert r.types == set()
    obs = mdns.responder_observations("10.0.1.164", r, "mdns")
    got = {(o.subject, o.field, o.value) for o in obs}
    assert ("ip:10.0.1.164", "ip.hostname", host) in got
    assert ("ip:fe80::1a68:cbff:fe15:b284", "ip.hostname", host) in got
    assert not any(f == "mdns.service_type" for _s, f, _v in got)
    assert not any("bogus" in v or v == "x.local" for _s, _f, v in got)


def test_responders_with_excluded_addresses_are_dropped() -> None:
    scope = scope_for("10.99.0.0/24", exclude=("10.99.0.43",))
    obs, _s, _n = run_probe(
        MdnsProbe(),
        (GROUP, PORT),
        lambda _p: [Datagram(VALID, "10.99.0.200", 5353)],
        scope,
        iface("10.99.0.0/24", "10.99.0.250"),
    )
    assert obs == []  # its A record names an excluded address
