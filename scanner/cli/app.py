"""The root typer app. Command modules load lazily: only the one a command line names is
imported, so ``biosweep --version`` and ``--help`` stay quick (``bench/startup.py``).

Each entry of :data:`COMMANDS` names the module and attribute of a command (a function) or a
command group (a ``typer.Typer``); :mod:`scanner.cli.helptext` tidies its help when it loads.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperGroup

from scanner import __version__
from scanner.cli.helptext import name_values, plain_help_option, tidy_command


@dataclass(frozen=True, slots=True)
class Lazy:
    """Where a command lives: a function, or a ``typer.Typer`` of subcommands."""

    module: str
    attr: str


COMMANDS: dict[str, Lazy] = {
    "identify": Lazy("scanner.cli.identify_cmd", "identify"),
    "sweep": Lazy("scanner.cli.sweep_cmd", "sweep"),
    "listen": Lazy("scanner.cli.listen_cmd", "listen"),
    "import": Lazy("scanner.cli.import_cmd", "app"),
    "demo": Lazy("scanner.cli.demo_cmd", "demo"),
    "signatures": Lazy("scanner.cli.signatures_cmd", "app"),
    "lab": Lazy("scanner.cli.lab_cmd", "app"),
    "ble": Lazy("scanner.cli.ble_cmd", "app"),
    "doctor": Lazy("scanner.cli.ble_cmd", "doctor"),
    "report": Lazy("scanner.cli.report_cmd", "app"),
    "registry": Lazy("scanner.cli.registry_cmd", "app"),
    "compare": Lazy("scanner.cli.compare_cmd", "compare"),
    "history": Lazy("scanner.cli.history_cmd", "app"),
    "watch": Lazy("scanner.cli.watch_cmd", "watch"),
    "schedule": Lazy("scanner.cli.schedule_cmd", "app"),
    "serve": Lazy("scanner.cli.serve_cmd", "app"),
    "push": Lazy("scanner.cli.push_cmd", "push"),
}


def load(name: str) -> Any:
    """The click command of COMMANDS[name], imported now."""
    entry = COMMANDS[name]
    target: Any = getattr(importlib.import_module(entry.module), entry.attr)
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return tidy_command(command)


class LazyGroup(TyperGroup):
    """A group whose commands are imported when first named."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_values(self)
        plain_help_option(self)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load(cmd_name)
        return self.commands[cmd_name]


app = typer.Typer(
    name="biosweep",
    cls=LazyGroup,
    help="Find devices that can collect biometric data and report unregistered ones.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from scanner.errors import InputError
        from scanner.identify import oui
        from scanner.identify.vocab import database_version

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
