"""``biosweep demo``: bring the office lab up, sweep it, compare it with the site's registry,
print the devices and the findings, write the reports, tear the lab down — the whole product on
one emulated site.

The sweep runs where the lab's scanner sits: inside the scanner namespace (namespaces backend,
as root) or on this host against the devices' 127.x addresses (loopback backend, no root: no
layer 2, no MAC addresses, and the demo says so).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import typer

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
from scanner.cli.tables import run_tables
from scanner.errors import BiosweepError, InputError
from scanner.lab import manager
from scanner.lab.errors import LabError
from scanner.lab.scenario import SCENARIO_DIR
from scanner.lab.state import RunState
from scanner.models import ScanRun
from scanner.registry import load_registry
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.jsonin import parse_scanrun

#: Who swept, as the demo's reports say (Chinese: the default report is Chinese throughout).
DEMO_OPERATOR = "biosweep 演示"
#: The Chinese sample site (scanner/lab/scenarios/office-zh.yaml and its registry).
DEFAULT_SCENARIO = "office-zh"


def registry_for(scenario: str) -> Path | None:
    """The shipped registry of a shipped scenario (``office-swapped`` uses ``office``'s)."""
    name = Path(scenario).stem
    for candidate in (name, name.split("-")[0]):
        path = SCENARIO_DIR / "registries" / f"{candidate}.yaml"
        if path.is_file():
            return path
    return None


def _sweep(state: RunState, registry: Path | None) -> bytes:
    """The ScanRun JSON of a sweep of the lab from its scanner seat. The sweep's progress and
    errors go straight to this terminal (its stderr); its JSON comes back on stdout."""
    command = manager.sweep_command(state, [
        "--json", "--site", state.site, "--operator", DEMO_OPERATOR,
        *(["--registry", str(registry)] if registry else []),
    ])  # fmt: skip
    done = subprocess.run(command, stdout=subprocess.PIPE, timeout=600, check=False)
    if done.returncode not in (0, 1, 5):  # 5: incomplete, still a run to show
        raise LabError(f"sweep failed with exit status {done.returncode} (its error is above)")
    return done.stdout


def _write_reports(run: ScanRun, data: bytes, report: Path, registry: Path | None) -> list[str]:
    """The ScanRun JSON at ``report`` and the HTML report beside it; what could not be written
    (each then saved to a rescue file, named in the sentence)."""
    html = REPORTERS["html"]
    options = ReportOptions(
        registry=load_registry(registry) if registry else None,
        generated_at=datetime.now(UTC),
    )
    page = b"".join(html.chunks(run, options))
    problems = (write_or_rescue(report, data, force=True),
                write_or_rescue(report.with_suffix(".html"), page, force=True))  # fmt: skip
    return [p for p in problems if p is not None]


USERNS_MARK = "BIOSWEEP_DEMO_USERNS"


def _in_private_network(scenario: str, report: Path) -> int | None:
    """Without root, re-run the demo inside a user + network namespace of its own.

    There it may bind the devices' privileged ports (80, 554 …) on its own loopback, and
    nothing it does is visible outside (``unshare --user --map-root-user --net``). Returns the
    child's exit status, or None when unshare is unavailable (the demo then runs as it can).
    """
    if os.geteuid() == 0 or os.environ.get(USERNS_MARK) or not shutil.which("unshare"):
        return None
    err_console.print(
        "not root: running the demo in a private user and network namespace", markup=False
    )
    with tempfile.TemporaryDirectory(prefix="biosweep-demo-") as labdir:
        env = {**os.environ, USERNS_MARK: "1", "BIOSWEEP_LAB_DIR": labdir}
        command = [
            "unshare", "--user", "--map-root-user", "--net", "--",
            "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
            sys.executable, "-m", "scanner", "demo", scenario, "--backend", "loopback",
            "--report", str(report.resolve()),
        ]  # fmt: skip
        return subprocess.run(command, env=env, check=False, timeout=900).returncode


def demo(
    scenario: str = typer.Argument(
        DEFAULT_SCENARIO, help="Scenario to sweep (default: the Chinese sample site)."
    ),
    backend: str = typer.Option(
        "auto", "--backend", "-b", help="namespaces (root), loopback, or auto."
    ),
    report: Path = typer.Option(
        Path("biosweep-demo-report.json"), "--report", help="Where to write the report."
    ),
    show_all: bool = typer.Option(False, "--all", help=ALL_HELP),
    why: bool = typer.Option(False, "--why", help=WHY_HELP),
) -> None:
    """Bring a lab up (the Chinese sample office by default), sweep it, print devices and
    findings, write the reports (JSON, and the Chinese HTML beside it), tear it down."""
    try:
        for path in (report, report.with_suffix(".html")):
            check_destination(path, force=True)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    code = _in_private_network(scenario, report) if backend in ("auto", "loopback") else None
    if code is not None:
        raise typer.Exit(code)
    try:
        state = manager.up(scenario, backend)
    except (LabError, InputError) as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None
    try:
        where = (
            f"namespace {state.scanner_netns}" if state.scanner_netns else "this host (loopback)"
        )
        err_console.print(
            f"lab {state.run_id} up: {len(state.devices)} devices; sweeping from {where}",
            markup=False,
        )
        if not state.scanner_netns:
            err_console.print(
                "loopback lab: no layer 2, so no ARP, MAC addresses or multicast", markup=False
            )
        registry = registry_for(scenario)
        data = _sweep(state, registry)
        run = parse_scanrun(data, "the demo's sweep")
        problems = _write_reports(run, data, report, registry)
    except (BiosweepError, OSError) as exc:
        raise fail(str(exc), EXIT_RUNTIME) from None
    finally:
        manager.teardown(state)
    devices = list(run.devices)
    console.print(run_tables(run, show_all=show_all, why=why))
    collectors = [d for d in devices if d.is_collector]
    console.print(f"{len(collectors)} collectors among {len(devices)} devices", markup=False)
    if registry is not None:
        console.print(
            f"{len(run.findings)} findings against the site registry {registry.name}", markup=False
        )
    console.print(f"lab {state.run_id} torn down", markup=False)
    if problems:
        raise fail("; ".join(problems), EXIT_RUNTIME)
    console.print(f"reports: {report} (JSON), {report.with_suffix('.html')} (HTML)", markup=False)
