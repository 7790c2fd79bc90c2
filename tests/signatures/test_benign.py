"""No ordinary device is called a collector.

tests/data/benign/*.jsonl holds ordinary devices from public sources (printers, routers, NAS,
TVs and set-top "DVR"s, video conferencing, phones, IoT, BLE gadgets), one per line with its
observations and the citation (see the README there). The whole database runs over each; a
collector class at confidence >= 0.5 on any of them is a false alarm an officer would chase.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.identify import identify
from scanner.identify.engine import Engine
from scanner.models import Observation
from scanner.normalize import normalize

BENIGN = Path(__file__).parent.parent / "data" / "benign"
DEVICES = [
    json.loads(line)
    for path in sorted(BENIGN.glob("*.jsonl"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _observations(device: dict[str, object]) -> list[Observation]:
    rows = device["observations"]
    assert isinstance(rows, list)
    return [
        Observation(f"benign:{device['id']}", r["field"], normalize(r["field"], str(r["value"])))
        for r in rows
    ]


def test_benign_corpus_is_large_and_cited() -> None:
    assert len(DEVICES) >= 300
    assert all(d.get("source") for d in DEVICES)
    assert len({d["id"] for d in DEVICES}) == len(DEVICES)


@pytest.mark.parametrize("device", DEVICES, ids=[str(d["id"]) for d in DEVICES])
def test_ordinary_device_is_not_called_a_collector(
    device: dict[str, object], engine: Engine
) -> None:
    (found,) = identify(_observations(device), engine)
    best = found.best
    claim = best is not None and best.is_collector and best.confidence >= 0.5
    assert not claim, f"{best and best.signature_id} on {device['id']} ({device['source']})"
