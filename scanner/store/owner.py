"""Who owns a run that is still ``running``: host, boot, pid and process start time, so the
next open can tell a live writer from a dead one (and a reused pid from its first owner)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return "-"


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (start time in clock ticks): tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def owner_tag(pid: int | None = None) -> str:
    """Who is running a run: host, boot, pid and process start time."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}|{_boot_id()}|{pid}|{_start_time(pid) or '-'}"


def owner_alive(tag: str | None) -> bool | None:
    """True/False for a run owned on this host; None when another host owns it."""
    parts = (tag or "").split("|")
    if len(parts) != 4 or not parts[2].isdigit():
        return False
    host, boot, pid, start = parts
    if host != socket.gethostname():
        return None
    if boot != _boot_id():
        return False
    return _start_time(int(pid)) == start
