"""The sweep flags ``sweep`` and ``watch`` share, and the one path from settings to a sweep.

Every flag here defaults to ``None`` ("not given"), so :func:`scanner.config.sweep.merge_settings`
can tell a flag from the configuration's value. :func:`plan` turns the merged
:class:`SweepSettings` into the scope (validated, exclusions applied, routes checked: nothing
is sent before it returns) and the pipeline's options, for both commands alike.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from scanner import scan
from scanner.cli import ble_cmd
from scanner.cli.console import err_console
from scanner.config import Config, ranges
from scanner.config.sweep import SweepSettings, merge_settings
from scanner.errors import InputError, ScopeError
from scanner.probes import DEFAULT_PROBES, KNOWN_PROBES
from scanner.probes.multicast import MULTICAST_PROBES, only_multicast
from scanner.probes.registry import CURATED_PORTS
from scanner.routes import default_routed, local_addresses, read_routes
from scanner.scope import Limits, Scope, build_scope, detected_networks, read_exclude_file


def _opt(decls: str, help_text: str) -> Any:
    """A flag that defaults to None ("not given"), so the configuration can fill it."""
    return typer.Option(None, *decls.split(), help=help_text)


#: Every sweep-setting flag: parameter name → (type, option). :func:`with_sweep_flags` adds
#: them all to a command, so ``sweep`` and ``watch`` cannot drift apart.
FLAGS: dict[str, tuple[Any, Any]] = {
    "exclude": (list[str], _opt("--exclude -x", "Addresses/CIDRs/ranges to leave alone.")),
    "exclude_file": (list[Path], _opt("--exclude-file", "File of exclusions, one per line.")),
    "ports": (str, _opt("--ports -p", "Ports/ranges to scan (default: curated set).")),
    "only": (str, _opt(
        "--only", f"Run only these probes: tcp, {', '.join(sorted(KNOWN_PROBES))}. Multicast "
        "names alone (mdns, ssdp, wsd, sadp, dhip) skip the host sweep.",
    )),
    "confirm_large_scope": (bool, _opt(
        "--confirm-large-scope/--no-confirm-large-scope", "Allow more than a /16."
    )),
    "allow_public": (bool, _opt(
        "--allow-public/--no-allow-public", "Allow public addresses you own."
    )),
    "routed": (bool, _opt(
        "--routed/--no-routed",
        "Allow targets that only the default route reaches (through the gateway).",
    )),
    "rate": (float, _opt("--rate", "Connection attempts per second, overall (1000).")),
    "host_rate": (float, _opt("--host-rate", "Connection attempts/s per host (40).")),
    "host_connections": (int, _opt(
        "--host-connections", "Concurrent connections per host (2, at most 8)."
    )),
    "deadline": (float, _opt("--deadline", "Seconds per request, connect to parse (10).")),
    "host_budget": (float, _opt("--host-budget", "Seconds for all probes of one host (120).")),
    "snmp": (bool, _opt(
        "--snmp/--no-snmp", "Also ask SNMP sysDescr.0 with the read-only community 'public'."
    )),
    "rtsp_describe": (bool, _opt(
        "--rtsp-describe/--no-rtsp-describe",
        "RTSP: after OPTIONS, one DESCRIBE without credentials (status, auth realm, SDP "
        "session name and tool). Never SETUP/PLAY.",
    )),
    "passive_first": (float, _opt(
        "--passive-first",
        "Listen this many seconds (sending nothing; root) on in-scope interfaces first.",
    )),
    "early_stop": (bool, _opt(
        "--early-stop/--no-early-stop",
        "Stop asking a host once a collector is identified with high certainty (faster; "
        "may miss serials and firmware that the registry comparison uses).",
    )),
    "ble": (bool, _opt("--ble/--no-ble", "Also scan Bluetooth LE (--only ble: only).")),
    "ble_backend": (str, _opt("--ble-backend", ble_cmd.BACKEND_HELP)),
    "ble_transport": (str, _opt("--ble-transport", ble_cmd.TRANSPORT_HELP)),
    "ble_duration": (float, _opt("--ble-duration", "Seconds to listen for BLE (10).")),
    "ble_passive": (bool, _opt("--ble-passive/--ble-active", "BLE: send no scan requests.")),
    "ble_kernel_ok": (bool, _opt("--ble-kernel-ok/--no-ble-kernel-ok", ble_cmd.KERNEL_OK_HELP)),
}  # fmt: skip


def with_sweep_flags(command: Callable[..., None]) -> Callable[..., None]:
    """Give a typer command every flag of :data:`FLAGS`; it receives their values (None when
    not given) as one dict, its keyword ``sweep_flags``."""
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "sweep_flags"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=kind)
        for name, (kind, opt) in FLAGS.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        given = {name: kwargs.pop(name, None) for name in FLAGS}
        command(**kwargs, sweep_flags=given)

    wrapper.__signature__ = inspect.Signature([*own, *extra])  # type: ignore[attr-defined]
    return wrapper


def settings(cfg: Config, **flags: Any) -> SweepSettings:
    """The one merge: ``biosweep.toml``'s ``[site]``/``[sweep]`` overridden by given flags."""
    refused = ranges.flag_problems(
        **{k: v for k, v in flags.items() if f"sweep.{k}" in ranges.RANGES}
    )
    if refused:  # out of range is refused before any work, never clamped (config/ranges.py)
        raise InputError("; ".join(refused))
    if "exclude_file" in flags:  # the flag is singular, the setting (and the key) plural
        flags["exclude_files"] = flags.pop("exclude_file")
    for key in ("exclude", "exclude_files"):
        flags[key] = tuple(flags.get(key) or ()) or None
    return merge_settings(cfg.settings, **flags)


def parse_ports(text: str | None) -> tuple[int, ...]:
    """``--ports``: comma-separated ports and ranges (default: the curated set)."""
    if not text:
        return CURATED_PORTS
    try:
        return ranges.parse_ports(text)
    except ValueError as exc:
        raise InputError(f"--ports: {exc}") from None


def parse_only(text: str | None, snmp: bool = False, describe: bool = False) -> frozenset[str]:
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


def limits(s: SweepSettings) -> Limits:
    return Limits(
        global_rate=s.rate, host_rate=s.host_rate,
        host_connections=s.host_connections,
        request_deadline=s.deadline, host_budget=s.host_budget,
    )  # fmt: skip


def network_scope(targets: list[str], s: SweepSettings) -> Scope:
    """The validated network scope of ``targets`` with every exclusion of ``s``."""
    excludes = [*s.exclude, *(t for f in s.exclude_files for t in read_exclude_file(Path(f)))]
    return build_scope(
        targets, excludes, interfaces=detected_networks(), limits=limits(s),
        confirm_large=s.confirm_large_scope, allow_public=s.allow_public,
    )  # fmt: skip


def check_routes(scope: Scope, routed: bool, interactive: bool) -> None:
    """Refuse (ScopeError) a scope that only the default route reaches, unless ``routed`` or
    the operator says yes at a prompt; reads the routing table, sends nothing."""
    far = default_routed(scope.networks, read_routes(), local_addresses())
    if not far or routed:
        return
    where = "; ".join(map(str, far))
    if interactive and sys.stdin.isatty() and sys.stderr.isatty():
        err_console.print(f"These targets are reachable {where}.", markup=False)
        if typer.confirm("Sweep them through that gateway?", default=False, err=True):
            return
    raise ScopeError(
        f"reachable {where}: the sweep would leave this network through that gateway. Sweep "
        "from a machine on the target network (a lab: biosweep lab sweep), or pass --routed "
        "if you mean to sweep through the gateway"
    )


def required_sources(s: SweepSettings, net_only: str | None, ble_on: bool) -> frozenset[str]:
    """The sources the user asked for by name: incomplete run if one cannot run."""
    named = {n.strip() for n in (net_only or "").split(",")} & set(MULTICAST_PROBES)
    return frozenset(
        named | ({"ble"} if ble_on else set()) | ({"passive"} if s.passive_first > 0 else set())
    )


def plan(
    s: SweepSettings, targets: list[str], *, interactive: bool = False
) -> tuple[Scope, scan.SweepOptions]:
    """Scope and options of one sweep; raises InputError/ScopeError (exit 2) before any packet."""
    net_only, ble_on, ble_only = ble_cmd.radio_selection(s.only, s.ble)
    if ble_only:
        scope = ble_cmd.radio_scope(targets)
    else:
        scope = network_scope(targets, s)
        check_routes(scope, s.routed, interactive)
    names = frozenset() if ble_only else parse_only(net_only, s.snmp, s.rtsp_describe)
    multicast_only = bool(net_only) and only_multicast(
        frozenset(n.strip() for n in (net_only or "").split(","))
    )
    ble = ble_cmd.ble_options(
        s.ble_backend, s.ble_transport, s.ble_duration, s.ble_passive, s.site, s.ble_kernel_ok
    ) if ble_on else None  # fmt: skip
    opts = scan.SweepOptions(
        parse_ports(s.ports), names, s.site, s.operator, arp=not ble_only,
        host_sweep=not ble_only and not multicast_only,
        passive_first=max(0.0, s.passive_first), early_stop=s.early_stop, ble=ble,
        required=required_sources(s, net_only, ble_on),
    )  # fmt: skip
    return scope, opts
