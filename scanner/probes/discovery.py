"""Host discovery and port scanning with plain TCP connects (no privileges needed).

A host is alive when any discovery port answers, open or refused (a RST is an answer);
``unreachable`` (ARP/ND found nobody) ends the host at once, so dead addresses cost one
neighbour-resolution timeout, not one per port. MAC addresses of on-link hosts come from the
kernel's neighbour cache, which those connects filled (``/proc/net/arp``): no raw packet and
no ARP of our own. Raw ARP/ND discovery with privileges is a later addition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from scanner.errors import InputError
from scanner.models import Observation
from scanner.normalize import mac as normal_mac
from scanner.probes.net import Dialer, PortState

#: Ports tried, in order, to decide whether an address is alive.
DISCOVERY_PORTS = (80, 443, 554, 22, 8000, 4370, 37777, 8080, 23, 5000)

#: The curated service ports (issue 4 and SIGNATURE-KNOWLEDGE.md): web, RTSP, ONVIF, vendor
#: SDKs (Hikvision 8000, Dahua 37777, ZKTeco 4370, Suprema 51211, Anviz 5010, Tapo 2020/8800,
#: Kasa 19443, Xiongmai 34567), remote shells, and ordinary services that tell a NAS or a
#: printer apart (631 IPP, 9100 connect-only).
CURATED_PORTS = (
    21, 22, 23, 80, 81, 82, 88, 443, 554, 631, 2020, 4370, 5000, 5010, 7001, 8000, 8001, 8008,
    8080, 8081, 8088, 8443, 8554, 8800, 8888, 8899, 9100, 9443, 19443, 34567, 37777, 51211,
)  # fmt: skip
ARP_TABLE = Path("/proc/net/arp")


async def alive(dialer: Dialer, host: str, ports: Iterable[int] = DISCOVERY_PORTS) -> bool:
    for port in ports:
        state = await dialer.probe_port(host, port)
        if state in (PortState.OPEN, PortState.CLOSED):
            return True
        if state is PortState.UNREACHABLE:
            return False
    return False


async def open_ports(dialer: Dialer, host: str, ports: Iterable[int]) -> list[int]:
    wanted = sorted(set(ports))
    states = await asyncio.gather(*(dialer.probe_port(host, p) for p in wanted))
    return [p for p, s in zip(wanted, states, strict=True) if s is PortState.OPEN]


def neighbour_macs(hosts: set[str], table: Path = ARP_TABLE) -> list[Observation]:
    """``mac:… ip.address …`` links for scanned hosts found in the kernel's ARP cache."""
    try:
        lines = table.read_text(encoding="ascii", errors="replace").splitlines()[1:]
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[0] not in hosts or parts[2] == "0x0":
            continue
        try:
            mac = normal_mac(parts[3])
        except InputError:
            continue
        if mac != "00:00:00:00:00:00":
            out.append(Observation(f"mac:{mac}", "ip.address", parts[0], "arp-cache"))
    return out
