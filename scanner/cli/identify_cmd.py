"""``biosweep identify``: observations (JSON lines) in, devices out. Offline."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import BinaryIO

import typer
from rich.table import Table

from scanner.cli.console import console, fail, safe
from scanner.errors import BiosweepError
from scanner.identify import identify as run_identify
from scanner.identify.reader import read_observations
from scanner.inputs import open_input
from scanner.models import Device
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
        console.print(device_table(devices))
        return
    out = sys.stdout
    for device in devices:
        out.write(device_line(device) + "\n")


def _display_order(device: Device) -> tuple[int, str, str]:
    """Collectors first, then identified devices, then unknown ones; by class, then id."""
    best = device.best
    rank = 0 if device.is_collector else 1 if best else 2
    return (rank, best.device_class.value if best else "", device.id)


def device_table(devices: list[Device]) -> Table:
    collectors = sum(d.is_collector for d in devices)
    title = f"{len(devices)} devices, {collectors} collectors"
    table = Table(title=title, title_justify="left")
    for column in ("device", "class", "vendor", "product / model", "conf.", "strongest evidence"):
        table.add_column(column)
    for device in sorted(devices, key=_display_order):
        best = device.best
        if best is None:
            table.add_row(safe(device.id), "-", "-", "-", "-", "-")
            continue
        model = best.attribute("model")
        product = f"{best.product} {model}" if model else best.product
        ev = best.evidence[0] if best.evidence else None
        evidence = f"{ev.field}={ev.value}" if ev else "-"
        cls = f"[bold red]{best.device_class}[/]" if best.is_collector else best.device_class.value
        table.add_row(
            safe(device.id),
            cls,
            safe(best.vendor),
            safe(product),
            f"{best.confidence:.2f}",
            safe(evidence, 80),
        )
    return table
