"""Start-up: ``biosweep --version`` loads no command module and none of the heavy libraries
(the time itself is measured by bench/startup.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from scanner.cli import app

PROBE = """
import json, sys
sys.argv = ["biosweep", "--version"]
from scanner.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""
HEAVY = (
    "scanner.cli.sweep_cmd", "scanner.cli.report_cmd", "scanner.cli.history_cmd",
    "scanner.cli.watch_cmd", "scanner.cli.demo_cmd", "scanner.cli.ble_cmd", "scanner.scan",
    "scanner.probes", "scanner.reporters", "scanner.store", "scanner.lab", "scanner.compare",
    "scanner.identify.engine", "scanner.identify.signatures", "yaml", "jinja2", "reportlab",
    "scapy", "cryptography", "zeroconf", "psutil",
)  # fmt: skip


def test_version_imports_no_command_module_or_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    first, *rest = done.stdout.splitlines()
    assert first.startswith("biosweep ") and "signatures" in first and "IEEE registry" in first
    loaded = set(json.loads(rest[-1]))
    assert not {m for m in loaded if m.startswith(HEAVY)}


def test_every_command_loads_and_names_its_values() -> None:
    """The lazily loaded commands are all there, and no help screen shows a Python type."""
    runner = CliRunner()
    top = runner.invoke(app, ["--help"], terminal_width=120)
    assert top.exit_code == 0
    for name in ("identify", "sweep", "report", "history", "watch", "schedule", "doctor"):
        assert name in top.output
    for argv in (["sweep"], ["report", "write"], ["history", "show"], ["watch"], ["listen"]):
        shown = runner.invoke(app, [*argv, "--help"], terminal_width=120)
        assert shown.exit_code == 0, shown.output
        for python_type in ("<bool>", "<list[", "<str>", "<int>", "<float>", "<path>", "{"):
            assert python_type not in shown.output, (argv, python_type)
    sweep = runner.invoke(app, ["sweep", "--help"], terminal_width=120).output
    assert "--exclude" in sweep and "TARGET" in sweep and "SECONDS" in sweep


def test_help_keeps_example_lines() -> None:
    """Examples stay one per line; prose is reflowed to the terminal."""
    shown = CliRunner().invoke(app, ["report", "--help"], terminal_width=120).output
    lines = [line.strip(" │") for line in shown.splitlines()]
    assert "Examples:" in lines
    examples = [line for line in lines if line.startswith("biosweep report")]
    assert len(examples) >= 4
    assert any(line.startswith("biosweep report verify case.zip") for line in examples)
