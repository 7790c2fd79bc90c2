"""What ``biosweep watch`` tells the operator about its loop (:mod:`scanner.watch`): one
summary per run, the alerts sent or not, when the next run starts, and that it stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from scanner.normalize import clean_text
from scanner.watch import TickResult


@dataclass
class WatchReport:
    """:class:`scanner.watch.WatchEvents` as lines handed to ``write`` (stderr in the CLI)."""

    write: Callable[[str], None]

    def finished(self, number: int, result: TickResult) -> None:
        run = result.run
        state = "complete" if run.complete else "INCOMPLETE (not an all-clear)"
        alert = result.alert
        self.write(
            f"run {number} {run.id}: {state}, {len(run.devices)} devices, "
            f"{len(run.findings)} findings"
            + (f", alert with {len(alert.items)} finding(s)" if alert else ", nothing to alert")
        )
        for line in run.why_incomplete():
            self.write(f"  {clean_text(line, 500)}")
        for line in result.delivered:
            self.write(f"  alert sent: {line}")
        for line in result.failed:
            self.write(f"  ALERT NOT SENT: {line}")

    def next_run(self, wake: datetime) -> None:
        self.write(f"next run at {wake:%Y-%m-%d %H:%M:%S %Z}".rstrip())

    def stopped(self) -> None:
        self.write("stopped")
