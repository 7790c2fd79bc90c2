"""``biosweep listen``: identify devices from traffic alone, sending nothing."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import typer

from scanner.cli.capture_progress import capture_progress
from scanner.cli.console import (
    ALL_HELP,
    EXIT_FOUND,
    EXIT_OK,
    EXIT_RUNTIME,
    EXIT_USAGE,
    FORMAT_HELP,
    WHY_HELP,
    RunFormat,
    console,
    fail,
)
from scanner.cli.files import check_destination, write_or_rescue
from scanner.cli.tables import device_table
from scanner.errors import BiosweepError, InputError, ProbeError
from scanner.identify.preload import Loader
from scanner.identify.run import package_run
from scanner.identify.worker import sweep_loader
from scanner.models import ScanRun
from scanner.passive import Extractor, keep_wifi, listen_interfaces, read_capture
from scanner.reporters.jsonout import device_line, observations_jsonl, scanrun_json

HELP = """Identify devices from traffic alone: nothing is sent, ever.

From a capture file (--pcap FILE: pcap or pcapng, e.g. from tcpdump or Wireshark) or a live
interface (--interface NAME, needs root; runs for --duration seconds or until Ctrl-C).
Reads ARP, DHCP (host name, vendor class, parameter-request list), mDNS, SSDP, WS-Discovery,
SADP and DHIP announcements and answers, LLDP/CDP, unencrypted HTTP Server/User-Agent headers,
LAN devices' UPnP descriptions, ONVIF device information and page titles in HTTP responses,
Telnet/FTP/SSH greetings, SNMP answers to others' polls, the names devices look up (DNS
queries), every frame's sender (source MAC, MAC-address links, SYN-ACK open ports, IPv6
neighbour discovery), and from 802.11 radiotap
captures the transmitters whose vendor makes collectors and stations
whose sustained upstream looks like video (headers only, with RSSI).

Every frame's headers are read; payloads only of the packets the capture filter passes (README:
"Speed: what is decoded"). The notes count packets read, selected, decoded and dropped (live:
the kernel's drops, ps_drop). Reading a file shows a progress bar on a terminal's stderr.

Exit status: 0 no collector found, 1 collectors found, 2 usage or input error, 3 runtime failure.
"""


def check_output(observations_out: Path | None, force: bool) -> None:
    """Before reading or listening: can ``--observations-out`` be written? (exit 2 if not)"""
    try:
        if observations_out is not None:
            check_destination(observations_out, force=force)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def emit(
    run: ScanRun, fmt: RunFormat, observations_out: Path | None, force: bool,
    show_all: bool = False, why: bool = False,
) -> None:  # fmt: skip
    """Save observations, print the run (table, JSON or JSON lines), exit by whether
    collectors were found; an observations file that cannot be written goes to a rescue file
    (exit 3)."""
    problem = None
    if observations_out is not None:
        problem = write_or_rescue(observations_out, observations_jsonl(run), force=force)
    if fmt is RunFormat.JSON:
        sys.stdout.buffer.write(scanrun_json(run))
    elif fmt is RunFormat.JSONL:
        sys.stdout.write("".join(device_line(d) + "\n" for d in run.devices))
    else:
        console.print(device_table(run.devices, show_all=show_all, why=why))
        for note in run.notes:
            console.print(f"  {note}", markup=False)
    if problem is not None:
        raise fail(problem, EXIT_RUNTIME)
    raise typer.Exit(EXIT_FOUND if any(d.is_collector for d in run.devices) else EXIT_OK)


@contextmanager
def database_meanwhile() -> Iterator[Loader]:
    """The signature database loading in a process of its own (:mod:`scanner.identify.worker`)
    while the capture is read or the interface listened to: its load and pattern compilation
    take another core instead of following the reading. Whatever goes wrong with it, the run
    is identified in-process, the same."""
    loader = sweep_loader()
    try:
        yield loader
    finally:
        loader.close()


def extracted_run(
    extractor: Extractor, started: datetime, what: str, site: str | None, operator: str | None,
    complete: bool = True, loader: Loader | None = None,
) -> ScanRun:  # fmt: skip
    found = extractor.observations()  # first: the flows it flushes may count drops too
    notes = [f"passive: {what}: {extractor.packets} packets read, nothing sent", *extractor.notes()]
    return package_run(
        found, started=started, notes=tuple(notes), site=site, operator=operator,
        complete=complete, keep=keep_wifi, identified=loader.devices(found) if loader else None,
    )  # fmt: skip


def listen(
    pcap: Path = typer.Option(None, "--pcap", help="Read a pcap/pcapng capture file."),
    interface: list[str] = typer.Option(
        [], "--interface", "-i", help="Listen on this interface (root); repeatable."
    ),
    duration: float = typer.Option(30.0, "--duration", help="Seconds to listen live."),
    fmt: RunFormat = typer.Option(RunFormat.TABLE, "--format", "-f", help=FORMAT_HELP),
    json_out: bool = typer.Option(False, "--json", help="The same as --format json."),
    observations_out: Path = typer.Option(
        None, "--observations-out", help="Save raw observations (JSON lines)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --observations-out."),
    site: str = typer.Option(None, "--site", help="Site name recorded in the run."),
    operator: str = typer.Option(None, "--operator", help="Who ran it, recorded in the run."),
    show_all: bool = typer.Option(False, "--all", help=ALL_HELP),
    why: bool = typer.Option(False, "--why", help=WHY_HELP),
) -> None:
    if (pcap is None) == (not interface):
        raise fail("give exactly one of --pcap FILE or --interface NAME", EXIT_USAGE)
    if duration <= 0:
        raise fail("--duration must be positive", EXIT_USAGE)
    check_output(observations_out, force)
    started = datetime.now(UTC)
    complete = True
    try:
        with database_meanwhile() as loader:
            if pcap is not None:
                with capture_progress(f"reading {pcap.name}") as progress:
                    extractor = read_capture(pcap, progress=progress)
                what = f"capture {pcap.name}"
            else:
                what = f"{', '.join(interface)} for {duration:g} s"
                try:
                    extractor = asyncio.run(listen_interfaces(interface, duration))
                except KeyboardInterrupt:
                    raise fail("interrupted before anything was collected", EXIT_RUNTIME) from None
            run = extracted_run(extractor, started, what, site, operator, complete, loader)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except (ProbeError, BiosweepError) as exc:
        raise fail(f"listen failed: {exc}", EXIT_RUNTIME) from None
    emit(run, RunFormat.JSON if json_out else fmt, observations_out, force, show_all, why)


listen.__doc__ = HELP
