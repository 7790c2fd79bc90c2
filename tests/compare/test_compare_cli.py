"""``biosweep compare RUN.json --registry site.yaml``: each kind of finding, offline, as an
officer runs it (exit status, the findings in the JSON, the sentence that explains them)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.identify import identify
from scanner.models import Observation, ScanRun
from scanner.reporters.jsonout import scanrun_json
from tests.compare.test_compare import camera, face_terminal
from tests.reporters.sample import REGISTRY

runner = CliRunner()
STARTED = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
SCOPE = ("10.0.0.0/24",)
FACE_MAC = "c0:56:e3:5a:d0:51"


def face_with_mac() -> list[Observation]:
    return [Observation(f"mac:{FACE_MAC}", "ip.address", "10.0.0.51", "arp"), *face_terminal()]


def printer(mac: str = "ac:cc:8e:00:00:44", ip: str = "10.0.0.44") -> list[Observation]:
    return [
        Observation(f"mac:{mac}", "ip.address", ip, "arp"),
        Observation(f"ip:{ip}", "http.title", f"AXIS 1650; IP address: {ip}", "http:80"),
    ]


def save_run(path: Path, *groups: list[Observation], day: int = 4, run_id: str = "run-b") -> Path:
    run = ScanRun(
        run_id, STARTED.replace(day=day), STARTED.replace(day=day, minute=35), "0.1.0", "test",
        scope=SCOPE, devices=tuple(identify([o for g in groups for o in g])),
    )  # fmt: skip
    path.write_bytes(scanrun_json(run))
    return path


def site(tmp_path: Path, text: str = REGISTRY, name: str = "site.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def compare(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["compare", *args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def kinds(run: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["kind"], f["severity"], f["reason"]) for f in run["findings"])


def deployment(text: str = REGISTRY, **changes: str) -> str:
    """The sample registry with deployment keys changed or added (before ``devices``)."""
    for key, value in changes.items():
        line = f"\n    {key}: "
        if line in text:
            text = re.sub(rf"(\n    {key}: )[^\n]*", rf"\g<1>{value}", text, count=1)
        else:
            text = text.replace("    devices:\n", f"    {key}: {value}\n    devices:\n", 1)
    return text


def test_compare_gives_the_sweeps_findings_offline(tmp_path: Path) -> None:
    run = save_run(tmp_path / "run.json", camera(), face_terminal())
    code, out = compare(str(run), "--registry", str(site(tmp_path)))
    assert code == 1  # the unregistered face terminal is critical
    assert kinds(out) == [
        ("registered", "info", "registered"),
        ("unregistered_collector", "critical", "unregistered"),
    ]
    # named by file name and hash, never by the operator's folder
    assert out["registry"].startswith("site.yaml sha256:")
    assert str(tmp_path) not in json.dumps(out)
    table = runner.invoke(app, ["compare", str(run), "--registry", str(tmp_path / "site.yaml")])
    assert table.exit_code == 1
    assert "Unregistered collector" in table.output
    assert "10.0.0.51" in table.output


def test_compare_writes_the_compared_run_and_refuses_to_overwrite(tmp_path: Path) -> None:
    run = save_run(tmp_path / "run.json", camera())
    reg = site(tmp_path)
    out = tmp_path / "compared.json"
    done = runner.invoke(app, ["compare", str(run), "--registry", str(reg), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text())["findings"][0]["kind"] == "registered"
    again = runner.invoke(app, ["compare", str(run), "--registry", str(reg), "-o", str(out)])
    assert again.exit_code == 2 and "exists" in again.output


def test_a_bad_registry_or_run_is_a_usage_error(tmp_path: Path) -> None:
    run = save_run(tmp_path / "run.json", camera())
    bad = site(tmp_path, REGISTRY.replace("method: none", "method: sometimes"))
    done = runner.invoke(app, ["compare", str(run), "--registry", str(bad)])
    assert done.exit_code == 2 and "deployments[0].method" in done.output
    (tmp_path / "junk.json").write_text("{}")
    done = runner.invoke(app, ["compare", str(tmp_path / "junk.json"), "--registry", str(bad)])
    assert done.exit_code == 2


def test_a_vendor_that_contradicts_a_mac_match_is_a_mismatch(tmp_path: Path) -> None:
    run = save_run(tmp_path / "run.json", camera())
    reg = site(
        tmp_path, REGISTRY.replace("        model: DS-2CD2143G2-I\n", "        vendor: Dahua\n")
    )
    code, out = compare(str(run), "--registry", str(reg))
    assert code == 1
    (finding,) = out["findings"]
    assert (finding["kind"], finding["reason"]) == ("identity_mismatch", "identifiers_disagree")
    assert finding["details"]["differs"] == "vendor"
    assert "vendor expected Dahua, seen Hikvision" in finding["why"]


def test_a_printer_on_a_registered_collectors_identifiers_is_flagged(tmp_path: Path) -> None:
    text = REGISTRY.replace(
        "      - id: cam-lobby\n",
        '      - id: cam-store\n        mac: "ac:cc:8e:00:00:44"\n      - id: cam-lobby\n',
    )
    run = save_run(tmp_path / "run.json", camera(), printer())
    code, out = compare(str(run), "--registry", str(site(tmp_path, text)))
    assert code == 0  # medium: the registry row is wrong or the camera was replaced
    (finding,) = [f for f in out["findings"] if f["kind"] == "class_mismatch"]
    assert (finding["reason"], finding["severity"], finding["registry_id"]) == (
        "not_a_collector", "medium", "cam-store",
    )  # fmt: skip
    assert "a printer (Axis 1650), not a collector" in finding["why"]


def test_a_face_terminal_filed_under_a_video_deployment_collects_undeclared(
    tmp_path: Path,
) -> None:
    text = REGISTRY.replace(
        "      - id: cam-lobby\n",
        f'      - id: gate\n        mac: "{FACE_MAC}"\n      - id: cam-lobby\n',
    )
    run = save_run(tmp_path / "run.json", camera(), face_with_mac())
    code, out = compare(str(run), "--registry", str(site(tmp_path, text)))
    assert code == 1
    (finding,) = [f for f in out["findings"] if f["kind"] == "class_mismatch"]
    assert (finding["reason"], finding["severity"]) == ("modality_mismatch", "high")
    assert finding["details"]["modalities"] == "video"


@pytest.mark.parametrize(
    ("location", "word"),
    [
        ("3F 女更衣室入口", "更衣室"),
        ("宾馆客房 1203", "宾馆客房"),
        ("Staff dormitory B", "dormitory"),
    ],
)
def test_a_location_naming_a_private_space_contradicts_the_space(
    tmp_path: Path, location: str, word: str
) -> None:
    run = save_run(tmp_path / "run.json", camera())
    reg = site(tmp_path, deployment(location=location, space="internal_management"))
    code, out = compare(str(run), "--registry", str(reg))
    assert code == 1
    (finding,) = [f for f in out["findings"] if f["kind"] == "space_inconsistent"]
    assert finding["severity"] == "high" and finding["details"]["word"] == word
    assert "Art. 13" in finding["why"]


FACE = {"modalities": "[face]", "method": '"1:1"', "legal_basis": "consent"}
PIA = {"pia": "{date: 2025-05-20, reference: PIA-7}"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (FACE | PIA | {"separate_consent": "false", "storage": "on_device"},
         [("no_separate_consent", "high", "separate_consent_missing")]),
        (FACE | PIA | {"storage": "on_device"},
         [("no_separate_consent", "medium", "separate_consent_not_recorded")]),
        (FACE | {"separate_consent": "true", "storage": "on_device"},
         [("no_impact_assessment", "medium", "pia_not_recorded")]),
        (FACE | PIA | {"legal_basis": "hr_management", "storage": "cloud"},
         [("face_data_off_device", "high", "face_crosses_internet")]),
        (FACE | PIA | {"legal_basis": "hr_management", "crosses_internet": "true",
                       "storage": "on_device"},
         [("face_data_off_device", "high", "face_crosses_internet")]),
        (FACE | PIA | {"legal_basis": "hr_management"},  # local_server
         [("face_data_off_device", "medium", "face_off_device")]),
        (FACE | PIA | {"separate_consent": "true", "storage": "cloud"}, []),
        ({"retention_days": "90", "purpose_retention_days": "30"},
         [("retention_beyond_purpose", "medium", "retention_beyond_purpose")]),
        ({"retention_days": "30", "purpose_retention_days": "30"}, []),
        ({"legal_basis": "consent"}, []),  # video only: no sensitive-information duties here
    ],
    ids=[
        "consent-refused", "consent-not-recorded", "no-pia", "cloud", "internet", "local-server",
        "cloud-with-consent", "retention", "retention-ok", "video",
    ],
)  # fmt: skip
def test_what_the_law_requires_before_processing(
    tmp_path: Path, changes: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    run = save_run(tmp_path / "run.json", camera())
    code, out = compare(str(run), "--registry", str(site(tmp_path, deployment(**changes))))
    assert [k for k in kinds(out) if k[0] != "registered"] == expected
    assert code == (1 if any(s == "high" for _, s, _ in expected) else 0)
    for f in out["findings"]:
        assert "Art." in f["why"] or f["kind"] == "registered"


def filing(tmp_path: Path, enrolled: int, filing: str) -> dict[str, Any]:
    text = deployment(
        **FACE, **PIA, separate_consent="true", storage="on_device", enrolled=str(enrolled),
        filing=filing,
    )  # fmt: skip
    run = save_run(tmp_path / "run.json", camera())
    _, out = compare(str(run), "--registry", str(site(tmp_path, text)))
    return {f["reason"]: f for f in out["findings"] if f["kind"] == "filing_overdue"}


def test_the_filing_duty_starts_when_the_count_reaches_the_threshold(tmp_path: Path) -> None:
    assert set(filing(tmp_path, 100_000, "{status: not_filed}")) == {"filing_missing"}
    assert filing(tmp_path, 99_999, "{status: not_filed}") == {}
    missing = filing(tmp_path, 100_000, "{status: not_filed}")["filing_missing"]
    assert "at or above the filing threshold of 100000" in missing["why"]


def test_a_pending_filing_is_due_30_working_days_after_the_count_reached(tmp_path: Path) -> None:
    # 2026-01-30 + 30 working days, skipping the Spring Festival (15-23 Feb) and counting the
    # adjusted Saturdays 14 and 28 Feb: 2026-03-19, before the run (2026-05-04): overdue.
    found = filing(tmp_path, 150_000, "{status: pending, reached: 2026-01-30}")
    overdue = found["filing_overdue"]
    assert overdue["severity"] == "high"
    assert overdue["details"]["due"] == "2026-03-19"
    assert "30 working days from 2026-01-30" in overdue["why"]
    later = filing(tmp_path, 150_000, "{status: pending, reached: 2026-04-20}")["filing_pending"]
    assert later["severity"] == "low" and later["details"]["due"] == "2026-06-03"
    due = filing(tmp_path, 150_000, "{status: not_filed, reached: 2026-04-20}")["filing_due"]
    assert due["severity"] == "medium" and "must be filed by 2026-06-03" in due["why"]


def test_a_pending_filing_without_a_date_is_no_longer_low_forever(tmp_path: Path) -> None:
    undated = filing(tmp_path, 150_000, "{status: pending}")["filing_pending_undated"]
    assert undated["severity"] == "medium" and "filing.reached" in undated["why"]


def test_a_deadline_past_the_holiday_table_says_weekends_alone_were_counted(
    tmp_path: Path,
) -> None:
    found = filing(tmp_path, 150_000, "{status: pending, reached: 2026-12-01}")["filing_pending"]
    assert found["details"]["due"] == "2027-01-12"
    assert found["details"]["calendar"] == "2025-01-01..2026-12-31"
    assert "weekends alone" in found["why"]


def test_a_collector_gone_since_the_last_run_is_a_finding(tmp_path: Path) -> None:
    before = save_run(tmp_path / "a.json", camera(), face_with_mac(), day=1, run_id="run-a")
    now = save_run(tmp_path / "b.json")
    code, out = compare(str(now), "--registry", str(site(tmp_path)), "--previous", str(before))
    assert code == 0
    gone = {f["reason"]: f for f in out["findings"] if f["kind"] == "gone_since_last_run"}
    assert set(gone) == {"gone_registered", "gone_unregistered"}
    assert gone["gone_registered"]["registry_id"] == "cam-lobby"
    assert gone["gone_unregistered"]["device_id"] == f"mac:{FACE_MAC}"
    assert {f["severity"] for f in gone.values()} == {"medium"}
    assert "removed, not moved or hidden" in gone["gone_unregistered"]["why"]
    assert "registered_not_seen" in {f["kind"] for f in out["findings"]}


def test_nothing_is_gone_where_the_sweep_did_not_look(tmp_path: Path) -> None:
    before = save_run(tmp_path / "a.json", camera(ip="10.0.1.41"), day=1, run_id="run-a")
    data = json.loads(before.read_text())
    data["scope"] = ["10.0.1.0/24"]
    before.write_text(json.dumps(data))
    now = save_run(tmp_path / "b.json")
    _, out = compare(str(now), "--registry", str(site(tmp_path)), "--previous", str(before))
    assert "gone_since_last_run" not in {f["kind"] for f in out["findings"]}


def test_report_compare_regenerates_findings_from_the_registry(tmp_path: Path) -> None:
    run = save_run(tmp_path / "run.json", camera(), face_terminal())  # saved without a registry
    out = tmp_path / "r.json"
    args = ["report", str(run), "-o", str(out), "--registry", str(site(tmp_path)), "--compare"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert {f["kind"] for f in json.loads(out.read_text())["findings"]} == {
        "registered", "unregistered_collector",
    }  # fmt: skip
    plain = runner.invoke(app, ["report", str(run), "-o", str(tmp_path / "p.json")])
    assert plain.exit_code == 0
    assert json.loads((tmp_path / "p.json").read_text())["findings"] == []
    bad = runner.invoke(app, ["report", str(run), "-o", str(tmp_path / "x.json"), "--compare"])
    assert bad.exit_code == 2 and "--compare needs --registry" in bad.output


def test_a_saved_run_compares_like_a_live_one(tmp_path: Path) -> None:
    from scanner.scan import compared
    from tests.compare.test_compare import registry

    devices = tuple(identify([*camera(), *face_terminal()]))
    live = compared(
        ScanRun("r", STARTED, None, "0", "0", scope=SCOPE, devices=devices), registry(), None
    )
    path = tmp_path / "live.json"
    path.write_bytes(scanrun_json(replace(live, findings=())))
    _, out = compare(str(path), "--registry", str(site(tmp_path)))
    assert [f["why"] for f in out["findings"]] == [f.why for f in live.findings]
