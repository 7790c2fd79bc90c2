"""``--push URL`` for sweep and watch, and ``biosweep push``: send runs to a console.

The push never loses a run: it is spooled first and leaves the spool only when the console
has it (:mod:`scanner.sensor.push`). An unreachable console is a warning (the run waits and
goes with the next push); a console that refuses the run (token, size, validation) is an
error, exit status 3.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scanner.cli import progress
from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, err_console, fail
from scanner.errors import InputError
from scanner.models import ScanRun
from scanner.probes.progress import Progress
from scanner.store import default_store_path

if TYPE_CHECKING:  # the sensor (HTTP, the run's JSON reader) loads only when a push is asked for
    from scanner.sensor import Pusher, PushResult

PUSH_HELP = "Upload the run to this console (https://HOST:PORT; biosweep serve)."
TOKEN_HELP = "File holding the sensor token (default: $BIOSWEEP_PUSH_TOKEN)."  # noqa: S105
CA_HELP = "CA or certificate file the console's certificate must match (self-signed consoles)."


def spool_dir() -> Path:
    """Where runs wait for the console: $BIOSWEEP_SPOOL, or 'spool' beside the history."""
    env = os.environ.get("BIOSWEEP_SPOOL")
    return Path(env).expanduser() if env else default_store_path().parent / "spool"


def pusher(url: str | None, token_file: Path | None, ca: Path | None) -> Pusher | None:
    """The Pusher the flags ask for (checked before any sweeping), or None without --push."""
    if not url:
        return None
    from scanner.sensor import Pusher, PushError, check_url
    from scanner.sensor.push import read_token

    try:
        return Pusher(check_url(url), read_token(token_file), spool_dir(), ca)
    except PushError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def report(result: PushResult) -> bool:
    """Say what the push did; False when the console refused a run."""
    for run_id in result.sent:
        err_console.print(f"pushed {run_id}", markup=False)
    if result.problem:
        err_console.print(
            f"push: {result.problem}; {result.waiting} run(s) wait in the spool "
            f"({spool_dir()}) and go with the next push",
            markup=False,
        )
    return not result.refused


def push_run(p: Pusher, run: ScanRun) -> bool:
    try:
        return report(p.push(run))
    except OSError as exc:
        err_console.print(f"push: cannot write the spool {p.spool}: {exc}", markup=False)
        return False


def live_feed(sensor: Pusher | None) -> Callable[[Progress], None] | None:
    """What tells the console a sweep's progress as it runs (with --push), or None."""
    if sensor is None:
        return None

    def feed(p: Progress) -> None:
        sensor.progress(progress.phase(p), p.addresses, p.discovered, p.done)

    return feed


def push(
    runs: list[Path] = typer.Argument(None, metavar="[RUN.json]...", help="Saved runs to send."),
    to: str = typer.Option(..., "--to", help="The console: https://HOST:PORT."),
    token_file: Path = typer.Option(None, "--push-token-file", help=TOKEN_HELP),
    ca: Path = typer.Option(None, "--push-ca", help=CA_HELP),
) -> None:
    """Send saved runs (sweep --json files) and everything waiting in the spool to a console.

    Exit status: 0 all sent, 2 bad input, 3 the console refused a run or could not be reached
    (what was not sent stays in the spool).
    """
    p = pusher(to, token_file, ca)
    assert p is not None
    try:
        for path in runs or []:
            p.spool_file(path)
        result = p.flush()
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except OSError as exc:
        raise fail(f"cannot write the spool {p.spool}: {exc}", EXIT_RUNTIME) from None
    report(result)
    if result.problem:
        raise typer.Exit(EXIT_RUNTIME)
