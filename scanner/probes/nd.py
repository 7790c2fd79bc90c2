"""IPv6 host discovery on attached in-scope segments: one all-nodes echo, link-local answers.

As root, on each interface attached to an in-scope IPv4 network (the segment being swept), one
ICMPv6 Echo Request (RFC 4443 §4.1) goes to the link-scope all-nodes group ff02::1 (RFC 4291
§2.7.1) — one packet per segment, never routed off it. Every IPv6 node answers with an Echo
Reply from its link-local address, resolving our address with Neighbor Discovery (RFC 4861) on
the way. Answers are read with a packet socket so each sender's MAC comes from its Ethernet
header: a ``mac:… ip.address fe80::…`` link per IPv6-enabled device.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
import time

from scanner.models import Observation
from scanner.normalize import mac as normal_mac
from scanner.probes.arp import Attachment
from scanner.probes.base import ProbeContext
from scanner.probes.oserrors import mapped_os_errors
from scanner.probes.source import Source, SourceResult

ETH_P_IPV6 = 0x86DD
ALL_NODES = "ff02::1"
ECHO_REQUEST, ECHO_REPLY = 128, 129
REPLY_WAIT = 1.0
MAX_ANSWERS = 4096


def echo_request(ident: int) -> bytes:
    # The kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets (RFC 3542 §3.1).
    return struct.pack("!BBHHH", ECHO_REQUEST, 0, 0, ident, 1) + b"biosweep"


def parse_reply(frame: bytes, ident: int) -> tuple[str, str] | None:
    """(link-local address, mac) of an Echo Reply to ``ident`` in an Ethernet frame, else None."""
    if len(frame) < 14 + 40 + 8 or frame[12:14] != b"\x86\xdd":
        return None
    ip6 = frame[14:54]
    if ip6[0] >> 4 != 6 or ip6[6] != 58:  # version 6, next header ICMPv6 (no extension headers)
        return None
    icmp_type, _code, _sum, got_ident = struct.unpack("!BBHH", frame[54:60])
    source = ipaddress.IPv6Address(ip6[8:24])
    if icmp_type != ECHO_REPLY or got_ident != ident or not source.is_link_local:
        return None
    return str(source), normal_mac(frame[6:12].hex())


async def sweep(att: Attachment) -> list[Observation]:
    """Echo ff02::1 on one interface and collect link-local answers with their MACs."""
    ident = int.from_bytes(struct.pack("!H", int(time.time() * 1000) & 0xFFFF), "big")
    with mapped_os_errors(f"IPv6 discovery on {att.name}"), contextlib.ExitStack() as stack:
        sender = stack.enter_context(
            socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        )
        listener = stack.enter_context(
            socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
        )
        answers = await _echo(att, sender, listener, ident)
    return [
        Observation(f"mac:{mac}", "ip.address", ip, f"nd:{att.name}") for ip, mac in answers.items()
    ]


async def _echo(
    att: Attachment, sender: socket.socket, listener: socket.socket, ident: int
) -> dict[str, str]:
    """Send the echo on ``att`` and collect (link-local address → MAC) for REPLY_WAIT."""
    answers: dict[str, str] = {}
    own = normal_mac(att.mac.hex())
    loop = asyncio.get_running_loop()

    def readable() -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while len(answers) < MAX_ANSWERS:
                got = parse_reply(listener.recv(2048), ident)
                if got and got[1] != own:  # our own node answers its own echo too
                    answers.setdefault(*got)

    listener.bind((att.name, ETH_P_IPV6))
    listener.setblocking(False)
    loop.add_reader(listener.fileno(), readable)
    try:
        sender.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, att.name.encode())
        index = socket.if_nametoindex(att.name)
        sender.sendto(echo_request(ident), (ALL_NODES, 0, 0, index))
        await asyncio.sleep(REPLY_WAIT)
    finally:
        loop.remove_reader(listener.fileno())
    return answers


class NdSource(Source):
    """The IPv6 echo on one attached segment: link-local addresses (and MACs) of its nodes."""

    name = "nd"

    def __init__(self, att: Attachment) -> None:
        super().__init__()
        self.att = att

    async def run(self, ctx: ProbeContext) -> SourceResult:
        with ctx.progress.timed("nd"):
            found = await sweep(self.att)
        self.result.observations += found
        self.result.notes.append(
            f"discovery: ipv6 all-nodes echo on {self.att.name}: {len(found)} answered"
        )
        return self.result
