"""The pipeline on one screen: scope → discovery → ports → probes → identify → ScanRun.

Containment: each host runs under its budget; a probe that fails, times out or meets bytes it
cannot parse becomes a per-service :class:`~scanner.models.Skipped` entry and the sweep goes
on. Ctrl-C (cancellation) keeps what was observed and marks the run incomplete.
"""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scanner import __version__
from scanner.errors import ParseError, ProbeError
from scanner.identify import identify
from scanner.identify.signatures import database_version
from scanner.models import Observation, ScanRun, Skipped, SkipReason
from scanner.probes import DEFAULT_PROBES, Probe, ProbeContext, arp, nd, probes_for, udp_probes
from scanner.probes.discovery import CURATED_PORTS, alive, neighbour_macs, open_ports
from scanner.probes.net import Dialer
from scanner.scope import Scope


@dataclass
class Progress:
    """Counters the CLI shows live; ``notify`` is called after every change."""

    addresses: int = 0
    discovered: int = 0
    probed: int = 0
    notify: Callable[[Progress], None] = field(default=lambda _p: None, repr=False)

    def bump(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)
        self.notify(self)


@dataclass(frozen=True, slots=True)
class SweepOptions:
    ports: tuple[int, ...] = CURATED_PORTS
    probes: frozenset[str] = DEFAULT_PROBES
    site: str | None = None
    operator: str | None = None
    arp: bool = True


@dataclass
class _Results:
    observations: list[Observation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    #: addresses that answered ARP, and the networks ARP covered (silence there = no host)
    arp_alive: set[str] = field(default_factory=set)
    arp_covered: list[ipaddress.IPv4Network] = field(default_factory=list)

    def known_dead(self, host: str) -> bool:
        addr = ipaddress.ip_address(host)
        return host not in self.arp_alive and any(addr in n for n in self.arp_covered)


async def _contained(ctx: ProbeContext, probe: Probe, host: str, port: int, res: _Results) -> None:
    """Run one probe; its failure becomes a per-service entry, never the sweep's."""
    target = f"{host}:{port}/udp" if probe.udp else f"{host}:{port}"
    try:
        res.observations += await probe.probe(ctx, host, port)
    except TimeoutError:
        res.skipped.append(Skipped(probe.name, SkipReason.TIMED_OUT, "request deadline", target))
    except (ProbeError, ParseError) as exc:
        res.skipped.append(Skipped(probe.name, SkipReason.ERROR, str(exc)[:200], target))


async def _host(
    ctx: ProbeContext, host: str, opts: SweepOptions, res: _Results, progress: Progress
) -> None:
    try:
        async with asyncio.timeout(ctx.scope.limits.host_budget):
            if res.known_dead(host):
                return  # on-link and silent to ARP: nobody is there
            if host not in res.arp_alive and not await alive(ctx.dialer, host):
                return
            res.hosts.add(host)
            progress.bump("discovered")
            res.observations.append(Observation(f"ip:{host}", "ip.address", host, "tcp-discovery"))
            ports = await open_ports(ctx.dialer, host, opts.ports)
            res.observations += [
                Observation(f"ip:{host}", "tcp.open_port", str(p), "tcp") for p in ports
            ]
            jobs = [(probe, p) for p in ports for probe in probes_for(p, opts.probes)]
            jobs += udp_probes(opts.probes)
            await asyncio.gather(*(_contained(ctx, probe, host, p, res) for probe, p in jobs))
            progress.bump("probed")
    except TimeoutError:
        res.skipped.append(Skipped("host", SkipReason.TIMED_OUT, "host budget exhausted", host))


async def collect(
    scope: Scope, dialer: Dialer, opts: SweepOptions, progress: Progress, res: _Results
) -> None:
    """Discover and probe every address in scope, at most ``host_concurrency`` at a time;
    results accumulate in ``res`` so an interrupted sweep keeps what it saw."""
    ctx = ProbeContext(scope, dialer)
    gate = asyncio.Semaphore(scope.limits.host_concurrency)

    async def one(host: str) -> None:
        async with gate:
            await _host(ctx, host, opts, res, progress)

    addresses = [str(a) for a in scope.hosts()]
    progress.addresses = len(addresses)
    if opts.arp:
        await _arp(scope, res)
    res.notes.append("discovery: tcp-connect" + (" (after ARP)" if res.arp_covered else ""))
    try:
        await asyncio.gather(*(one(a) for a in addresses))
    finally:
        res.observations += neighbour_macs(res.hosts)


async def _arp(scope: Scope, res: _Results) -> None:
    """ARP on attached in-scope networks; record what ran and why it did not."""
    atts = arp.attachments(scope)
    if not atts:
        detail = "no interface here is attached to an IPv4 network in scope; TCP connects used"
        res.skipped.append(Skipped("arp", SkipReason.NOT_IN_SCOPE, detail))
        res.skipped.append(Skipped("nd", SkipReason.NOT_IN_SCOPE, detail))
        return
    for att in atts:
        try:
            found = await arp.sweep(att, scope)
        except ProbeError as exc:
            res.skipped.append(Skipped("arp", SkipReason.NEEDS_ROOT, f"{exc}; TCP connects used"))
            res.skipped.append(Skipped("nd", SkipReason.NEEDS_ROOT, "IPv6 discovery needs root"))
            return
        await _nd(att, res)
        res.observations += found
        res.arp_alive |= {o.value for o in found}
        if found:  # silence is proof of absence only where ARP demonstrably works
            res.arp_covered.append(att.network)
        res.notes.append(f"discovery: arp on {att.name} ({att.network}): {len(found)} answered")


async def _nd(att: arp.Attachment, res: _Results) -> None:
    """IPv6: link-local addresses (and MACs) of the segment's IPv6 nodes."""
    try:
        found = await nd.sweep(att)
    except ProbeError as exc:
        res.skipped.append(Skipped("nd", SkipReason.ERROR, str(exc)))
        return
    res.observations += found
    res.notes.append(f"discovery: ipv6 all-nodes echo on {att.name}: {len(found)} answered")


def run_sweep(
    scope: Scope, dialer: Dialer, opts: SweepOptions, progress: Progress | None = None
) -> ScanRun:
    """Sweep, identify and package the run. Interrupted sweeps keep what they saw."""
    started = datetime.now(UTC)
    progress = progress or Progress()
    complete, res = True, _Results()
    try:
        asyncio.run(collect(scope, dialer, opts, progress, res))
    except KeyboardInterrupt:
        complete = False
        res.notes.append("interrupted: the results cover only the hosts probed so far")
    res.skipped.append(
        Skipped(
            "nd", SkipReason.DISABLED, "IPv6 neighbour discovery is not built yet; IPv6 uses TCP"
        )
    )
    devices = identify(res.observations)
    return ScanRun(
        id=f"run-{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
        started_at=started,
        finished_at=datetime.now(UTC),
        tool_version=__version__,
        signatures_version=database_version(),
        site=opts.site,
        operator=opts.operator,
        scope=scope.describe(),
        devices=tuple(devices),
        skipped=tuple(res.skipped),
        complete=complete,
        notes=tuple(res.notes),
    )
