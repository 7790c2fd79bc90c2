"""``biosweep history``: the runs in the history database — list, show, diff, backup, purge.

Every command reads one consistent snapshot (a single read transaction), so it can run while
a scan writes and never blocks it. ``backup`` goes through SQLite's backup API: never copy
the database file itself while biosweep may be writing (its WAL holds recent runs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from scanner import codec
from scanner.cli.console import (
    ALL_HELP,
    EXIT_FOUND,
    EXIT_OK,
    EXIT_RUNTIME,
    EXIT_USAGE,
    WHY_HELP,
    console,
    err_console,
    fail,
    safe,
)
from scanner.cli.files import check_destination
from scanner.cli.report_cmd import report_maker, write_report
from scanner.cli.stored import (
    CONFIG_HELP,
    STORE_HELP,
    config_or_fail,
    open_store,
    store_path,
)
from scanner.cli.tables import run_tables
from scanner.compare.diff import Change, RunDiff, diff_runs
from scanner.config import Config
from scanner.config.ranges import RANGES
from scanner.errors import InputError
from scanner.models import Device, Finding
from scanner.normalize import clean_text
from scanner.reporters import REPORTERS
from scanner.reporters.jsonout import device_dict, scanrun_json
from scanner.store import (
    RunInfo,
    Store,
    StoreError,
)

DIFF_SCHEMA = "biosweep.historydiff/1"

app = typer.Typer(
    help="The history of runs: list, show, diff, backup, purge.", no_args_is_help=True
)


def _existing(flag: Path | None, cfg: Config) -> Store:
    path = store_path(flag, cfg)
    if not path.expanduser().exists():
        raise fail(f"no history at {path} (runs are stored by watch and sweep --store)", EXIT_USAGE)
    return open_store(flag, cfg)


def _info_json(r: RunInfo) -> dict[str, Any]:
    return {
        "id": r.run_id, "site": r.site, "operator": r.operator, "status": r.status,
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "devices": r.devices, "findings": r.findings, "observations": r.observations,
        "scope": list(r.scope), "registry": r.registry,
    }  # fmt: skip


@app.command("list")
def list_runs(
    site: str = typer.Option(None, "--site", help="Only this site's runs."),
    limit: int = typer.Option(50, "--limit", "-n", help="At most this many, newest first."),
    json_out: bool = typer.Option(False, "--json", help="JSON lines, one run each."),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
) -> None:
    """The stored runs, newest first: id, site, status, times and counts.

    Status: complete; partial (the sweep was cut short but its results are saved);
    interrupted (the process died before saving); running.
    """
    with _existing(store, config_or_fail(config)) as db:
        try:
            runs = db.runs(site, limit)
        except StoreError as exc:
            raise fail(str(exc), EXIT_RUNTIME) from None
    if json_out:
        for r in runs:
            sys.stdout.write(json.dumps(_info_json(r), ensure_ascii=True) + "\n")
        return
    table = Table(title=f"{len(runs)} runs", title_justify="left")
    for column in ("run", "site", "status", "started (UTC)", "devices", "findings"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            safe(r.run_id), safe(r.site or "-"), r.status,
            f"{r.started_at:%Y-%m-%d %H:%M:%S}", str(r.devices), str(r.findings),
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show(
    run: str = typer.Argument(..., help="Run id (or a unique prefix), 'latest' or 'previous'."),
    json_out: bool = typer.Option(False, "--json", help="The run as ScanRun JSON."),
    output: Path = typer.Option(None, "--output", "-o", help="Write a report of the run."),
    fmt: str = typer.Option(None, "--format", "-f", help=f"One of {', '.join(REPORTERS)}."),
    lang: str = typer.Option("zh", "--lang", help="Report language: zh or en."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing report file."),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
    show_all: bool = typer.Option(False, "--all", help=ALL_HELP),
    why: bool = typer.Option(False, "--why", help=WHY_HELP),
) -> None:
    """One stored run: its devices, findings and skipped probes (or a report of it).

    Exit status: 0 shown or written, 2 no such run / bad option, 3 the report failed.
    """
    if lang not in ("zh", "en"):
        raise fail("--lang must be zh or en")
    _check(output, force)
    with _existing(store, config_or_fail(config)) as db:
        try:
            scan = db.load(run)
        except StoreError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    if output is not None:
        try:
            maker = report_maker(scan, None, output, fmt, lang)
        except InputError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
        size = write_report(output, maker, force)
        err_console.print(f"wrote {safe(output)} ({size} bytes)")
        return
    if json_out:
        sys.stdout.buffer.write(scanrun_json(scan))
        return
    status = "complete" if scan.complete else "INCOMPLETE (not an all-clear)"
    console.print(
        f"run {safe(scan.id)}  site {safe(scan.site or '-')}  {status}  "
        f"started {scan.started_at:%Y-%m-%d %H:%M:%S} UTC"
    )
    for line in scan.why_incomplete():
        console.print(f"  {clean_text(line, 500)}", markup=False, soft_wrap=True)
    console.print(run_tables(scan, show_all=show_all, why=why))
    for s in scan.skipped:
        console.print(
            f"  skipped {s.probe} {s.target or ''}: {s.reason} — {s.detail}", markup=False
        )


def _check(output: Path | None, force: bool) -> None:
    """An output file that cannot be written is refused before anything is done (exit 2)."""
    try:
        if output is not None:
            check_destination(output, force=force)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def _device_line(d: Device) -> str:
    best = d.best
    what = f"{best.device_class.value} {best.vendor} {best.product}" if best else "unidentified"
    where = ", ".join([*d.ips, *d.macs][:4])
    return f"{d.id}  {what}  {where}"


def _changes(changes: tuple[Change, ...]) -> str:
    return "; ".join(f"{c.name} {c.before or '-'} -> {c.after or '-'}" for c in changes)


def _finding_line(f: Finding) -> str:
    about = f.device_id or f.registry_id or "-"
    return f"{f.severity.value} {f.kind.value} {about}: {f.why}"


def diff_lines(d: RunDiff) -> list[str]:
    """The diff as ndiff-like lines: ``+`` appeared, ``-`` disappeared, ``~`` changed."""
    lines = [f"--- {d.before.id}", f"+++ {d.after.id}"]
    lines += [f"+ device  {_device_line(x)}" for x in d.devices_added]
    lines += [f"- device  {_device_line(x)}" for x in d.devices_removed]
    lines += [f"~ device  {c.after.id}: {_changes(c.changes)}" for c in d.devices_changed]
    lines += [f"+ finding {_finding_line(f)}" for f in d.findings_added]
    lines += [f"- finding {_finding_line(f)}" for f in d.findings_removed]
    lines += [
        f"~ finding {_finding_line(c.after)} ({_changes(c.changes)})" for c in d.findings_changed
    ]
    return lines


def _change_json(changes: tuple[Change, ...]) -> list[dict[str, str]]:
    return [{"name": c.name, "before": c.before, "after": c.after} for c in changes]


def diff_json(d: RunDiff) -> dict[str, Any]:
    return {
        "schema": DIFF_SCHEMA,
        "before": d.before.id,
        "after": d.after.id,
        "devices": {
            "added": [device_dict(x) for x in d.devices_added],
            "removed": [device_dict(x) for x in d.devices_removed],
            "changed": [
                {"id": c.after.id, "before_id": c.before.id, "changes": _change_json(c.changes)}
                for c in d.devices_changed
            ],
        },
        "findings": {
            "added": [codec.finding_dict(f) for f in d.findings_added],
            "removed": [codec.finding_dict(f) for f in d.findings_removed],
            "changed": [
                {"finding": codec.finding_dict(c.after), "changes": _change_json(c.changes)}
                for c in d.findings_changed
            ],
        },
    }


@app.command("diff")
def diff(
    run_a: str = typer.Argument(..., metavar="RUN_A", help="The earlier run (id, 'previous')."),
    run_b: str = typer.Argument(..., metavar="RUN_B", help="The later run (id, 'latest')."),
    json_out: bool = typer.Option(False, "--json", help=f"JSON ({DIFF_SCHEMA})."),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
) -> None:
    """What appeared (+), disappeared (-) and changed (~) from RUN_A to RUN_B: devices and
    findings.

    Exit status: 0 no difference, 1 differences, 2 no such run.
    """
    with _existing(store, config_or_fail(config)) as db:
        try:
            with db.snapshot() as view:
                before = view.load(view.info(run_a))
                after = view.load(view.info(run_b))
        except StoreError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    d = diff_runs(before, after)
    if json_out:
        sys.stdout.write(json.dumps(diff_json(d), ensure_ascii=True, indent=2) + "\n")
    else:
        for line in diff_lines(d):
            console.print(safe(line, 600), markup=False)
    raise typer.Exit(EXIT_OK if d.empty else EXIT_FOUND)


@app.command("backup")
def backup(
    dest: Path = typer.Argument(..., help="The backup file to write."),
    force: bool = typer.Option(False, "--force", help="Replace an existing backup file."),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
) -> None:
    """A consistent copy of the history through SQLite's backup API, safe while scans run.

    Do not copy the database file with cp: recent runs may still sit in its -wal file.
    Exit status: 0 written and verified, 2 bad destination (it exists, or its folder does
    not: checked first), 3 failed.
    """
    _check(dest, force)
    with _existing(store, config_or_fail(config)) as db:
        try:
            db.backup(dest, force=force)
        except StoreError as exc:
            code = EXIT_USAGE if dest.exists() and not force else EXIT_RUNTIME
            raise fail(str(exc), code) from None
    err_console.print(f"backup written and verified: {safe(dest)}")


@app.command("purge")
def purge(
    keep_days: int = typer.Option(
        None, "--keep-days", help="Keep this many days (default: store.keep_days, 180)."
    ),
    store: Path = typer.Option(None, "--store", help=STORE_HELP),
    config: Path = typer.Option(None, "--config", help=CONFIG_HELP),
) -> None:
    """Delete runs older than the retention period, overwriting their data (secure delete).

    Prints counts only. Exit status: 0 done, 2 bad option, 3 failed.
    """
    cfg = config_or_fail(config)
    days = keep_days if keep_days is not None else cfg.keep_days
    if (problem := RANGES["store.keep_days"].problem(days)) is not None:
        raise fail(f"--keep-days: {problem}")
    with _existing(store, cfg) as db:
        try:
            p = db.purge(days)
        except StoreError as exc:
            raise fail(str(exc), EXIT_RUNTIME) from None
    console.print(
        f"purged {p.runs} run(s) older than {days} days: {p.devices} device(s), "
        f"{p.findings} finding(s), {p.observations} observation(s)"
    )
