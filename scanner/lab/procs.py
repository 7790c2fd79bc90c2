"""Find and stop the processes of a lab run, including ones no state file recorded.

A process belongs to a run if its command line carries ``--run RUN_ID`` for
``scanner.lab.device``, or if it lives in one of the run's namespaces (a device process, or a
shell a user opened with ``lab shell``). Both are read from ``/proc``, so a run that crashed
between starting a process and recording its pid is still cleaned up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

DEVICE_MODULE = "scanner.lab.device"


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode("utf-8", "replace").split("\0")


def _netns_inode(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None


def run_processes(run_id: str, netns_inodes: set[int]) -> list[int]:
    """Pids of every live process of run ``run_id`` (by command line or namespace)."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        pid = int(entry.name)
        args = _cmdline(pid)
        ours = DEVICE_MODULE in args and _flag(args, "--run") == run_id
        if ours or (netns_inodes and _netns_inode(pid) in netns_inodes):
            found.append(pid)
    return found


def _flag(args: list[str], name: str) -> str | None:
    with contextlib.suppress(ValueError, IndexError):
        return args[args.index(name) + 1]
    return None


def stop(pids: list[int], grace: float = 3.0) -> list[int]:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; return the pids that were signalled."""
    signalled = [pid for pid in pids if _signal(pid, signal.SIGTERM)]
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_reap(pid) for pid in signalled):
        time.sleep(0.02)
    for pid in signalled:
        if _reap(pid):
            _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_reap(pid) for pid in signalled):
        time.sleep(0.02)
    return signalled


def _signal(pid: int, sig: signal.Signals) -> bool:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _reap(pid: int) -> bool:
    """Collect ``pid`` if it is our exited child; return whether it is still alive."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    return pid_alive(pid)
