"""Probing one host: its budget, its port checks and probes, the tarpit check, early stop.

Containment: each host runs under its budget (``host_budget``); a probe that fails, times out
or meets bytes it cannot parse becomes a per-service :class:`~scanner.models.Skipped` entry and
the host goes on. A request's deadline starts when it gets one of its host's connection slots
(:mod:`scanner.probes.net`); the budget bounds the queueing.

Speed (``bench/README.md``, sweep_vs_nmap.py): a port's probes start as soon as the port is found
open, ahead of the host's remaining port checks. ``early_stop`` (off by default: it trades
evidence such as serials and firmware for time) ends a host's probing once what it said so far
identifies a collector beyond doubt (certainty ``high``); the identification is the
:class:`Judge`'s, which the sweep builds from the signature database (this stage sits upstream
of identification and never imports it).

A host that accepts connections on nearly every port and on a control port no service uses is
a tarpit: its open ports are not evidence (:class:`OpenPorts`; a note says so).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from scanner.errors import ParseError, ProbeError
from scanner.models import Observation, Skipped, SkipReason
from scanner.probes.base import PartialProbeError, Probe, ProbeContext
from scanner.probes.discovery import (
    CONTROL_PORT,
    TARPIT_MIN_PORTS,
    alive,
    life_ports,
    looks_like_tarpit,
    loopback,
    scan_order,
)
from scanner.probes.judge import Judge, NoJudge, Verdict
from scanner.probes.net import PortState
from scanner.probes.registry import probes_for, udp_probes
from scanner.probes.source import SourceResult, internal_error

log = logging.getLogger(__name__)


class EarlyStop(Exception):
    """A host's collector is identified beyond doubt: its remaining probes are dropped."""


def target_of(probe: Probe, host: str, port: int) -> str:
    """The ``target`` of a probe's skipped entry: ``host:port``, or ``host:port/udp``."""
    return f"{host}:{port}/udp" if probe.udp else f"{host}:{port}"


async def contained(
    ctx: ProbeContext, probe: Probe, host: str, port: int, out: SourceResult
) -> list[Observation]:
    """Run one probe; its failure becomes a per-service entry, never the sweep's."""
    target = target_of(probe, host, port)
    try:
        found = await probe.probe(ctx, host, port)
        out.observations += found
        return found
    except TimeoutError:
        out.skipped.append(Skipped(probe.name, SkipReason.TIMED_OUT, "request deadline", target))
    except (ProbeError, ParseError) as exc:
        out.skipped.append(Skipped(probe.name, SkipReason.ERROR, str(exc)[:200], target))
        if isinstance(exc, PartialProbeError):  # what it learned before failing still counts
            out.observations += exc.observations
            return exc.observations
    except Exception as exc:  # a bug in one probe or parser must not end the sweep
        log.exception("probe %s on %s failed", probe.name, target)
        out.skipped.append(Skipped(probe.name, SkipReason.ERROR, internal_error(exc), target))
    return []


@dataclass
class OpenPorts:
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

    def flush(self, out: SourceResult) -> None:
        """Hand the open ports to the results once (a tarpit's to the notes instead)."""
        if self.done:
            return
        self.done = True
        if looks_like_tarpit(len(self.found), self.checked, self.control_open):
            out.notes.append(
                f"tarpit: {self.host} accepted connections on {len(self.found)} of "
                f"{self.checked} ports and on control port {CONTROL_PORT}, which no service "
                "uses; its open ports are not used as evidence"
            )
        else:
            out.observations += self.found


@dataclass
class HostWork:
    """The probing of single hosts in one sweep: what to ask, and what was learned."""

    ctx: ProbeContext
    ports: tuple[int, ...]
    probes: frozenset[str]
    out: SourceResult
    judge: Judge = field(default_factory=NoJudge)
    early_stop: bool = False
    hosts: set[str] = field(default_factory=set)  # live hosts found
    early_stopped: int = 0  # hosts whose probing ended early
    #: hosts' answers not yet judged collector or not (the live count waits for the database)
    unjudged: list[list[Observation]] = field(default_factory=list)

    async def host(self, host: str, known_alive: bool) -> None:
        """Discover (unless ``known_alive``) and probe one host within its budget."""
        progress = self.ctx.progress
        seen: list[Observation] = []
        opened: set[int] = set()  # ports discovery found open: not checked again
        running: dict[tuple[str, str], None] = {}  # (probe, target) started, not yet ended
        try:
            async with asyncio.timeout(self.ctx.scope.limits.host_budget):
                if not known_alive and not await self._alive(host, opened):
                    if loopback(host):
                        await self._udp_only(host)
                    return
                self._live(host, "tcp-discovery")
                try:
                    await self._probe_host(host, seen, opened, running)
                except* EarlyStop:
                    self.early_stopped += 1
                self.unjudged.append(seen)
                progress.host_probed(self._collectors())
        except TimeoutError:
            self.out.skipped += [
                Skipped("host", SkipReason.TIMED_OUT, "host budget exhausted", host),
                *(Skipped(p, SkipReason.TIMED_OUT, "host budget exhausted", t) for p, t in running),
            ]
        except Exception as exc:  # discovery or the port scan failed on this host only
            log.exception("host %s failed", host)
            self.out.skipped.append(Skipped("host", SkipReason.ERROR, internal_error(exc), host))
        finally:
            self.ctx.dialer.release(host)
            progress.addresses_done()

    async def _alive(self, host: str, opened: set[int]) -> bool:
        """Discovery; the ports it finds open go to ``opened`` (their connections are kept for
        the probes that follow)."""
        keep = {p for p in self.ports if probes_for(p, self.probes)}
        return await alive(self.ctx.dialer, host, life_ports(host, self.ports), opened, keep)

    def _live(self, host: str, how: str) -> None:
        self.hosts.add(host)
        self.ctx.progress.host_alive()
        self.out.observations.append(Observation(f"ip:{host}", "ip.address", host, how))

    def _collectors(self) -> int:
        """How many of the hosts not yet judged identify as collectors, once the database has
        loaded (until then they wait): the live count of the progress display."""
        if not self.judge.ready():
            return 0
        judged, self.unjudged = self.unjudged, []
        return sum(1 for seen in judged if self.judge.verdict(seen) is not Verdict.OTHER)

    async def _udp_only(self, host: str) -> None:
        """A loopback address with no TCP port open is alive only if a UDP question is
        answered (a UDP-only device such as HID discoveryd); an address nobody holds leaves no
        trace."""
        quiet = SourceResult()
        asked = udp_probes(self.probes)
        await asyncio.gather(*(contained(self.ctx, p, host, n, quiet) for p, n in asked))
        if quiet.observations:
            self._live(host, "udp-discovery")
            self.out.observations += quiet.observations
            self.out.skipped += quiet.skipped
            self.ctx.progress.host_probed()

    async def _probe_host(
        self,
        host: str,
        seen: list[Observation],
        opened: set[int],
        running: dict[tuple[str, str], None],
    ) -> None:
        """Port checks in discovery order (and the tarpit control port), each open port's
        probes started at once, then the UDP questions. A port in ``opened`` (discovery found
        it open) is not checked again: a second check that times out under load would drop a
        port already seen open, and with it every probe of that port. With early stop, an
        identification beyond doubt ends it all, and the UDP questions wait for the TCP probes
        (they are the last resort). ``seen`` collects what the host said; ``running`` the
        probes under way (each has its own entry if the host's budget ends them)."""
        ctx = self.ctx
        asked: list[asyncio.Task[None]] = []
        order = scan_order(self.ports)
        ports = OpenPorts(host, len(order))

        def record(found: list[Observation]) -> None:
            seen.extend(found)
            if self.early_stop and found and self._beyond_doubt(seen):
                raise EarlyStop

        async def run(probe: Probe, port: int) -> None:
            key = (probe.name, target_of(probe, host, port))
            running[key] = None
            found = await contained(ctx, probe, host, port, self.out)
            del running[key]  # not when cancelled: the budget's end names it
            record(found)

        async def check(group: asyncio.TaskGroup, port: int) -> None:
            probes = probes_for(port, self.probes)
            if port not in opened and (
                await ctx.dialer.probe_port(host, port, keep=bool(probes)) is not PortState.OPEN
            ):
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
                ports.flush(self.out)
                if self.early_stop and asked:
                    await asyncio.wait(asked)
                for probe, port in udp_probes(self.probes):
                    group.create_task(run(probe, port))
        finally:
            ports.flush(self.out)  # interrupted before the verdict: keep what was found

    def _beyond_doubt(self, seen: list[Observation]) -> bool:
        """Does what the host said so far identify a collector with certainty ``high``?"""
        return self.judge.ready() and self.judge.verdict(seen) is Verdict.BEYOND_DOUBT
