"""The ``biosweep`` command: a typer app with one module per command group.

This package is the only place that prints, prompts or exits.
"""

from __future__ import annotations

from scanner.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
