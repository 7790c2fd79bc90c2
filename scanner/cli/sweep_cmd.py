"""``biosweep sweep``: discover hosts in scope and ask each, read-only, what it is."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner import scan
from scanner.cli import ble_cmd
from scanner.cli.console import (
    EXIT_RUNTIME,
    EXIT_USAGE,
    console,
    err_console,
    fail,
)
from scanner.cli.files import write_atomic
from scanner.cli.history_cmd import EXIT_LOCKED, stored_run
from scanner.cli.identify_cmd import device_table
from scanner.cli.registry_cmd import findings_table, sweep_exit, sweep_options
from scanner.config.ranges import flag_problems, parse_ports
from scanner.errors import BiosweepError, InputError, ScopeError
from scanner.models import ScanRun
from scanner.probes import DEFAULT_PROBES, KNOWN_PROBES
from scanner.probes.discovery import CURATED_PORTS
from scanner.probes.multicast import SocketMulticast, only_multicast
from scanner.probes.net import Connector
from scanner.reporters.jsonout import observations_jsonl, scanrun_json
from scanner.scope import Limits, Scope, build_scope, detected_networks, read_exclude_file
from scanner.store import LockedError

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

Privileges: none needed. Discovery and port scanning use TCP connects; MACs of on-link hosts
come from the kernel's neighbour cache. Multicast discovery (mdns, ssdp, wsd, sadp, dhip)
asks once, TTL 1, only on interfaces whose network is in scope; --passive-first needs root.

Exit status: 0 no collector found, 1 collectors found, 2 usage or scope error, 3 runtime failure,
4 (with --store) another run of this site is in progress.
"""


def _parse_ports(text: str | None) -> tuple[int, ...]:
    if not text:
        return CURATED_PORTS
    try:
        return parse_ports(text)
    except ValueError as exc:
        raise InputError(f"--ports: {exc}") from None


def _parse_only(text: str | None, snmp: bool = False, describe: bool = False) -> frozenset[str]:
    """The probe names to run. ``describe`` (``--rtsp-describe``) turns the RTSP probe into
    OPTIONS + DESCRIBE wherever RTSP runs."""
    names = _only_names(text, snmp)
    return names | {"rtsp-describe"} if describe and "rtsp" in names else names


def _only_names(text: str | None, snmp: bool) -> frozenset[str]:
    if not text:
        return DEFAULT_PROBES | ({"snmp"} if snmp else set())
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    unknown = names - KNOWN_PROBES - {"tcp"}
    if unknown:
        known = ", ".join(sorted(KNOWN_PROBES))
        raise InputError(f"--only: unknown probe(s) {', '.join(sorted(unknown))} (known: {known})")
    return names & KNOWN_PROBES


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


def _scope(
    targets: list[str], exclude: list[str], exclude_file: list[Path], limits: Limits, **flags: bool
) -> Scope:
    excludes = [*exclude, *(t for f in exclude_file for t in read_exclude_file(f))]
    return build_scope(targets, excludes, interfaces=detected_networks(), limits=limits, **flags)


def _run(scope: Scope, opts: scan.SweepOptions, quiet: bool) -> ScanRun:
    if quiet or not sys.stderr.isatty():
        err_console.print(
            f"sweeping {scope.size} addresses ({', '.join(scope.describe())})", markup=False
        )
        run = scan.run_sweep(scope, Connector(scope), opts, multicast=SocketMulticast(scope))
        err_console.print(f"done: {len(run.devices)} devices", markup=False)
        return run
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("discovering", total=scope.size)
        seen = {"n": 0}

        def update(p: scan.Progress) -> None:
            bar.update(
                task, description=f"hosts up {p.discovered}, probed {p.probed}", total=p.addresses
            )
            seen["n"] = p.probed

        return scan.run_sweep(
            scope, Connector(scope), opts, scan.Progress(notify=update), SocketMulticast(scope)
        )


def sweep(
    targets: list[str] = typer.Argument(None, help="CIDRs, ranges, addresses or interface names."),
    exclude: list[str] = typer.Option(
        [], "--exclude", "-x", help="Addresses/CIDRs/ranges to leave alone."
    ),
    exclude_file: list[Path] = typer.Option(
        [], "--exclude-file", help="File of exclusions, one per line."
    ),
    ports: str = typer.Option(
        None, "--ports", "-p", help="Ports/ranges to scan (default: curated set)."
    ),
    only: str = typer.Option(
        None,
        "--only",
        help=f"Run only these probes: tcp, {', '.join(sorted(KNOWN_PROBES))}. Multicast names "
        "alone (mdns, ssdp, wsd, sadp, dhip) skip the host sweep.",
    ),
    confirm_large_scope: bool = typer.Option(
        False, "--confirm-large-scope", help="Allow more than a /16."
    ),
    allow_public: bool = typer.Option(
        False, "--allow-public", help="Allow public addresses you own."
    ),
    rate: float = typer.Option(1000.0, "--rate", help="Connection attempts per second, overall."),
    host_rate: float = typer.Option(
        40.0, "--host-rate", help="Connection attempts per second per host."
    ),
    host_connections: int = typer.Option(
        2, "--host-connections", help="Concurrent connections per host."
    ),
    deadline: float = typer.Option(
        10.0, "--deadline", help="Seconds per request, connect to parse."
    ),
    host_budget: float = typer.Option(
        120.0, "--host-budget", help="Seconds for all probes of one host."
    ),
    json_out: bool = typer.Option(
        False, "--json", help="Print the ScanRun as JSON (biosweep.scanrun/1)."
    ),
    observations_out: Path = typer.Option(
        None, "--observations-out", help="Save raw observations (JSON lines)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --observations-out if it exists."),
    site: str = typer.Option(None, "--site", help="Site name recorded in the run."),
    operator: str = typer.Option(
        None, "--operator", help="Who ran the sweep, recorded in the run."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No live progress."),
    snmp: bool = typer.Option(
        False, "--snmp", help="Also ask SNMP sysDescr.0 with the read-only community 'public'."
    ),
    rtsp_describe: bool = typer.Option(
        False,
        "--rtsp-describe",
        help="RTSP: after OPTIONS, one DESCRIBE without credentials (status, auth realm, SDP "
        "session name and tool). Never SETUP/PLAY.",
    ),
    passive_first: float = typer.Option(
        0.0,
        "--passive-first",
        help="Listen this many seconds (sending nothing; root) on in-scope interfaces first.",
    ),
    early_stop: bool = typer.Option(
        False,
        "--early-stop/--no-early-stop",
        help="Stop asking a host once a collector is identified with high certainty (faster; "
        "may miss serials and firmware that the registry comparison uses).",
    ),
    ble: bool = typer.Option(
        False, "--ble/--no-ble", help="Also scan Bluetooth LE (--only ble: only)."
    ),
    ble_backend: str = typer.Option("auto", "--ble-backend", help=ble_cmd.BACKEND_HELP),
    ble_transport: str = typer.Option(None, "--ble-transport", help=ble_cmd.TRANSPORT_HELP),
    ble_duration: float = typer.Option(10.0, "--ble-duration", help="Seconds to listen for BLE."),
    ble_passive: bool = typer.Option(False, "--ble-passive", help="BLE: send no scan requests."),
    ble_kernel_ok: bool = typer.Option(False, "--ble-kernel-ok", help=ble_cmd.KERNEL_OK_HELP),
    registry: Path = typer.Option(
        None, "--registry", help="Compare with this site registry (site.yaml); adds findings."
    ),
    previous: Path = typer.Option(
        None,
        "--previous",
        help="An earlier run's JSON: also report what is new or gone since then.",
    ),
    store: Path = typer.Option(
        None, "--store", help="Also save the run in this history database (biosweep history)."
    ),
) -> None:
    try:
        refused = flag_problems(
            rate=rate, host_rate=host_rate, host_connections=host_connections,
            deadline=deadline, host_budget=host_budget, passive_first=passive_first,
            ble_duration=ble_duration,
        )  # fmt: skip
        if refused:
            raise InputError("; ".join(refused))
        limits = Limits(
            global_rate=rate, host_rate=host_rate, host_connections=host_connections,
            request_deadline=deadline, host_budget=host_budget,
        )  # fmt: skip
        net_only, ble_on, ble_only = ble_cmd.radio_selection(only, ble)
        chosen = targets or ([] if ble_only else _ask_for_targets() if not json_out else [])
        scope = ble_cmd.radio_scope(chosen) if ble_only else _scope(
            chosen, exclude, exclude_file, limits,
            confirm_large=confirm_large_scope, allow_public=allow_public,
        )  # fmt: skip
        names = frozenset() if ble_only else _parse_only(net_only, snmp, rtsp_describe)
        opts = scan.SweepOptions(
            _parse_ports(ports), names, site, operator, arp=not ble_only,
            host_sweep=not ble_only and not (
                net_only and only_multicast(frozenset(n.strip() for n in net_only.split(",")))
            ),
            passive_first=passive_first, early_stop=early_stop,
            ble=ble_cmd.ble_options(
                ble_backend, ble_transport, ble_duration, ble_passive, site, ble_kernel_ok
            ) if ble_on else None,
        )  # fmt: skip
        opts = sweep_options(opts, registry, previous)
    except BiosweepError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    try:
        if store is None:
            run = _run(scope, opts, quiet or json_out)
        else:
            run = stored_run(
                store, opts, scope.describe(), lambda: _run(scope, opts, quiet or json_out)
            )
        if observations_out is not None:
            write_atomic(observations_out, observations_jsonl(run), force=force)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except LockedError as exc:
        raise fail(f"already running: {exc}", EXIT_LOCKED) from None
    except (BiosweepError, OSError) as exc:
        raise fail(f"sweep failed: {exc}", EXIT_RUNTIME) from None
    if json_out:
        sys.stdout.buffer.write(scanrun_json(run))
    else:
        console.print(device_table(list(run.devices)))
        for s in run.skipped:
            console.print(
                f"  skipped {s.probe} {s.target or ''}: {s.reason} — {s.detail}", markup=False
            )
        if run.registry is not None:
            console.print(findings_table(run))
    raise typer.Exit(sweep_exit(run))


sweep.__doc__ = HELP
