"""Headless Chromium for report tests, run with no network at all.

Chromium runs inside a fresh network namespace (``unshare -n``: only a down loopback), so
neither the page nor the browser's own background services can reach anything, and with a
net log whose page-initiated requests the tests inspect. Tests skip with the reason when
Chromium (Debian package ``chromium``, installed by ``make system-tools``) or ``unshare -n``
is not available.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
]  # fmt: skip


def chromium() -> list[str]:
    """The command prefix that runs Chromium offline, or skip the test saying why."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (Debian package chromium; make system-tools)")
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "-n", "true"], capture_output=True, check=False)
    if unshare is None or probe.returncode != 0:
        pytest.skip("cannot run chromium without network: unshare -n needs root here")
    return [unshare, "-n", binary, *FLAGS]


def run(page: Path, tmp: Path, *extra: str) -> tuple[str, list[dict[str, Any]]]:
    """Load ``page``; returns stdout and the page-initiated requests from the net log."""
    netlog = tmp / "net.json"
    argv = [*chromium(), f"--user-data-dir={tmp / 'profile'}", f"--log-net-log={netlog}"]
    done = subprocess.run(
        [*argv, *extra, page.resolve().as_uri()], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, page_requests(netlog)


def page_requests(netlog: Path) -> list[dict[str, Any]]:
    """URL requests started on behalf of the page (the browser's own have no origin)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]
        for e in log["events"]
        if e["type"] == start
        and "url" in e.get("params", {})
        and e["params"].get("initiator") != "not an origin"
    ]
