"""Printing for the CLI: every device-derived string passes through :func:`safe`."""

from __future__ import annotations

import sys
from enum import StrEnum

import typer
from rich.console import Console
from rich.markup import escape

from scanner.normalize import clean_text

# Without a terminal (pipes, CI logs) Rich would wrap tables at 80 columns; give them room.
console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3
#: 4 (EXIT_LOCKED) is in history_cmd. 5: the run is incomplete (a source that was asked for
#: could not run, or it was interrupted) and found nothing: never an all-clear.
EXIT_INCOMPLETE = 5


class RunFormat(StrEnum):
    """How ``listen`` and ``import`` print a run: a table, the ScanRun JSON, or one device
    per line as ``identify`` prints them."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


FORMAT_HELP = "table (default), json (the ScanRun) or jsonl (one device per line, as identify)."
ALL_HELP = "List every device (default: collectors and devices with findings; a line for the rest)."
WHY_HELP = "Show what each identification rests on: signature, its wording, evidence."


def safe(text: object, limit: int = 200) -> str:
    """Device text made inert for a terminal: controls stripped, Rich markup escaped."""
    return escape(clean_text(str(text), limit))


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error (no traceback) and return the Exit to raise."""
    sys.stderr.write(f"biosweep: error: {clean_text(message, 500)}\n")
    return typer.Exit(code)
