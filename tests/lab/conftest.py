"""Lab fixtures: a private runtime dir, the backend this machine supports, a small site up.

The lab runs on the namespaces backend where root and ``ip netns`` work, on loopback
otherwise (``BIOSWEEP_TEST_LAB_BACKEND=loopback`` forces it); tests that need layer 2 skip on
loopback with the reason. Every run is torn down
in a finalizer, and the session ends with ``lab down`` over the private runtime dir.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.lab import manager
from scanner.lab.backends.loopback import LoopbackBackend
from scanner.lab.backends.namespaces import NamespacesBackend
from scanner.lab.state import ENV_DIR, RunState

MINI = Path(__file__).with_name("mini.yaml")


@contextlib.contextmanager
def runtime_dir(path: Path) -> Iterator[Path]:
    """Within the block the lab keeps its runs in ``path``; on the way out every run there is
    torn down and the previous directory comes back."""
    old = os.environ.get(ENV_DIR)
    os.environ[ENV_DIR] = str(path)
    try:
        yield path
    finally:
        manager.down()
        if old is None:
            os.environ.pop(ENV_DIR, None)
        else:
            os.environ[ENV_DIR] = old


@pytest.fixture(scope="session", autouse=True)
def lab_runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the lab at a runtime dir of its own, so tests never touch a user's lab."""
    with runtime_dir(tmp_path_factory.mktemp("lab-runtime")) as path:
        yield path


@pytest.fixture(scope="session")
def namespaces_reason() -> str | None:
    """Why the namespaces backend is unusable here (``None``: usable)."""
    return NamespacesBackend().unavailable()


@pytest.fixture(scope="session")
def backend_name(namespaces_reason: str | None) -> str:
    """namespaces where usable, else loopback; ``BIOSWEEP_TEST_LAB_BACKEND`` forces one."""
    forced = os.environ.get("BIOSWEEP_TEST_LAB_BACKEND")
    if forced:
        return forced
    if namespaces_reason is None:
        return "namespaces"
    loopback_reason = LoopbackBackend().unavailable()
    if loopback_reason is None:
        return "loopback"
    pytest.skip(f"no lab backend: namespaces: {namespaces_reason}; loopback: {loopback_reason}")


@pytest.fixture(scope="module")
def lab(backend_name: str) -> Iterator[RunState]:
    """The mini site, up for one test module."""
    state = manager.up(str(MINI), backend_name)
    try:
        yield state
    finally:
        manager.teardown(state)


def in_scanner(
    state: RunState, argv: list[str], timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` where the scanner sits (inside the scanner namespace, or on this host)."""
    prefix = manager.shell_prefix(state) if state.backend == "namespaces" else []
    return subprocess.run(
        [*prefix, *argv], capture_output=True, text=True, timeout=timeout, check=False
    )


def python_in_scanner(state: RunState, code: str) -> subprocess.CompletedProcess[str]:
    """Run a Python snippet where the scanner sits; it may import scanner."""
    return in_scanner(state, [sys.executable, "-c", code])
