"""The watch loop with a fake sweep and fake channels; ``--alert-test`` for real."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.alerts import Sender, WebhookSender
from scanner.alerts.email import EmailSender
from scanner.alerts.fakes import FakeSmtp, FakeTransport
from scanner.cli.app import app
from scanner.cli.watching import WatchReport
from scanner.config.schedule import Schedule
from scanner.models import ScanRun
from scanner.scan import SweepOptions
from scanner.store import DiskFullError, Store
from scanner.watch import Watch
from tests.store.sample import NEW_MAC, make_run

runner = CliRunner()


class Clock:
    """A fake clock: sleeping advances it."""

    def __init__(self) -> None:
        self.t = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += timedelta(seconds=seconds)


def _watch(db: Store, sweep: Any, senders: list[Sender], clock: Clock, lines: list[str]) -> Watch:
    return Watch(
        db, sweep, SweepOptions(site="Test site"), ("10.0.0.0/22",), Schedule(interval=600),
        senders, registry=None, keep_days=180, events=WatchReport(lines.append),
        sleep=clock.sleep,
        now=clock.now,
    )  # fmt: skip


def test_three_ticks_one_alert_per_channel_when_a_camera_appears(tmp_path: Path) -> None:
    clock = Clock()
    n = {"k": 0}

    def sweep(opts: SweepOptions) -> ScanRun:
        k = n["k"]
        n["k"] += 1
        assert (opts.previous is None) == (k == 0)  # each run is compared with the last one
        return make_run(k, new_camera=k >= 1, previous=opts.previous, started=clock.now())

    hook, smtp, lines = FakeTransport(statuses=[204]), FakeSmtp(), []
    senders: list[Sender] = [
        WebhookSender("https://hooks.example/x", transport=hook),
        EmailSender("smtp.example", "b@example.com", ("s@example.com",), connect=lambda *_: smtp),
    ]
    with Store.open(tmp_path / "h.sqlite") as db:
        assert _watch(db, sweep, senders, clock, lines).run(3) == 3
        assert [r.status for r in db.runs()] == ["complete"] * 3
    assert len(hook.requests) == 1 and len(smtp.messages) == 1
    assert NEW_MAC in hook.requests[0][1].decode()
    assert sum(clock.slept) == 1200  # two waits of one interval, measured from each start
    assert sum("alert sent" in line for line in lines) == 2


def test_a_failing_channel_does_not_stop_the_others_or_the_watch(tmp_path: Path) -> None:
    clock, lines = Clock(), []
    dead = WebhookSender("https://hooks.example/x", transport=FakeTransport(statuses=[500]),
                         retries=1, sleep=lambda _s: None)  # fmt: skip
    smtp = FakeSmtp()
    mail = EmailSender("smtp.example", "b@e.com", ("s@e.com",), connect=lambda *_: smtp)

    def sweep(opts: SweepOptions) -> ScanRun:
        return make_run(0, new_camera=True, previous=opts.previous, started=clock.now())

    with Store.open(tmp_path / "h.sqlite") as db:
        w = _watch(db, sweep, [dead, mail], clock, lines)
        w.run(2)
    assert w.failures == 1 and len(smtp.messages) == 1
    assert any(line.startswith("  ALERT NOT SENT: webhook") for line in lines)


def test_a_run_that_cannot_be_saved_is_marked_interrupted_and_ends_the_watch(
    tmp_path: Path,
) -> None:
    clock = Clock()
    path = tmp_path / "h.sqlite"
    Store.open(path).close()
    with Store.open(path, page_limit=60) as db:
        w = _watch(db, lambda o: make_run(0, pcs=400, started=clock.now()), [], clock, [])
        with pytest.raises(DiskFullError):
            w.run(3)
        assert [r.status for r in db.runs()] == ["interrupted"]


class _Hook(BaseHTTPRequestHandler):
    bodies: list[bytes] = []  # noqa: RUF012

    def do_POST(self) -> None:
        type(self).bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_alert_test_sends_one_test_alert_and_says_so(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret"
    secret.write_text("topsecret-1234")
    secret.chmod(0o600)
    cfg = tmp_path / "biosweep.toml"
    cfg.write_text(
        f'[site]\nname = "HQ"\n\n[alerts.webhook]\n'
        f'url = "http://127.0.0.1:{server.server_address[1]}/h"\nsecret_file = "secret"\n'
    )
    try:
        done = runner.invoke(app, ["watch", "--config", str(cfg), "--alert-test"])
    finally:
        server.shutdown()
        server.server_close()
    assert done.exit_code == 0, done.output
    assert "test alert sent: webhook http://127.0.0.1" in done.output
    [body] = _Hook.bodies
    assert json.loads(body)["test"] is True
    assert "topsecret" not in done.output


def test_alert_test_to_a_dead_receiver_exits_3_without_the_secret(tmp_path: Path) -> None:
    cfg = tmp_path / "biosweep.toml"
    cfg.write_text(
        '[alerts.webhook]\nurl = "http://127.0.0.1:9/h?key=abc123"\nretries = 0\n'
        '[alerts.email]\nhost = "127.0.0.1"\nport = 9\nfrom = "b@e.com"\nto = ["s@e.com"]\n'
        'username = "u"\npassword_env = "BIOSWEEP_TEST_PW"\n'
    )
    done = runner.invoke(app, ["watch", "--config", str(cfg), "--alert-test"],
                         env={"BIOSWEEP_TEST_PW": "pw-xyz-987"})  # fmt: skip
    assert done.exit_code == 3
    assert done.output.count("TEST ALERT FAILED") == 2
    assert "abc123" not in done.output and "pw-xyz-987" not in done.output


def test_watch_without_targets_or_with_a_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    cfg = tmp_path / "biosweep.toml"
    cfg.write_text("[site]\nname = 'HQ'\n")
    done = runner.invoke(app, ["watch", "--config", str(cfg), "--store", str(tmp_path / "h")])
    assert done.exit_code == 2 and "no targets" in done.output
    cfg.write_text("[watch]\ninterval = 'often'\n")
    bad = runner.invoke(app, ["watch", "--config", str(cfg)])
    assert bad.exit_code == 2 and "not a duration" in bad.output
