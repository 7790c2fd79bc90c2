"""BLE test fixtures: a private state dir (salts), and the lab's virtual air in a subprocess.

The air (``python -m scanner.lab.ble``) listens on 127.0.0.1 only; the fixture stops it by
its pid (SIGTERM, then SIGKILL) when the module ends.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.probes.base import ProbeContext
from scanner.probes.ble.backends import BleBackend
from scanner.probes.ble.privacy import STATE_ENV
from scanner.probes.ble.probe import BleOptions, BleSource
from scanner.probes.fakenet import FakeConnector
from scanner.probes.source import SourceResult, run_source
from scanner.scope import Scope


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Salts go to a temporary state dir, never the user's."""
    path = tmp_path / "state"
    monkeypatch.setenv(STATE_ENV, str(path))
    return path


def start_air(scenario: str) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner.lab.ble", "--scenario", scenario],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    line = proc.stdout.readline() if ready else b""
    if not line:
        stop_air(proc)
        pytest.fail("the virtual BLE air did not start within 30 s")
    return proc, json.loads(line)


def stop_air(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, 9)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def site_air() -> Iterator[dict[str, Any]]:
    """The ``site`` scenario on the air: transport, control address, advertisers."""
    proc, info = start_air("site")
    try:
        yield info
    finally:
        stop_air(proc)


@pytest.fixture(scope="module")
def hostile_air() -> Iterator[dict[str, Any]]:
    proc, info = start_air("hostile")
    try:
        yield info
    finally:
        stop_air(proc)


def scan_ble(opts: BleOptions, backend: BleBackend | None = None) -> SourceResult:
    """One BLE scan as the sweep runs it (an unavailable radio becomes a skipped entry)."""
    scope = Scope(networks=())
    source = BleSource(opts, backend)
    return asyncio.run(run_source(source, ProbeContext(scope, FakeConnector(scope))))
