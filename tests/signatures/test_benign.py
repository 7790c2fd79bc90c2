"""No ordinary device is called a collector.

tests/data/benign/*.jsonl holds ordinary devices from public sources (printers, routers, NAS,
TVs and set-top "DVR"s, video conferencing, phones, IoT, BLE gadgets), one per line with its
observations and the citation (see the README there). The whole database runs over each; a
collector class at confidence >= 0.5 on any of them is a false alarm an officer would chase.
"""

from __future__ import annotations

import json
import re
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


#: An IEEE block cited in ``source``: ``IEEE MA-L 64-4E-D7 'HP Inc.'`` (MA-M/MA-S: 7/9 digits).
CITED_BLOCK = re.compile(r"IEEE (?:MA-L|MA-M|MA-S|IAB) ((?:[0-9A-F]{2}-)*[0-9A-F]{1,2}) '")


def test_benign_corpus_is_large_and_cited() -> None:
    assert len(DEVICES) >= 1000
    assert all(d.get("source") for d in DEVICES)
    assert len({d["id"] for d in DEVICES}) == len(DEVICES)


def test_every_mac_lies_in_the_ieee_block_its_source_cites() -> None:
    unchecked = []
    for device in DEVICES:
        macs = [
            r["value"].replace(":", "")
            for r in device["observations"]
            if r["field"] == "mac.address" and not int(r["value"][:2], 16) & 0x02  # randomised
        ]
        cited = [b.replace("-", "").lower() for b in CITED_BLOCK.findall(device["source"])]
        if macs and not any(m.startswith(b) for m in macs for b in cited):
            unchecked.append(device["id"])
    assert unchecked == []


@pytest.mark.parametrize("device", DEVICES, ids=[str(d["id"]) for d in DEVICES])
def test_ordinary_device_is_not_called_a_collector(
    device: dict[str, object], engine: Engine
) -> None:
    (found,) = identify(_observations(device), engine)
    best = found.best
    claim = best is not None and best.is_collector and best.confidence >= 0.5
    assert not claim, f"{best and best.signature_id} on {device['id']} ({device['source']})"
