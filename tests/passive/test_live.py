"""``biosweep listen -i`` on a veth pair between two network namespaces this test creates (root,
iproute2): frames sent on one end are heard on the other, through the fast path, and the run's
notes give the kernel's drop count (ps_drop). Nothing leaves those namespaces."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="scapy sends the frames on the far end")
from scapy.utils import wrpcap

from tests.passive import captures, corpus

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None,
    reason="needs root and iproute2 (two network namespaces joined by a veth pair)",
)
SENDER = """
import sys, time
from scapy.sendrecv import sendp
from scapy.utils import rdpcap
frames = rdpcap(sys.argv[1])
for _ in range(int(sys.argv[2])):
    sendp(frames, iface="vla", verbose=False)
    time.sleep(0.5)
"""


def _ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True, capture_output=True)


@pytest.fixture
def pair() -> Iterator[tuple[str, str]]:
    """Namespaces ``a`` and ``b`` joined by veth ``vla``/``vlb``; removed afterwards."""
    a, b = f"bsw-live-a-{os.getpid()}", f"bsw-live-b-{os.getpid()}"
    _ip("netns", "add", a)
    _ip("netns", "add", b)
    try:
        _ip("-n", a, "link", "add", "vla", "type", "veth", "peer", "name", "vlb", "netns", b)
        for ns, dev in ((a, "vla"), (b, "vlb")):
            subprocess.run(
                ["ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1"],
                check=True,
            )
            _ip("-n", ns, "link", "set", dev, "up")
        yield a, b
    finally:
        subprocess.run(["ip", "netns", "del", a], check=False)
        subprocess.run(["ip", "netns", "del", b], check=False)


def test_listen_hears_the_far_end_and_counts_kernel_drops(
    pair: tuple[str, str], tmp_path: Path
) -> None:
    a, b = pair
    frames, saved = tmp_path / "frames.pcap", tmp_path / "observations.jsonl"
    wrpcap(str(frames), [*corpus.streams(), *captures.hikvision_mdns()])
    listen = subprocess.Popen(
        ["ip", "netns", "exec", b, sys.executable, "-m", "scanner", "listen", "-i", "vlb",
         "--duration", "14", "--json", "--observations-out", str(saved)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(5)  # the listener starts (imports, libpcap) before the frames go
    subprocess.run(
        ["ip", "netns", "exec", a, sys.executable, "-c", SENDER, str(frames), "4"],
        check=True, timeout=120,
    )  # fmt: skip
    out, err = listen.communicate(timeout=120)
    assert listen.returncode in (0, 1), err
    doc = json.loads(out)
    notes = " ".join(doc["notes"])
    assert "the kernel dropped 0 of" in notes and "(ps_drop)" in notes
    assert "selected by the capture filter" in notes
    found = [json.loads(line) for line in saved.read_text().splitlines()]
    camera = {(o["field"], o["value"]) for o in found if o["subject"] == f"ip:{corpus.CAM}"}
    assert ("tcp.open_port", "80") in camera  # from a SYN-ACK
    assert ("http.title", "Network Camera") in camera  # a response reassembled live
    assert any(d["identifications"] and "10.0.1.164" in d["ips"] for d in doc["devices"])
