"""The signature database and the IEEE registry table, loaded in a thread while a sweep waits
on the network (together about a second of parsing that would otherwise follow it), and the
sweep's judge of what one host said so far (:class:`scanner.probes.hostwork.Judge`).

While the thread parses, the event loop must not queue 5 ms (CPython's default switch
interval, ``sys.getswitchinterval``) for the GIL after every socket call: the load shortens
the process's switch interval to 0.5 ms and restores it when done. Nothing else in biosweep
changes it, and no other thread runs meanwhile that could mind (``bench/README.md``: ARP
frames went out 20 ms apart instead of 1 ms before this).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Protocol

from scanner.identify import default_engine, oui
from scanner.models import Certainty, Device, Identification, Observation
from scanner.probes.judge import Judge, Verdict

#: The switch interval while the database loads (seconds).
LOAD_SWITCH_INTERVAL = 0.0005


class Loader(Judge, Protocol):
    """How a sweep gets its signature database: judged hosts during the sweep, then the run's
    devices (:class:`Preload` in a thread; :class:`scanner.identify.worker.WorkerJudge` in a
    process of its own)."""

    def wait(self) -> None:
        """Until the database is loaded (or failed: identification will report it)."""

    def devices(self, observations: list[Observation]) -> list[Device] | None:
        """The identified devices, or None: identify in-process."""

    def close(self) -> None:
        """Let go of what the loader holds."""


class Preload:
    """Starts loading at once, in a daemon thread; the event loop never waits for it."""

    def __init__(self) -> None:
        self._done = threading.Event()
        threading.Thread(target=self._load, name="biosweep-signatures", daemon=True).start()

    def _load(self) -> None:
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, LOAD_SWITCH_INTERVAL))
        try:
            default_engine()
            oui.registrant("00:00:00:00:00:00")  # reads the IEEE registry table once
        except Exception:  # noqa: S110 - raised again, and reported, where identify runs
            pass
        finally:
            sys.setswitchinterval(interval)
            self._done.set()

    def ready(self) -> bool:
        """Loaded (or failed: identification will report it)."""
        return self._done.is_set()

    def wait(self) -> None:
        self._done.wait()

    def verdict(self, seen: Sequence[Observation]) -> Verdict:
        """What the loaded database makes of one host's observations (call once ready)."""
        return judged(default_engine().identify(seen))

    def devices(self, observations: list[Observation]) -> list[Device] | None:
        self.wait()  # loaded here (once per process): the run is identified in-process
        return None

    def close(self) -> None:
        pass


def judged(best: Sequence[Identification]) -> Verdict:
    """The :class:`Verdict` of one host's identifications, best first."""
    if not best or not best[0].is_collector:
        return Verdict.OTHER
    return Verdict.BEYOND_DOUBT if best[0].certainty is Certainty.HIGH else Verdict.COLLECTOR
