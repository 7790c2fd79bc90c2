"""How long ``biosweep --version`` takes to start, and what it imports.

Runs ``python -m scanner --version`` in fresh processes (best of ``--repeat`` wall times; the
machine's other load only ever adds time) and once under ``python -X importtime``, and prints
the largest cumulative imports. With ``--hyperfine`` (when installed) it also runs hyperfine
on the installed ``biosweep`` script. Target: at most 0.25 s on an idle machine.

    .venv/bin/python bench/startup.py [--repeat 20] [--top 15] [--hyperfine]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

COMMAND = [sys.executable, "-m", "scanner", "--version"]


def wall_times(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(COMMAND, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def import_times(top: int) -> list[tuple[int, str]]:
    """The ``top`` largest cumulative import times (microseconds) of one start."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *COMMAND[1:]], check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), m.group(3)))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--hyperfine", action="store_true")
    args = parser.parse_args()
    times = wall_times(args.repeat)
    load = os.getloadavg()[0]
    print(
        f"biosweep --version: best {min(times):.3f} s, median "
        f"{sorted(times)[len(times) // 2]:.3f} s of {args.repeat} (load average {load:.1f})"
    )
    print("largest cumulative imports (ms):")
    for micro, name in import_times(args.top):
        print(f"  {micro / 1000:8.1f}  {name}")
    script = Path(sys.executable).parent / "biosweep"
    if args.hyperfine and shutil.which("hyperfine") and script.exists():
        subprocess.run(["hyperfine", "--warmup", "3", f"{script} --version"], check=False)


if __name__ == "__main__":
    main()
