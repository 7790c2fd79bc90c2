"""The sweep's progress on stderr: a live line on a terminal, plain periodic lines without one.

Both say the same: the phase running (ARP, multicast, hosts, probes, identifying), addresses
done of the total, live hosts, collectors identified so far and the time left, estimated from
the pace so far. Nothing is ever written to stdout (``--json`` output stays clean). ``quiet``
keeps only the first and last line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.probes.progress import Progress as SweepProgress

#: Seconds between plain lines when stderr is not a terminal (a log, a pipe, CI).
PLAIN_EVERY = 10.0
NAMES = {
    "passive": "listening",
    "arp": "ARP",
    "multicast": "multicast",
    "hosts": "hosts",
    "identify": "identifying",
}


def phase(p: SweepProgress) -> str:
    """The running phases, in plain words: "ARP+multicast+hosts", then "probes" once every
    address has been handed out and only probing remains."""
    names = [NAMES.get(n, n) for n in p.phases]
    if p.drawn:
        names = ["probes" if n == "hosts" else n for n in names]
    return "+".join(dict.fromkeys(names)) or ("finishing" if p.done else "starting")


def time_left(p: SweepProgress, elapsed: float) -> str:
    """About how long is left at the pace so far ("about 1 min 20 s"), or "" too early: before
    2 s, and while ARP or listening runs (the silent addresses of a segment count as done only
    when its ARP sweep ends, so the pace is not yet known)."""
    early = p.done <= 0 or elapsed < 2 or {"arp", "passive"} & set(p.phases)
    if p.addresses <= 0 or early or p.done >= p.addresses:
        return ""
    left = elapsed * (p.addresses - p.done) / p.done
    minutes, seconds = divmod(int(left + 0.5), 60)
    return f"about {minutes} min {seconds} s left" if minutes else f"about {seconds} s left"


def summary(p: SweepProgress, elapsed: float) -> str:
    """One line: phase, addresses done of total, live hosts, collectors, time left."""
    done = min(p.done, p.addresses) if p.addresses else p.done
    parts = [
        f"{phase(p)}: {done}/{p.addresses} addresses",
        f"{p.discovered} live hosts",
        f"{p.collectors} collectors so far",
    ]
    left = time_left(p, elapsed)
    return ", ".join([*parts, *([left] if left else [])])


@contextmanager
def live(console: Console) -> Iterator[SweepProgress]:
    """A live progress line on a terminal (stderr); yields the Progress the sweep updates."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    start = time.monotonic()
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=None, counts="")

        def update(p: SweepProgress) -> None:
            line = summary(p, time.monotonic() - start)
            head, _, counts = line.partition(": ")
            bar.update(task, description=head, total=p.addresses or None, counts=counts,
                       completed=min(p.done, p.addresses or p.done))  # fmt: skip

        yield SweepProgress(notify=update)


@contextmanager
def plain(write: Callable[[str], None], every: float = PLAIN_EVERY) -> Iterator[SweepProgress]:
    """Plain lines (no terminal): one when the phase changes and at most one each ``every``
    seconds otherwise."""
    start = time.monotonic()
    last_at, last_phase = -every, ""

    def update(p: SweepProgress) -> None:
        nonlocal last_at, last_phase
        now = time.monotonic()
        current = phase(p)
        if not p.phases:  # between stages: the next one's line says more
            return
        if current != last_phase or now - last_at >= every:
            last_at, last_phase = now, current
            write(summary(p, now - start))

    yield SweepProgress(notify=update)


def timings_line(p: SweepProgress, startup: float | None) -> str:
    """``sweep --timings``: start-up, then each phase's span in seconds from the sweep's start
    (phases overlap: ARP, multicast and the hosts run together), and the sweep's total."""
    total = time.monotonic() - p.origin
    spans = sorted(p.timings.items(), key=lambda kv: kv[1])
    parts = [f"{name} {start:.2f}-{end:.2f}" for name, (start, end) in spans]
    head = [f"start-up {startup:.2f}"] if startup is not None else []
    return "timings (s): " + "; ".join([*head, *parts, f"sweep {total:.2f}"])
