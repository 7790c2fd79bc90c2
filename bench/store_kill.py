"""SIGKILL the history writer at random points, many times (SAFETY-CATALOGUE case 56).

The test suite runs 50 iterations (tests/store/test_kill.py); this runs as many as asked
(default 500) and reports how the kills landed: after each one the reopened history must pass
``integrity_check``/``foreign_key_check`` and hold only complete runs (with every row their
counts promise) or interrupted ones (with none). Run from the project root:

    .venv/bin/python bench/store_kill.py [--iterations 500] [--max-delay 0.08] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.store import Store
from tests.store.crash import kill_once, problems
from tests.store.sample import make_run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--max-delay", type=float, default=0.08, help="seconds before the kill")
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="biosweep-kill-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "history.sqlite"
    template = make_run(pcs=2)
    started = time.monotonic()
    bad = 0
    for seed in range(args.iterations):
        kill_once(path, template, seed, args.max_delay)
        found = problems(path)
        if found:
            bad += 1
            print(f"iteration {seed}: {found}")
    elapsed = time.monotonic() - started
    with Store.open(path) as db:
        statuses = Counter(r.status for r in db.runs())
    print(
        f"{args.iterations} kills in {elapsed:.1f} s; {bad} with problems; runs left after "
        f"purges: {dict(statuses)}; database {path}"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
