"""Real artefacts of real devices (``tests/data/real``, each cited) through the real parsers and
``listen --pcap``'s reader: no false claim, and no fewer right answers than the recorded floor
(``bench/real_artefacts.py`` prints the table; raise the floor when a change earns it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("scapy", reason="captures are rebuilt with scapy")

ROOT = Path(__file__).resolve().parents[2]
FLOOR = {"collectors": 34, "right_class": 28, "right_vendor": 23, "ordinary": 70}


def runner() -> ModuleType:
    path = ROOT / "bench" / "real_artefacts.py"
    spec = importlib.util.spec_from_file_location("real_artefacts", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("real_artefacts", module)
    spec.loader.exec_module(module)
    return module


def test_every_record_is_cited_and_labelled() -> None:
    for record in runner().load():
        assert record["source"].startswith("https://"), record["id"]
        labelled = (
            [record["expected"]]
            if "expected" in record
            else [d["expected"] for d in record["capture"]["devices"]]
        )
        assert all(e["class"] for e in labelled), record["id"]


def test_real_artefacts_no_false_claim_and_the_floor_holds() -> None:
    real = runner()
    outcomes = real.run_all(real.load())
    got = real.summary(outcomes)
    assert got["false_claims"] == 0, "\n".join(real.misses(outcomes))
    for key, floor in FLOOR.items():
        assert got[key] >= floor, (key, got, "\n".join(real.misses(outcomes)))
