"""The configuration is input too. Every value is checked against its documented
range when the file is loaded, alert destinations that are link-local or a cloud metadata
service are refused, and every problem is reported at once with its line and key."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.config import ConfigError, load_config
from scanner.config.destinations import refused_destination


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "biosweep.toml"
    path.write_text(text)
    return path


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    return err.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sweep]\nrate = -1\n", ":2: sweep.rate: -1 is out of range: a number more than 0"),
        ("[sweep]\nrate = 0\n", ":2: sweep.rate: 0 is out of range"),
        ("[sweep]\nrate = nan\n", ":2: sweep.rate: must be finite"),
        ("[sweep]\ndeadline = inf\n", ":2: sweep.deadline: must be finite"),
        ("[sweep]\nhost_rate = -inf\n", ":2: sweep.host_rate: must be finite"),
        ("[sweep]\nhost_connections = 1000\n", "host_connections: 1000 is out of range: a whole"),
        ("[sweep]\nhost_budget = 0\n", ":2: sweep.host_budget: 0 is out of range"),
        ("[store]\nkeep_days = 1000000000000\n", "store.keep_days: 1000000000000 is out of range"),
        ("[store]\nkeep_days = 0\n", "store.keep_days: 0 is out of range"),
        (
            "[alerts.email]\nhost = 'h'\nfrom = 'a@b'\nto = ['c@d']\nport = 0\n",
            ":5: alerts.email.port: 0 is out of range: a whole number from 1 to 65535",
        ),
        (
            "[alerts.email]\nhost = 'h'\nfrom = 'a@b'\nto = ['c@d']\nport = 70000\n",
            "alerts.email.port: 70000 is out of range",
        ),
        ("[alerts.webhook]\nurl = 'https://h:70000/x'\n", "alerts.webhook.url: must be an http(s)"),
        ("[alerts.webhook]\nurl = 'https://h/x'\nretries = 11\n", "retries: 11 is out of range"),
        ("[alerts.webhook]\nurl = 'https://h/x'\ntimeout = nan\n", "timeout: must be finite"),
        ("[alerts.syslog]\naddress = 'tcp://h:0'\n", ":2: alerts.syslog.address: use /dev/log"),
        ("[alerts.syslog]\nfacility = 'kern'\n", "alerts.syslog.facility: 'kern' is not one of"),
        ("[watch]\ninterval = '99999999999999999999999d'\n", "watch.interval: duration"),
        ("[watch]\nwait_lock = '400d'\n", "watch.wait_lock: duration '400d' is longer than 366"),
        ("[sweep]\nports = '80,0,70000'\n", ":2: sweep.ports: '0' is out of range (ports are 1 to"),
    ],
)
def test_values_out_of_range_are_named_by_line_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    problems = _problems(tmp_path, text)
    assert len(problems) == 1, problems
    assert problems[0].startswith(str(tmp_path / "biosweep.toml") + ":")
    assert expected in problems[0]


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]", "2852039166",
        "0xa9fea9fe", "169.254.43518", "[fe80::1]", "[64:ff9b::a9fe:a9fe]", "100.100.100.200",
        "[fd00:ec2::254]", "metadata.google.internal", "METADATA.tencentyun.com.", "0.0.0.0",
    ],
)  # fmt: skip
def test_link_local_and_metadata_webhooks_are_refused_unless_allowed(
    tmp_path: Path, host: str
) -> None:
    text = f"[alerts.webhook]\nurl = 'http://{host}/latest/meta-data/'\n"
    [problem] = _problems(tmp_path, text)
    assert ":2: alerts.webhook.url: " in problem and "allow_link_local = true" in problem
    allowed = load_config(_write(tmp_path, text + "allow_link_local = true\n"))
    assert allowed.webhook is not None and allowed.webhook.allow_link_local


def test_email_and_syslog_destinations_are_checked_the_same_way(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        "[alerts.email]\nhost = '169.254.169.254'\nfrom = 'a@b'\nto = ['c@d']\n\n"
        "[alerts.syslog]\naddress = 'udp://[fe80::1]:514'\n",
    )
    assert [p.split(": ")[1] for p in problems] == ["alerts.email.host", "alerts.syslog.address"]


def test_ordinary_destinations_pass() -> None:
    for host in ("hooks.example.org", "10.0.0.5", "127.0.0.1", "::1", "192.168.1.1"):
        assert refused_destination(host) is None, host


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "[site]\nname = 'HQ'\nnmae = 'typo'\n\n"
        "[sweep]\nrate = -1\nhost_connections = 1000\ndeadline = 'soon'\n\n"
        "[store]\nkeep_days = 0\n\n"
        "[alerts.webhook]\nurl = 'http://169.254.169.254/'\n"
    )
    problems = _problems(tmp_path, text)
    where = [p.split(": ")[0].rsplit(":", 1)[1] + " " + p.split(": ")[1] for p in problems]
    assert where == [
        "3 site.nmae", "6 sweep.rate", "7 sweep.host_connections", "8 sweep.deadline",
        "11 store.keep_days", "14 alerts.webhook.url",
    ]  # fmt: skip


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def test_the_cli_prints_every_problem_one_per_line_and_exits_2(tmp_path: Path) -> None:
    cfg = _write(tmp_path, "[sweep]\nrate = -1\n\n[store]\nkeep_days = 10000000\n")
    started = time.monotonic()
    done = run("watch", "--once", "--config", str(cfg), "--store", str(tmp_path / "h.sqlite"))
    assert time.monotonic() - started < 40  # rate = -1 used to hang the rate limiter
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines == [
        f"biosweep: error: {cfg}:2: sweep.rate: -1 is out of range: a number more than 0 and "
        "at most 100000",
        f"biosweep: error: {cfg}:5: store.keep_days: 10000000 is out of range: a whole number "
        "from 1 to 36500",
    ]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--rate", "-1"], "--rate: -1 is out of range"),
        (["--rate", "nan"], "--rate: must be finite"),
        (["--host-connections", "1000"], "--host-connections: 1000 is out of range"),
        (["--deadline", "inf"], "--deadline: must be finite"),
        (["--host-budget", "0"], "--host-budget: 0 is out of range"),
        (["--passive-first", "-5"], "--passive-first: -5 is out of range"),
    ],
)
def test_sweep_flags_take_the_same_ranges(flags: list[str], message: str) -> None:
    done = run("sweep", "127.0.0.1", "--json", *flags)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert message in done.stderr


def test_keep_days_flags_take_the_same_range(tmp_path: Path) -> None:
    done = run("history", "purge", "--keep-days", str(10**12), "--store", str(tmp_path / "h"))
    assert done.returncode == 2
    assert "--keep-days: 1000000000000 is out of range" in done.stderr
