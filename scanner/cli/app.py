"""The root typer app; command groups register themselves here."""

from __future__ import annotations

import typer

from scanner import __version__
from scanner.cli import (
    ble_cmd,
    compare_cmd,
    demo_cmd,
    history_cmd,
    identify_cmd,
    import_cmd,
    lab_cmd,
    listen_cmd,
    registry_cmd,
    report_cmd,
    schedule_cmd,
    signatures_cmd,
    sweep_cmd,
    watch_cmd,
)
from scanner.errors import InputError
from scanner.identify import oui
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
        try:
            registry = oui.choose().describe()
        except InputError as exc:
            registry = f"IEEE registry unusable: {exc}"
        typer.echo(f"biosweep {__version__} (signatures {database_version()}, {registry})")
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
app.command("listen")(listen_cmd.listen)
app.add_typer(import_cmd.app, name="import")
app.command("demo")(demo_cmd.demo)
app.add_typer(signatures_cmd.app, name="signatures")
app.add_typer(lab_cmd.app, name="lab")
app.add_typer(ble_cmd.app, name="ble")
app.command("doctor")(ble_cmd.doctor)
app.command("report", help=report_cmd.HELP)(report_cmd.report)
app.add_typer(registry_cmd.app, name="registry")
app.command("compare", help=compare_cmd.HELP)(compare_cmd.compare)
app.add_typer(history_cmd.app, name="history")
app.command("watch", help=watch_cmd.HELP)(watch_cmd.watch)
app.add_typer(schedule_cmd.app, name="schedule")
