"""The root typer app; command groups register themselves here."""

from __future__ import annotations

import typer

from scanner import __version__
from scanner.cli import demo_cmd, identify_cmd, lab_cmd, signatures_cmd, sweep_cmd
from scanner.identify.signatures import database_version

app = typer.Typer(
    name="biosweep",
    help="Find devices that can collect biometric data and report unregistered ones.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"biosweep {__version__} (signatures {database_version()})")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print tool and signature versions.",
    ),
) -> None:
    """biosweep sweeps a site for biometric collectors. See README.md."""


app.command("identify")(identify_cmd.identify)
app.command("sweep")(sweep_cmd.sweep)
app.command("demo")(demo_cmd.demo)
app.add_typer(signatures_cmd.app, name="signatures")
app.add_typer(lab_cmd.app, name="lab")
