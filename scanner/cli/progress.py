"""A progress bar for reading a capture file: bytes and packets done, packets/s, time left.

Drawn on stderr and only when stderr is a terminal, so ``--json`` output, pipes and logs stay
clean.
"""

from __future__ import annotations

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


@contextmanager
def capture_progress(name: str) -> Iterator[Update | None]:
    """A callback that moves the bar, or None when stderr is not a terminal."""
    if not err_console.is_terminal:
        yield None
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
