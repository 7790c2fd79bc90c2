"""One merge of flags and biosweep.toml for ``sweep`` and ``watch`` (watch used to drop
BLE, passive-first, RTSP DESCRIBE and early stop): every sweep flag has a configuration key,
watch takes every sweep flag, and both commands turn the same settings into the same sweep."""

from __future__ import annotations

import inspect
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from scanner import scan
from scanner.cli import app, sweep_cmd, sweep_plan, watch_cmd
from scanner.config import KEYS
from scanner.config.sweep import SITE_KEYS, SWEEP_KEYS, SweepSettings
from scanner.scope import Scope
from scanner.store import Store
from tests.store.sample import make_run
from tests.watch.test_watch_loop import Clock, _watch

runner = CliRunner()

#: Every sweep setting set away from its default, as biosweep.toml says it.
CONFIG = """
[site]
name = "HQ"
operator = "security office"
targets = ["127.0.0.0/30"]
exclude = ["127.0.0.2"]
allow_public = true
confirm_large_scope = true
routed = true

[sweep]
ports = "81,8081"
only = "http,rtsp,ble"
snmp = true
rtsp_describe = true
rate = 321
host_rate = 12
host_connections = 3
deadline = 4
host_budget = 50
passive_first = 2.5
early_stop = true
ble = true
ble_backend = "bumble"
ble_transport = "tcp-client:127.0.0.1:9"
ble_duration = 3
ble_passive = true
"""


def _params(command: Any) -> dict[str, Any]:
    return {
        name: p.default
        for name, p in inspect.signature(command).parameters.items()
        if isinstance(p.default, typer.models.OptionInfo)
    }


def _key(flag_param: str) -> str:
    return "exclude_files" if flag_param == "exclude_file" else flag_param


def test_every_sweep_flag_is_a_setting_with_a_config_key() -> None:
    settings = set(SweepSettings.__dataclass_fields__)
    for name in sweep_plan.FLAGS:
        assert _key(name) in settings, name
        section = "site" if _key(name) in SITE_KEYS else "sweep"
        assert _key(name) in KEYS[section], f"{name}: no [{section}] key"
    # and no sweep option outside the merge: every option of sweep is a setting, or one of
    # the per-invocation options that are not sweep settings
    per_run = {"config", "json_out", "observations_out", "force", "quiet", "registry",
               "previous", "store", "show_all", "why", "timings",
               "push", "push_token_file", "push_ca"}  # fmt: skip  # where the run goes, like store
    assert set(_params(sweep_cmd.sweep)) - per_run == {*sweep_plan.FLAGS, "site", "operator"}
    assert set(SWEEP_KEYS) == set(KEYS["sweep"])


def test_watch_takes_every_sweep_flag_with_the_same_spelling() -> None:
    sweep_opts, watch_opts = _params(sweep_cmd.sweep), _params(watch_cmd.watch)
    for name in [*sweep_plan.FLAGS, "site", "operator"]:
        assert name in watch_opts, f"watch has no {name}"
        assert watch_opts[name].param_decls == sweep_opts[name].param_decls, name


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """What sweep and watch would run, captured instead of sweeping."""
    monkeypatch.setenv("BIOSWEEP_STATE_DIR", str(tmp_path / "state"))
    got: dict[str, Any] = {}

    def fake_sweep(scope: Scope, opts: scan.SweepOptions, *_: Any) -> Any:
        got["sweep"] = (scope, opts)
        raise typer.Exit(0)

    class FakeWatch:
        def __init__(self, _db: Any, sweep: Any, opts: scan.SweepOptions, *a: Any, **k: Any):
            got["watch"] = (got.pop("scope"), opts)
            self.failures = 0
            self.incomplete = 0

        def run(self, _count: int | None) -> int:
            return 0

    def real_sweep(scope: Scope) -> Any:
        got["scope"] = scope
        return None

    monkeypatch.setattr(sweep_cmd, "_sweep", fake_sweep)
    monkeypatch.setattr(watch_cmd, "Watch", FakeWatch)
    monkeypatch.setattr(watch_cmd, "real_sweep", real_sweep)
    return got


def _both(tmp_path: Path, captured: dict[str, Any], *extra: str) -> None:
    cfg = tmp_path / "biosweep.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    store = ["--store", str(tmp_path / "h.sqlite")]
    done = runner.invoke(app, ["sweep", "127.0.0.0/30", "--config", str(cfg), "--json", *extra])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["watch", "--config", str(cfg), "--once", *store, *extra])
    assert done.exit_code == 0, done.output


def test_watch_honours_every_sweep_setting_of_the_config_as_sweep_does(
    tmp_path: Path, captured: dict[str, Any]
) -> None:
    _both(tmp_path, captured)
    scope, opts = captured["watch"]
    assert captured["sweep"][0] == scope and captured["sweep"][1] == opts
    assert opts.ports == (81, 8081)
    assert {"http", "rtsp", "rtsp-describe"} <= opts.probes  # --only + --rtsp-describe
    assert opts.passive_first == 2.5 and opts.early_stop
    assert opts.ble is not None
    assert (opts.ble.backend, opts.ble.transport) == ("bumble", "tcp-client:127.0.0.1:9")
    assert opts.ble.duration == 3 and not opts.ble.active  # ble_passive
    assert opts.required == {"ble", "passive"}
    limits = scope.limits
    assert (limits.global_rate, limits.host_rate, limits.host_connections) == (321, 12, 3)
    assert (limits.request_deadline, limits.host_budget) == (4, 50)
    assert not scope.allows("127.0.0.2") and scope.allows("127.0.0.1")
    assert scope.allow_public
    assert (opts.site, opts.operator) == ("HQ", "security office")


def test_flags_turn_off_what_the_config_turned_on(tmp_path: Path, captured: dict[str, Any]) -> None:
    _both(tmp_path, captured, "--only", "tcp", "--snmp", "--no-ble")
    for command in ("sweep", "watch"):
        _scope, opts = captured[command]
        assert opts.probes == frozenset() and opts.ble is None, command  # flags win


def test_flags_override_the_config_and_exclusions_add_up(
    tmp_path: Path, captured: dict[str, Any]
) -> None:
    _both(tmp_path, captured, "--rate", "77", "-x", "127.0.0.3", "--no-early-stop")
    for command in ("sweep", "watch"):
        scope, opts = captured[command]
        assert scope.limits.global_rate == 77, command
        assert not opts.early_stop, command
        assert not scope.allows("127.0.0.2") and not scope.allows("127.0.0.3"), command


def test_watch_and_history_say_an_incomplete_run_first(tmp_path: Path) -> None:
    why = "incomplete: ble was asked for and could not run (no_adapter: no radio; fix: …)"

    def sweep(opts: scan.SweepOptions) -> Any:
        return replace(make_run(0), complete=False, notes=(why, "discovery: test"))

    lines: list[str] = []
    store = tmp_path / "h.sqlite"
    with Store.open(store) as db:
        assert _watch(db, sweep, [], Clock(), lines).run(1) == 1
    assert "INCOMPLETE (not an all-clear)" in lines[0] and why in lines[1]
    shown = runner.invoke(app, ["history", "show", "latest", "--store", str(store)])
    assert shown.exit_code == 0, shown.output
    head = shown.stdout.splitlines()
    assert "INCOMPLETE (not an all-clear)" in head[0] and why in head[1]
