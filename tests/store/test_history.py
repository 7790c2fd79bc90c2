"""``biosweep history list|show|diff`` and the run-to-run diff behind it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.app import app
from scanner.models import FindingKind, Severity
from scanner.store import Store, diff_runs
from tests.store.sample import NEW_MAC, make_run

runner = CliRunner()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite"
    first = make_run(0)
    second = make_run(1, new_camera=True, previous=first)
    with Store.open(path) as db:
        db.save_run(first)
        db.save_run(second)
    return path


def test_a_new_camera_is_a_device_and_a_finding_that_appeared() -> None:
    first = make_run(0)
    second = make_run(1, new_camera=True, previous=first)
    d = diff_runs(first, second)
    assert [x.macs for x in d.devices_added] == [(NEW_MAC,)]
    assert d.devices_removed == () and d.devices_changed == ()
    kinds = {(f.kind, f.device_id) for f in d.findings_added}
    assert (FindingKind.UNREGISTERED_COLLECTOR, f"mac:{NEW_MAC}") in kinds
    back = diff_runs(second, first)
    assert [x.macs for x in back.devices_removed] == [(NEW_MAC,)]


def test_changed_device_and_finding_are_reported_with_before_and_after() -> None:
    first = make_run(0, new_camera=True)
    cam = next(x for x in first.devices if NEW_MAC in x.macs)
    moved = replace(cam, ips=("10.0.0.99",))
    second = replace(
        first, id="run-b", devices=tuple(moved if x is cam else x for x in first.devices)
    )
    worse = [
        replace(f, severity=Severity.CRITICAL) if f.device_id == cam.id else f
        for f in first.findings
    ]
    second = replace(second, findings=tuple(worse))
    d = diff_runs(first, second)
    assert [
        (c.after.id, [(x.name, x.before, x.after) for x in c.changes]) for c in d.devices_changed
    ] == [(cam.id, [("ips", "10.0.0.43", "10.0.0.99")])]
    assert any(
        ("severity", "high", "critical") in [(x.name, x.before, x.after) for x in c.changes]
        for c in d.findings_changed
    )


def test_identical_runs_have_an_empty_diff() -> None:
    run = make_run(0)
    assert diff_runs(run, replace(run, id="run-again")).empty


def test_history_list_shows_runs_newest_first(history: Path) -> None:
    done = runner.invoke(app, ["history", "list", "--json", "--store", str(history)])
    assert done.exit_code == 0, done.output
    rows = [json.loads(line) for line in done.output.splitlines()]
    assert [r["status"] for r in rows] == ["complete", "complete"]
    assert rows[0]["started_at"] > rows[1]["started_at"]
    table = runner.invoke(app, ["history", "list", "--store", str(history)])
    assert "2 runs" in table.output


def test_history_show_prints_devices_and_findings(history: Path) -> None:
    done = runner.invoke(app, ["history", "show", "latest", "--store", str(history)])
    assert done.exit_code == 0, done.output
    assert NEW_MAC in done.output
    assert "findings against" in done.output
    why = runner.invoke(app, ["history", "show", "latest", "--all", "--why", "--store",
                              str(history)], terminal_width=200)  # fmt: skip
    assert why.exit_code == 0 and "Why: what each identification rests on" in why.output
    assert "other devices" not in why.output  # --all lists every device
    as_json = runner.invoke(app, ["history", "show", "latest", "--json", "--store", str(history)])
    assert json.loads(as_json.output)["schema"] == "biosweep.scanrun/1"


def test_history_diff_table_and_json_and_exit_status(history: Path) -> None:
    done = runner.invoke(app, ["history", "diff", "previous", "latest", "--store", str(history)])
    assert done.exit_code == 1, done.output  # like diff(1): 1 = there are differences
    assert f"+ device  mac:{NEW_MAC}" in done.output
    assert "+ finding high unregistered_collector" in done.output
    as_json = runner.invoke(
        app, ["history", "diff", "previous", "latest", "--json", "--store", str(history)]
    )
    doc = json.loads(as_json.output)
    assert doc["schema"] == "biosweep.historydiff/1"
    assert [d["macs"] for d in doc["devices"]["added"]] == [[NEW_MAC]]
    same = runner.invoke(app, ["history", "diff", "latest", "latest", "--store", str(history)])
    assert same.exit_code == 0


def test_history_on_a_missing_store_or_run_is_a_usage_error(tmp_path: Path, history: Path) -> None:
    missing = runner.invoke(app, ["history", "list", "--store", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2
    assert "no history" in missing.output
    unknown = runner.invoke(app, ["history", "show", "run-nope", "--store", str(history)])
    assert unknown.exit_code == 2
    assert "no run 'run-nope'" in unknown.output
