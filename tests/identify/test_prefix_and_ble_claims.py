"""How far weak evidence may go: vendor prefixes of biometrics-only vendors, and BLE claims.

A MAC block claims a biometric class only when the signature cites a catalogue showing the
registrant makes nothing but biometric devices (``biometric_only_vendor``), and then at medium;
it claims access_control above low only with a catalogue of an access-control-only maker
(``access_only_vendor``), again at medium.
A rule of BLE advertisement fields alone is capped at medium by the engine, so offline
``biosweep identify`` and the sweep (which applies the BLE privacy policy) agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.identify import identify
from scanner.identify.engine import Engine
from scanner.identify.privacy import apply_policy
from scanner.identify.signatures import parse_file
from scanner.models import Certainty, Device, DeviceClass, Observation

IRIS_OUI = """vendor: Acme Iris
references:
  ieee: "IEEE MA-L registry, registrant 'Axis Communications AB' (stand-in)"
  catalogue: "Acme product catalogue (https://acme.example/products): iris readers only"
signatures:
  - id: acme.iris-oui
    product: Acme iris reader (MAC block of an iris-only vendor)
    class: iris_scanner
    references: [ieee, catalogue]
    biometric_only_vendor: catalogue
    rules:
      - certainty: medium
        when: {mac.oui_vendor: '^Axis Communications AB$'}
    examples:
      - observe: {mac.address: "00:40:8c:00:00:01"}
        confidence: 0.7
"""

# The same block, claimed by a maker of door controllers and readers only.
DOOR_OUI = (
    IRIS_OUI.replace("Acme Iris", "Acme Doors")
    .replace("iris readers only", "door controllers and readers only")
    .replace("acme.iris-oui", "acme.door-oui")
    .replace("Acme iris reader (MAC block of an iris-only vendor)", "Acme door controller")
    .replace("class: iris_scanner", "class: access_control")
    .replace("biometric_only_vendor", "access_only_vendor")
)

BLE_NAME = """vendor: Acme
references:
  r1: "Acme manual"
signatures:
  - id: acme.ble-name
    product: Acme iris camera (BLE name)
    class: iris_scanner
    references: [r1]
    rules:
      - certainty: high
        when: {ble.local_name: '^(?P<model>AcmeIris-\\w+)$'}
      - certainty: high
        when:
          ble.local_name: '^(?P<model>AcmeIris-\\w+)$'
          http.title: '^AcmeIris$'
    examples:
      - observe: {ble.local_name: AcmeIris-X1}
        confidence: 0.7
"""


def _engine(text: str) -> Engine:
    parsed, problems = parse_file(text, "acme.yaml")
    assert problems == []
    return Engine(parsed.signatures)


def _block(engine: Engine) -> Device:
    (device,) = identify(
        [Observation("mac:00:40:8c:12:34:56", "mac.address", "00:40:8c:12:34:56")], engine
    )
    return device


@pytest.mark.parametrize(
    ("text", "device_class"),
    [(IRIS_OUI, DeviceClass.IRIS_SCANNER), (DOOR_OUI, DeviceClass.ACCESS_CONTROL)],
)
def test_a_single_line_vendors_block_claims_its_class_at_medium(
    text: str, device_class: DeviceClass
) -> None:
    device = _block(_engine(text))
    assert device.best is not None
    assert (device.best.device_class, device.best.certainty) == (device_class, Certainty.MEDIUM)
    assert device.is_collector


@pytest.mark.parametrize(
    ("text", "key", "claim", "vendor"),
    [
        (IRIS_OUI, "biometric_only_vendor", "a biometric class", "a biometrics-only"),
        (DOOR_OUI, "access_only_vendor", "access_control above low", "an access-control-only"),
    ],
)
def test_without_the_catalogue_the_same_block_may_not_claim_the_class(
    text: str, key: str, claim: str, vendor: str
) -> None:
    _, problems = parse_file(text.replace(f"    {key}: catalogue\n", ""), "acme.yaml")
    assert [p.message for p in problems] == [
        f"a rule of vendor-prefix fields alone cannot claim {claim} "
        f"(unless {key} cites a catalogue of {vendor} vendor)"
    ]


def test_without_the_catalogue_an_access_makers_block_names_the_vendor_at_low() -> None:
    text = DOOR_OUI.replace("    access_only_vendor: catalogue\n", "")
    low = text.replace("certainty: medium", "certainty: low").replace("0.7", "0.4")
    device = _block(_engine(low))
    assert device.best is not None and device.best.confidence == 0.4


def test_the_access_key_cannot_lift_a_biometric_claim() -> None:
    text = DOOR_OUI.replace("class: access_control", "class: fingerprint_reader")
    _, problems = parse_file(text, "acme.yaml")
    messages = [p.message for p in problems]
    assert "access_only_vendor applies only to access_control, not fingerprint_reader" in messages
    assert any("cannot claim a biometric class" in m for m in messages)


def test_a_ble_name_alone_is_capped_at_medium_by_the_engine() -> None:
    engine = _engine(BLE_NAME)
    (alone,) = identify([Observation("ble:h-01", "ble.local_name", "AcmeIris-X1")], engine)
    assert alone.best is not None
    assert (alone.best.confidence, alone.best.certainty) == (0.7, Certainty.MEDIUM)
    assert alone.best.attributes == (("model", "AcmeIris-X1"),)
    # one cap, in the engine: the sweep's privacy stage changes no certainty (one answer for
    # offline identify and the sweep)
    assert apply_policy([alone]) == [alone]


def test_a_ble_name_backed_by_network_evidence_keeps_its_certainty() -> None:
    engine = _engine(BLE_NAME)
    (device,) = identify(
        [
            Observation("dev:1", "ble.local_name", "AcmeIris-X1"),
            Observation("dev:1", "http.title", "AcmeIris"),
        ],
        engine,
    )
    assert device.best is not None and device.best.confidence == 0.9


def test_offline_identify_caps_a_shipped_ble_name_rule(tmp_path: Path) -> None:
    obs = tmp_path / "obs.jsonl"
    row = {"subject": "ble:h-02", "field": "ble.local_name", "value": "IriShield-BK2121"}
    obs.write_text(json.dumps(row) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "scanner", "identify", "--observations", str(obs)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    (device,) = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    best = device["identifications"][0]
    assert (best["device_class"], best["confidence"]) == ("iris_scanner", 0.7)
