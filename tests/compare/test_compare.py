"""compare, offline: what an officer is told for each way a site can differ from its registry."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from scanner.compare import compare
from scanner.identify import identify
from scanner.models import Device, Finding, FindingKind, Observation, Reason, ScanRun, Severity
from scanner.registry import Registry, parse_registry
from scanner.reporters.jsonin import parse_scanrun
from scanner.reporters.jsonout import scanrun_json
from scanner.wording.why import EN, explain
from scanner.wording.why_zh import ZH
from tests.reporters.sample import REGISTRY

SCOPE = ("10.0.0.0/24",)
TODAY = dt.date(2026, 5, 4)


def camera(
    ip: str = "10.0.0.41",
    mac: str = "44:19:b6:5a:c0:41",
    serial: str = "DS-2CD2143G2-I20230511AAWR5AC041",
    model: str = "DS-2CD2143G2-I",
    extra: tuple[tuple[str, str], ...] = (),
) -> list[Observation]:
    subject = f"ip:{ip}"
    obs = [Observation(f"mac:{mac}", "ip.address", ip, "arp")] if mac else []
    obs += [Observation(subject, "ip.address", ip, "tcp")]
    if model:
        obs.append(Observation(subject, "sadp.device_description", model, "sadp"))
    if serial:
        obs.append(Observation(subject, "sadp.serial", serial, "sadp"))
    obs += [Observation(subject, f, v, "test") for f, v in extra]
    return obs


def face_terminal(ip: str = "10.0.0.51") -> list[Observation]:
    return [
        Observation(f"ip:{ip}", "ip.address", ip, "tcp"),
        Observation(f"ip:{ip}", "sadp.device_description", "DS-K1T671MF", "sadp"),
    ]


def devices(*groups: list[Observation]) -> list[Device]:
    return identify([o for g in groups for o in g])


def registry(text: str = REGISTRY) -> Registry:
    return parse_registry(text, "site.yaml")


def kinds(findings: tuple[Finding, ...]) -> list[tuple[str, str, str | None]]:
    return [(f.kind.value, f.severity.value, f.reason) for f in findings]


def run_compare(*groups: list[Observation], reg: Registry | None = None) -> tuple[Finding, ...]:
    return compare(devices(*groups), reg or registry(), scope=SCOPE, today=TODAY)


def test_registered_camera_matches_by_its_serial_and_mac() -> None:
    (finding,) = run_compare(camera())
    assert (finding.kind, finding.severity) == (FindingKind.REGISTERED, Severity.INFO)
    assert (finding.deployment, finding.registry_id) == ("lobby", "cam-lobby")
    assert "serial DS-2CD2143G2-I20230511AAWR5AC041" in finding.why
    assert "MAC address 44:19:b6:5a:c0:41" in finding.why


def test_unregistered_collectors_are_critical_when_biometric() -> None:
    findings = run_compare(
        camera(), face_terminal(), camera("10.0.0.44", "44:19:b6:00:00:44", "S2", "DS-2CD2386G2-IU")
    )
    assert kinds(findings) == [
        ("unregistered_collector", "critical", "unregistered"),
        ("unregistered_collector", "high", "unregistered"),
        ("registered", "info", "registered"),
    ]
    assert "10.0.0.51 is not in the site registry" in findings[0].why


def test_ordinary_devices_are_not_findings() -> None:
    pc = [Observation("ip:10.0.0.12", "ip.address", "10.0.0.12", "tcp")]
    assert kinds(run_compare(camera(), pc)) == [("registered", "info", "registered")]


def test_a_swapped_camera_at_the_registered_address_is_an_identity_mismatch() -> None:
    swapped = camera(
        mac="44:19:b6:5a:c0:99", serial="DS-2CD2386G2-IU20240101AAWR000099", model="DS-2CD2386G2-IU"
    )
    (finding,) = run_compare(swapped)
    assert finding.kind is FindingKind.IDENTITY_MISMATCH
    assert finding.reason == "swapped"
    assert finding.registry_id == "cam-lobby"
    details = dict(finding.details)
    assert details["differs"] == "serial,mac,model"
    assert details["expected_mac"] == "44:19:b6:5a:c0:41"
    assert "A different device answers at 10.0.0.41" in finding.why


def test_identifiers_that_disagree_after_a_strong_match_are_a_mismatch() -> None:
    cloned = camera(serial="SOMETHING-ELSE")  # same MAC, another serial: a copied MAC
    (finding,) = run_compare(cloned)
    assert (finding.kind, finding.reason) == (FindingKind.IDENTITY_MISMATCH, "identifiers_disagree")
    assert dict(finding.details)["matched_by"] == "mac"


def test_a_bluetooth_name_alone_never_matches_a_registry_entry() -> None:
    """Catalogue case 46: a spoofed advert copying a registered device's name and vendor."""
    text = REGISTRY.replace(
        "      - id: cam-lobby\n",
        '      - id: face-ble\n        ble_address: "aa:bb:cc:dd:ee:01"\n        ble_name: FaceGate-1\n'
        "      - id: cam-lobby\n",
    )
    spoof = [
        Observation("ble:11:22:33:44:55:66", "ble.local_name", "FaceGate-1", "ble"),
        Observation("ble:11:22:33:44:55:66", "ble.company_id", "0x0e25", "ble"),
    ]
    findings = compare(devices(camera(), spoof), registry(text), scope=("10.0.0.0/24", "ble:hci0"))
    assert not [
        f for f in findings if f.registry_id == "face-ble" and f.kind is FindingKind.REGISTERED
    ]
    assert ("registered_not_seen", "face-ble") in [(f.kind.value, f.registry_id) for f in findings]


def test_an_ip_only_match_is_registered_but_says_it_is_weak() -> None:
    (finding,) = run_compare(camera(mac="", serial=""))
    assert (finding.kind, finding.severity, finding.reason) == (
        FindingKind.REGISTERED,
        Severity.LOW,
        "registered_ip_only",
    )


def test_registered_but_not_seen_only_where_the_sweep_looked() -> None:
    (finding,) = compare([], registry(), scope=SCOPE)
    assert (finding.kind, finding.registry_id) == (FindingKind.REGISTERED_NOT_SEEN, "cam-lobby")
    assert "expected at 10.0.0.41" in finding.why
    assert compare([], registry(), scope=("192.168.1.0/24",)) == ()
    assert compare([], registry(), scope=("10.0.0.0/24", "!10.0.0.41/32")) == ()


def test_firmware_ports_and_address_changes_of_a_registered_device() -> None:
    text = REGISTRY.replace(
        "        model: DS-2CD2143G2-I\n",
        "        model: DS-2CD2143G2-I\n        firmware: V5.7.3\n        ports: [80, 554]\n",
    )
    moved = camera(
        ip="10.0.0.99",
        extra=(("onvif.firmware", "V5.9.0"), ("tcp.open_port", "80"), ("tcp.open_port", "23")),
    )
    findings = compare(devices(moved), registry(text), scope=SCOPE)
    assert sorted(f.reason for f in findings) == [
        "firmware_changed",
        "ip_changed",
        "ports_changed",
        "registered",
    ]
    ports = next(f for f in findings if f.reason == "ports_changed")
    assert "open ports 23, 80; the registry lists 80, 554" in ports.why


def test_previous_run_gives_new_devices_and_changes_since() -> None:
    before = ScanRun("run-1", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), None, "0", "0",
                     devices=tuple(devices(camera(extra=(("tcp.open_port", "80"),)))))  # fmt: skip
    now = devices(
        camera(extra=(("tcp.open_port", "80"), ("tcp.open_port", "8000"))), face_terminal()
    )
    findings = compare(now, registry(), previous=before, scope=SCOPE)
    reasons = {(f.reason, f.severity.value) for f in findings}
    assert ("new", "medium") in reasons  # the unregistered face terminal
    assert ("ports_changed_since_last_run", "low") in reasons
    assert not [f for f in findings if f.reason == "new" and f.registry_id]


def deployment(**changes: str) -> str:
    text = REGISTRY
    for key, value in changes.items():
        text = re.sub(rf"(\n    {key}: )[^\n]*", rf"\g<1>{value}", text, count=1)
    return text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"modalities": "[face]", "enrolled": "150000", "filing": "{status: not_filed}"},
            [("filing_overdue", "high", "filing_missing")],
        ),
        (
            {
                "modalities": "[face]",
                "enrolled": "150000",
                "filing": "{status: pending, due: 2026-04-01}",
            },
            [("filing_overdue", "high", "filing_overdue")],
        ),
        (
            {
                "modalities": "[face]",
                "enrolled": "150000",
                "filing": "{status: pending, due: 2026-06-01}",
            },
            [("filing_overdue", "low", "filing_pending")],
        ),
        ({"modalities": "[face]", "enrolled": "99000", "filing": "{status: not_filed}"}, []),
        ({"space": "changing_room"}, [("prohibited_space", "critical", "prohibited_space")]),
        ({"signage": "false"}, [("missing_signage", "medium", "missing_signage")]),
        (
            {"modalities": "[face]", "method": '"1:N"', "alternative": "false"},
            [("no_alternative", "medium", "no_alternative")],
        ),
    ],
    ids=[
        "filing-missing",
        "filing-overdue",
        "filing-pending",
        "under-threshold",
        "changing-room",
        "signage",
        "no-alternative",
    ],
)
def test_deployment_findings(changes: dict[str, str], expected: list[tuple[str, str, str]]) -> None:
    text = deployment(**changes).replace(
        "    devices:\n", "    pia: {date: 2025-05-01}\n    devices:\n"
    )
    if "filing" in changes:
        text = text.replace("    devices:\n", f"    filing: {changes['filing']}\n    devices:\n")
    findings = compare(devices(camera()), registry(text), scope=SCOPE, today=TODAY)
    assert [k for k in kinds(findings) if k[0] != "registered"] == expected


#: A value for every detail any explanation reads.
SAMPLE_DETAILS = {
    "device_class": "face_terminal", "label": "Hikvision DS-K1T671MF", "address": "10.0.0.51",
    "ip": "10.0.0.51", "registry_id": "cam-lobby", "deployment": "lobby", "location": "Lobby",
    "matched_by": "serial,mac", "serial": "S1", "mac": "aa:bb:cc:dd:ee:ff", "differs": "serial,model",
    "expected_serial": "S0", "model": "M1", "expected_model": "M0", "expected_at": "10.0.0.41",
    "firmware": "2", "expected_firmware": "1", "ports": "80", "expected_ports": "80, 554",
    "expected_ip": "10.0.0.40", "enrolled": "150000", "threshold": "100000",
    "status": "not_filed", "due": "2026-04-01", "space": "toilet", "method": "1:N",
    "previous": "run-1", "last_seen": "2026-05-01", "modalities": "face", "word": "更衣室",
    "area": "Staff area", "storage": "cloud", "legal_basis": "consent", "retention_days": "90",
    "needed_days": "30", "face": "yes", "reached": "2026-01-30", "due_basis": "computed",
    "calendar": "2025-01-01..2026-12-31",
}  # fmt: skip


def test_every_reason_reads_in_both_languages_without_gaps() -> None:
    """Every Reason has its English and its Chinese sentence (the tables are looked up without
    a fallback), and each renders with no gap from the details compare writes."""
    assert set(EN) == set(ZH) == set(Reason)
    for reason in Reason:
        f = Finding(FindingKind.CHANGED, Severity.LOW, None, "fallback", reason=reason,
                    details=tuple(SAMPLE_DETAILS.items()))  # fmt: skip
        en, zh = explain(f, "en"), explain(f, "zh")
        assert "fallback" not in (en, zh), reason
        assert not re.search(r"[{}]", en + zh), reason
        assert re.search(r"[\u4e00-\u9fff]", zh), reason
        assert not re.search(r"\b(the|is|not|and)\b", zh), (reason, zh)


def test_a_run_read_back_from_json_compares_the_same() -> None:
    now = devices(camera(extra=(("onvif.firmware", "V5.7.3"),)), face_terminal())
    run = ScanRun(
        "r", dt.datetime(2026, 5, 4, tzinfo=dt.UTC), None, "0", "0", scope=SCOPE, devices=tuple(now)
    )
    live = compare(run.devices, registry(), scope=SCOPE)
    again = parse_scanrun(scanrun_json(replace(run, findings=live)))
    assert compare(again.devices, registry(), scope=SCOPE) == live
    assert again.findings == live
