"""ARP discovery (IPv4, RFC 826) on the interfaces whose networks hold the scope.

With CAP_NET_RAW (root) a raw ``AF_PACKET`` socket broadcasts one well-formed who-has per
in-scope address of an attached network, paced by the scope's global rate, and collects the
is-at answers for a short window: every on-link host that has an IP answers, whatever its
firewall. Without the capability, or off-link, the sweep falls back to TCP-connect discovery
and records why. ARP is only ever sent on an interface whose own network contains the target
(never across a router, never outside the scope); nothing is spoofed: the sender fields are the
interface's own MAC and address.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
import time
from dataclasses import dataclass

from scanner.errors import ProbeError
from scanner.models import Observation
from scanner.normalize import mac as normal_mac
from scanner.scope import Scope

ETH_P_ARP = 0x0806
BROADCAST = b"\xff" * 6
REPLY_WAIT = 1.0  # seconds after the last request


@dataclass(frozen=True, slots=True)
class Attachment:
    """An interface with an IPv4 network that overlaps the scope."""

    name: str
    mac: bytes
    address: ipaddress.IPv4Address
    network: ipaddress.IPv4Network


def attachments(scope: Scope) -> list[Attachment]:
    """Interfaces (this network namespace) whose IPv4 network overlaps a scope network."""
    import psutil

    found = []
    for name, addrs in psutil.net_if_addrs().items():
        link = next((a.address for a in addrs if a.family == psutil.AF_LINK), None)
        for a in addrs:
            if a.family != socket.AF_INET or not a.netmask or not link:
                continue
            net = ipaddress.IPv4Network(f"{a.address}/{a.netmask}", strict=False)
            if net.is_loopback or not any(
                net.overlaps(n) for n in scope.networks if n.version == 4
            ):
                continue
            found.append(
                Attachment(
                    name,
                    bytes.fromhex(link.replace(":", "")),
                    ipaddress.IPv4Address(a.address),
                    net,
                )
            )
    return found


def request_frame(
    src_mac: bytes, src_ip: ipaddress.IPv4Address, target: ipaddress.IPv4Address
) -> bytes:
    arp = struct.pack(
        "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac, src_ip.packed, bytes(6), target.packed
    )
    return BROADCAST + src_mac + struct.pack("!H", ETH_P_ARP) + arp


def parse_reply(frame: bytes) -> tuple[str, str] | None:
    """(ip, mac) of an ARP is-at, or None for anything else."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06":
        return None
    htype, ptype, hlen, plen, oper, sha, spa = struct.unpack("!HHBBH6s4s", frame[14:32])
    if (htype, ptype, hlen, plen, oper) != (1, 0x0800, 6, 4, 2):
        return None
    return str(ipaddress.IPv4Address(spa)), normal_mac(sha.hex())


async def sweep(att: Attachment, scope: Scope) -> list[Observation]:
    """ARP every in-scope address of one attachment (twice for the silent); ``mac:… ip.address …``
    for each answer."""
    targets = [
        a for a in scope.hosts() if isinstance(a, ipaddress.IPv4Address) and a in att.network
    ]
    targets = [a for a in targets if a != att.address]
    try:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    except PermissionError:
        raise ProbeError("ARP needs root (CAP_NET_RAW)") from None
    answers: dict[str, str] = {}
    wanted = {str(t) for t in targets}
    loop = asyncio.get_running_loop()

    def readable() -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                got = parse_reply(sock.recv(2048))
                if got and got[0] in wanted:
                    answers.setdefault(*got)

    try:
        sock.bind((att.name, ETH_P_ARP))
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), readable)
        interval = 1.0 / scope.limits.global_rate
        for _round in range(2):  # a second who-has for the silent: ARP is lossy
            for target in targets:
                if str(target) not in answers:
                    sock.send(request_frame(att.mac, att.address, target))
                    await asyncio.sleep(interval)
            deadline = time.monotonic() + REPLY_WAIT
            while time.monotonic() < deadline and len(answers) < len(wanted):
                await asyncio.sleep(0.05)
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
    return [
        Observation(f"mac:{mac}", "ip.address", ip, f"arp:{att.name}")
        for ip, mac in answers.items()
    ]
