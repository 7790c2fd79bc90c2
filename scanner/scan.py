"""The pipeline on one screen: plan the sources → run them → identify → package the ScanRun.

A sweep is made of sources (:mod:`scanner.probes.source`): Bluetooth LE alongside everything
(``--ble``); passive listening first (``--passive-first``); then multicast discovery and the
host sweep together (:mod:`scanner.probes.hostsweep`: ARP, the IPv6 echo, TCP discovery and
the per-port probes, host by host in :mod:`scanner.probes.hostwork`). Each source's failure is
its own skipped entry; Ctrl-C keeps what every source saw and marks the run incomplete.

Speed (``bench/README.md``, sweep_vs_nmap.py): whatever waits, overlaps. Multicast
discovery runs while ARP sweeps the attached segments, and the signature database loads
meanwhile (:mod:`scanner.identify.preload`), so identification waits for nothing at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from scanner.compare import compare
from scanner.identify.preload import Loader, Preload
from scanner.identify.run import package_run
from scanner.models import ScanRun
from scanner.probes import CURATED_PORTS, DEFAULT_PROBES, arp
from scanner.probes.base import ProbeContext
from scanner.probes.ble import BleOptions, BleSource
from scanner.probes.hostsweep import HostSweep, address_count, closing_notes
from scanner.probes.judge import Judge
from scanner.probes.multicast import MulticastNet, MulticastSource, interfaces_of
from scanner.probes.net import Dialer
from scanner.probes.progress import Phase, Progress
from scanner.probes.source import Source, SourceResult, run_source
from scanner.probes.sources import check_swept_something, incomplete_notes, missing
from scanner.registry import Registry
from scanner.scope import Scope

__all__ = ["Progress", "SweepOptions", "compared", "package_run", "plan", "run_sweep"]

#: Seconds the sweep collects multicast answers: the longest delay its questions allow a
#: responder (SSDP ``MX: 1``, UDA 2.0 §1.3.2; WS-Discovery's APP_MAX_DELAY is 500 ms) plus
#: half a second. Every in-scope host is also asked directly, so a longer window (the
#: multicast package's default, 2.5 s) would only hold the sweep's end (``bench/README.md``).
MULTICAST_WAIT = 1.5


@dataclass(frozen=True, slots=True)
class SweepOptions:
    ports: tuple[int, ...] = CURATED_PORTS
    probes: frozenset[str] = DEFAULT_PROBES
    site: str | None = None
    operator: str | None = None
    arp: bool = True
    host_sweep: bool = True  # False: multicast discovery alone (``--only mdns,ssdp,…``)
    passive_first: float = 0.0  # seconds to listen (sending nothing) before any probe
    registry: Registry | None = None  # compare the devices with this site registry
    previous: ScanRun | None = None  # ... and with this earlier run ("new since last run")
    ble: BleOptions | None = None  # also listen for Bluetooth LE, alongside (``--ble``)
    early_stop: bool = False  # stop asking a host once a collector is identified beyond doubt
    required: frozenset[str] = frozenset()  # sources asked for by name: incomplete if they fail


@dataclass
class Plan:
    """The sources of one sweep, in the order they run: ``alongside`` the whole time, ``first``
    before any probe, then ``together``; ``hosts`` is the host sweep among them."""

    alongside: list[Source] = field(default_factory=list)
    first: list[Source] = field(default_factory=list)
    together: list[Source] = field(default_factory=list)
    hosts: HostSweep | None = None


def plan(scope: Scope, opts: SweepOptions, net: MulticastNet | None, judge: Judge | None) -> Plan:
    """The sources ``opts`` asks for. ``net``: the multicast seam (None: no multicast
    discovery); ``judge``: identification during the sweep (live count, early stop)."""
    atts = arp.attachments(scope) if opts.arp or opts.passive_first or net else []
    out = Plan(alongside=[BleSource(opts.ble)] if opts.ble else [])
    if opts.passive_first > 0:
        from scanner.passive import PassiveSource  # scapy's parsers only when listening

        out.first.append(PassiveSource([a.name for a in atts], opts.passive_first))
    if net is not None:
        out.together.append(MulticastSource(net, opts.probes, interfaces_of(atts), MULTICAST_WAIT))
    if opts.host_sweep:
        on = atts if opts.arp else None
        out.hosts = HostSweep(opts.ports, opts.probes, on, judge, early_stop=opts.early_stop)
        out.together.append(out.hosts)
    return out


async def collect(ctx: ProbeContext, sources: Plan, res: SourceResult) -> None:
    """Run the planned sources; their results go into ``res`` (also when cancelled)."""

    async def network() -> None:
        for stage in (sources.first, sources.together):
            await asyncio.gather(*(run_source(s, ctx) for s in stage))

    try:
        await asyncio.gather(network(), *(run_source(s, ctx) for s in sources.alongside))
    finally:
        for source in [*sources.first, *sources.together, *sources.alongside]:
            res.add(source.result)


def run_sweep(
    scope: Scope,
    dialer: Dialer,
    opts: SweepOptions,
    progress: Progress | None = None,
    multicast: MulticastNet | None = None,
    loader: Callable[[], Loader] = Preload,
) -> ScanRun:
    """Sweep, identify and package the run. Interrupted sweeps keep what they saw.
    ``loader``: where the signature database loads meanwhile (a thread; the CLI's one-shot
    sweep: a process of its own, :mod:`scanner.identify.worker`)."""
    started = datetime.now(UTC)
    ctx = ProbeContext(scope, dialer, progress=progress or Progress())
    preload, res, complete = loader(), SourceResult(), True
    sources = plan(scope, opts, multicast, preload)
    if opts.host_sweep:
        ctx.progress.addresses = address_count(scope)
    try:
        asyncio.run(collect(ctx, sources, res))
    except KeyboardInterrupt:
        complete = False
        res.notes.append("interrupted: the results cover only the hosts probed so far")
    try:
        absent = missing(res.skipped, opts.required)
        check_swept_something(absent, opts.required, opts.host_sweep)
        notes = [*incomplete_notes(absent), *res.notes, *closing_notes(dialer, sources.hosts)]
        with ctx.progress.phase(Phase.IDENTIFY):
            run = package_run(
                res.observations, started=started, scope=scope.describe(),
                skipped=tuple(res.skipped), notes=tuple(notes), site=opts.site,
                operator=opts.operator, complete=complete and not absent,
                identified=preload.devices(res.observations),
            )  # fmt: skip
    finally:
        preload.close()
    return compared(run, opts.registry, opts.previous)


def compared(run: ScanRun, registry: Registry | None, previous: ScanRun | None) -> ScanRun:
    """The run with compare's findings against the site registry (unchanged without one)."""
    if registry is None:
        return run
    findings = compare(
        run.devices, registry, previous, run.scope, run.started_at.date(), complete=run.complete
    )
    site = run.site or registry.site.name
    return replace(run, findings=findings, registry=registry.describe(), site=site)
