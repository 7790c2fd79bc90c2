"""``biosweep registry``: write, check and extend the site registry (``site.yaml``); and the
pieces ``biosweep sweep --registry`` uses (loading, printing findings, the exit status)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import typer

from scanner.atomic import write_atomic
from scanner.cli.console import (
    EXIT_FOUND,
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_RUNTIME,
    EXIT_USAGE,
    console,
    fail,
    safe,
)
from scanner.cli.files import check_destination, write_or_rescue
from scanner.compare import facts
from scanner.compare.match import match_devices
from scanner.errors import InputError
from scanner.inputs import read_text
from scanner.models import Device, ScanRun, Severity
from scanner.registry import Registry, RegistryError, load_registry
from scanner.registry.edit import NewDevice, add_device
from scanner.registry.load import MAX_BYTES
from scanner.registry.template import TEMPLATE
from scanner.scan import SweepOptions
from scanner.wording.labels import CLASSES, label

app = typer.Typer(
    help="The site registry of authorised collectors (site.yaml): init, check, add.",
    no_args_is_help=True,
)
ALARMING = frozenset({Severity.HIGH, Severity.CRITICAL})


@app.command("init")
def init(
    path: Path = typer.Argument(Path("site.yaml"), help="Where to write the template."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented registry template to fill in."""
    if path.exists() and not force:
        raise fail(
            f"{path} exists: a registry is never overwritten without --force; choose another "
            "name, or pass --force to replace it",
            EXIT_USAGE,
        )
    try:
        write_atomic(path, TEMPLATE.encode("utf-8"), force=force)
    except (InputError, OSError) as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    console.print(f"wrote {safe(path)}: fill it in, then run: biosweep registry check {safe(path)}")


@app.command("check")
def check(path: Path = typer.Argument(Path("site.yaml"), help="The registry file.")) -> None:
    """Validate the registry; one "file:line: where: problem" per problem.

    Exit status: 0 valid, 1 problems found, 2 the file cannot be read.
    """
    try:
        registry = load_registry(path)
    except RegistryError as exc:
        for problem in exc.problems:
            console.print(safe(problem, 500))
        console.print(f"{len(exc.problems)} problem(s) in {safe(path)}")
        raise typer.Exit(EXIT_FOUND) from None
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    devices = len(registry.devices())
    console.print(
        f"{safe(path)}: valid: {safe(registry.site.name)}, {len(registry.deployments)} "
        f"deployment(s), {devices} device(s)"
    )


def _find(run: ScanRun, wanted: str) -> Device:
    """A device of the run by id, IP or MAC."""
    key = wanted.strip().lower()
    for d in run.devices:
        if key in {d.id.lower(), *d.ips, *(m.lower() for m in d.macs)}:
            return d
    raise InputError(f"no device {wanted!r} in the run (give its id, IP or MAC)")


def _suggest_id(d: Device) -> str:
    cls = (d.best.device_class.value if d.best else "device").replace("_", "-")
    where = (d.ips or d.macs or (d.id,))[0]
    return re.sub(r"[^a-z0-9._-]+", "-", f"{cls}-{where}".lower()).strip("-")[:64]


def new_device(d: Device, ident: str | None) -> NewDevice:
    """What registering ``d`` writes: the identifiers the sweep saw, and what it is."""
    f = facts(d)
    best = d.best
    return NewDevice(
        id=ident or _suggest_id(d),
        mac=min(f.macs) if f.macs else None,
        ip=f.ip,
        serial=f.serial,
        uuid=min(f.uuids) if f.uuids else None,
        ble_address=min(f.ble) if f.ble else None,
        vendor=best.vendor.split(" (")[0] if best else None,
        model=f.model,
        firmware=f.firmware,
    )


def _deployment(registry: Registry, wanted: str | None) -> str:
    if wanted:
        if registry.deployment(wanted) is None:
            ids = ", ".join(d.id for d in registry.deployments)
            raise InputError(f"no deployment {wanted!r} in the registry (deployments: {ids})")
        return wanted
    if len(registry.deployments) == 1:
        return registry.deployments[0].id
    ids = ", ".join(d.id for d in registry.deployments)
    raise InputError(f"which deployment? pass --deployment (one of: {ids})")


@app.command("add")
def add(
    from_run: Path = typer.Option(..., "--from-run", help="A run (biosweep sweep --json)."),
    device: str = typer.Option(..., "--device", help="The device: its id, IP or MAC."),
    registry_path: Path = typer.Option(Path("site.yaml"), "--registry", help="Registry file."),
    deployment: str = typer.Option(None, "--deployment", help="Deployment to add it to."),
    ident: str = typer.Option(None, "--id", help="Registry id for the device."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Register a device found by a sweep, after confirmation; comments are kept.

    Exit status: 0 added, 1 declined or already registered, 2 bad input (or a registry that
    cannot be written: checked first), 3 the write failed (the edit is saved to a rescue file).
    """
    try:
        check_destination(registry_path, force=True)
        run = _read_run(from_run)
        registry = load_registry(registry_path)
        found = _find(run, device)
        dep = _deployment(registry, deployment)
        already = match_devices([facts(found)], registry)[0]
        if already.reg is not None and already.matched_by and already.matched_by != ("ip",):
            where = already.dep.id if already.dep else ""
            console.print(f"already registered as {safe(already.reg.id)} ({safe(where)})")
            raise typer.Exit(EXIT_FOUND)
        entry = new_device(found, ident)
        text = read_text(registry_path, MAX_BYTES)
        updated, _ = add_device(text, dep, entry)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    cls = label(CLASSES, found.best.device_class if found.best else "", "en")
    console.print(f"Register this {safe(cls)} in deployment {safe(dep)} of {safe(registry_path)}:")
    for line in entry.lines(2):
        console.print(safe(line, 300))
    if not yes:
        if not sys.stdin.isatty():
            raise fail("not confirmed: run interactively or pass --yes", EXIT_USAGE)
        if not typer.confirm("Add it?", default=False):
            console.print("nothing changed")
            raise typer.Exit(EXIT_FOUND)
    problem = write_or_rescue(registry_path, updated.encode("utf-8"), force=True)
    if problem is not None:
        raise fail(problem, EXIT_RUNTIME)
    console.print(f"added {safe(entry.id)} to {safe(dep)}")


def sweep_options(opts: SweepOptions, registry: Path | None, previous: Path | None) -> SweepOptions:
    """``--registry``/``--previous`` for ``biosweep sweep``; raises InputError (exit 2)."""
    if previous is not None and registry is None:
        raise InputError("--previous needs --registry (compare runs against the registry)")
    if registry is None:
        return opts
    loaded = load_registry(registry)
    before = _read_run(previous) if previous is not None else None
    return replace(opts, registry=loaded, previous=before)


def sweep_exit(run: ScanRun) -> int:
    """1 when the sweep found what needs action: without a registry any collector; with one,
    a high or critical finding (unregistered collector, swap, prohibited space, filing).
    Otherwise 5 when the run is incomplete (a source it asked for could not run, or it was
    cut short): finding nothing where it could not look is no all-clear."""
    if run.registry is None:
        found = any(d.is_collector for d in run.devices)
    else:
        found = any(f.severity in ALARMING for f in run.findings)
    if found:
        return EXIT_FOUND
    return EXIT_OK if run.complete else EXIT_INCOMPLETE


def _read_run(path: Path) -> ScanRun:
    """A saved run (``--previous``, ``--from-run``). The reader is imported here: it loads the
    report formats' package, which a sweep without ``--previous`` never needs at start-up."""
    from scanner.reporters.jsonin import read_scanrun

    return read_scanrun(path)
