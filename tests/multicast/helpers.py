"""Shared pieces for multicast tests: a fake interface and scope (nothing is ever sent: the
fake seam answers in memory), and runners for the probes through :class:`FakeMulticast`."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from dataclasses import replace

from scanner.models import Observation, Skipped
from scanner.probes.base import ProbeContext
from scanner.probes.multicast import (
    FakeMulticast,
    Interface,
    MulticastContext,
    MulticastProbe,
    MulticastSource,
)
from scanner.probes.multicast.base import Datagram, Drops
from scanner.probes.multicast.net import Question
from scanner.probes.net import Connector
from scanner.probes.source import run_source
from scanner.scope import Limits, Scope, build_scope

FAST = Limits(request_deadline=2.0, connect_timeout=0.5)


def iface(cidr: str = "127.0.28.0/24", address: str = "127.0.28.250") -> Interface:
    return Interface("fake0", 1, address, ipaddress.IPv4Network(cidr))


def scope_for(cidr: str = "127.0.28.0/24", exclude: tuple[str, ...] = ()) -> Scope:
    return build_scope([cidr], list(exclude), limits=FAST)


Answer = Callable[[bytes], list[Datagram]]


def run_probe(
    probe: MulticastProbe,
    group: tuple[str, int],
    answer: Answer,
    scope: Scope | None = None,
    where: Interface | None = None,
    drops: Drops | None = None,
) -> tuple[list[Observation], list[Skipped], FakeMulticast]:
    """Run ``probe`` against ``answer``; ``drops`` (if given) counts the answers it dropped."""
    scope = scope or scope_for()
    net = FakeMulticast(scope, {group: lambda _i, _q, payload: answer(payload)})
    ctx = MulticastContext(scope, net, Connector(scope), wait=0.1)
    if drops is not None:
        ctx = replace(ctx, drops=drops)

    async def main() -> tuple[list[Observation], list[Skipped]]:
        return await probe.discover(ctx, where or iface())

    found, skipped = asyncio.run(main())
    return found, skipped, net


def fields(obs: list[Observation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in obs:
        out.setdefault(o.field, []).append(o.value)
    return out


__all__ = ["FAST", "Question", "fields", "iface", "run_probe", "scope_for"]


async def discover(
    ctx: MulticastContext, names: frozenset[str], where: list[Interface]
) -> tuple[list[Observation], list[Skipped], list[str]]:
    """Multicast discovery as the sweep runs it (the source, contained), on ``where``, with
    ``ctx``'s scope, seam, dialer and answer window."""
    source = MulticastSource(ctx.net, names, where, ctx.wait)
    found = await run_source(source, ProbeContext(ctx.scope, ctx.dialer))
    return found.observations, found.skipped, found.notes
