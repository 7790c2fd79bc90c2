"""The pipeline on one screen: scope → discovery → ports → probes → identify → ScanRun.

Containment: each host runs under its budget; a probe that fails, times out or meets bytes it
cannot parse becomes a per-service :class:`~scanner.models.Skipped` entry and the sweep goes
on. Ctrl-C (cancellation) keeps what was observed and marks the run incomplete. A request's
deadline starts when it gets one of its host's connection slots (:mod:`scanner.probes.net`);
the host budget bounds the queueing. A host that accepts connections on nearly every port and
on a control port no service uses is a tarpit: its open ports are not evidence (a note says so).

Speed (issue 11, ``bench/README.md``): whatever waits, overlaps. Multicast discovery runs while
ARP sweeps the attached segments; a host is probed as soon as it answers ARP (addresses off
those segments go to TCP discovery at once); a port's probes start as soon as the port is found
open; the signature database loads in a thread meanwhile. A fixed pool of workers draws
addresses lazily from the scope, so memory follows the hosts in flight and the live hosts found,
never the size of the address space. ``early_stop`` (off by default: it trades evidence such as
serials and firmware for time) ends a host's probing once a collector is identified beyond
doubt (certainty ``high``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from scanner import __version__
from scanner.compare import compare
from scanner.errors import ParseError, ProbeError
from scanner.identify import Engine, default_engine, identify, oui, privacy
from scanner.identify.signatures import database_version
from scanner.models import Certainty, Device, Observation, ScanRun, Skipped, SkipReason
from scanner.probes import (
    CURATED_PORTS,
    DEFAULT_PROBES,
    Probe,
    ProbeContext,
    arp,
    ble,
    nd,
    probes_for,
    udp_probes,
)
from scanner.probes.base import PartialProbeError
from scanner.probes.ble import BleOptions
from scanner.probes.discovery import (
    CONTROL_PORT,
    TARPIT_MIN_PORTS,
    HostFeed,
    alive,
    life_ports,
    looks_like_tarpit,
    loopback,
    neighbour_macs,
    scan_order,
)
from scanner.probes.multicast import MulticastContext, MulticastNet
from scanner.probes.multicast import discover as multicast_discover
from scanner.probes.net import Connector, Dialer, PortState
from scanner.probes.oserrors import SourceUnavailable
from scanner.probes.sources import check_swept_something, incomplete_notes, missing
from scanner.registry import Registry
from scanner.scope import Scope

log = logging.getLogger(__name__)

#: Seconds the sweep collects multicast answers: the longest delay its questions allow a
#: responder (SSDP ``MX: 1``, UDA 2.0 §1.3.2; WS-Discovery's APP_MAX_DELAY is 500 ms) plus
#: half a second. Every in-scope host is also asked directly, so a longer window (the
#: multicast package's default, 2.5 s) would only hold the sweep's end (``bench/README.md``).
MULTICAST_WAIT = 1.5


@dataclass
class Progress:
    """Counters the CLI shows live; ``notify`` is called after every change.

    ``phases`` are the stages running now (``passive``, ``arp``, ``multicast``, ``hosts``,
    ``identify``); ``done`` counts addresses finished (probed, found dead, or silent to ARP),
    ``collectors`` the hosts whose answers so far identify a collector (once the signature
    database has loaded: a live estimate; the run's devices are the result)."""

    addresses: int = 0
    discovered: int = 0
    probed: int = 0
    done: int = 0
    collectors: int = 0
    phases: list[str] = field(default_factory=list)
    drawn: bool = False  # every address handed to a worker: what is left is probing
    notify: Callable[[Progress], None] = field(default=lambda _p: None, repr=False)

    def bump(self, name: str, n: int = 1) -> None:
        setattr(self, name, getattr(self, name) + n)
        self.notify(self)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Mark ``name`` running for the duration of the block."""
        self.phases.append(name)
        self.notify(self)
        try:
            yield
        finally:
            self.phases.remove(name)
            self.notify(self)


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
class _Results:
    observations: list[Observation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    #: networks where ARP demonstrably works (silence there = no host)
    arp_covered: list[ipaddress.IPv4Network] = field(default_factory=list)
    early_stopped: int = 0  # hosts whose probing ended early (``early_stop``)
    #: hosts' answers not yet judged collector or not (the live count waits for the database)
    unjudged: list[list[Observation]] = field(default_factory=list)


class _Warm:
    """The signature database and the IEEE registry table, loaded in a thread while the sweep
    waits on the network (together about a second of parsing that would otherwise follow it)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        threading.Thread(target=self._load, name="biosweep-signatures", daemon=True).start()

    def _load(self) -> None:
        # While this thread parses YAML, the event loop must not queue 5 ms (the default
        # switch interval) for the GIL after every socket call: shorten it for the load.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))
        try:
            default_engine()
            oui.registrant("00:00:00:00:00:00")  # reads the IEEE registry table once
        except Exception:  # noqa: S110 - raised again, and reported, where identify runs
            pass
        finally:
            sys.setswitchinterval(interval)
            self._done.set()

    def ready(self) -> Engine | None:
        """The engine once loaded; ``None`` meanwhile (the event loop never waits for it)."""
        return default_engine() if self._done.is_set() else None

    def wait(self) -> None:
        self._done.wait()


class _EarlyStop(Exception):
    """A host's collector is identified beyond doubt: its remaining probes are dropped."""


def _beyond_doubt(warm: _Warm, seen: list[Observation]) -> bool:
    """Does what the host said so far identify a collector with certainty ``high``?"""
    engine = warm.ready()
    if engine is None:
        return False
    best = engine.identify(seen)
    return bool(best) and best[0].is_collector and best[0].certainty is Certainty.HIGH


async def _contained(
    ctx: ProbeContext, probe: Probe, host: str, port: int, res: _Results
) -> list[Observation]:
    """Run one probe; its failure becomes a per-service entry, never the sweep's."""
    target = f"{host}:{port}/udp" if probe.udp else f"{host}:{port}"
    try:
        found = await probe.probe(ctx, host, port)
        res.observations += found
        return found
    except TimeoutError:
        res.skipped.append(Skipped(probe.name, SkipReason.TIMED_OUT, "request deadline", target))
    except (ProbeError, ParseError) as exc:
        res.skipped.append(Skipped(probe.name, SkipReason.ERROR, str(exc)[:200], target))
        if isinstance(exc, PartialProbeError):  # what it learned before failing still counts
            res.observations += exc.observations
            return exc.observations
    except Exception as exc:  # a bug in one probe or parser must not end the sweep
        log.exception("probe %s on %s failed", probe.name, target)
        res.skipped.append(Skipped(probe.name, SkipReason.ERROR, internal_error(exc), target))
    return []


def internal_error(exc: Exception) -> str:
    """The detail of a skipped entry for an unexpected exception (a bug: logged in full)."""
    return f"internal error: {type(exc).__name__}: {exc}"[:200]


async def _host(
    ctx: ProbeContext,
    host: str,
    known_alive: bool,
    opts: SweepOptions,
    res: _Results,
    progress: Progress,
    warm: _Warm | None = None,
) -> None:
    seen: list[Observation] = []
    try:
        async with asyncio.timeout(ctx.scope.limits.host_budget):
            if not known_alive and not await alive(ctx.dialer, host, life_ports(host, opts.ports)):
                if loopback(host):
                    await _udp_only(ctx, host, opts, res, progress)
                return
            res.hosts.add(host)
            progress.bump("discovered")
            res.observations.append(Observation(f"ip:{host}", "ip.address", host, "tcp-discovery"))
            try:
                await _probe_host(ctx, host, opts, res, warm if opts.early_stop else None, seen)
            except* _EarlyStop:
                res.early_stopped += 1
            res.unjudged.append(seen)
            if found := _collectors(warm, res):
                progress.bump("collectors", found)
            progress.bump("probed")
    except TimeoutError:
        res.skipped.append(Skipped("host", SkipReason.TIMED_OUT, "host budget exhausted", host))
    except Exception as exc:  # discovery or the port scan failed on this host only
        log.exception("host %s failed", host)
        res.skipped.append(Skipped("host", SkipReason.ERROR, internal_error(exc), host))
    finally:
        ctx.dialer.release(host)
        progress.bump("done")


def _collectors(warm: _Warm | None, res: _Results) -> int:
    """How many of the hosts not yet judged identify as collectors, once the database has
    loaded (until then they wait): the live count of the progress display."""
    engine = warm.ready() if warm is not None else None
    if engine is None:
        return 0
    judged, res.unjudged = res.unjudged, []
    return sum(1 for seen in judged if (best := engine.identify(seen)) and best[0].is_collector)


async def _udp_only(
    ctx: ProbeContext, host: str, opts: SweepOptions, res: _Results, progress: Progress
) -> None:
    """A loopback address with no TCP port open is alive only if a UDP question is answered
    (a UDP-only device such as HID discoveryd); an address nobody holds leaves no trace."""
    quiet = _Results()
    await asyncio.gather(*(_contained(ctx, p, host, n, quiet) for p, n in udp_probes(opts.probes)))
    if quiet.observations:
        res.hosts.add(host)
        progress.bump("discovered")
        res.observations += [Observation(f"ip:{host}", "ip.address", host, "udp-discovery")]
        res.observations += quiet.observations
        res.skipped += quiet.skipped
        progress.bump("probed")


@dataclass
class _OpenPorts:
    """A host's open ports, held back until its port checks end. A host that accepts
    connections on (nearly) every port, the control port included, is a tarpit: its open
    ports identify nothing (a port-only signature such as Anviz TCP 5010 would fire), so they
    are left out of the evidence and the run's notes say why. Its probes' answers still count.
    """

    host: str
    checked: int
    found: list[Observation] = field(default_factory=list)
    control_open: bool = False
    done: bool = False

    def flush(self, res: _Results) -> None:
        """Hand the open ports to the results once (a tarpit's to the notes instead)."""
        if self.done:
            return
        self.done = True
        if looks_like_tarpit(len(self.found), self.checked, self.control_open):
            res.notes.append(
                f"tarpit: {self.host} accepted connections on {len(self.found)} of "
                f"{self.checked} ports and on control port {CONTROL_PORT}, which no service "
                "uses; its open ports are not used as evidence"
            )
        else:
            res.observations += self.found


async def _probe_host(
    ctx: ProbeContext,
    host: str,
    opts: SweepOptions,
    res: _Results,
    warm: _Warm | None,
    seen: list[Observation],
) -> None:
    """Port checks in discovery order (and the tarpit control port), each open port's probes
    started at once, then the UDP questions. With ``warm`` (early stop), an identification
    beyond doubt ends it all, and the UDP questions wait for the TCP probes (they are the last
    resort). ``seen`` collects what the host said."""
    asked: list[asyncio.Task[None]] = []
    order = scan_order(opts.ports)
    ports = _OpenPorts(host, len(order))

    def record(found: list[Observation]) -> None:
        seen.extend(found)
        if warm is not None and found and _beyond_doubt(warm, seen):
            raise _EarlyStop

    async def run(probe: Probe, port: int) -> None:
        record(await _contained(ctx, probe, host, port, res))

    async def check(group: asyncio.TaskGroup, port: int) -> None:
        probes = probes_for(port, opts.probes)
        if await ctx.dialer.probe_port(host, port, keep=bool(probes)) is not PortState.OPEN:
            return
        found = [Observation(f"ip:{host}", "tcp.open_port", str(port), "tcp")]
        ports.found += found
        asked.extend(group.create_task(run(probe, port)) for probe in probes)
        record(found)

    async def control() -> None:
        ports.control_open = await ctx.dialer.probe_port(host, CONTROL_PORT) is PortState.OPEN

    try:
        async with asyncio.TaskGroup() as group:
            checks = [group.create_task(check(group, p)) for p in order]
            if len(order) >= TARPIT_MIN_PORTS and CONTROL_PORT not in order:
                checks.append(group.create_task(control()))
            if checks:
                await asyncio.wait(checks)
            ports.flush(res)
            if warm is not None and asked:
                await asyncio.wait(asked)
            for probe, port in udp_probes(opts.probes):
                group.create_task(run(probe, port))
    finally:
        ports.flush(res)  # interrupted before the verdict: keep what was found


async def collect(
    scope: Scope,
    dialer: Dialer,
    opts: SweepOptions,
    progress: Progress,
    res: _Results,
    multicast: MulticastNet | None = None,
    warm: _Warm | None = None,
) -> None:
    """The network sweep and, at the same time, the BLE scan (``opts.ble``); results
    accumulate in ``res`` so an interrupted sweep keeps what it saw. ``warm``: the signature
    database loading in a thread (early stop needs it; one is started if none is given)."""
    if opts.early_stop and warm is None:
        warm = _Warm()
    radio = asyncio.create_task(ble.collect(opts.ble, res)) if opts.ble else None
    try:
        await _network(scope, dialer, opts, progress, res, multicast, warm)
    except asyncio.CancelledError:
        if radio is not None:
            radio.cancel()
        raise
    finally:
        if radio is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await radio


async def _network(
    scope: Scope,
    dialer: Dialer,
    opts: SweepOptions,
    progress: Progress,
    res: _Results,
    multicast: MulticastNet | None = None,
    warm: _Warm | None = None,
) -> None:
    """Passive listening first (``passive_first``); then multicast discovery (with a
    ``multicast`` seam) and the host sweep, at the same time."""
    if opts.host_sweep:
        progress.addresses = address_count(scope)
    if opts.passive_first > 0:
        with progress.phase("passive"):
            await _passive(scope, res, opts.passive_first)
    jobs = [_multicast(scope, dialer, opts, res, multicast, progress)] if multicast else []
    if opts.host_sweep:
        jobs.append(_hosts(scope, dialer, opts, progress, res, warm))
    await asyncio.gather(*jobs)


async def _hosts(
    scope: Scope,
    dialer: Dialer,
    opts: SweepOptions,
    progress: Progress,
    res: _Results,
    warm: _Warm | None,
) -> None:
    """Every address in scope, ``host_concurrency`` at a time: ARP answers as they arrive,
    addresses off the ARP-swept segments through TCP discovery."""
    ctx = ProbeContext(scope, dialer)
    feed = HostFeed()
    atts = arp.attachments(scope) if opts.arp else []
    if opts.arp and not atts:
        detail = "no interface here is attached to an IPv4 network in scope; TCP connects used"
        res.skipped.append(Skipped("arp", SkipReason.NOT_IN_SCOPE, detail))
        res.skipped.append(Skipped("nd", SkipReason.NOT_IN_SCOPE, detail))
    for _ in atts:
        feed.open_source()
    feed.add(str(a) for a in scope.hosts() if not any(a in att.network for att in atts))

    async def worker() -> None:
        while (job := await feed.next()) is not None:
            await _host(ctx, job[0], job[1], opts, res, progress, warm)
        if not progress.drawn:
            progress.drawn = True
            progress.notify(progress)

    sweeps = [_arp(att, scope, dialer, feed, res, progress) for att in atts]
    try:
        with progress.phase("hosts"):
            workers = (worker() for _ in range(scope.limits.host_concurrency))
            await asyncio.gather(*sweeps, *workers)
    finally:
        res.skipped += ctx.unfollowed.skipped()
        res.notes.append("discovery: tcp-connect" + (" (after ARP)" if res.arp_covered else ""))
        res.observations += neighbour_macs(res.hosts)


def address_count(scope: Scope) -> int:
    """Addresses the sweep will go through (for progress), without holding them."""
    if not scope.excluded or scope.size > 1 << 20:
        return scope.size
    return sum(1 for _ in scope.hosts())


async def _passive(scope: Scope, res: _Results, seconds: float) -> None:
    """Listen (sending nothing) on in-scope interfaces before any probe."""
    from scanner.passive import listen_scope

    found, skipped, notes = await listen_scope(scope, seconds)
    res.observations += found
    res.skipped += skipped
    res.notes += notes


async def _multicast(
    scope: Scope,
    dialer: Dialer,
    opts: SweepOptions,
    res: _Results,
    net: MulticastNet,
    progress: Progress,
) -> None:
    """Multicast discovery on in-scope interfaces."""
    ctx = MulticastContext(scope, net, dialer, wait=MULTICAST_WAIT)
    with progress.phase("multicast"):
        found, skipped, notes = await multicast_discover(ctx, opts.probes)
    res.observations += found
    res.skipped += skipped
    res.notes += notes


async def _arp(
    att: arp.Attachment,
    scope: Scope,
    dialer: Dialer,
    feed: HostFeed,
    res: _Results,
    progress: Progress,
) -> None:
    """ARP one attached segment (IPv6 all-nodes echo alongside), each answer fed to the
    workers as it arrives. Where ARP cannot run or nobody answers, every address of the
    segment goes to TCP discovery instead: silence proves absence only where ARP works."""
    segment = (str(a) for a in scope.hosts() if a in att.network)
    echo = asyncio.create_task(_nd(att, res))
    answered: set[str] = set()

    def on_answer(host: str) -> None:
        answered.add(host)
        feed.alive(host)

    try:
        with progress.phase("arp"):
            found = await arp.sweep(att, scope, on_answer=on_answer, pace=dialer.pace)
    except SourceUnavailable as exc:
        res.skipped.append(exc.skipped("arp", "TCP connects used"))
        feed.add(segment)
        found = None
    else:
        if found:
            res.arp_covered.append(att.network)
            silent = sum(1 for a in scope.hosts() if a in att.network) - len(answered)
            progress.bump("done", max(0, silent))  # no host there: done without a probe
        else:
            feed.add(a for a in segment if a != str(att.address))
    finally:
        feed.close_source()
    if found is not None:
        res.observations += found
        res.notes.append(f"discovery: arp on {att.name} ({att.network}): {len(found)} answered")
    with contextlib.suppress(asyncio.CancelledError):
        await echo


async def _nd(att: arp.Attachment, res: _Results) -> None:
    """IPv6: link-local addresses (and MACs) of the segment's IPv6 nodes."""
    try:
        found = await nd.sweep(att)
    except SourceUnavailable as exc:
        res.skipped.append(exc.skipped("nd"))
        return
    res.observations += found
    res.notes.append(f"discovery: ipv6 all-nodes echo on {att.name}: {len(found)} answered")


def run_sweep(
    scope: Scope,
    dialer: Dialer,
    opts: SweepOptions,
    progress: Progress | None = None,
    multicast: MulticastNet | None = None,
) -> ScanRun:
    """Sweep, identify and package the run. Interrupted sweeps keep what they saw."""
    started = datetime.now(UTC)
    progress = progress or Progress()
    complete, res, warm = True, _Results(), _Warm()
    try:
        asyncio.run(collect(scope, dialer, opts, progress, res, multicast, warm))
    except KeyboardInterrupt:
        complete = False
        res.notes.append("interrupted: the results cover only the hosts probed so far")
    absent = missing(res.skipped, opts.required)
    res.notes[:0] = incomplete_notes(absent)
    complete = complete and not absent
    if isinstance(dialer, Connector):
        res.notes.append(
            f"connections: {dialer.attempts} attempts, {dialer.reused} probes served by their "
            "port check's connection"
        )
    if res.early_stopped:
        res.notes.append(
            f"early stop: {res.early_stopped} hosts identified beyond doubt before every probe ran"
        )
    with progress.phase("identify"):
        warm.wait()
        devices = privacy.apply_policy(identify(res.observations))
    run = ScanRun(
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
    check_swept_something(absent, opts.required, opts.host_sweep)
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


def package_run(
    observations: list[Observation],
    *,
    started: datetime,
    scope: tuple[str, ...] = (),
    skipped: tuple[Skipped, ...] = (),
    notes: tuple[str, ...] = (),
    site: str | None = None,
    operator: str | None = None,
    complete: bool = True,
    keep: Callable[[list[Device]], list[Device]] | None = None,
) -> ScanRun:
    """A ScanRun from observations made elsewhere (``listen``, ``import``): identify, package.
    ``keep`` filters the identified devices (e.g. Wi-Fi passers-by)."""
    devices = privacy.apply_policy(identify(observations))
    return ScanRun(
        id=f"run-{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
        started_at=started,
        finished_at=datetime.now(UTC),
        tool_version=__version__,
        signatures_version=database_version(),
        site=site,
        operator=operator,
        scope=scope,
        devices=tuple(keep(devices) if keep else devices),
        skipped=skipped,
        complete=complete,
        notes=notes,
    )
