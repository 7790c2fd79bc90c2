"""Source-driven family audit: does the database recognise what public web collections describe?

Given snapshots of public fingerprint collections (a git directory as ``fetch`` brings it, a
work tree, or the collection file itself), takes each collection's entries as observations in
the project's vocabulary, labelled from the collection's own words (see
``bench/source_collections.py``), runs the shipped database in-process, and prints per file:

- collectors (IP camera, recorder, doorbell, biometric terminal, access control): how many
  the database puts in the right class group at confidence >= 0.5, and how many of those
  with another vendor than the collection names;
- management software (VMS, attendance, access-control platforms): how many are ``vms_server``;
- vendor-only entries (a collector maker named, no device type): how many get the vendor;
- everything else: how many are wrongly called a collector (must stay 0).

    .venv/bin/python bench/source_audit.py /work/.mirror/rapid7+recog/repo \\
        /work/.mirror/0x727+FingerprintHub/repo /work/.mirror/EdgeSecurityTeam+EHole/repo \\
        /work/.mirror/nmap+nmap/repo /work/.mirror/securifera+nuclei-templates/repo \\
        [--list missed|false|all] [--file html_title]

``--list missed`` shows the collectors the database misses (or names another vendor for),
``--list false`` the ordinary products it calls collectors; each line carries the label and
the words that gave it, so a wrong label is seen at once. Nothing is written.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from source_collections import Row, Snapshot, rows_of  # noqa: E402

from scanner.errors import InputError  # noqa: E402
from scanner.identify import default_engine, identify  # noqa: E402
from scanner.models import (  # noqa: E402
    BIOMETRIC_CLASSES,
    VIDEO_CLASSES,
    DeviceClass,
    Identification,
    Observation,
)
from scanner.normalize import normalize  # noqa: E402

MIN_CONFIDENCE = 0.5
# The class groups as the project scorer counts them: video, biometric, access.
GROUP: dict[str, str] = {
    **{c.value: "video" for c in VIDEO_CLASSES},
    **{c.value: "biometric" for c in BIOMETRIC_CLASSES},
    DeviceClass.ACCESS_CONTROL.value: "access",
}
# A collection's maker name -> the database's vendor name where the two differ (rebrands,
# Chinese names, company names); only for the audit's vendor check.
VENDOR_ALIASES = {
    "dlink": "dlink", "zhejiang": "uniview", "海康": "hikvision", "大华": "dahua",
    "宇视": "uniview", "天地伟业": "tiandy", "科达": "kedacom", "ossia": "provision",
    "steinsvik": "truen", "mercury": "hid", "samsung": "hanwha", "truvision": "interlogix",
    "dahuasecurity": "dahua", "merit": "lilin", "bird": "doorbird",
}  # fmt: skip


def best_of(rows: list[Row]) -> list[Identification | None]:
    """The best identification of each row, every row its own device."""
    observations = []
    for i, row in enumerate(rows):
        try:
            observations.append(
                Observation(f"audit:{i}", row.field, normalize(row.field, row.value))
            )
        except InputError:  # a value the normaliser refuses is not observed
            continue
    best: list[Identification | None] = [None] * len(rows)
    for device in identify(observations, default_engine()):
        for subject in device.subjects:
            best[int(subject.split(":", 1)[1])] = device.best
    return best


def same_vendor(theirs: str, ours: str) -> bool:
    words = theirs.lower().split(maxsplit=1)
    first = re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", words[0]) if words else ""
    first = next((alias for key, alias in VENDOR_ALIASES.items() if first.startswith(key)), first)
    return bool(first) and first in re.sub(r"[^0-9a-z]", "", ours.lower())


def verdict(row: Row, ident: Identification | None) -> str:
    """``ok``, ``missed``, ``wrong-vendor``, ``false`` (an ordinary product called a collector)
    or ``-`` (not counted: encoders, decoders, context-dependent values)."""
    strong = ident is not None and ident.confidence >= MIN_CONFIDENCE
    cls = ident.device_class.value if ident is not None and strong else None
    vendor_ok = not row.vendor or same_vendor(row.vendor, (ident and ident.vendor) or "")
    if row.label == "other":
        return "-"
    if row.label == "negative":
        return "false" if cls in GROUP else "ok"
    if row.label == "vms_server":
        return "ok" if cls == "vms_server" else "missed"
    if row.label == "vendor":
        return "ok" if vendor_ok else "missed"
    if cls is None or GROUP.get(cls) != GROUP[row.label]:
        return "missed"
    return "ok" if vendor_ok else "wrong-vendor"


def kind(label: str) -> str:
    if label in GROUP:
        return "collector"
    return {"vms_server": "vms", "vendor": "vendor-only"}.get(label, label)


def summary(rows: list[Row], verdicts: list[str]) -> list[str]:
    """One line per file: collectors right (how many of them with another vendor), management
    software, vendor-only entries, ordinary products called collectors."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for row, v in zip(rows, verdicts, strict=True):
        counts[(row.file, kind(row.label), v)] += 1
    titles = ("collectors", "wrong vendor", "vms", "vendor-only", "false/negatives")
    lines = [f"{'file':22s}" + "".join(f"{t:>16s}" for t in titles)]
    for file in sorted({r.file for r in rows}):

        def c(k: str, *vs: str, file: str = file) -> int:
            return sum(counts[(file, k, v)] for v in vs)

        right = c("collector", "ok", "wrong-vendor")
        cells = (
            f"{right}/{right + c('collector', 'missed')}",
            str(c("collector", "wrong-vendor")),
            f"{c('vms', 'ok')}/{c('vms', 'ok', 'missed')}",
            f"{c('vendor-only', 'ok')}/{c('vendor-only', 'ok', 'missed')}",
            f"{c('negative', 'false')}/{c('negative', 'ok', 'false')}",
        )
        lines.append(f"{file:22s}" + "".join(f"{cell:>16s}" for cell in cells))
    return lines


def listing(
    rows: list[Row], best: list[Identification | None], verdicts: list[str], which: str
) -> list[str]:
    wanted = {"missed": {"missed", "wrong-vendor"}, "false": {"false"}, "all": None}[which]
    out = []
    for row, ident, v in zip(rows, best, verdicts, strict=True):
        if wanted is not None and v not in wanted:
            continue
        got = "-"
        if ident is not None:
            cls, conf = ident.device_class.value, ident.confidence
            got = f"{cls}/{ident.vendor}/{conf:.2f}/{ident.signature_id}"
        out.append(
            f"{v:12s} {row.file}: {row.entry[:40]!r} {row.field}={row.value[:70]!r} "
            f"label={row.label}/{row.vendor} ({row.why}) got={got}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("snapshot", nargs="+", type=Path, help="a collection (git dir, tree or file)")
    ap.add_argument("--list", choices=["missed", "false", "all"], help="also list entries")
    ap.add_argument("--file", help="only rows of this file (e.g. html_title, finger)")
    a = ap.parse_args()
    rows = [r for p in a.snapshot for r in rows_of(Snapshot(p)) if not a.file or r.file == a.file]
    best = best_of(rows)
    verdicts = [verdict(r, b) for r, b in zip(rows, best, strict=True)]
    print("\n".join(summary(rows, verdicts)))
    if a.list:
        print("\n".join(listing(rows, best, verdicts, a.list)))


if __name__ == "__main__":
    main()
