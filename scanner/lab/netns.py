"""Network namespaces through iproute2's ``ip`` command, and entering one from Python.

Only three kinds of ``ip`` call touch the root namespace: ``netns add``, ``netns del`` and
``netns list`` (they manage the files under ``/run/netns``, not interfaces). Every link, address
and bridge is made with ``ip -n NS …`` inside a lab namespace; veth pairs are created inside the
hub namespace with their peer placed straight into the device namespace, so no lab interface
ever exists in the root namespace, even for a moment.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from scanner.lab.errors import LabError

NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000  # <linux/sched.h>
IP_TIMEOUT = 60.0


def ip(*args: str, netns: str | None = None, batch: list[str] | None = None) -> str:
    """Run ``ip [-n NETNS] ARGS`` (or ``ip -batch -`` fed ``batch``); return stdout.

    Raises :class:`LabError` with ip's first error line when it fails.
    """
    cmd = ["ip"]
    if netns is not None:
        cmd += ["-n", netns]
    cmd += ["-batch", "-"] if batch is not None else list(args)
    feed = "".join(line + "\n" for line in batch) if batch is not None else None
    try:
        done = subprocess.run(
            cmd, input=feed, capture_output=True, text=True, timeout=IP_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"{' '.join(cmd)}: {exc}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise LabError(f"{' '.join(cmd)}: {first}")
    return done.stdout


def list_netns() -> list[str]:
    """Names of every network namespace ``ip netns`` knows."""
    if shutil.which("ip") is None:
        return []
    return [line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()]


def add_netns(names: list[str]) -> None:
    if names:
        ip(batch=[f"netns add {n}" for n in names])


def del_netns(names: list[str]) -> None:
    """Delete namespaces; ones already gone are skipped (deletion is idempotent)."""
    present = set(list_netns())
    gone = [n for n in names if n in present]
    if gone:
        ip(batch=[f"netns del {n}" for n in gone])


def netns_inode(name: str) -> int | None:
    """The inode that identifies a named namespace (``/proc/PID/ns/net`` links to it)."""
    try:
        return (NETNS_DIR / name).stat().st_ino
    except OSError:
        return None


def unavailable_reason() -> str | None:
    """Why namespaces cannot be used here (``None`` when they can): probes by making one."""
    if os.geteuid() != 0:
        return "not root (namespaces need CAP_NET_ADMIN and CAP_SYS_ADMIN)"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    probe = f"bsl-probe-{os.getpid()}"
    try:
        add_netns([probe])
    except LabError as exc:
        return f"ip netns does not work here: {exc}"
    del_netns([probe])
    return None


_libc: ctypes.CDLL | None = None


def _setns(fd: int) -> None:
    global _libc  # noqa: PLW0603 - one libc handle per process, loaded on first use
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextlib.contextmanager
def entered(name: str | None) -> Iterator[None]:
    """Within the block, new sockets belong to namespace ``name`` (``None``: stay put).

    A socket keeps the namespace it was created in, so one device process can listen in
    several namespaces (the large scenarios). setns(2) moves only the calling thread.
    """
    if name is None:
        yield
        return
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(NETNS_DIR / name, os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def configure(jobs: list[tuple[str, list[str]]], parallel: int = 8) -> None:
    """Run ``ip -n NS -batch -`` for many namespaces, ``parallel`` at a time.

    Raises :class:`LabError` naming the first namespace whose batch failed (after the
    others in flight have finished, so no ``ip`` process outlives the call).
    """
    pending = list(reversed(jobs))
    running: list[tuple[str, subprocess.Popen[str]]] = []
    failure: str | None = None
    while pending or running:
        while pending and len(running) < parallel and failure is None:
            name, lines = pending.pop()
            proc = subprocess.Popen(
                ["ip", "-n", name, "-batch", "-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stdin is not None
            proc.stdin.write("".join(line + "\n" for line in lines))
            proc.stdin.close()
            running.append((name, proc))
        name, proc = running.pop(0)
        assert proc.stderr is not None
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait(timeout=IP_TIMEOUT)
        if proc.returncode != 0 and failure is None:
            failure = f"ip -n {name}: {(err.strip().splitlines() or ['failed'])[0]}"
        if failure is not None:
            pending.clear()
    if failure is not None:
        raise LabError(failure)
