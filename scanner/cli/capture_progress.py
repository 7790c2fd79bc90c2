"""The progress of reading a capture file: bytes and packets done, packets/s, time left.

On stderr only (``--json`` output stays clean): a live bar on a terminal; without one (a log, a
pipe, CI) a plain line at most every :data:`~scanner.cli.progress.PLAIN_EVERY` seconds, as the
sweep's progress does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from scanner.cli.console import err_console
from scanner.cli.progress import PLAIN_EVERY

Update = Callable[[int, int, int], None]  # bytes read, file size, packets


class _PacketsColumn(TextColumn):
    """``123,456 packets  150,000/s``."""

    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Task) -> Text:
        packets = int(task.fields.get("packets", 0))
        elapsed = task.elapsed or 0.0
        rate = f"{packets / elapsed:,.0f}/s" if elapsed > 0.5 else "…"
        return Text(f"{packets:,} packets  {rate}")


def plain_line(name: str, done: int, size: int, packets: int, elapsed: float) -> str:
    """``reading site.pcap: 45 % of 27.0 MB, 123,456 packets, 150,000/s, about 3 s left``."""
    parts = [f"{name}: {packets:,} packets"]
    if size:
        parts[0] = f"{name}: {100 * done // size} % of {size / 1e6:.1f} MB, {packets:,} packets"
    if elapsed > 0:
        parts.append(f"{packets / elapsed:,.0f}/s")
    if size and done and elapsed > 0 and done < size:
        parts.append(f"about {elapsed * (size - done) / done:.0f} s left")
    return ", ".join(parts)


@contextmanager
def capture_progress(name: str) -> Iterator[Update]:
    """A callback that reports the reading's progress on stderr."""
    if not err_console.is_terminal:
        start, last = time.monotonic(), time.monotonic()

        def line(done: int, size: int, packets: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PLAIN_EVERY:
                last = now
                err_console.print(plain_line(name, done, size, packets, now - start), markup=False)

        yield line
        return
    columns = (
        TextColumn("[bold]{task.description}", markup=True),
        BarColumn(),
        DownloadColumn(),
        _PacketsColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(Text(name).markup, total=None)

        def update(done: int, size: int, packets: int) -> None:
            bar.update(task, completed=done, total=size or None, packets=packets)

        yield update
