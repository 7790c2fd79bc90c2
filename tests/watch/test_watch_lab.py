"""End to end: ``biosweep watch`` against the lab for three intervals.

The site (tests/watch/site.yaml) has a registered Hikvision camera, a printer and cam-new, an
unregistered Dahua camera. Before the watch starts, the test unplugs cam-new: it sets the
camera's switch port (its veth end on the lab's bridge, in the hub namespace) down, so
nothing of it answers. When the watch reports that run 1 is saved, the test plugs it back in,
so the camera appears on the network between the first and the second run. The watch runs in
the lab's scanner namespace with the alert receivers beside it on that namespace's 127.0.0.1:
a webhook receiver that checks the HMAC signature and an aiosmtpd sink that requires STARTTLS
and login (tests/watch/receivers.py).

Expected: exactly one alert at each receiver (run 2: the unregistered camera; run 1 has only
the registered camera, run 3 nothing new), and ``history diff`` run 1 → run 2 lists cam-new
as a device that appeared. Needs the namespaces backend (root, ip netns): loopback has no
layer 2, so an unplugged device cannot be told from an empty address there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.lab import manager, netns
from scanner.lab.state import RunState

HERE = Path(__file__).parent
SITE, REGISTRY = HERE / "site.yaml", HERE / "registry.yaml"
NEW_MAC = "3c:ef:8c:00:00:43"
SECRET = "whsec-test-9f1c2a77e4"
PASSWORD = "smtp-pass-52be1c0d"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(backend_name: str) -> Iterator[RunState]:
    if backend_name != "namespaces":
        pytest.skip("the watch acceptance test needs the namespaces backend (root, ip netns)")
    state = manager.up(str(SITE), backend_name)
    try:
        yield state
    finally:
        manager.teardown(state)


def _port(state: RunState, name: str) -> str:
    """The hub-side veth end of a device: ``pK``, K its position in the scenario."""
    return f"p{[d.name for d in state.devices].index(name)}"


def _plug(state: RunState, name: str, up: bool) -> None:
    netns.ip("link", "set", _port(state, name), "up" if up else "down", netns=state.prefix + "hub")


def _in_scanner(state: RunState, argv: list[str]) -> list[str]:
    return [*manager.shell_prefix(state), *argv]


def _wait_file(path: Path, proc: subprocess.Popen[bytes], timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, "the receivers exited"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def _config(tmp: Path, state: RunState, ports: dict[str, int]) -> Path:
    cfg = tmp / "biosweep.toml"
    cfg.write_text(
        f"""
[site]
name = "Watch test site"
operator = "acceptance test"
registry = "{REGISTRY}"
targets = ["{state.subnet}"]
exclude = ["{state.scanner_address}"]

[store]
path = "{tmp / "history.sqlite"}"
keep_days = 30

[watch]
interval = "15s"
min_severity = "high"

[alerts.webhook]
url = "http://127.0.0.1:{ports["webhook"]}/hook?token=abc"
secret_file = "secret"
retries = 2

[alerts.email]
host = "127.0.0.1"
port = {ports["smtp"]}
security = "starttls"
from = "biosweep@example.com"
to = ["security@example.com"]
username = "biosweep"
password_env = "BIOSWEEP_TEST_SMTP_PASSWORD"
ca_file = "{tmp / "sink" / "cert.pem"}"
"""
    )
    return cfg


def _secret_files(tmp: Path) -> tuple[Path, Path]:
    secret, password = tmp / "secret", tmp / "password"
    for path, value in ((secret, SECRET), (password, PASSWORD)):
        path.write_text(value + "\n")
        path.chmod(0o600)
    return secret, password


@pytest.fixture(scope="module")
def watched(site: RunState, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the watch for three intervals, plugging cam-new in after run 1; what it left."""
    tmp = tmp_path_factory.mktemp("watch")
    (tmp / "sink").mkdir()
    secret, password = _secret_files(tmp)
    receivers = subprocess.Popen(
        _in_scanner(site, [sys.executable, str(HERE / "receivers.py"), "--out", str(tmp / "sink"),
                           "--secret-file", str(secret), "--password-file", str(password)]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _plug(site, "cam-new", up=False)
    try:
        ports = _wait_file(tmp / "sink" / "ready.json", receivers)
        cfg = _config(tmp, site, ports)
        env = dict(os.environ, BIOSWEEP_TEST_SMTP_PASSWORD=PASSWORD)
        argv = [sys.executable, "-m", "scanner", "watch", "--config", str(cfg), "--count", "3"]
        watch = subprocess.Popen(
            _in_scanner(site, argv), stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        lines = []
        assert watch.stderr is not None
        for raw in watch.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            lines.append(line)
            if line.startswith("run 1 "):
                _plug(site, "cam-new", up=True)  # the camera appears between runs 1 and 2
        rc = watch.wait(timeout=180)
        time.sleep(0.5)  # the receivers write their files before they answer; be safe anyway
    finally:
        receivers.kill()
        receivers.wait()
        _plug(site, "cam-new", up=True)
    sink = tmp / "sink"
    return {
        "rc": rc,
        "log": "\n".join(lines),
        "stdout": watch.stdout.read().decode() if watch.stdout else "",
        "hooks": [json.loads(p.read_text()) for p in sorted(sink.glob("webhook-*.json"))],
        "mails": [json.loads(p.read_text()) for p in sorted(sink.glob("mail-*.json"))],
        "store": tmp / "history.sqlite",
        "site": site,
    }


def _history(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "scanner", "history", *args, "--store", str(store)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_watch_ran_three_intervals(watched: dict[str, Any]) -> None:
    assert watched["rc"] == 0, watched["log"]
    assert [ln.split()[1] for ln in watched["log"].splitlines() if ln.startswith("run ")] == [
        "1", "2", "3",
    ]  # fmt: skip
    listed = _history(watched["store"], "list", "--json")
    runs = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["status"] for r in runs] == ["complete"] * 3


def test_exactly_one_signed_webhook_alert_about_the_new_camera(watched: dict[str, Any]) -> None:
    hooks = watched["hooks"]
    assert len(hooks) == 1, watched["log"]
    assert hooks[0]["valid"] is True  # HMAC-SHA256 over timestamp.body with the shared secret
    payload = json.loads(hooks[0]["body"])
    assert payload["schema"] == "biosweep.alert/1"
    kinds = {(f["kind"], f["change"]) for f in payload["findings"]}
    assert kinds == {("unregistered_collector", "new")}
    assert payload["findings"][0]["device"]["macs"] == [NEW_MAC]


def test_exactly_one_email_over_starttls(watched: dict[str, Any]) -> None:
    mails = watched["mails"]
    assert len(mails) == 1, watched["log"]
    assert mails[0]["tls"] is True
    assert mails[0]["auth"] == "biosweep"
    assert mails[0]["to"] == ["security@example.com"]
    assert "unregistered_collector" in mails[0]["message"]
    assert NEW_MAC in mails[0]["message"]


def test_history_diff_shows_the_new_camera(watched: dict[str, Any]) -> None:
    listed = _history(watched["store"], "list", "--json")
    first, second = [json.loads(line)["id"] for line in listed.stdout.splitlines()][::-1][:2]
    done = _history(watched["store"], "diff", first, second, "--json")
    assert done.returncode == 1, done.stderr  # differences found
    diff = json.loads(done.stdout)
    assert [d["macs"] for d in diff["devices"]["added"]] == [[NEW_MAC]]
    assert diff["devices"]["removed"] == []
    added = {(f["kind"], f["device_id"]) for f in diff["findings"]["added"]}
    assert ("unregistered_collector", f"mac:{NEW_MAC}") in added
    text = _history(watched["store"], "diff", first, second)
    assert f"+ device  mac:{NEW_MAC}" in text.stdout


def test_secrets_appear_in_no_log_alert_or_history(watched: dict[str, Any]) -> None:
    seen = [watched["log"], watched["stdout"], *(json.dumps(h) for h in watched["hooks"])]
    seen += [json.dumps(m) for m in watched["mails"]]
    store: Path = watched["store"]
    raw = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
    for secret in (SECRET, PASSWORD, "token=abc"):
        assert not any(secret in text for text in seen), secret
        assert secret.encode() not in raw
