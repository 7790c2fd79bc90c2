"""The watch loop: sweep on a schedule under the site lock, store every run, alert on what is
new or changed, apply retention. ``biosweep watch`` (:mod:`scanner.cli.watch_cmd`) builds a
:class:`Watch` from the configuration and flags and tells the operator what happens through
:class:`WatchEvents` (:mod:`scanner.cli.watching` prints them); tests build one with a fake
sweep.

One tick: record the run as ``running`` → sweep (comparing with the site registry, reloaded
each time, and the site's previous stored run) → save the run in one transaction → build the
alert (findings new or changed since the previous run, at or above the floor) and hand it to
every channel → purge runs past retention. A failed channel is reported and the watch goes on;
a store failure (disk full) ends the watch with an error.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Protocol

from scanner.alerts import Alert, AlertError, Sender, build_alert
from scanner.config.schedule import Schedule
from scanner.models import ScanRun, Severity
from scanner.registry import load_registry
from scanner.scan import SweepOptions
from scanner.store import Store

Sweep = Callable[[SweepOptions], ScanRun]


@dataclass
class TickResult:
    run: ScanRun
    alert: Alert | None
    delivered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class WatchEvents(Protocol):
    """What the loop tells its operator (the CLI prints it)."""

    def finished(self, number: int, result: TickResult) -> None:
        """Run ``number`` (from 1) was saved, and alerted on."""

    def next_run(self, wake: datetime) -> None:
        """The loop sleeps until ``wake``."""

    def stopped(self) -> None:
        """Ctrl-C or SIGTERM ended the watch (the run in progress was saved)."""


class Quiet:
    """Events nobody is told about."""

    def finished(self, number: int, result: TickResult) -> None:
        pass

    def next_run(self, wake: datetime) -> None:
        pass

    def stopped(self) -> None:
        pass


def deliver(alert: Alert, senders: list[Sender]) -> tuple[list[str], list[str]]:
    """Hand ``alert`` to every channel; (receipts, failures). One failure stops no other."""
    delivered, failed = [], []
    for sender in senders:
        try:
            delivered.append(sender.send(alert))
        except AlertError as exc:
            failed.append(str(exc))
    return delivered, failed


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C: the sweep keeps what it saw, the run is saved, we end."""

    def handler(_sig: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


@dataclass
class Watch:
    store: Store
    sweep: Sweep
    options: SweepOptions
    scope: tuple[str, ...]
    schedule: Schedule
    senders: list[Sender]
    floor: Severity = Severity.HIGH
    registry: Path | None = None
    keep_days: int | None = None
    events: WatchEvents = field(default_factory=Quiet)
    push: Callable[[ScanRun], bool] | None = None  # after saving: upload; False if refused
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    failures: int = 0
    incomplete: int = 0  # runs a source asked for could not complete (not a stop by signal)

    def tick(self) -> TickResult:
        """One sweep, saved, compared and alerted on."""
        site = self.options.site
        previous = self.store.latest(site)
        registry = load_registry(self.registry) if self.registry is not None else None
        opts = replace(self.options, registry=registry, previous=previous)
        handle = self.store.begin_run(site, self.options.operator, self.scope)
        try:
            run = self.sweep(opts)
            if site and not run.site:
                run = replace(run, site=site)
            self.store.finish_run(handle, run)
        except BaseException as exc:
            self.store.abandon(handle, f"{type(exc).__name__}: {str(exc)[:200]}")
            raise
        if not run.complete and not run.interrupted:
            self.incomplete += 1
        alert = build_alert(run, previous, self.floor)
        result = TickResult(run, alert)
        if alert is not None:
            result.delivered, result.failed = deliver(alert, self.senders)
            self.failures += len(result.failed)
        if self.push is not None and not self.push(run):
            self.failures += 1
        if self.keep_days:
            self.store.purge(self.keep_days, now=self.now())
        return result

    def run(self, count: int | None = None) -> int:
        """Tick on the schedule until ``count`` runs are done or a signal arrives; returns
        the number of runs made."""
        done = 0
        while count is None or done < count:
            started = self.now()
            try:
                result = self.tick()
            except KeyboardInterrupt:
                self.events.stopped()
                break
            done += 1
            self.events.finished(done, result)
            if result.run.interrupted:
                self.events.stopped()
                break
            if count is not None and done >= count:
                break
            wake = self.schedule.next_after(started, self.now())
            self.events.next_run(wake)
            try:
                self._wait_until(wake)
            except KeyboardInterrupt:
                self.events.stopped()
                break
        return done

    def _wait_until(self, wake: datetime) -> None:
        while (left := (wake - self.now()).total_seconds()) > 0:
            self.sleep(min(left, 60.0))
