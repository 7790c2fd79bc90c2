"""``biosweep demo`` end to end: lab up, sweep, table, report, and nothing left behind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from scanner.lab import netns, procs
from scanner.lab.scenario import load_scenario

OFFICE = len(load_scenario("office").devices)


def test_demo_sweeps_the_office_writes_a_report_and_tears_down(
    backend_name: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "demo", "--backend", backend_name, "--report", str(report)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"collectors among {OFFICE} devices" in done.stdout
    # the device table names classes in plain words; the sweep's progress went to stderr
    assert "face recognition terminal" in done.stdout and "fingerprint terminal" in done.stdout
    assert "addresses," not in done.stdout and "done in " in done.stderr
    run = json.loads(report.read_text())
    assert run["schema"] == "biosweep.scanrun/1" and len(run["devices"]) == OFFICE
    # compared with the office registry: the findings are printed and in the report
    unregistered = [f for f in run["findings"] if f["kind"] == "unregistered_collector"]
    assert unregistered and run["registry"]
    # the default scenario is the Chinese sample site, compared with its Chinese registry
    assert (
        f"{len(run['findings'])} findings against the site registry office-zh.yaml" in done.stdout
    )
    assert run["site"] == "上海示例科技有限公司三楼办公区" and run["operator"] == "biosweep 演示"
    assert "Unregistered collector" in done.stdout
    page = report.with_suffix(".html").read_text(encoding="utf-8")
    address = unregistered[0]["device_id"].split(":", 1)[1]  # mac:… or, on loopback, ip:…
    assert page.startswith("<!DOCTYPE html>") and address in page and "未登记的采集设备" in page
    assert "上海示例物业管理有限公司" in page and "Example Co." not in page
    torn = re.search(r"lab (\w+) torn down", done.stdout)
    assert torn is not None
    run_id = torn.group(1)
    assert not [n for n in netns.list_netns() if n.startswith(f"bsl-{run_id}-")]
    assert procs.run_processes(run_id, set()) == []
