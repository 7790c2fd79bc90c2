"""bench/source_audit.py over small hand-written collections in each supported layout: the
summary counts what the shipped database recognises, misses and wrongly calls a collector, and
the listing names the entry, its label and the words that gave it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "source_audit.py"

RECOG_SERVERS = """<?xml version='1.0' encoding='UTF-8'?>
<fingerprints matches="http_header.server">
  <fingerprint pattern="^Hikvision-Webs$">
    <description>Hikvision recorder web server</description>
    <example>Hikvision-Webs</example>
    <param pos="0" name="hw.vendor" value="Hikvision"/>
    <param pos="0" name="hw.device" value="DVR"/>
  </fingerprint>
  <fingerprint pattern="^Qwxz Cam Server$">
    <description>A camera nobody wrote a signature for</description>
    <example>Qwxz Cam Server</example>
    <param pos="0" name="hw.device" value="IP Camera"/>
  </fingerprint>
  <fingerprint pattern="^Acme Router httpd$">
    <description>Acme router</description>
    <example>Acme Router httpd</example>
    <param pos="0" name="hw.device" value="Router"/>
  </fingerprint>
</fingerprints>
"""


def audit(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True, text=True, check=False, timeout=300, cwd=ROOT,
    )  # fmt: skip


def line_of(out: str, file: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(file))


def test_recog_tree_counts_recognised_missed_and_false(tmp_path: Path) -> None:
    (tmp_path / "xml").mkdir()
    (tmp_path / "xml" / "http_servers.xml").write_text(RECOG_SERVERS, encoding="utf-8")
    done = audit(tmp_path, "--list", "missed")
    assert done.returncode == 0, done.stderr
    # collectors 1/2 right, 0 with another vendor, no VMS, no vendor-only, 0 of 1 ordinary called a collector
    assert line_of(done.stdout, "http_servers") == ["http_servers", "1/2", "0", "0/0", "0/0", "0/1"]
    missed = [line for line in done.stdout.splitlines() if line.startswith("missed")]
    assert len(missed) == 1 and "Qwxz Cam Server" in missed[0] and "device=ip camera" in missed[0]


def test_ehole_file_and_nmap_literals(tmp_path: Path) -> None:
    ehole = tmp_path / "ehole"
    ehole.mkdir()
    entries = [
        {"cms": "Hikvision IP Camera", "method": "faviconhash", "location": "body", "keyword": ["999357577"]},
        {"cms": "Acme NAS", "method": "faviconhash", "location": "body", "keyword": ["12345"]},
        {"cms": "Acme CMS", "method": "keyword", "location": "title", "keyword": ["Acme"]},
    ]  # fmt: skip
    (ehole / "finger.json").write_text(json.dumps({"fingerprint": entries}), encoding="utf-8")
    nmap = tmp_path / "nmap"
    nmap.mkdir()
    (nmap / "nmap-service-probes").write_text(
        "match http m|^HTTP/1\\.0 200 OK\\r\\nServer: Qwxz\\-Cam/1\\.0\\r\\n| p/Qwxz webcam httpd/ d/webcam/\n"
        "match http m|^HTTP/1\\.0 200 OK\\r\\nServer: Acme\\d+\\r\\n| p/Acme camera/ d/webcam/\n",
        encoding="utf-8",
    )
    done = audit(ehole, nmap, "--list", "all")
    assert done.returncode == 0, done.stderr
    assert line_of(done.stdout, "finger") == ["finger", "1/1", "0", "0/0", "0/0", "0/1"]
    # the second nmap Server is a regex (Acme\d+), not a literal: only the first is an entry
    assert line_of(done.stdout, "nmap-service-probes")[1] == "0/1"
    assert "Server" not in done.stdout and "'Qwxz-Cam/1.0'" in done.stdout
