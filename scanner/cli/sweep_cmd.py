"""``biosweep sweep``: discover hosts in scope and ask each, read-only, what it is."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from scanner import scan
from scanner.cli import ble_cmd, progress
from scanner.cli import sweep_plan as flags
from scanner.cli.console import (
    ALL_HELP,
    EXIT_RUNTIME,
    EXIT_USAGE,
    WHY_HELP,
    console,
    err_console,
    fail,
)
from scanner.cli.files import check_destination, write_or_rescue
from scanner.cli.push_cmd import CA_HELP, PUSH_HELP, TOKEN_HELP, live_feed, push_run, pusher
from scanner.cli.registry_cmd import sweep_exit, sweep_options
from scanner.cli.stored import CONFIG_HELP, EXIT_LOCKED, config_or_fail, stored_run
from scanner.errors import BiosweepError, InputError, ScopeError
from scanner.identify.worker import sweep_loader
from scanner.models import ScanRun
from scanner.normalize import clean_text
from scanner.probes.multicast import SocketMulticast
from scanner.probes.net import Connector
from scanner.probes.sources import NothingSwept
from scanner.reporters.jsonout import observations_jsonl, scanrun_json
from scanner.scope import Scope, detected_networks
from scanner.store import LockedError

Live = Callable[[scan.Progress], None]

PREVIOUS_HELP = "An earlier run's JSON: also report what is new or gone since then."

HELP = """Sweep networks for biometric collectors with read-only probes.

Scope: TARGETS are CIDRs (10.0.0.0/24), ranges (10.0.0.1-40), addresses or interface names.
--exclude/--exclude-file remove addresses, also ones learned during the scan. More than a /16
needs --confirm-large-scope; public addresses need --allow-public. With no target an
interactive run lists this machine's networks and asks; a non-interactive run exits 2.

Limits (defaults): 1000 connection attempts/s overall, 40/s and 2 concurrent connections per
host, 10 s per request (total, from when it gets a connection slot), 120 s per host (queueing
included), 256 KiB per response. Never sent: credentials,
snapshot/stream/media requests, RTSP SETUP/PLAY, any byte to printer ports 9100-9107.
RTSP gets OPTIONS; --rtsp-describe adds one DESCRIBE without credentials (kept: status,
challenge scheme/realm, the SDP session name s= and a=tool:; no media line is read).
A host that accepts connections on nearly every port and on control port 49151 is noted as
a tarpit: its open ports are not used as evidence.

Routes: targets that only the default route reaches (not attached, no route of their own)
are refused before any packet, naming the gateway, unless --routed (an interactive run asks).

Privileges: none needed. Discovery and port scanning use TCP connects; MACs of on-link hosts
come from the kernel's neighbour cache. Multicast discovery (mdns, ssdp, wsd, sadp, dhip)
asks once, TTL 1, only on interfaces whose network is in scope; --passive-first needs root.

Settings: every flag has a biosweep.toml key (in its sweep section; the scope's in the site
section); flags override the file (see README "Configuration file"); --config names the file.

Exit status: 0 no collector found, 1 collectors found, 2 usage, scope or output-file error
(checked before any packet), 3 runtime failure (nothing swept; an output file that could not be
written, the run is then printed and saved to a rescue file), 4 (with --store) another run of
this site is in progress, 5 incomplete: a source asked for could not run (or the sweep was
interrupted) and no collector was found.
"""


def _ask_for_targets() -> list[str]:
    nets = detected_networks()
    if not sys.stdin.isatty() or not sys.stderr.isatty():
        listed = "; ".join(f"{i}: {', '.join(map(str, n))}" for i, n in nets.items()) or "none"
        raise ScopeError(
            f"no targets given (networks on this machine: {listed}); name them as arguments"
        )
    for iface, networks in nets.items():
        err_console.print(f"  {iface}: {', '.join(map(str, networks))}")
    answer = typer.prompt(
        "Sweep which networks? (CIDRs or interface names, space-separated)", err=True
    )
    return str(answer).split()


def _tee(seen: scan.Progress | None, live: Live | None) -> scan.Progress | None:
    """The progress the sweep updates, also telling ``live`` (the console, with --push)."""
    if live is None:
        return seen
    if seen is None:
        return scan.Progress(notify=live)
    shown = seen.notify

    def both(p: scan.Progress) -> None:
        shown(p)
        live(p)

    seen.notify = both
    return seen


def _run(
    scope: Scope,
    opts: scan.SweepOptions,
    quiet: bool,
    live: Live | None = None,
    timings: bool = False,
) -> ScanRun:
    """Sweep with progress on stderr: live on a terminal, plain lines otherwise, only the first
    and last line with ``--quiet``; ``timings``: then where the time went. Nothing goes to
    stdout; ``live`` also gets every change."""
    startup = _since_process_start()
    what = [f"{scope.size} addresses ({', '.join(scope.describe())})"] if scope.size else []
    what += [f"Bluetooth LE for {opts.ble.duration:g} s"] if opts.ble else []
    err_console.print(f"sweeping {' and '.join(what) or 'nothing'}", markup=False)
    shown: contextlib.AbstractContextManager[scan.Progress]
    if quiet:
        shown = contextlib.nullcontext(scan.Progress())
    elif sys.stderr.isatty():
        shown = progress.live(err_console)
    else:
        shown = progress.plain(
            lambda line: err_console.print(f"  {line}", markup=False, soft_wrap=True)
        )
    start = time.monotonic()
    with shown as seen:
        run = scan.run_sweep(
            scope, Connector(scope), opts, _tee(seen, live), SocketMulticast(scope), sweep_loader
        )
    collectors = sum(d.is_collector for d in run.devices)
    state = "" if run.complete else " (INCOMPLETE)"
    took = time.monotonic() - start
    err_console.print(
        f"done in {took:.0f} s: {len(run.devices)} devices, {collectors} collectors{state}",
        markup=False,
    )
    if timings:
        err_console.print(progress.timings_line(seen, startup), markup=False, soft_wrap=True)
    return run


def _since_process_start() -> float | None:
    """Seconds since this process started (interpreter start-up and imports), if known: the
    process's start and the clock both counted from boot (``/proc``, 10 ms ticks), as the
    wall-clock start psutil gives is rounded to the boot time's whole second."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            ticks = int(f.read().rpartition(")")[2].split()[19])  # field 22: starttime
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


@flags.with_sweep_flags
def sweep(
    targets: list[str] = typer.Argument(None, help="CIDRs, ranges, addresses or interface names."),
    site: str = typer.Option(None, "--site", help="Site name recorded in the run."),
    operator: str = typer.Option(
        None, "--operator", help="Who ran the sweep, recorded in the run."
    ),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
    json_out: bool = typer.Option(
        False, "--json", help="Print the ScanRun as JSON (biosweep.scanrun/1)."
    ),
    observations_out: Path = typer.Option(
        None, "--observations-out", help="Save raw observations (JSON lines)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --observations-out if it exists."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress: only the first and last line (on stderr)."
    ),
    registry: Path = typer.Option(
        None, "--registry", help="Compare with this site registry (site.yaml); adds findings."
    ),
    previous: Path = typer.Option(None, "--previous", help=PREVIOUS_HELP),
    store: Path = typer.Option(
        None, "--store", help="Also save the run in this history database (biosweep history)."
    ),
    show_all: bool = typer.Option(False, "--all", help=ALL_HELP),
    why: bool = typer.Option(False, "--why", help=WHY_HELP),
    timings: bool = typer.Option(
        False, "--timings", help="Then say where the time went (start-up, each phase; stderr)."
    ),
    push: str = typer.Option(None, "--push", help=PUSH_HELP),
    push_token_file: Path = typer.Option(None, "--push-token-file", help=TOKEN_HELP),
    push_ca: Path = typer.Option(None, "--push-ca", help=CA_HELP),
    sweep_flags: dict[str, Any] | None = None,
) -> None:
    given = {**(sweep_flags or {}), "site": site, "operator": operator}
    sensor = pusher(push, push_token_file, push_ca)
    live = live_feed(sensor)
    cfg = config_or_fail(config)
    try:
        if observations_out is not None:
            check_destination(observations_out, force=force)
        s = flags.settings(cfg, **given)
        ble_only = ble_cmd.radio_selection(s.only, s.ble)[2]
        chosen = targets or ([] if ble_only else _ask_for_targets() if not json_out else [])
        scope, opts = flags.plan(s, chosen, interactive=not json_out)
        opts = sweep_options(opts, registry, previous)
    except BiosweepError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    run = _sweep(scope, opts, store, quiet, live, timings)
    problem = None
    if observations_out is not None:
        problem = write_or_rescue(observations_out, observations_jsonl(run), force=force)
    _print(run, json_out, show_all, why)
    if problem is not None:
        raise fail(problem, EXIT_RUNTIME)
    if sensor is not None and not push_run(sensor, run):
        raise typer.Exit(EXIT_RUNTIME)
    raise typer.Exit(sweep_exit(run))


def _sweep(
    scope: Scope,
    opts: scan.SweepOptions,
    store: Path | None,
    quiet: bool,
    live: Live | None,
    timings: bool,
) -> ScanRun:
    """Run (and with ``store`` save) the sweep; errors exit with their status."""
    try:
        if store is None:
            return _run(scope, opts, quiet, live, timings)
        return stored_run(
            store, opts, scope.describe(), lambda: _run(scope, opts, quiet, live, timings)
        )
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except LockedError as exc:
        raise fail(f"already running: {exc}", EXIT_LOCKED) from None
    except NothingSwept as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None
    except (BiosweepError, OSError) as exc:
        raise fail(f"sweep failed: {exc}", EXIT_RUNTIME) from None


def _print(run: ScanRun, json_out: bool, show_all: bool = False, why: bool = False) -> None:
    """The run on stdout (JSON or tables); an incomplete run says so before anything else."""
    incomplete = run.why_incomplete()
    if incomplete:
        out = err_console if json_out else console
        out.print("INCOMPLETE RUN (not an all-clear):", markup=False, soft_wrap=True)
        for line in incomplete:
            out.print(f"  {clean_text(line, 500)}", markup=False, soft_wrap=True)
    if json_out:
        sys.stdout.buffer.write(scanrun_json(run))
        return
    from scanner.cli.tables import run_tables  # the tables' wording: only when printed

    console.print(run_tables(run, show_all=show_all, why=why))
    for s in run.skipped:
        console.print(
            f"  skipped {s.probe} {s.target or ''}: {s.reason} — {s.detail}", markup=False
        )


sweep.__doc__ = HELP
