"""Run a sweep's sources in a test's own event loop (``scan.run_sweep`` makes its own)."""

from __future__ import annotations

from scanner import scan
from scanner.probes.base import ProbeContext
from scanner.probes.judge import Judge
from scanner.probes.net import Dialer
from scanner.probes.source import SourceResult
from scanner.scope import Scope


async def collect_into(
    res: SourceResult,
    scope: Scope,
    dialer: Dialer,
    opts: scan.SweepOptions,
    judge: Judge | None = None,
) -> scan.Plan:
    """The sources ``opts`` plans (no multicast seam), run; their results go into ``res``."""
    sources = scan.plan(scope, opts, None, judge)
    await scan.collect(ProbeContext(scope, dialer), sources, res)
    return sources
