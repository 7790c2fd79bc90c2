"""``biosweep compare``: compare a saved run with the site registry, offline.

The same comparison ``sweep --registry`` makes during a sweep (same findings, same exit
status), on a run read back from JSON, so a sweep made without a registry, or before the
registry changed, can be checked later without touching the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, console, err_console, fail, safe
from scanner.cli.files import check_destination, write_or_rescue
from scanner.cli.registry_cmd import sweep_exit
from scanner.cli.tables import findings_table
from scanner.errors import InputError
from scanner.registry import load_registry
from scanner.reporters.jsonin import read_scanrun
from scanner.reporters.jsonout import scanrun_json
from scanner.scan import compared

HELP = """Compare a saved run (the JSON of `biosweep sweep --json`) with the site registry.

  biosweep compare run.json --registry site.yaml
  biosweep compare run.json --registry site.yaml --previous last-week.json
  biosweep compare run.json --registry site.yaml --json > compared.json
  biosweep compare run.json --registry site.yaml -o compared.json

Gives the findings `sweep --registry` gives (the run's own date dates filing deadlines);
findings already in the run are replaced. Sends nothing on the network.

Exit status: 0 no high or critical finding, 1 a high or critical finding, 2 bad input, or the
output exists (use --force) or its folder does not (checked first), 3 the output could not be
written (the run is still shown and saved to a rescue file named in the message).
"""


def compare(
    run_path: Path = typer.Argument(..., metavar="RUN.json", help="A saved run."),
    registry_path: Path = typer.Option(..., "--registry", help="The site registry (site.yaml)."),
    previous: Path = typer.Option(
        None, "--previous", help="An earlier run's JSON: also report what is new or gone."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the compared run as JSON."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the compared run (JSON)."),
    force: bool = typer.Option(False, "--force", help="Overwrite --output if it exists."),
) -> None:
    try:
        if output is not None:
            check_destination(output, force=force)
        run = read_scanrun(run_path)
        registry = load_registry(registry_path)
        before = read_scanrun(previous) if previous is not None else None
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    result = compared(run, registry, before)
    problem = None
    if output is not None:
        problem = write_or_rescue(output, scanrun_json(result), force=force)
        if problem is None:
            err_console.print(f"wrote {safe(output)}")
    if json_out:
        sys.stdout.buffer.write(scanrun_json(result))
    else:
        console.print(findings_table(result))
    if problem is not None:
        raise fail(problem, EXIT_RUNTIME)
    raise typer.Exit(sweep_exit(result))


compare.__doc__ = HELP
