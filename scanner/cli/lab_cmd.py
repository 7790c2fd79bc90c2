"""``biosweep lab``: bring the emulated site up, show it, open a shell in it, tear it down.

Errors print one line: a bad scenario or option exits 2, a failure to build or remove the lab
exits 3 (``scanner.cli.console``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from enum import StrEnum

import typer
from rich.table import Table

from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, console, fail, safe
from scanner.errors import InputError
from scanner.lab import manager
from scanner.lab.errors import LabError
from scanner.lab.state import RunState

app = typer.Typer(help="The lab: an emulated site to sweep (devices in namespaces or on 127.x).")


class BackendName(StrEnum):
    AUTO = "auto"
    NAMESPACES = "namespaces"
    LOOPBACK = "loopback"


def _interrupted(signum: int, frame: object) -> None:
    """SIGTERM unwinds ``lab up`` like an error, so manager.up removes the partial lab."""
    raise LabError("interrupted by SIGTERM; the partial lab was removed")


def _failure(exc: Exception) -> typer.Exit:
    return fail(str(exc), EXIT_USAGE if isinstance(exc, InputError) else EXIT_RUNTIME)


@app.command()
def up(
    scenario: str = typer.Argument("office", help="A shipped scenario name or a YAML file."),
    backend: BackendName = typer.Option(
        BackendName.AUTO, "--backend", "-b", help="namespaces (root), loopback, or auto."
    ),
) -> None:
    """Bring a scenario up and leave it running (until biosweep lab down)."""
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        state = manager.up(scenario, backend.value)
    except (LabError, InputError) as exc:
        raise _failure(exc) from None
    console.print(device_table(state))
    took = time.monotonic() - started
    console.print(
        f"lab [bold]{state.run_id}[/] up: {len(state.devices)} devices, backend "
        f"{state.backend}, {took:.1f} s. Scanner at {state.scanner_address}."
    )
    console.print(f"Sweep it from inside the lab with: biosweep lab sweep --run {state.run_id}")
    if state.backend == "namespaces":
        console.print(
            "The addresses above exist only inside the lab: swept from this host they would go "
            "to your real network. Open a shell on the lab network with: biosweep lab shell"
        )
    else:
        console.print("Loopback lab: no layer 2 (no ARP, MACs or multicast).")


def device_table(state: RunState) -> Table:
    table = Table(title=f"{safe(state.site)} ({safe(state.scenario)})", title_justify="left")
    for column in ("device", "kind", "class", "mac", "address", "registered"):
        table.add_column(column)
    for d in state.devices:
        address = d.address if d.address == d.ip else f"{d.address} ({d.ip})"
        table.add_row(
            safe(d.name), d.kind, d.device_class, d.mac, address, "yes" if d.registered else "-"
        )
    return table


@app.command()
def status() -> None:
    """List lab runs: backend, devices, live device processes, namespaces present."""
    try:
        runs = manager.status()
    except LabError as exc:
        raise _failure(exc) from None
    if not runs:
        console.print("no lab run is recorded")
        return
    table = Table(title_justify="left")
    for column in ("run", "scenario", "backend", "status", "devices", "processes", "namespaces"):
        table.add_column(column)
    for run in runs:
        s = run.state
        label = "crashed" if run.crashed else s.status
        table.add_row(
            s.run_id,
            safe(s.scenario),
            s.backend,
            label,
            str(len(s.devices)),
            f"{run.processes}/{len(s.pids)}",
            str(run.namespaces),
        )
    console.print(table)


@app.command()
def down(
    run: str | None = typer.Option(None, "--run", help="Tear down only this run id."),
    everyone: bool = typer.Option(
        False, "--all", help="Every recorded run, other users' too (default: your own)."
    ),
    orphans: bool = typer.Option(
        False, "--orphans", help="With --all: also bsl-* namespaces that no recorded run claims."
    ),
) -> None:
    """Remove your lab runs (or one run, or with --all every run): processes, namespaces,
    bridges, run directories."""
    try:
        result = manager.down(run, orphans, everyone)
    except (LabError, InputError) as exc:
        raise _failure(exc) from None
    if not result.removed:
        console.print("nothing to tear down")
    for t in result.removed:
        gone = f"stopped {t.processes} processes, removed {len(t.namespaces)} namespaces"
        console.print(f"lab {t.run_id}: {gone}")
    if result.others_left:
        console.print(
            f"left {result.others_left} lab run(s) of other users alone (--all removes them)"
        )


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def sweep(
    ctx: typer.Context,
    run: str | None = typer.Option(None, "--run", help="Run id (default: the latest lab up)."),
) -> None:
    """Sweep the lab from inside it (its scanner namespace; on loopback, its devices' own
    addresses). Other options are passed to biosweep sweep; its exit status is returned."""
    try:
        state = manager.find(run)
        argv = manager.sweep_command(state, ctx.args)
    except LabError as exc:
        raise _failure(exc) from None
    done = subprocess.run(argv, check=False)  # the sweep prints; we only relay its status
    raise typer.Exit(done.returncode)


@app.command()
def shell(
    run: str | None = typer.Option(None, "--run", help="Run id (default: the latest lab up)."),
) -> None:
    """Open a shell inside the scanner's lab namespace (exit it to leave the lab)."""
    try:
        state = manager.find(run)
        prefix = manager.shell_prefix(state)
    except LabError as exc:
        raise _failure(exc) from None
    program = os.environ.get("SHELL") or shutil.which("bash") or "/bin/sh"
    os.environ["BIOSWEEP_LAB_RUN"] = state.run_id
    argv = [*prefix, program]
    os.execvp(argv[0], argv)  # noqa: S606 - replaces this process with the user's shell
