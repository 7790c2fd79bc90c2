"""``biosweep identify``: observations (JSON lines) in, devices out. Offline."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import BinaryIO

import typer

from scanner.cli.console import ALL_HELP, WHY_HELP, console, fail
from scanner.cli.tables import device_table
from scanner.errors import BiosweepError
from scanner.identify import identify as run_identify
from scanner.identify.reader import read_observations
from scanner.inputs import open_input
from scanner.reporters.jsonout import device_line


class Format(StrEnum):
    JSONL = "jsonl"
    TABLE = "table"


def _open(path: str) -> BinaryIO:
    """stdin for ``-``, else a regular file (a FIFO or a device is refused, not waited on)."""
    return sys.stdin.buffer if path == "-" else open_input(path)


def identify(
    observations: str = typer.Option(
        ..., "--observations", "-i", help="JSON lines of {subject, field, value}; '-' reads stdin."
    ),
    fmt: Format = typer.Option(
        Format.JSONL, "--format", "-f", help="jsonl (one device per line) or table."
    ),
    collectors_only: bool = typer.Option(
        False, "--collectors-only", help="Print only collector devices."
    ),
    show_all: bool = typer.Option(False, "--all", help=ALL_HELP),
    why: bool = typer.Option(False, "--why", help=WHY_HELP),
) -> None:
    """Identify devices from saved observations, offline (no packet is sent)."""
    try:
        stream = _open(observations)
        try:
            devices = run_identify(read_observations(stream))
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    except BiosweepError as exc:
        raise fail(str(exc)) from None
    if collectors_only:
        devices = [d for d in devices if d.is_collector]
    if fmt is Format.TABLE:
        console.print(device_table(devices, show_all=show_all, why=why))
        return
    out = sys.stdout
    for device in devices:
        out.write(device_line(device) + "\n")
