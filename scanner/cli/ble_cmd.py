"""``biosweep ble …`` (locate, lab) and ``biosweep doctor``: the Bluetooth LE commands.

``ble locate TARGET`` shows one device's signal live for the walk test (the data model is
:mod:`scanner.probes.ble.locate`; this module only renders it). ``ble lab`` runs the virtual
BLE site in the foreground. ``doctor`` says whether BLE scanning can run here, why not, and
the fix. :func:`ble_options` turns the shared ``--ble-*`` flags into the probe's options (the
sweep uses it too).

Exit status: locate 0 (the target was heard), 1 (never heard), 2 (usage), 3 (no usable BLE
stack); doctor 0 (BLE scanning available) or 1 (not); lab 0 on Ctrl-C, 2 bad option, 3 could
not start.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import typer
from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scanner.cli.console import (
    EXIT_FOUND,
    EXIT_OK,
    EXIT_RUNTIME,
    EXIT_USAGE,
    console,
    fail,
    safe,
)
from scanner.config import load_config
from scanner.errors import BiosweepError, InputError
from scanner.probes.ble import BACKEND_NAMES, BleOptions, BleUnavailable, choose_backend, site_salt
from scanner.probes.ble.backends.bumble_stack import INSTALL_FIX as BUMBLE_FIX
from scanner.probes.ble.doctor import Check, run_checks
from scanner.probes.ble.locate import LocateView, Locator, Target, Trend, follow
from scanner.probes.ble.transport import check_transport
from scanner.scope import Scope

app = typer.Typer(help="Bluetooth LE: walk-test locator and the virtual BLE lab.")

BACKEND_HELP = f"BLE stack: {' | '.join(BACKEND_NAMES)} (auto: bumble with a transport, else OS)."
TRANSPORT_HELP = "HCI transport for bumble: usb:0, serial:/dev/ttyUSB0, tcp-client:127.0.0.1:PORT."
KERNEL_OK_HELP = (
    "The OS stack's Linux kernel carries the CVE-2020-24490 fix although its version does not "
    "say so (a distribution backport); config: ble_kernel_ok in [sweep]."
)
BAR_WIDTH = 40
_ARROWS = {
    Trend.WARMER: ("↑ warmer", "bold green"),
    Trend.COLDER: ("↓ colder", "bold blue"),
    Trend.STEADY: ("→ steady", "yellow"),
    Trend.WAITING: ("… listening", "dim"),
    Trend.LOST: ("✗ lost — not heard recently", "bold red"),
}


def uses_os_stack(backend: str, transport: str | None) -> bool:
    """Would these flags scan with the OS stack (bleak), whose kernel is checked?"""
    return backend == "bleak" or (backend == "auto" and not transport)


def kernel_vouched(flag: bool) -> bool:
    """``--ble-kernel-ok``, else ``ble_kernel_ok`` in the ``[sweep]`` section of
    ``biosweep.toml`` (found as for ``sweep``): the operator's word that the kernel carries the
    CVE-2020-24490 fix (``ble locate`` and ``doctor``; ``sweep`` merges it with its flags)."""
    return flag or load_config(None).settings.ble_kernel_ok


def ble_options(
    backend: str,
    transport: str | None,
    duration: float,
    passive: bool,
    site: str | None,
    kernel_ok: bool = False,
) -> BleOptions:
    """The probe's options from the shared flags; the site's salt is loaded (or made) here."""
    if backend not in BACKEND_NAMES:
        raise InputError(
            f"--ble-backend: {backend[:20]!r} is not one of {', '.join(BACKEND_NAMES)}"
        )
    if not 0 < duration <= 3600:
        raise InputError("--ble-duration: seconds, more than 0 and at most 3600")
    if transport:
        check_transport(transport)
        if backend == "bleak":
            raise InputError("--ble-transport is for the bumble backend (bleak uses the OS stack)")
    return BleOptions(
        backend=backend,
        transport=transport or None,
        duration=duration,
        active=not passive,
        salt=site_salt(site),
        kernel_ok=kernel_ok,
    )


def radio_selection(only: str | None, ble: bool) -> tuple[str | None, bool, bool]:
    """Split ``ble`` out of a ``--only`` list: (the rest or None, BLE on?, BLE alone?)."""
    names = [n.strip() for n in (only or "").split(",") if n.strip()]
    if "ble" not in names:
        return only, ble, False
    rest = [n for n in names if n != "ble"]
    return (",".join(rest) or None), True, not rest


def radio_scope(targets: list[str]) -> Scope:
    """The empty network scope of a BLE-only sweep (no address is touched)."""
    if targets:
        raise InputError(
            "--only ble listens to the radio and takes no network targets; "
            "drop the targets or add network probes to --only"
        )
    return Scope(networks=())


def render(view: LocateView) -> Panel:
    """The locate display for one view: bar, numbers, trend. Device text is made inert."""
    filled = round(view.warmth * BAR_WIDTH)
    arrow, style = _ARROWS[view.trend]
    bar = Text("█" * filled + "░" * (BAR_WIDTH - filled), style="red" if view.warmth > 0.6 else "")
    numbers = Table.grid(padding=(0, 2))
    numbers.add_row(
        f"RSSI {view.rssi if view.rssi is not None else '—'} dBm",
        f"smoothed {view.smoothed:.1f}" if view.smoothed is not None else "smoothed —",
        f"best {view.best:.1f}" if view.best is not None else "best —",
        f"Δ {view.delta:+.1f} dB",
        f"~{view.distance_m:.1f} m (rough)" if view.distance_m is not None else "",
    )
    who = safe(view.label or "—", 60) + (f"  [{safe(view.address)}]" if view.address else "")
    title = f"locating {safe(view.target, 80)}"
    body = Group(
        Text.from_markup(f"device: {who}" if view.found else "device: not heard yet"),
        bar,
        Text(arrow, style=style),
        numbers,
        Text(f"{view.samples} samples; Ctrl-C to stop", style="dim"),
    )
    return Panel(body, title=title)


@app.command("locate")
def locate(
    target: str = typer.Argument(
        ..., help="BLE address, an id from a report (ble:h-…) or a name part (name:TEXT)."
    ),
    backend: str = typer.Option("auto", "--ble-backend", help=BACKEND_HELP),
    transport: str = typer.Option(None, "--ble-transport", help=TRANSPORT_HELP),
    duration: float = typer.Option(
        None, "--duration", help="Stop after N seconds (default: Ctrl-C)."
    ),
    site: str = typer.Option(None, "--site", help="Site whose report ids (ble:h-…) to match."),
    passive: bool = typer.Option(False, "--passive", help="Send nothing (no scan requests)."),
    kernel_ok: bool = typer.Option(False, "--ble-kernel-ok", help=KERNEL_OK_HELP),
) -> None:
    """Follow one device's signal for the walk test: warmer as you get closer."""
    try:
        wanted = Target.parse(target)
        vouched = kernel_vouched(kernel_ok) if uses_os_stack(backend, transport) else kernel_ok
        chosen = choose_backend(backend, transport, vouched)
        if (problem := chosen.unavailable()) is not None:
            raise problem
        locator = Locator(wanted, site_salt(site) if wanted.hashed else b"")
    except BleUnavailable as exc:
        raise fail(f"BLE unavailable: {exc}", EXIT_RUNTIME) from None
    except BiosweepError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    quiet = not sys.stdout.isatty()
    try:
        if quiet:
            asyncio.run(
                follow(chosen, locator, lambda _v: None, duration=duration, active=not passive)
            )
        else:
            with Live(render(locator.view()), console=console, auto_refresh=False) as live:
                asyncio.run(
                    follow(
                        chosen,
                        locator,
                        lambda v: live.update(render(v), refresh=True),
                        duration=duration,
                        active=not passive,
                    )
                )
    except KeyboardInterrupt:
        pass
    except BleUnavailable as exc:
        raise fail(f"BLE unavailable: {exc}", EXIT_RUNTIME) from None
    last = locator.view()
    if quiet:
        console.print(
            f"{safe(last.target)}: {last.samples} samples, trend {last.trend}, "
            f"smoothed {last.smoothed if last.smoothed is None else round(last.smoothed, 1)} dBm",
            markup=False,
        )
    raise typer.Exit(EXIT_OK if last.found else EXIT_FOUND)


@app.command("lab")
def lab(
    scenario: str = typer.Option("site", "--scenario", help="site or hostile."),
    port: int = typer.Option(0, "--port", help="HCI-over-TCP port on 127.0.0.1 (0: any)."),
    control_port: int = typer.Option(0, "--control-port", help="Control port (0: any)."),
) -> None:
    """Run the virtual BLE site (bumble advertisers) until Ctrl-C; prints the transport."""
    from scanner.lab.ble.catalogue import SCENARIOS

    try:
        from scanner.lab.ble.air import serve
    except ImportError as exc:
        raise fail(
            f"the virtual BLE site needs bumble ({exc}): {BUMBLE_FIX}", EXIT_RUNTIME
        ) from None

    if scenario not in SCENARIOS:
        raise fail(f"--scenario: one of {', '.join(sorted(SCENARIOS))}", EXIT_USAGE)

    def ready(info: dict[str, Any]) -> None:
        console.print(f"virtual BLE site '{scenario}' is on the air", markup=False)
        console.print(
            f"  sweep:   biosweep sweep --only ble --ble-backend bumble "
            f"--ble-transport {info['transport']}",
            markup=False,
        )
        console.print(f"  control: {info['control']} (JSON lines)", markup=False)
        for adv in info["advertisers"]:
            console.print(f"  {adv['name']:<18} {adv['truth']:<20} {adv['address']}", markup=False)

    try:
        asyncio.run(serve(SCENARIOS[scenario], ready, "127.0.0.1", port, control_port))
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_OK) from None
    except OSError as exc:
        raise fail(f"the virtual BLE site could not start: {exc}", EXIT_RUNTIME) from None


def _check_line(check: Check) -> Text:
    mark, style = ("ok  ", "green") if check.ok else ("FAIL", "bold red")
    line = Text(f"{mark} ", style=style)
    line.append(f"{check.name}: {check.detail}")
    if check.fix and not check.ok:
        line.append(f"\n      fix: {check.fix}", style="dim")
    return line


def doctor(
    transport: str = typer.Option(None, "--ble-transport", help="Also open this transport."),
    kernel_ok: bool = typer.Option(False, "--ble-kernel-ok", help=KERNEL_OK_HELP),
) -> None:
    """Say whether this machine can scan Bluetooth LE, why not, and the fix."""
    try:
        checks = run_checks(transport, kernel_vouched(kernel_ok))
    except BiosweepError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    console.print("Bluetooth LE", style="bold", markup=False)
    for check in checks:
        console.print(_check_line(check))
    raise typer.Exit(EXIT_OK if checks[-1].ok else EXIT_FOUND)
