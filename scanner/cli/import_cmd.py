"""``biosweep import``: other tools' results (nmap XML, captures) identified like a sweep."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from scanner.cli.capture_progress import capture_progress
from scanner.cli.console import EXIT_RUNTIME, EXIT_USAGE, FORMAT_HELP, RunFormat, fail
from scanner.cli.listen_cmd import check_output, database_meanwhile, emit, extracted_run
from scanner.errors import BiosweepError, InputError
from scanner.identify.run import package_run
from scanner.importers import read_nmap
from scanner.passive import read_capture

app = typer.Typer(
    help="Import existing work (nmap XML, packet captures) as a ScanRun. Sends nothing.",
    no_args_is_help=True,
)

_FORMAT = typer.Option(RunFormat.TABLE, "--format", "-f", help=FORMAT_HELP)
_JSON = typer.Option(False, "--json", help="The same as --format json.")
_OUT = typer.Option(None, "--observations-out", help="Save raw observations (JSON lines).")
_FORCE = typer.Option(False, "--force", help="Overwrite --observations-out.")
_SITE = typer.Option(None, "--site", help="Site name recorded in the run.")


@app.command("nmap")
def nmap(
    file: Path = typer.Argument(..., help="nmap XML output (-oX), e.g. from nmap -sV."),
    fmt: RunFormat = _FORMAT,
    json_out: bool = _JSON,
    observations_out: Path = _OUT,
    force: bool = _FORCE,
    site: str = _SITE,
) -> None:
    """Hosts, MACs, open ports and script output (http-server-header, http-title, banner)
    from an nmap XML file, identified with biosweep's signatures. Exit 1 if collectors."""
    check_output(observations_out, force)
    started = datetime.now(UTC)
    try:
        observations = read_nmap(file)
        note = f"import: nmap {file.name}: {len(observations)} observations"
        run = package_run(observations, started=started, notes=(note,), site=site)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except BiosweepError as exc:
        raise fail(f"import failed: {exc}", EXIT_RUNTIME) from None
    emit(run, RunFormat.JSON if json_out else fmt, observations_out, force)


@app.command("pcap")
def pcap(
    file: Path = typer.Argument(..., help="A pcap or pcapng capture."),
    fmt: RunFormat = _FORMAT,
    json_out: bool = _JSON,
    observations_out: Path = _OUT,
    force: bool = _FORCE,
    site: str = _SITE,
) -> None:
    """The same as ``biosweep listen --pcap FILE``. Exit 1 if collectors were found."""
    check_output(observations_out, force)
    started = datetime.now(UTC)
    try:
        with database_meanwhile() as loader:
            with capture_progress(f"reading {file.name}") as progress:
                extractor = read_capture(file, progress=progress)
            what = f"capture {file.name}"
            run = extracted_run(extractor, started, what, site, None, loader=loader)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except BiosweepError as exc:
        raise fail(f"import failed: {exc}", EXIT_RUNTIME) from None
    emit(run, RunFormat.JSON if json_out else fmt, observations_out, force)
