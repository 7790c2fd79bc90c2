"""Multicast discovery: link-wide questions (mDNS, SSDP, WS-Discovery, SADP, DHIP) on the
interfaces the scope names. Registered here; :class:`MulticastSource` runs the chosen ones.

``sweep --only`` names: ``mdns``, ``ssdp``, ``wsd``, and ``sadp``/``dhip``, which also name the
unicast probes of :mod:`scanner.probes.vendor_udp` (one name, one protocol, both ways of
asking). A selection made only of these names is "multicast discovery alone": no host sweep.
"""

from __future__ import annotations

import asyncio
import logging

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation, Skipped, SkipReason
from scanner.probes.base import ProbeContext
from scanner.probes.discovery import neighbour_macs
from scanner.probes.multicast.base import (
    DEFAULT_WAIT,
    Interface,
    MulticastContext,
    MulticastProbe,
    interfaces_in_scope,
    interfaces_of,
)
from scanner.probes.multicast.fakenet import FakeMulticast
from scanner.probes.multicast.mdns import MdnsProbe
from scanner.probes.multicast.net import MulticastNet, SocketMulticast
from scanner.probes.multicast.ssdp import SsdpProbe
from scanner.probes.multicast.vendor import DhipMulticast, SadpMulticast
from scanner.probes.multicast.wsd import WsdProbe
from scanner.probes.progress import Phase
from scanner.probes.source import Source, SourceResult, internal_error

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
        return [], [Skipped(probe.name, SkipReason.ERROR, internal_error(exc), target)]


class MulticastSource(Source):
    """The named multicast probes on every in-scope interface (``interfaces``), concurrently,
    collecting answers for ``wait`` seconds: observations, skipped entries (one per probe
    when no interface is in scope) and notes saying where each question went."""

    name = "multicast"

    def __init__(
        self,
        net: MulticastNet,
        names: frozenset[str],
        interfaces: list[Interface],
        wait: float = DEFAULT_WAIT,
    ) -> None:
        super().__init__()
        self.net, self.interfaces, self.wait = net, interfaces, wait
        self.chosen = [cls() for n, cls in MULTICAST_PROBES.items() if n in names]

    def unavailable(self) -> list[Skipped]:
        if not self.chosen or self.interfaces:
            return []
        detail = "no interface here is attached to an IPv4 network in scope"
        return [Skipped(p.name, SkipReason.NOT_IN_SCOPE, detail) for p in self.chosen]

    async def run(self, ctx: ProbeContext) -> SourceResult:
        if not self.chosen:
            return self.result
        mctx = MulticastContext(ctx.scope, self.net, ctx.dialer, wait=self.wait)
        jobs = [(p, i) for i in self.interfaces for p in self.chosen]
        with ctx.progress.phase(Phase.MULTICAST):
            results = await asyncio.gather(*(_one(mctx, p, i) for p, i in jobs))
        observations = [o for found, _ in results for o in found]
        # Responders that answered unicast first resolved our MAC, which left theirs in the
        # kernel's neighbour cache: read it (no packet is sent) to link their MACs.
        answered = {o.value for o in observations if o.field == "ip.address"}
        observations += neighbour_macs({a for a in answered if ctx.scope.allows(a)})
        out = self.result
        out.observations += observations
        out.skipped += [s for _, lost in results for s in lost] + mctx.unfollowed.skipped()
        names = ", ".join(p.name for p in self.chosen)
        out.notes += [
            f"discovery: multicast {names} on {i.name} ({i.network})" for i in self.interfaces
        ]
        if mctx.drops.total:
            out.notes.append(
                f"discovery: {mctx.drops.total} multicast answers dropped: {mctx.drops.summary()}"
            )
        return out


__all__ = [
    "MULTICAST_PROBES",
    "FakeMulticast",
    "Interface",
    "MulticastContext",
    "MulticastNet",
    "MulticastProbe",
    "MulticastSource",
    "SocketMulticast",
    "interfaces_in_scope",
    "interfaces_of",
    "only_multicast",
]
