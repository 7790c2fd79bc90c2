"""Multicast discovery: link-wide questions (mDNS, SSDP, WS-Discovery, SADP, DHIP) on the
interfaces the scope names. Registered here; :func:`discover` runs the chosen ones.

``sweep --only`` names: ``mdns``, ``ssdp``, ``wsd``, and ``sadp``/``dhip``, which also name the
unicast probes of :mod:`scanner.probes.vendor_udp` (one name, one protocol, both ways of
asking). A selection made only of these names is "multicast discovery alone": no host sweep.
"""

from __future__ import annotations

import asyncio
import logging

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation, Skipped, SkipReason
from scanner.probes.discovery import neighbour_macs
from scanner.probes.multicast.base import (
    Interface,
    MulticastContext,
    MulticastProbe,
    interfaces_in_scope,
)
from scanner.probes.multicast.mdns import MdnsProbe
from scanner.probes.multicast.net import FakeMulticast, MulticastNet, SocketMulticast
from scanner.probes.multicast.ssdp import SsdpProbe
from scanner.probes.multicast.vendor import DhipMulticast, SadpMulticast
from scanner.probes.multicast.wsd import WsdProbe

log = logging.getLogger(__name__)

MULTICAST_PROBES: dict[str, type[MulticastProbe]] = {
    "mdns": MdnsProbe,
    "ssdp": SsdpProbe,
    "wsd": WsdProbe,
    "sadp": SadpMulticast,
    "dhip": DhipMulticast,
}


def only_multicast(names: frozenset[str]) -> bool:
    """True when a selection names multicast probes only (no host sweep is wanted)."""
    return bool(names) and names <= frozenset(MULTICAST_PROBES)


async def _one(
    ctx: MulticastContext, probe: MulticastProbe, iface: Interface
) -> tuple[list[Observation], list[Skipped]]:
    target = f"{iface.name}/multicast"
    try:
        async with asyncio.timeout(ctx.wait + ctx.scope.limits.request_deadline * 4):
            return await probe.discover(ctx, iface)
    except TimeoutError:
        return [], [Skipped(probe.name, SkipReason.TIMED_OUT, "multicast discovery", target)]
    except (ProbeError, ParseError) as exc:
        return [], [Skipped(probe.name, SkipReason.ERROR, str(exc)[:200], target)]
    except Exception as exc:  # a bug in one probe must not end the discovery of the others
        log.exception("multicast %s on %s failed", probe.name, iface.name)
        detail = f"internal error: {type(exc).__name__}: {exc}"[:200]
        return [], [Skipped(probe.name, SkipReason.ERROR, detail, target)]


async def discover(
    ctx: MulticastContext, names: frozenset[str], interfaces: list[Interface] | None = None
) -> tuple[list[Observation], list[Skipped], list[str]]:
    """Run the named multicast probes on every in-scope interface, concurrently.

    Returns observations, skipped entries (one per probe when no interface is in scope) and
    notes saying where each question went.
    """
    chosen = [cls() for n, cls in MULTICAST_PROBES.items() if n in names]
    if not chosen:
        return [], [], []
    ifaces = interfaces_in_scope(ctx.scope) if interfaces is None else interfaces
    if not ifaces:
        detail = "no interface here is attached to an IPv4 network in scope"
        return [], [Skipped(p.name, SkipReason.NOT_IN_SCOPE, detail) for p in chosen], []
    jobs = [(p, i) for i in ifaces for p in chosen]
    results = await asyncio.gather(*(_one(ctx, p, i) for p, i in jobs))
    observations = [o for found, _ in results for o in found]
    # Responders that answered unicast first resolved our MAC, which left theirs in the
    # kernel's neighbour cache: read it (no packet is sent) to link their MACs.
    answered = {o.value for o in observations if o.field == "ip.address"}
    observations += neighbour_macs({a for a in answered if ctx.scope.allows(a)})
    skipped = [s for _, lost in results for s in lost] + ctx.unfollowed.skipped()
    notes = [
        f"discovery: multicast {', '.join(p.name for p in chosen)} on {i.name} ({i.network})"
        for i in ifaces
    ]
    if ctx.drops.total:
        notes.append(
            f"discovery: {ctx.drops.total} multicast answers dropped: {ctx.drops.summary()}"
        )
    return observations, skipped, notes


__all__ = [
    "MULTICAST_PROBES",
    "FakeMulticast",
    "Interface",
    "MulticastContext",
    "MulticastNet",
    "MulticastProbe",
    "SocketMulticast",
    "discover",
    "interfaces_in_scope",
    "only_multicast",
]
