"""ARP discovery: frames on bytes; the real raw socket runs in the lab (tests/lab)."""

from __future__ import annotations

import ipaddress
import struct

import pytest

from scanner.probes.arp import BROADCAST, attachments, parse_reply, request_frame
from scanner.scope import build_scope

SRC = bytes.fromhex("02b500000001")


def test_request_is_a_well_formed_who_has_from_our_own_addresses() -> None:
    frame = request_frame(
        SRC, ipaddress.IPv4Address("10.77.0.250"), ipaddress.IPv4Address("10.77.0.41")
    )
    assert len(frame) == 42
    assert frame[:6] == BROADCAST and frame[6:12] == SRC and frame[12:14] == b"\x08\x06"
    htype, ptype, hlen, plen, oper, sha, spa, tha, tpa = struct.unpack("!HHBBH6s4s6s4s", frame[14:])
    assert (htype, ptype, hlen, plen, oper) == (1, 0x0800, 6, 4, 1)
    assert (sha, spa, tha, tpa) == (SRC, bytes([10, 77, 0, 250]), bytes(6), bytes([10, 77, 0, 41]))


def reply(ip: str, mac: str, oper: int = 2) -> bytes:
    sha = bytes.fromhex(mac.replace(":", ""))
    arp = struct.pack(
        "!HHBBH6s4s6s4s",
        1,
        0x0800,
        6,
        4,
        oper,
        sha,
        ipaddress.IPv4Address(ip).packed,
        SRC,
        bytes(4),
    )
    return SRC + sha + b"\x08\x06" + arp + bytes(18)  # padded to the Ethernet minimum


def test_parse_reply_reads_is_at_and_ignores_the_rest() -> None:
    assert parse_reply(reply("10.77.0.41", "44:19:b6:5a:c0:41")) == (
        "10.77.0.41",
        "44:19:b6:5a:c0:41",
    )
    assert parse_reply(reply("10.77.0.41", "44:19:b6:5a:c0:41", oper=1)) is None  # a request
    assert parse_reply(b"\x00" * 60) is None
    assert parse_reply(reply("10.77.0.41", "44:19:b6:5a:c0:41")[:30]) is None


@pytest.mark.parametrize("junk", [b"", b"\xff" * 41, b"\x00" * 12 + b"\x08\x06" + b"\xff" * 28])
def test_parse_reply_never_raises(junk: bytes) -> None:
    assert parse_reply(junk) is None


def test_no_attachment_for_a_loopback_or_foreign_scope() -> None:
    assert attachments(build_scope(["127.0.0.0/24"])) == []
    assert attachments(build_scope(["10.250.250.0/24"])) == []


def ipv6_reply(source: str, mac: str, ident: int, icmp_type: int = 129) -> bytes:
    icmp = struct.pack("!BBHHH", icmp_type, 0, 0, ident, 1)
    ip6 = (
        struct.pack("!IHBB", 6 << 28, len(icmp), 58, 64)
        + ipaddress.IPv6Address(source).packed
        + bytes(16)
    )
    return SRC + bytes.fromhex(mac.replace(":", "")) + b"\x86\xdd" + ip6 + icmp


def test_ipv6_echo_request_and_reply_parsing() -> None:
    from scanner.probes.nd import echo_request
    from scanner.probes.nd import parse_reply as parse6

    assert echo_request(7)[:1] == bytes([128]) and echo_request(7)[4:6] == b"\x00\x07"
    frame = ipv6_reply("fe80::1", "44:19:b6:5a:c0:41", 7)
    assert parse6(frame, 7) == ("fe80::1", "44:19:b6:5a:c0:41")
    assert parse6(frame, 8) is None  # an answer to someone else's echo
    assert parse6(ipv6_reply("2001:db8::1", "44:19:b6:5a:c0:41", 7), 7) is None  # not link-local
    assert parse6(ipv6_reply("fe80::1", "44:19:b6:5a:c0:41", 7, icmp_type=128), 7) is None
    assert parse6(frame[:50], 7) is None
