"""The host sweep: every address in scope discovered and probed, as one source.

ARP sweeps the attached segments (the IPv6 echo alongside) while a fixed pool of
``host_concurrency`` workers probes each host as soon as it answers ARP; addresses off those
segments go to TCP discovery at once. The workers draw addresses lazily from the scope
(:class:`~scanner.probes.discovery.HostFeed`), so memory follows the hosts in flight and the
live hosts found, never the size of the address space. One host's work:
:mod:`scanner.probes.hostwork`.
"""

from __future__ import annotations

import asyncio

from scanner.models import Skipped, SkipReason
from scanner.probes.arp import ArpSource, Attachment
from scanner.probes.base import ProbeContext
from scanner.probes.discovery import HostFeed, neighbour_macs
from scanner.probes.hostwork import HostWork
from scanner.probes.judge import Judge, NoJudge
from scanner.probes.nd import NdSource
from scanner.probes.net import Connector, Dialer
from scanner.probes.progress import Phase
from scanner.probes.source import Source, SourceResult, run_source
from scanner.scope import Scope


class HostSweep(Source):
    """Discovery and the per-port probes of every address in scope (see the module text).
    ``attachments``: the interfaces ARP may use (None: ARP is off, TCP discovery only; empty:
    none is attached to the scope, which the run's skipped entries say)."""

    name = "host"

    def __init__(
        self,
        ports: tuple[int, ...],
        probes: frozenset[str],
        attachments: list[Attachment] | None,
        judge: Judge | None = None,
        early_stop: bool = False,
    ) -> None:
        super().__init__()
        self.ports, self.probes, self.attachments = ports, probes, attachments
        self.judge = judge or NoJudge()
        self.early_stop = early_stop
        self.early_stopped = 0  # hosts whose probing ended early (``early_stop``)

    async def run(self, ctx: ProbeContext) -> SourceResult:
        work = HostWork(
            ctx, self.ports, self.probes, self.result, self.judge, early_stop=self.early_stop
        )
        feed = HostFeed()
        atts = self.attachments or []
        if self.attachments == []:  # ARP is on, but no interface here is attached to the scope
            detail = "no interface here is attached to an IPv4 network in scope; TCP connects used"
            self.result.skipped += [
                Skipped("arp", SkipReason.NOT_IN_SCOPE, detail),
                Skipped("nd", SkipReason.NOT_IN_SCOPE, detail),
            ]
        arps = [ArpSource(att, feed) for att in atts]
        echoes = [NdSource(att) for att in atts]
        feed.add(str(a) for a in ctx.scope.hosts() if not any(a in att.network for att in atts))

        async def worker() -> None:
            while (job := await feed.next()) is not None:
                await work.host(*job)
            ctx.progress.all_drawn()

        workers = [worker() for _ in range(ctx.scope.limits.host_concurrency)]
        try:
            with ctx.progress.phase(Phase.HOSTS):
                await asyncio.gather(*(run_source(s, ctx) for s in [*arps, *echoes]), *workers)
        finally:
            self.early_stopped = work.early_stopped
            for source in [*arps, *echoes]:
                self.result.add(source.result)
            self.result.skipped += ctx.unfollowed.skipped()
            covered = any(a.covered for a in arps)
            self.result.notes.append("discovery: tcp-connect" + (" (after ARP)" if covered else ""))
            self.result.observations += neighbour_macs(work.hosts)
        return self.result


def address_count(scope: Scope) -> int:
    """Addresses the sweep will go through (for progress), without holding them."""
    if not scope.excluded or scope.size > 1 << 20:
        return scope.size
    return sum(1 for _ in scope.hosts())


def closing_notes(dialer: Dialer, hosts: HostSweep | None) -> list[str]:
    """How many connections the sweep made, and how many hosts early stop cut short."""
    notes = []
    if isinstance(dialer, Connector):
        notes.append(
            f"connections: {dialer.attempts} attempts, {dialer.reused} probes served by their "
            "port check's connection"
        )
    if hosts is not None and hosts.early_stopped:
        notes.append(
            f"early stop: {hosts.early_stopped} hosts identified beyond doubt before every "
            "probe ran"
        )
    return notes
