"""The signature database tested by its own examples (recog's self-test).

Each example is a test: it must match its signature with exact extractions and rank that
signature first across the whole database; each counterexample must not match.
"""

from __future__ import annotations

import pytest

from scanner.identify.engine import Engine
from scanner.identify.selfcheck import check_example, identifications
from scanner.identify.signatures import load_files, load_signatures, signature_files
from scanner.identify.vocab import load_vocabulary
from scanner.models import BIOMETRIC_CLASSES, Certainty, DeviceClass

SIGNATURES = load_signatures()
EXAMPLES = [(s, e) for s in SIGNATURES for e in s.examples]
COUNTERS = [(s, c) for s in SIGNATURES for c in s.counterexamples]


def test_database_loads_without_problems() -> None:
    _, problems = load_files(signature_files())
    assert problems == []
    assert len(SIGNATURES) > 0


@pytest.mark.parametrize(
    ("sig", "example"), EXAMPLES, ids=[f"{s.id}:{e.line}" for s, e in EXAMPLES]
)
def test_example_matches_and_ranks_first(sig, example, engine: Engine) -> None:
    assert check_example(sig, example, engine) == []


@pytest.mark.parametrize(
    ("sig", "counter"), COUNTERS, ids=[f"{s.id}:{c.line}" for s, c in COUNTERS]
)
def test_counterexample_does_not_match(sig, counter, engine: Engine) -> None:
    matched = {i.signature_id for i in identifications(counter.observe, engine)}
    assert sig.id not in matched, counter.why


def test_every_regex_is_anchored_and_every_field_known() -> None:
    vocab = load_vocabulary()
    for sig in SIGNATURES:
        for rule in sig.rules:
            for cond in rule.conditions:
                body = cond.source.split(")", 1)[1] if cond.source.startswith("(?") else cond.source
                assert body.startswith("^"), (sig.id, cond.source)
                assert body.endswith("$"), (sig.id, cond.source)
                assert vocab.has_field(cond.field), (sig.id, cond.field)


def test_vendor_prefix_rules_claim_biometric_class_only_for_biometrics_only_vendors() -> None:
    for sig in SIGNATURES:
        prefix_rules = [r for r in sig.rules if r.vendor_prefix_only]
        if sig.device_class in BIOMETRIC_CLASSES and prefix_rules:
            assert sig.biometric_only_vendor in sig.references, sig.id
            assert all(r.certainty is not Certainty.HIGH for r in prefix_rules), sig.id


def test_biometrics_only_vendor_blocks_claim_their_modality() -> None:
    engine = Engine(SIGNATURES)
    claims = {
        "e4:47:91:00:00:01": ("Iris ID", "iris_scanner"),
        "00:06:33:00:00:01": ("Crossmatch", "biometric_unknown"),
        "00:17:c6:00:00:01": ("Crossmatch", "biometric_unknown"),
        "cc:35:5a:00:00:01": ("SecuGen", "fingerprint_reader"),
        "7c:47:7c:30:00:01": ("EyeLock", "iris_scanner"),
        # vendors that also sell non-biometric products, or whose line is not documented
        "00:06:8e:00:00:01": ("HID", "access_control"),
        "74:f9:1a:00:00:01": ("Onface", "access_control"),
    }
    for mac, (vendor, cls) in claims.items():
        best = identifications((("mac.address", mac),), engine)[0]
        assert vendor in best.vendor and best.device_class == cls, (mac, best.signature_id)
        assert best.confidence <= 0.7


def test_every_collector_class_is_covered() -> None:
    classes = {s.device_class for s in SIGNATURES}
    wanted = {
        DeviceClass.IP_CAMERA, DeviceClass.NVR_DVR, DeviceClass.VIDEO_DOORBELL,
        DeviceClass.FACE_TERMINAL, DeviceClass.FINGERPRINT_READER, DeviceClass.PALM_VEIN,
        DeviceClass.IRIS_SCANNER, DeviceClass.ACCESS_CONTROL,
    }  # fmt: skip
    assert wanted <= classes, wanted - classes


def test_at_least_twenty_vendors_with_collectors() -> None:
    vendors = {
        s.vendor for s in SIGNATURES if s.device_class.value in {c.value for c in DeviceClass}
    }
    assert len(vendors) >= 20


def test_every_signature_cites_a_reference() -> None:
    assert all(s.references for s in SIGNATURES)


def test_every_registrant_in_the_maker_table_has_blocks_in_the_shipped_registry() -> None:
    """A registrant name the IEEE no longer uses matches nothing: the maker table must name
    registrants exactly as the shipped registry does (anchored on full names)."""
    from scanner.identify import oui

    files, _ = load_files([p for p in signature_files() if p.name == "makers.yaml"])
    stale = [
        (sig.id, r)
        for sig in files[0].signatures
        for rule in sig.rules
        for c in rule.conditions
        if c.field == "mac.oui_vendor"
        for r in _alternatives(c.source)
        if not oui.blocks_of(r)
    ]
    assert stale == []


def _alternatives(pattern: str) -> list[str]:
    """The literal registrant names of a maker entry's ``mac.oui_vendor`` rule."""
    import re

    body = pattern.removeprefix("(?i)^(?:").removesuffix(")$")
    return [re.sub(r"\\(.)", r"\1", alt) for alt in body.split("|")]
