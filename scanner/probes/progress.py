"""What a running sweep tells its watcher: counters, the phases running, and their timings.

The CLI draws it (:mod:`scanner.cli.progress`); the sweep's sources update it through the
typed methods below, and ``notify`` is called after every change. Each phase's span (first
start to last end, from the moment the sweep began) is kept in :attr:`Progress.timings`:
``sweep --timings`` prints them and ``bench/sweep_vs_nmap.py`` reports them as the breakdown.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Phase(StrEnum):
    """The stages of a sweep the progress display names."""

    PASSIVE = "passive"
    ARP = "arp"
    MULTICAST = "multicast"
    HOSTS = "hosts"
    IDENTIFY = "identify"


@dataclass
class Progress:
    """Counters the CLI shows live; ``notify`` is called after every change.

    ``phases`` are the stages running now; ``done`` counts addresses finished (probed, found
    dead, or silent to ARP), ``collectors`` the hosts whose answers so far identify a collector
    (once the signature database has loaded: a live estimate; the run's devices are the result).
    ``timings`` maps each phase (and the steps timed without being shown, such as the IPv6
    echo or the report) to its (start, end) in seconds since the sweep began."""

    addresses: int = 0
    discovered: int = 0
    probed: int = 0
    done: int = 0
    collectors: int = 0
    phases: list[Phase] = field(default_factory=list)
    drawn: bool = False  # every address handed to a worker: what is left is probing
    notify: Callable[[Progress], None] = field(default=lambda _p: None, repr=False)
    timings: dict[str, tuple[float, float]] = field(default_factory=dict)
    origin: float = field(default_factory=time.monotonic, repr=False)

    def host_alive(self) -> None:
        """A host answered: it is live and will be probed."""
        self.discovered += 1
        self.notify(self)

    def host_probed(self, collectors: int = 0) -> None:
        """A live host's probing ended; ``collectors`` more hosts are now judged collectors."""
        self.probed += 1
        self.collectors += collectors
        self.notify(self)

    def addresses_done(self, count: int = 1) -> None:
        """Addresses finished: probed, found dead, or silent where ARP proves absence."""
        self.done += count
        self.notify(self)

    def all_drawn(self) -> None:
        """Every address has been handed to a worker: only probing is left."""
        if not self.drawn:
            self.drawn = True
            self.notify(self)

    @contextlib.contextmanager
    def phase(self, name: Phase) -> Iterator[None]:
        """Mark ``name`` running (shown, and timed) for the duration of the block."""
        self.phases.append(name)
        self.notify(self)
        try:
            with self.timed(name):
                yield
        finally:
            self.phases.remove(name)
            self.notify(self)

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Record the block's span under ``name`` (merged with earlier spans of that name)."""
        start = time.monotonic() - self.origin
        try:
            yield
        finally:
            end = time.monotonic() - self.origin
            first, last = self.timings.get(name, (start, end))
            self.timings[name] = (min(first, start), max(last, end))
