"""Real artefacts of real devices through the real paths: right class, right vendor, false claims.

Each record of ``tests/data/real/*.jsonl`` is one real device (or one capture of several),
cited to the public place its values were recorded (an issue thread, a vendor guide, a test
fixture recorded from a device), labelled with the class and vendor the *source* gives. The
runner turns each record into what biosweep would see of that device and identifies it:

- ``snmp``: the recorded sysDescr/sysObjectID are encoded as the BER GetResponse an agent
  sends and read back by the SNMP probe's own parser (:func:`scanner.probes.snmp.parse_answer`);
- ``onvif``: a ``GetDeviceInformationResponse`` (raw, or rebuilt from the recorded values) read
  by the ONVIF probe's parser, plus ``tcp.service=onvif`` the probe records when a device
  answers at all;
- ``wsd``: a WS-Discovery ``ProbeMatch`` (raw, or rebuilt from the recorded types, scopes and
  XAddrs) read by :func:`scanner.probes.multicast.wsd.parse_wsd`;
- ``ssdp``: an SSDP answer or ``NOTIFY`` (recorded headers) read by ``parse_ssdp``;
- ``upnp``: a UPnP device description read by ``parse_description``;
- ``mdns``: the recorded DNS-SD records packed into one mDNS response and decoded by the mDNS
  probe's decoder (python-zeroconf underneath, as on the wire);
- ``capture``: frames rebuilt from the recorded values into a pcap, read by ``listen --pcap``'s
  own reader (:func:`scanner.passive.read_capture`) and packaged as ``listen`` does;
- ``observe``: recorded fields that no parser above produces (a MAC the source names).

A collector is right when its best identification (confidence >= 0.5) is of the labelled class
group (video, biometric, access, as the project scorer groups classes); its vendor is right when
the best identification names the labelled maker (or the labelled ``oem``: the hardware maker a
public registry names for a rebranded device, e.g. the IEEE registrant of its MAC block). A false
claim is an ordinary device called a collector (>= 0.5), or a collector given another class group
or another maker at >= 0.5.

    .venv/bin/python bench/real_artefacts.py [--data tests/data/real] [--misses] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # real_paths, real_frames beside this

from real_paths import part_observations, write_capture

from scanner import scan
from scanner.identify import default_engine, identify
from scanner.models import Device, Identification, Observation
from scanner.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "real"
MIN_CONFIDENCE = 0.5
GROUP = {
    "ip_camera": "video", "nvr_dvr": "video", "video_doorbell": "video",
    "face_terminal": "biometric", "fingerprint_reader": "biometric", "iris_scanner": "biometric",
    "palm_vein": "biometric", "biometric_unknown": "biometric", "access_control": "access",
}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """One labelled device's result."""

    record: str
    kind: str
    expected_class: str
    expected_vendor: str | None
    best: Identification | None
    expected_oem: str | None = None

    @property
    def collector(self) -> bool:
        return self.expected_class in GROUP

    @property
    def claimed_group(self) -> str | None:
        b = self.best
        if b is None or b.confidence < MIN_CONFIDENCE:
            return None
        return GROUP.get(b.device_class.value)

    @property
    def right_class(self) -> bool:
        return self.collector and self.claimed_group == GROUP[self.expected_class]

    @property
    def right_vendor(self) -> bool:
        vendor = (self.best.vendor if self.best else None) or ""
        makers = [m for m in (self.expected_vendor, self.expected_oem) if m]
        return bool(self.expected_vendor) and any(_same_maker(m, vendor) for m in makers)

    @property
    def false_claim(self) -> bool:
        if not self.collector:
            return self.claimed_group is not None
        if self.claimed_group is None:
            return False
        wrong_group = self.claimed_group != GROUP[self.expected_class]
        named = _named(self.best)
        wrong_maker = bool(self.expected_vendor and named) and not self.right_vendor
        return wrong_group or wrong_maker


def _named(best: Identification | None) -> str:
    """The maker an identification names ("" for none: a class without a maker)."""
    vendor = (best.vendor if best else None) or ""
    return "" if vendor.lower().startswith("unknown") else vendor


def _same_maker(expected: str, named: str) -> bool:
    """The first word of the label names the maker (``Hanwha`` in ``Hanwha Vision``)."""
    return expected.split(maxsplit=1)[0].lower() in named.lower()


def load(folder: Path = DATA) -> list[dict[str, Any]]:
    """Every record of the folder's JSON lines files, in file order."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                record = json.loads(line)
                record.setdefault("file", f"{path.name}:{n}")
                out.append(record)
    return out


def _subject_ip(index: int) -> str:
    return f"192.168.{100 + index // 250}.{1 + index % 250}"


def observations_of(record: dict[str, Any], ip: str) -> list[Observation]:
    """What biosweep observes of one non-capture record, through the parsers named above."""
    out: list[Observation] = []
    for part in record["parts"]:
        out += part_observations(part, ip)
    return out


def _best_of(devices: Iterable[Device], subject: str) -> Identification | None:
    return next((d.best for d in devices if subject in d.subjects), None)


def run_record(record: dict[str, Any], index: int) -> list[Outcome]:
    """The outcomes of one record: one device, or each labelled device of a capture."""
    kind = record["parts"][0]["kind"] if "parts" in record else "capture"
    if kind == "capture" or "capture" in record:
        return _run_capture(record)
    ip = _subject_ip(index)
    devices = identify(observations_of(record, ip), default_engine())
    exp = record["expected"]
    best = _best_of(devices, f"ip:{ip}")
    kinds = "+".join(dict.fromkeys(p["kind"] for p in record["parts"]))
    return [Outcome(record["id"], kinds, exp["class"], exp.get("vendor"), best, exp.get("oem"))]


def _run_capture(record: dict[str, Any]) -> list[Outcome]:
    from scanner.passive import keep_wifi, read_capture

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "capture.pcap"
        write_capture(record["capture"]["frames"], path)
        extractor = read_capture(path)
    run = scan.package_run(extractor.observations(), started=datetime.now(UTC), keep=keep_wifi)
    out = []
    for dev in record["capture"]["devices"]:
        subject = (
            f"mac:{normalize('mac.address', dev['mac'])}" if "mac" in dev else f"ip:{dev['ip']}"
        )
        best = _best_of(run.devices, subject)
        exp = dev["expected"]
        out.append(Outcome(f"{record['id']}/{dev.get('name', subject)}", "capture",
                           exp["class"], exp.get("vendor"), best, exp.get("oem")))  # fmt: skip
    return out


def run_all(records: list[dict[str, Any]]) -> list[Outcome]:
    out: list[Outcome] = []
    for i, record in enumerate(records):
        out += run_record(record, i)
    return out


def table(outcomes: list[Outcome]) -> list[str]:
    """Per kind: collectors right class / right vendor, ordinary devices, false claims."""
    rows: dict[str, Counter[str]] = {}
    for o in outcomes:
        for key in (o.kind, "all"):
            c = rows.setdefault(key, Counter())
            c["collectors"] += o.collector
            c["class"] += o.right_class
            c["vendored"] += o.collector and bool(o.expected_vendor)
            c["vendor"] += o.collector and o.right_vendor
            c["ordinary"] += not o.collector
            c["false"] += o.false_claim
    lines = ["| kind | collectors | right class | right vendor | ordinary | false claims |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for key in sorted(rows, key=lambda k: (k == "all", k)):
        c = rows[key]
        lines.append(
            f"| {key} | {c['collectors']} | {c['class']}/{c['collectors']} | "
            f"{c['vendor']}/{c['vendored']} | {c['ordinary']} | {c['false']} |"
        )
    return lines


def misses(outcomes: list[Outcome]) -> list[str]:
    out = []
    for o in outcomes:
        problem = []
        if o.collector and not o.right_class:
            problem.append("class")
        if o.collector and o.expected_vendor and not o.right_vendor:
            problem.append("vendor")
        if o.false_claim:
            problem.append("FALSE CLAIM")
        if problem:
            b = o.best
            got = f"{b.signature_id} {b.vendor} {b.device_class.value} {b.confidence}" if b else "-"
            want = f"{o.expected_class} {o.expected_vendor}"
            out.append(f"{'/'.join(problem):14s} {o.record:44.44s} want {want:32.32s} got {got}")
    return out


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    return {
        "collectors": sum(o.collector for o in outcomes),
        "right_class": sum(o.right_class for o in outcomes),
        "with_vendor": sum(o.collector and bool(o.expected_vendor) for o in outcomes),
        "right_vendor": sum(o.collector and o.right_vendor for o in outcomes),
        "ordinary": sum(not o.collector for o in outcomes),
        "false_claims": sum(o.false_claim for o in outcomes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true", help="list each miss")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    outcomes = run_all(load(args.data))
    if args.json:
        print(json.dumps(summary(outcomes)))
        return 0
    print("\n".join(table(outcomes)))
    if args.misses:
        print("\n".join(["", *misses(outcomes)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
