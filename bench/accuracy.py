"""Identification accuracy: precision and recall per class group, false-collector rates.

Runs the shipped signature database, in-process, over

- the labelled development corpus (``$BIOSWEEP_EVAL/dev-corpus.jsonl``; each usable row becomes
  one observation exactly as the project's scorer ``score.py`` maps it, imported from beside
  the corpus so both count the same rows), and
- the benign corpus of ordinary devices (``tests/data/benign/*.jsonl``, one device a line),

and prints, per class group (video, biometric, access): recall on the group's labelled rows,
precision of the group's claims (confidence >= 0.5) among rows with a class label, and the
false-collector rate on ordinary devices of each corpus. Vendor-only rows (``ambiguous``: a MAC
prefix labelled with the vendor's default class) count for vendor recall, not for classes.

    BIOSWEEP_EVAL=DIR .venv/bin/python bench/accuracy.py [--corpus FILE] [--markdown]
        [--by field] [--by source_repo]

``--by field`` / ``--by source_repo`` add recall per kind of evidence and per public source
(collectors: the right class group; vendor-only rows: the right vendor; ordinary devices: not
called a collector), worst first.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from scanner.errors import InputError
from scanner.identify import default_engine, identify
from scanner.identify.signatures import database_version
from scanner.models import Identification, Observation
from scanner.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ("video", "biometric", "access")
MIN_CONFIDENCE = 0.5


def eval_dir() -> Path:
    """The folder of the labelled development corpus and its scorer (``BIOSWEEP_EVAL``): kept
    outside the repository, so the measure stays held out from the signatures it scores."""
    folder = os.environ.get("BIOSWEEP_EVAL")
    if not folder:
        raise SystemExit("set BIOSWEEP_EVAL to the folder of dev-corpus.jsonl and score.py")
    return Path(folder)


def load_scorer(path: Path) -> ModuleType:
    """The project scorer (``score.py``), imported for its row → observation mapping."""
    spec = importlib.util.spec_from_file_location("eval_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_by_subject(observations: list[Observation]) -> dict[str, Identification | None]:
    """Best identification of each subject (every subject is its own device here)."""
    out: dict[str, Identification | None] = {}
    for device in identify(observations, default_engine()):
        for subject in device.subjects:
            out[subject] = device.best
    return out


def claim(ident: Identification | None, group_of: Callable[[str], str | None]) -> str | None:
    """The class group an identification claims (None below the confidence threshold)."""
    if ident is None or ident.confidence < MIN_CONFIDENCE:
        return None
    return group_of(ident.device_class.value)


def corpus_rows(corpus: Path, scorer: ModuleType) -> tuple[list[dict[str, Any]], list[Observation]]:
    rows, observations = [], []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        mapped = scorer.to_observation(row)
        if mapped is None:
            continue
        field, value = mapped
        subject = f"eval:{row['id']}"
        try:
            observations.append(Observation(subject, field, normalize(field, value), "eval"))
        except InputError:  # a value the normaliser refuses is a skipped row
            continue
        rows.append({**row, "subject": subject})
    return rows, observations


def score_corpus(corpus: Path, scorer: ModuleType) -> dict[str, Any]:
    """Counts on the development corpus: per group tp/fn/fp, vendor hits, false collectors."""
    rows, observations = corpus_rows(corpus, scorer)
    best = best_by_subject(observations)
    group_of = scorer.GROUP.get
    counts: Counter[str] = Counter()
    for row in rows:
        ident = best.get(row["subject"])
        claimed = claim(ident, group_of)
        if row["polarity"] == "negative":
            counts["negative"] += 1
            counts["false_collector"] += claimed is not None
            if claimed:
                counts[f"fp:{claimed}"] += 1
        elif row.get("ambiguous"):
            counts["vendor"] += 1
            vendor = (ident.vendor if ident else "") or ""
            counts["vendor_hit"] += row["vendor"].split()[0].lower() in vendor.lower()
        else:
            truth = group_of(row["device_class"])
            counts[f"pos:{truth}"] += 1
            if claimed == truth:
                counts[f"tp:{truth}"] += 1
            elif claimed:
                counts[f"fp:{claimed}"] += 1
    counts["rows"] = len(rows)
    return dict(counts)


def breakdown(corpus: Path, scorer: ModuleType, key: str) -> dict[str, tuple[int, int]]:
    """Recall of the scored rows (collectors: the right class group; vendor-only rows: the
    right vendor; negatives: *not* called a collector) grouped by a row key (``field`` or
    ``source_repo``): ``{key value: (right, rows)}``. Shows which kinds of evidence and which
    sources the signatures generalise to, and which they do not."""
    rows, observations = corpus_rows(corpus, scorer)
    best = best_by_subject(observations)
    group_of = scorer.GROUP.get
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        ident = best.get(row["subject"])
        claimed = claim(ident, group_of)
        name = str(row.get(key) or "?")
        total[name] += 1
        if row["polarity"] == "negative":
            right[name] += claimed is None
        elif row.get("ambiguous"):
            vendor = (ident.vendor if ident else "") or ""
            right[name] += row["vendor"].split()[0].lower() in vendor.lower()
        else:
            right[name] += claimed == group_of(row["device_class"])
    return {name: (right[name], total[name]) for name in total}


def breakdown_lines(table: dict[str, tuple[int, int]], title: str, markdown: bool) -> list[str]:
    order = sorted(table.items(), key=lambda kv: (kv[1][0] - kv[1][1], -kv[1][1], kv[0]))
    if markdown:
        out = [f"\n| {title} | right | rows |", "|---|---|---|"]
        return out + [f"| {k} | {r} | {n} |" for k, (r, n) in order]
    out = [f"\nby {title} (right/rows, worst first):"]
    return out + [f"  {k:40.40s} {r:5d}/{n:<5d} {r / n:.3f}" for k, (r, n) in order]


def score_benign(folder: Path) -> tuple[int, list[str]]:
    """Devices in the benign corpus, and the ids of those called collectors."""
    devices = [
        json.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    observations = [
        Observation(f"benign:{d['id']}", o["field"], normalize(o["field"], str(o["value"])))
        for d in devices
        for o in d["observations"]
    ]
    best = best_by_subject(observations)
    flagged = [
        d["id"]
        for d in devices
        if (b := best.get(f"benign:{d['id']}")) is not None
        and b.is_collector
        and b.confidence >= MIN_CONFIDENCE
    ]
    return len(devices), flagged


def ratio(num: int, den: int) -> str:
    return f"{num}/{den} = {num / den:.3f}" if den else "n/a"


def report(counts: dict[str, Any], benign: tuple[int, list[str]], markdown: bool) -> str:
    lines = []
    today = datetime.date.today().isoformat()
    head = f"{today}, signatures {database_version()}, {len(default_engine().signatures)} sigs"
    lines.append(head if not markdown else f"Run {head}:\n")
    if markdown:
        lines += ["| class group | recall | precision |", "|---|---|---|"]
    for g in GROUPS:
        tp, pos = counts.get(f"tp:{g}", 0), counts.get(f"pos:{g}", 0)
        fp = counts.get(f"fp:{g}", 0)
        recall, precision = ratio(tp, pos), ratio(tp, tp + fp)
        lines.append(
            f"| {g} | {recall} | {precision} |"
            if markdown
            else f"{g:9s} recall {recall:22s} precision {precision}"
        )
    vendor = ratio(counts.get("vendor_hit", 0), counts.get("vendor", 0))
    fcr = ratio(counts.get("false_collector", 0), counts.get("negative", 0))
    n_benign, flagged = benign
    benign_fcr = ratio(len(flagged), n_benign)
    tail = [
        f"vendor recall (vendor-only rows): {vendor}",
        f"false-collector rate, dev corpus negatives: {fcr}",
        f"false-collector rate, tests/data/benign devices: {benign_fcr}",
    ]
    lines += [("- " if markdown else "") + t for t in tail]
    if flagged:
        lines.append("called collectors: " + ", ".join(flagged))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="default: $BIOSWEEP_EVAL/dev-corpus.jsonl")
    ap.add_argument("--scorer", type=Path, help="score.py to take the row mapping from")
    ap.add_argument("--benign", type=Path, default=ROOT / "tests/data/benign")
    ap.add_argument("--markdown", action="store_true", help="print the bench/README.md table")
    ap.add_argument(
        "--by", action="append", default=[], choices=["field", "source_repo"],
        help="also break recall down by the row's field or its source (repeatable)",
    )  # fmt: skip
    a = ap.parse_args()
    a.corpus = a.corpus or eval_dir() / "dev-corpus.jsonl"
    scorer = load_scorer(a.scorer or a.corpus.parent / "score.py")
    print(report(score_corpus(a.corpus, scorer), score_benign(a.benign), a.markdown))
    for key in a.by:
        table = breakdown(a.corpus, scorer, key)
        print("\n".join(breakdown_lines(table, key, a.markdown)))


if __name__ == "__main__":
    main()
