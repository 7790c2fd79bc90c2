"""Help screens as a user of nmap or git expects them: values named (``PATH``, ``N``,
``CIDR``), flags without a value, prose reflowed to the terminal and examples kept line by line.

Applied once to each command when it is loaded (:mod:`scanner.cli.app`), so the commands'
modules declare options plainly and this module decides how their values are named.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperArgument

#: What the value of a well-known option is called, by its long name.
METAVARS: dict[str, str] = {
    "--exclude": "TARGET",
    "--exclude-file": "FILE",
    "--ports": "PORTS",
    "--only": "PROBES",
    "--rate": "N",
    "--host-rate": "N",
    "--host-connections": "N",
    "--deadline": "SECONDS",
    "--host-budget": "SECONDS",
    "--passive-first": "SECONDS",
    "--duration": "SECONDS",
    "--ble-duration": "SECONDS",
    "--ble-backend": "auto|bleak|bumble",
    "--ble-transport": "SPEC",
    "--observations": "FILE",
    "--observations-out": "FILE",
    "--site": "NAME",
    "--operator": "NAME",
    "--registry": "FILE",
    "--previous": "RUN.json",
    "--from-run": "RUN.json",
    "--store": "FILE",
    "--config": "FILE",
    "--output": "FILE",
    "--for-12339": "FILE.zip",
    "--report": "FILE",
    "--lang": "zh|en",
    "--interface": "IFACE",
    "--pcap": "FILE",
    "--device": "ID|IP|MAC",
    "--deployment": "ID",
    "--id": "ID",
    "--limit": "N",
    "--count": "N",
    "--keep-days": "DAYS",
    "--interval": "DURATION",
    "--cron": "'M H DOM MON DOW'",
    "--min-severity": "SEVERITY",
    "--lock": "FILE",
    "--wait-lock": "DURATION",
    "--backend": "auto|namespaces|loopback",
    "--name": "NAME",
    "--unit-dir": "DIR",
    "--run": "ID",
    "--scenario": "NAME",
    "--vendor": "TEXT",
    "--required": "FILE",
    "--from": "DIR",
    "--out": "FILE",
    "--date": "YYYY-MM-DD",
    "--format": "FORMAT",
    "--transport": "SPEC",
    "--ble-address": "ADDRESS",
    "--signature": "ID",
}
#: Arguments, by parameter name.
ARGUMENTS: dict[str, str] = {
    "targets": "TARGET",
    "run_path": "RUN.json",
    "package": "PACKAGE.zip",
    "run": "RUN",
    "run_a": "RUN_A",
    "run_b": "RUN_B",
    "path": "FILE",
    "dest": "FILE",
    "scenario": "SCENARIO",
    "files": "FILE",
    "pairs": "FIELD=VALUE",
}

#: typer's shell-completion options, which a sub-app loaded on its own would grow.
_COMPLETION = frozenset({"install_completion", "show_completion"})


def _no_type(ctx: Any) -> None:
    return None


def _usage_name(param: Any) -> Any:
    """How the usage line shows an argument: ``NAME`` required, ``[NAME]`` optional, ``...``
    when it repeats (as click and POSIX utilities write it)."""

    def shown() -> str:
        name = param.metavar if param.required else f"[{param.metavar}]"
        return f"{name}..." if param.nargs != 1 else name

    return shown


def _value_name(param: Any) -> str:
    """The name of a parameter's value: from the tables above, else its own name in capitals
    (as argparse does)."""
    if isinstance(param, TyperArgument):
        return ARGUMENTS.get(param.name or "", (param.name or "value").upper())
    long = str(max(param.opts, key=len))
    return METAVARS.get(long, long.lstrip("-").replace("-", "_").upper())


def name_values(command: Any) -> None:
    """Give every parameter a metavar: flags none at all, values a name."""
    command.params = [p for p in command.params if p.name not in _COMPLETION]
    for param in command.params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
        elif param.metavar is None:
            param.metavar = _value_name(param)
        if isinstance(param, TyperArgument):
            # the name says it: no "<path>" beside it, and RUN.json rather than {RUN.json}
            setattr(param, "display_type_rich", _no_type)  # noqa: B010
            setattr(param, "_usage_display_name", _usage_name(param))  # noqa: B010


_EXAMPLE = re.compile(r"^\s{2,}\S")


def tidy_help(text: str | None) -> str | None:
    """Reflow prose paragraphs (one line each; the terminal wraps them); keep paragraphs of
    examples or tables (indented lines) exactly, line by line. Rich markup is escaped: help
    text is shown as written."""
    from rich.markup import escape

    if not text:
        return text
    head, sep, tail = text.partition("\f")
    paragraphs = re.split(r"\n\s*\n", head.strip("\n"))
    out = []
    for para in paragraphs:
        lines = para.split("\n")
        if any(_EXAMPLE.match(line) for line in lines):
            heading = ["Examples:"] if _EXAMPLE.match(lines[0]) else []
            out.append("\n".join([*heading, *(line.rstrip() for line in lines)]))
        else:
            out.append(" ".join(line.strip() for line in lines))
    return escape("\n\n".join(out)) + sep + tail


def plain_help_option(command: Any) -> None:
    """``--help`` is a flag: show no value for it (click makes the option per context)."""
    made = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = made(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option


def tidy_command(command: Any) -> Any:
    """Name values and tidy the help of ``command`` and of every subcommand."""
    name_values(command)
    command.help = tidy_help(command.help)
    plain_help_option(command)
    for sub in getattr(command, "commands", {}).values():
        tidy_command(sub)
    return command
