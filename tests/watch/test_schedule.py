"""Schedules (intervals, cron) and ``biosweep schedule``: units that systemd accepts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import schedule_cmd
from scanner.cli import units as units_module
from scanner.cli.app import app
from scanner.config.schedule import Schedule, oncalendar, parse_cron, parse_duration
from scanner.errors import InputError

runner = CliRunner()
ANALYZE = shutil.which("systemd-analyze")
NO_ANALYZE = (
    "systemd-analyze is not installed (Debian package systemd; make test installs it as root)"
)


@pytest.mark.parametrize(
    ("expr", "now", "expected"),
    [
        ("*/15 * * * *", datetime(2026, 1, 1, 10, 7), datetime(2026, 1, 1, 10, 15)),
        ("30 2 * * mon-fri", datetime(2026, 1, 3, 10, 0), datetime(2026, 1, 5, 2, 30)),
        ("0 0 29 2 *", datetime(2026, 3, 1), datetime(2028, 2, 29)),
        ("0 9 1 * 0", datetime(2026, 1, 2), datetime(2026, 1, 4, 9, 0)),  # day 1 OR Sunday
        ("5 4 * jan,jul 7", datetime(2026, 1, 31, 5, 0), datetime(2026, 7, 5, 4, 5)),
    ],
)
def test_cron_next_time(expr: str, now: datetime, expected: datetime) -> None:
    assert parse_cron(expr).next_after(now) == expected


@pytest.mark.parametrize(
    "bad", ["* * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "0 0 31 2 *"]
)
def test_bad_cron_is_refused(bad: str) -> None:
    with pytest.raises(InputError):
        parse_cron(bad)


def test_durations_and_interval_slots() -> None:
    assert parse_duration("90") == 90 and parse_duration("1h30m") == 5400
    with pytest.raises(InputError):
        parse_duration("soon")
    every = Schedule(interval=60)
    start = datetime(2026, 1, 1, 10, 0, 0)
    assert every.next_after(start, datetime(2026, 1, 1, 10, 0, 20)) == datetime(2026, 1, 1, 10, 1)
    # a run that overran two slots starts at the next slot, not three times at once
    assert every.next_after(start, datetime(2026, 1, 1, 10, 2, 30)) == datetime(2026, 1, 1, 10, 3)


@pytest.mark.skipif(ANALYZE is None, reason=NO_ANALYZE)
@pytest.mark.parametrize("expr", ["*/15 * * * *", "30 2 * * mon-fri", "0 6,18 1 */3 *"])
def test_oncalendar_fires_when_cron_does(expr: str) -> None:
    cron = parse_cron(expr)
    done = subprocess.run(
        [str(ANALYZE), "calendar", "--iterations=5", "--base-time=2026-01-01 00:00:00 UTC",
         oncalendar(cron)],
        capture_output=True, text=True, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    got = [
        ln.split(":", 1)[1].strip()
        for ln in done.stdout.splitlines()
        if ln.strip().startswith(("Next elapse:", "Iter. #"))
    ]
    t, expected = datetime(2026, 1, 1), []
    for _ in range(5):
        t = cron.next_after(t)
        expected.append(t.strftime("%a %Y-%m-%d %H:%M:%S UTC"))
    assert got == expected


def _config(tmp_path: Path, schedule: str) -> Path:
    cfg = tmp_path / "biosweep.toml"
    cfg.write_text(
        f'[site]\nname = "HQ"\ntargets = ["10.0.0.0/24"]\n\n[store]\npath = "{tmp_path}/h.sqlite"'
        f"\n\n[watch]\n{schedule}\n"
    )
    return cfg


@pytest.mark.skipif(ANALYZE is None, reason=NO_ANALYZE)
@pytest.mark.parametrize("mode", ["--system", "--user"])
@pytest.mark.parametrize("schedule", ['cron = "*/20 * * * 1-5"', 'interval = "15m"'])
def test_installed_units_pass_systemd_analyze_verify(
    tmp_path: Path, mode: str, schedule: str
) -> None:
    units = tmp_path / "units"
    done = runner.invoke(app, ["schedule", "install", "--config", str(_config(tmp_path, schedule)),
                               mode, "--unit-dir", str(units)])  # fmt: skip
    assert done.exit_code == 0, done.output
    service, timer = units / "biosweep-watch.service", units / "biosweep-watch.timer"
    text = service.read_text()
    assert "watch --once --config" in text and "NoNewPrivileges=yes" in text
    if mode == "--system":
        assert "CapabilityBoundingSet=CAP_NET_RAW" in text and "ProtectSystem=strict" in text
        assert f"ReadWritePaths=-{tmp_path}" in text
    else:
        assert "CapabilityBoundingSet=\n" in text
    argv = [str(ANALYZE), *(["--user"] if mode == "--user" else []), "verify", "--man=no"]
    runtime = tmp_path / "runtime"  # a user manager needs a runtime dir, even offline
    runtime.mkdir(mode=0o700)
    env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)}
    check = subprocess.run([*argv, str(service), str(timer)], capture_output=True, text=True,
                           cwd=units, env=env, check=False)  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert check.stderr.strip() == ""  # systemd-analyze warns (exit 0) on settings it ignores


def test_without_systemd_install_prints_the_crontab_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule_cmd, "SYSTEMD_RUNNING", tmp_path / "no-systemd")
    cfg = _config(tmp_path, 'interval = "15m"')
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg)])
    assert done.exit_code == 0, done.output
    assert "*/15 * * * * " in done.output
    assert f"watch --once --config {cfg.resolve()} 2>&1 | logger -t biosweep" in done.output
    hourly = runner.invoke(app, ["schedule", "install", "--cron", "--config",
                                 str(_config(tmp_path, 'cron = "7 3 * * *"'))])  # fmt: skip
    assert hourly.output.startswith("7 3 * * * ")


def test_status_and_remove(tmp_path: Path) -> None:
    units = tmp_path / "units"
    cfg = _config(tmp_path, 'interval = "1h"')
    assert runner.invoke(app, ["schedule", "status", "--unit-dir", str(units)]).exit_code == 1
    runner.invoke(app, ["schedule", "install", "--config", str(cfg), "--unit-dir", str(units)])
    again = runner.invoke(
        app, ["schedule", "install", "--config", str(cfg), "--unit-dir", str(units)]
    )
    assert again.exit_code == 2 and "--force" in again.output  # never overwrites silently
    assert runner.invoke(app, ["schedule", "status", "--unit-dir", str(units)]).exit_code == 0
    removed = runner.invoke(app, ["schedule", "remove", "--unit-dir", str(units)])
    assert "removed 2 unit file(s)" in removed.output
    assert list(units.iterdir()) == []


def test_install_warns_when_private_tmp_hides_the_config_or_store(tmp_path: Path) -> None:
    """The system unit sets PrivateTmp=yes: a configuration or history under /tmp would be an
    empty private /tmp to the service, so install says so (the user unit does not set it)."""
    assert tmp_path.resolve().is_relative_to("/tmp")
    cfg = _config(tmp_path, 'interval = "15m"')
    units = tmp_path / "units"
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg), "--system",
                               "--unit-dir", str(units)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "PrivateTmp=yes" in (units / "biosweep-watch.service").read_text()
    assert f"the configuration {cfg.resolve()} lies under /tmp" in done.output
    assert "the history database" in done.output and "move the history database" in done.output
    user = runner.invoke(app, ["schedule", "install", "--config", str(cfg), "--user", "--force",
                               "--unit-dir", str(tmp_path / "user-units")])  # fmt: skip
    assert user.exit_code == 0 and "PrivateTmp" not in user.output


def test_install_is_quiet_about_paths_outside_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only paths under the private folders warn. The private folders are pointed at a folder
    of the test's own, so the test holds wherever the checkout, the venv and pytest's tmp
    live (a CI clone under /tmp included)."""
    monkeypatch.setattr(units_module, "PRIVATE_TMP", (tmp_path / "private-tmp",))
    home = tmp_path / "etc"
    home.mkdir()
    cfg = _config(home, 'interval = "15m"')
    done = runner.invoke(app, ["schedule", "install", "--config", str(cfg), "--system",
                               "--unit-dir", str(home / "units")])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "PrivateTmp" not in done.output
