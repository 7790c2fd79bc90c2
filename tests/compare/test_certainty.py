"""Severity follows the evidence: a device known only by its MAC block is suspected, never
critical (scanner/compare/certainty.py)."""

from __future__ import annotations

from scanner.compare import compare
from scanner.models import FindingKind, Observation, Severity
from scanner.wording.why import explain
from tests.compare.test_compare import SCOPE, TODAY, devices, face_terminal, registry

IRIS_MAC = "e4:47:91:5a:d0:53"  # Iris ID Systems' block: a biometrics-only vendor


def iris_by_mac_block() -> list[Observation]:
    """What a sweep learns of the office's iris reader: its MAC address, nothing else."""
    return [
        Observation(f"mac:{IRIS_MAC}", "ip.address", "10.0.0.53", "arp"),
        Observation("ip:10.0.0.53", "tcp.open_port", "80", "tcp"),
    ]


def test_an_iris_reader_known_by_its_mac_block_is_suspected_and_high_not_critical() -> None:
    (iris,) = devices(iris_by_mac_block())
    assert iris.best is not None and iris.best.device_class == "iris_scanner"
    assert {e.field for e in iris.best.evidence} <= {"mac.address", "mac.oui_vendor"}
    (finding,) = [
        f for f in compare([iris], registry(), scope=SCOPE, today=TODAY)
        if f.kind == FindingKind.UNREGISTERED_COLLECTOR
    ]  # fmt: skip
    assert finding.severity == Severity.HIGH
    zh = explain(finding, "zh")
    assert "发现疑似 Iris ID 虹膜识别设备（仅依据 MAC 地址厂商前缀判断，待现场核实）" in zh
    assert finding.why.startswith("Possibly an iris scanner (Iris ID")
    assert "from the MAC address vendor prefix only, to be verified on site) at 10.0.0.53" in (
        finding.why
    )


def test_a_face_terminal_seen_by_its_model_stays_critical() -> None:
    found = devices(face_terminal())
    (finding,) = [
        f for f in compare(found, registry(), scope=SCOPE, today=TODAY)
        if f.kind == FindingKind.UNREGISTERED_COLLECTOR
    ]  # fmt: skip
    assert finding.severity == Severity.CRITICAL
    assert "疑似" not in explain(finding, "zh")
    assert "发现海康威视 DS-K1T671MF 人脸识别终端" in explain(finding, "zh")


def test_no_vendor_prefix_only_identification_is_ever_critical() -> None:
    """Every biometric signature with a vendor-prefix rule, fed one of its examples alone."""
    from scanner.identify.signatures import VENDOR_PREFIX_FIELDS, load_signatures

    biometric = {
        "face_terminal",
        "fingerprint_reader",
        "iris_scanner",
        "palm_vein",
        "biometric_unknown",
    }
    examples = {
        e.observe
        for sig in load_signatures()
        if sig.device_class.value in biometric and any(r.vendor_prefix_only for r in sig.rules)
        for e in sig.examples
        if {field for field, _ in e.observe} <= VENDOR_PREFIX_FIELDS
    }
    assert len(examples) >= 5
    for observe in sorted(examples):
        mac = dict(observe).get("mac.address", "02:00:00:00:00:01")
        obs = [Observation(f"mac:{mac}", "ip.address", "10.0.1.9", "arp")]
        obs += [Observation(f"mac:{mac}", f, v, "test") for f, v in observe if f != "mac.address"]
        found = compare(devices(obs), registry(), scope=SCOPE, today=TODAY)
        unregistered = [f for f in found if f.kind == FindingKind.UNREGISTERED_COLLECTOR]
        assert unregistered, observe
        assert all(f.severity == Severity.HIGH for f in unregistered), (observe, found)
        assert all("疑似" in explain(f, "zh") for f in unregistered), observe
