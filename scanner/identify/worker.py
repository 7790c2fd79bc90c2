"""The signature database in a process of its own, for a one-shot sweep and for ``listen``.

Loading the database is about two seconds of CPU (YAML and some 2,300 regexes compiled by
``re``, pure Python). In a thread (:class:`scanner.identify.preload.Preload`) it holds the GIL
against the sweep's event loop for all that time: on the office lab the sweep took 3.3 s with
it and 2.0 s without (``bench/README.md``). A child process loads it on another core instead,
then answers the sweep's questions over a pipe: the verdict on one host's observations (the
live collector count, early stop) and, at the end, the identified devices (identification and
the privacy stage, exactly as :func:`scanner.identify.run.package_run` runs them in-process).
Between questions it compiles the generated patterns (otherwise compiled on first use), so
neither answer waits for them. ``listen`` (:mod:`scanner.cli.listen_cmd`) asks only for the
devices, once the capture is read: on the bench's 325,000-packet capture the command took
2.45 s with the load after the reading and 1.4 s with it alongside (``bench/README.md``).

The child is this package's own code, run as ``python -m scanner.identify.worker``; the pipe
carries pickles between the two processes only. It ignores Ctrl-C (an interrupted sweep is
still identified) and ends when its stdin closes. Whatever goes wrong with it (it cannot
start, it dies, the database fails to load), the run is identified in-process instead, so
the run and its errors are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from scanner.identify import engine_loaded
from scanner.identify.lazyre import compile_all
from scanner.identify.preload import Loader, Preload
from scanner.models import Device, Observation
from scanner.probes.judge import Verdict

if TYPE_CHECKING:
    from scanner.identify.engine import Engine

_READY = "ready"
#: Patterns compiled between two looks for a request (a few milliseconds: a verdict the event
#: loop waits for is answered about that soon).
_BATCH = 5


class WorkerJudge:
    """A :class:`~scanner.probes.hostwork.Judge` whose database lives in a child process;
    :meth:`devices` identifies a run's observations there (None: do it in-process)."""

    def __init__(self) -> None:
        self._ready = False
        self._proc: subprocess.Popen[bytes] | None = None
        with contextlib.suppress(OSError):
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "scanner.identify.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )

    def _ask(self, kind: str, arg: object) -> Any:
        """Send one request and read its answer; None once the child is gone."""
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            return None
        try:
            pickle.dump((kind, arg), proc.stdin)
            proc.stdin.flush()
            return pickle.load(proc.stdout)  # noqa: S301 - our own child's answer
        except (OSError, EOFError, pickle.UnpicklingError):
            self.close()
            return None

    def _read_ready(self, timeout: float | None) -> bool:
        """Has the child said it loaded the database (waiting up to ``timeout``)?"""
        proc = self._proc
        if self._ready or proc is None or proc.stdout is None:
            return self._ready
        if timeout is not None and not select.select([proc.stdout], [], [], timeout)[0]:
            return False
        try:
            self._ready = pickle.load(proc.stdout) == _READY  # noqa: S301 - our own child
        except (OSError, EOFError, pickle.UnpicklingError):
            self._ready = False
        if not self._ready:
            self.close()
        return self._ready

    def ready(self) -> bool:
        return self._read_ready(0)

    def wait(self) -> None:
        """Until the child has loaded the database (or is gone)."""
        self._read_ready(None)

    def verdict(self, seen: Sequence[Observation]) -> Verdict:
        answer = self._ask("verdict", list(seen)) if self._ready else None
        return answer if isinstance(answer, Verdict) else Verdict.OTHER

    def devices(self, observations: list[Observation]) -> list[Device] | None:
        """The identified devices of ``observations``, privacy stage applied; None when the
        child cannot answer (the caller identifies in-process)."""
        self.wait()
        answer = self._ask("devices", observations) if self._ready else None
        self.close()
        return answer if isinstance(answer, list) else None

    def close(self) -> None:
        """End the child (it answers nothing more)."""
        proc, self._proc, self._ready = self._proc, None, False
        if proc is None:
            return
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sweep_loader() -> Loader:
    """The loader of a one-shot command (``sweep``, ``listen``, ``import pcap``): a process of
    its own, unless this process has the database already (then nothing is left to load)."""
    return Preload() if engine_loaded() else WorkerJudge()


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child: load the database, say so, then answer until the parent closes the pipe."""
    from scanner.identify import default_engine, identify, oui
    from scanner.identify.preload import judged
    from scanner.identify.privacy import apply_policy

    try:
        engine = default_engine()
        oui.registrant("00:00:00:00:00:00")  # reads the IEEE registry table once
    except Exception:  # the parent identifies in-process, and reports the error there
        pickle.dump("failed", answers)
        answers.flush()
        return
    pickle.dump(_READY, answers)
    answers.flush()
    idle = _warming(engine)
    while True:
        if not select.select([requests], [], [], 0)[0] and next(idle, None) is not None:
            continue  # no request waiting: compile some more patterns meanwhile
        try:
            kind, arg = pickle.load(requests)  # noqa: S301 - our own parent's request
        except EOFError:
            return
        if kind == "verdict":
            pickle.dump(judged(engine.identify(arg)), answers)
        else:
            pickle.dump(apply_policy(identify(arg, engine)), answers)
        answers.flush()


def _warming(engine: Engine) -> Iterator[int]:
    """Compile the generated patterns (compiled on first use, :mod:`scanner.identify.lazyre`)
    a few at a time while the sweep runs, so that neither a verdict nor the run's
    identification waits for them; one step per batch, between the parent's requests."""
    lazy = [c.pattern for sig in engine.signatures for rule in sig.rules for c in rule.conditions]
    for start in range(0, len(lazy), _BATCH):
        compile_all(lazy[start : start + _BATCH])  # one that does not compile fails where used
        yield start


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a sweep ends
    _serve(sys.stdin.buffer, sys.stdout.buffer)
    # Nothing is left to write or close: skip the interpreter's teardown of the database (about
    # a tenth of a second the parent would wait for in close()).
    os._exit(0)
