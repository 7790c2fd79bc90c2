"""Sensors pushing runs: nothing is lost while the console is away, refusals are kept and
said, plain HTTP only to loopback; and ``biosweep serve``/``sweep --push`` end to end."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.console import sensors
from scanner.models import ScanRun
from scanner.reporters.jsonout import scanrun_json
from scanner.sensor import Pusher, PushError, check_url
from scanner.store import runs as stored
from scanner.store.backend import open_database
from tests.console.helpers import SITE, console, runs
from tests.console.live import free_port, live_console


def _runs_in(url: str) -> list[str]:
    with open_database(url) as db, db.read() as tx:
        return [r.run_id for r in reversed(stored.runs(tx))]


def _devices_in(url: str) -> list[int]:
    with open_database(url) as db, db.read() as tx:
        return [r.devices for r in stored.runs(tx)]


def test_an_unreachable_console_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/console.sqlite"
    c = console(url)
    c.db.close()
    first, second = runs()
    port = free_port()
    p = Pusher(f"http://127.0.0.1:{port}", c.token, tmp_path / "spool", timeout=5)
    away = p.push(first)
    assert away.sent == [] and away.waiting == 1 and "unreachable" in (away.problem or "")
    assert not away.refused
    assert p.push(second).waiting == 2
    with live_console(url, port):
        back = p.flush()
    assert back.sent == [first.id, second.id] and back.problem is None
    assert p.waiting() == []
    assert _runs_in(url) == [first.id, second.id]


def test_a_refused_run_stays_in_the_spool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/console.sqlite"
    c = console(url)
    with c.db.write("revoke") as tx:
        sensor_id = c.token.split(".")[1]
        sensors.revoke(tx, "test", sensor_id)
    c.db.close()
    with live_console(url) as base:
        result = Pusher(base, c.token, tmp_path / "spool").push(runs()[0])
    assert result.refused and result.problem is not None and "(401)" in result.problem
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:8765", "http://console.example:80", "ftp://127.0.0.1/", "127.0.0.1"]
)
def test_plain_http_only_to_loopback(url: str) -> None:
    with pytest.raises(PushError):
        check_url(url)


def test_loopback_and_https_urls_are_accepted() -> None:
    assert check_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert check_url("https://console.example:8443") == "https://console.example:8443"


class _Camera(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><title>NETSurveillance WEB</title></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def camera() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Camera)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "scanner", *args]


def _get(url: str, **kw: object) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, **kw)  # type: ignore[arg-type]
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as r:
            return r.status, r.read(), r.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kw: object) -> None:
        return None


@pytest.mark.slow
def test_serve_and_sweep_push_end_to_end(tmp_path: Path, camera: int) -> None:
    store = f"sqlite:///{tmp_path}/console.sqlite"
    refused = subprocess.run(_cli("serve", "--listen", "0.0.0.0:9", "--store", store),
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode == 2 and "loopback" in refused.stderr
    token = subprocess.run(_cli("serve", "sensor", "add", SITE, "--store", store),
                           capture_output=True, text=True, timeout=120, check=True).stdout.strip()  # fmt: skip
    port = free_port()
    server = subprocess.Popen(_cli("serve", "--listen", f"127.0.0.1:{port}", "--store", store),
                              stderr=subprocess.PIPE)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, body, _ = _get(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.3)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, _, location = _get(f"{base}/devices")
        assert status in (302, 303, 307) and location.endswith("/login")
        assert _get(f"{base}/api/v1/runs", data=b"{}", method="POST")[0] == 401
        env = {**os.environ, "BIOSWEEP_PUSH_TOKEN": token, "BIOSWEEP_SPOOL": str(tmp_path / "sp")}
        swept = subprocess.run(
            _cli("sweep", "127.0.0.1", "--ports", str(camera), "--only", "http", "--quiet",
                 "--push", base),
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        assert swept.returncode in (0, 1), swept.stderr
        assert "pushed run-" in swept.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert _devices_in(store) == [1]  # the camera on 127.0.0.1, swept and pushed
    assert list((tmp_path / "sp").glob("*.json")) == []


def test_watch_pushes_every_saved_run_and_catches_up_after_an_outage(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from scanner.cli.push_cmd import push_run
    from scanner.config.schedule import Schedule
    from scanner.scan import SweepOptions
    from scanner.store import Store
    from scanner.watch import Watch
    from tests.store.sample import make_run

    url = f"sqlite:///{tmp_path}/console.sqlite"
    c = console(url)
    c.db.close()
    port = free_port()
    sensor = Pusher(f"http://127.0.0.1:{port}", c.token, tmp_path / "spool", timeout=5)
    made: list[str] = []

    def sweep(opts: SweepOptions) -> ScanRun:
        run = make_run(len(made), previous=opts.previous)
        made.append(run.id)
        return replace(run, started_at=run.started_at + timedelta(seconds=len(made)))

    with Store.open(tmp_path / "sensor.sqlite") as history:
        w = Watch(history, sweep, SweepOptions(site=SITE), ("10.0.0.0/22",),
                  Schedule(interval=1), [], push=lambda run: push_run(sensor, run),
                  sleep=lambda _s: None)  # fmt: skip
        w.tick()  # the console is down: the run waits in the spool
        assert len(sensor.waiting()) == 1 and w.failures == 0
        with live_console(url, port):
            w.tick()
    assert sensor.waiting() == [] and _runs_in(url) == made


@pytest.mark.slow
def test_https_with_a_self_signed_certificate_and_a_pinned_sensor(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/console.sqlite"
    token = subprocess.run(_cli("serve", "sensor", "add", SITE, "--store", store),
                           capture_output=True, text=True, timeout=120, check=True).stdout.strip()  # fmt: skip
    saved = tmp_path / "run.json"
    saved.write_bytes(scanrun_json(runs()[0]))
    port = free_port()
    server = subprocess.Popen(
        _cli("serve", "--listen", f"127.0.0.1:{port}", "--store", store, "--tls-self-signed"),
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    cert = tmp_path / "console-tls" / "console-cert.pem"
    env = {**os.environ, "BIOSWEEP_PUSH_TOKEN": token, "BIOSWEEP_SPOOL": str(tmp_path / "sp")}
    base = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not cert.exists() or _https_down(base, cert):
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.3)
        unpinned = subprocess.run(_cli("push", str(saved), "--to", base), env=env,
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
        assert unpinned.returncode == 3 and "CERTIFICATE_VERIFY_FAILED" in unpinned.stderr
        pinned = subprocess.run(_cli("push", "--to", base, "--push-ca", str(cert)), env=env,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        assert pinned.returncode == 0, pinned.stderr
        assert "pushed run-" in pinned.stderr  # the run the failed push left in the spool
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert _runs_in(store) == [runs()[0].id]


def _https_down(base: str, cert: Path) -> bool:
    import ssl

    try:
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"{base}/healthz", timeout=5, context=context):
            return False
    except OSError:
        return True
