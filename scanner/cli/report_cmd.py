"""``biosweep report``: turn a saved run into a report, build the 12339 package, verify one.

Files are written atomically: into a temporary file beside the target (named after it and
this process), flushed and fsync'd, then renamed over the target; a crash or a full disk
leaves the previous report byte-identical and no partial file at the final name. Temporary
files left by a killed run are removed the next time a report is written to that name
(SAFETY-CATALOGUE case 61).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from scanner.cli.console import (
    EXIT_FOUND,
    EXIT_RUNTIME,
    EXIT_USAGE,
    console,
    err_console,
    fail,
    safe,
)
from scanner.cli.files import check_destination, deliver
from scanner.errors import BiosweepError, InputError
from scanner.inputs import read_input
from scanner.models import ScanRun
from scanner.registry import Registry, load_registry
from scanner.reporters import REPORTERS, ReportOptions, reporter_for
from scanner.reporters.jsonin import read_scanrun
from scanner.reporters.package import MAX_PACKAGE, build_package, verify_package
from scanner.scan import compared

HELP = """Write a report of a saved run (the JSON of `biosweep sweep --json`); build and
verify the 12339 package.

  biosweep report RUN.json -o report.html       # the format from the suffix
  biosweep report RUN.json -f pdf -o r.pdf --lang en
  biosweep report RUN.json --for-12339 case.zip --operator "Li Ming"
  biosweep report RUN.json -o r.html --registry site.yaml --compare
  biosweep report verify case.zip               # check a 12339 package

Formats: json (machine, biosweep.scanrun/1), csv (one row per device), md, html
(self-contained, no network), pdf. --lang zh (default) or en.

Exit status: 0 written / verified, 1 verification failed, 2 bad input, the output exists
(use --force) or its folder does not (checked first), 3 the report could not be written (it
is then saved to a rescue file named in the message).
"""


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temps(path: Path) -> list[Path]:
    """Remove temp files of ``path`` left by writers that no longer run."""
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def write_chunks(path: Path, chunks: Iterable[bytes], *, force: bool = False) -> int:
    """Write ``chunks`` to ``path`` atomically; returns the number of bytes written."""
    if path.exists() and not force:
        raise InputError(f"{path} exists: choose another name or pass --force")
    clean_stale_temps(path)
    tmp = _temp_name(path)
    size = 0
    try:
        with open(tmp, "xb") as f:
            for chunk in chunks:
                f.write(chunk)
                size += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return size


def _verify(package: Path) -> None:
    try:
        data = read_input(package, MAX_PACKAGE)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    try:
        result = verify_package(data)
    except InputError as exc:
        raise fail(f"{package}: {exc}", EXIT_USAGE) from None
    if result.problems:
        for problem in result.problems:
            console.print(f"FAILED {safe(problem, 300)}")
        console.print(f"{safe(package)}: {len(result.problems)} problem(s); do not rely on it")
        raise typer.Exit(EXIT_FOUND)
    m = result.manifest

    def field(*path: str) -> str:
        value: object = m
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return safe(value if value is not None else "?", 120)

    console.print(
        f"{safe(package)}: OK, {len(result.files)} files match the manifest "
        f"(run {field('run', 'id')}, biosweep {field('tool', 'version')}, "
        f"signatures {field('signatures_version')}, operator {field('operator')})"
    )


def _inputs(
    run_path: Path, registry_path: Path | None, recompare: bool, previous: Path | None
) -> tuple[ScanRun, Registry | None]:
    """The run, compared again with the registry (and ``previous``) when ``recompare``."""
    run = read_scanrun(run_path)
    registry = load_registry(registry_path) if registry_path else None
    if recompare and registry is not None:
        before = read_scanrun(previous) if previous is not None else None
        run = compared(run, registry, before)
    return run, registry


class _ReportGroup(TyperGroup):
    """``report RUN.json …`` is ``report write RUN.json …``; ``report verify`` is its own
    command (a run file named ``verify`` is ``./verify``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["write", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_ReportGroup, help=HELP, no_args_is_help=True)


@app.command("verify")
def verify(
    package: Path = typer.Argument(..., help="A 12339 package (zip) written by --for-12339."),
) -> None:
    """Check a 12339 package: every file against manifest.json and SHA256SUMS, nothing added.

    Exit status: 0 intact, 1 changed, added or missing files, 2 not a package.
    """
    _verify(package)


@app.command("write")
def write(
    run_path: Path = typer.Argument(..., help="A run: the JSON of biosweep sweep --json."),
    output: Path = typer.Option(None, "--output", "-o", help="Report file to write."),
    fmt: str = typer.Option(
        None, "--format", "-f", help=f"One of {', '.join(REPORTERS)} (default: from -o)."
    ),
    lang: str = typer.Option("zh", "--lang", help="zh or en."),
    for_12339: Path = typer.Option(None, "--for-12339", help="Write the 12339 package (zip)."),
    registry_path: Path = typer.Option(
        None, "--registry", help="Site registry: adds the address and deployment details."
    ),
    operator: str = typer.Option(None, "--operator", help="Who swept (if the run lacks it)."),
    recompare: bool = typer.Option(
        False,
        "--compare",
        help="Compare the run with --registry again first: the report shows today's registry's "
        "findings (as `biosweep compare` gives them), not the ones saved in the run.",
    ),
    previous: Path = typer.Option(
        None, "--previous", help="With --compare: an earlier run, for what is new or gone."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output file."),
) -> None:
    """Write a report of a saved run, or its 12339 package (the default command: `biosweep
    report RUN.json …` is `biosweep report write RUN.json …`).

    Exit status: 0 written, 2 bad input, the output exists (use --force) or its folder does not
    (checked first), 3 the report could not be written (it is then saved to a rescue file
    named in the message).
    """
    if lang not in ("zh", "en"):
        raise fail("--lang must be zh or en", EXIT_USAGE)
    if (output is None) == (for_12339 is None):
        raise fail("give exactly one of --output/-o FILE or --for-12339 FILE.zip", EXIT_USAGE)
    if (recompare and registry_path is None) or (previous is not None and not recompare):
        raise fail("--compare needs --registry; --previous needs --compare", EXIT_USAGE)
    target = for_12339 or output
    assert target is not None
    try:
        check_destination(target, force=force)
        run, registry = _inputs(run_path, registry_path, recompare, previous)
        if operator:
            run = replace(run, operator=operator)
        chunks = report_maker(run, registry, output, fmt, lang)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    size = write_report(target, chunks, force)
    if for_12339 is not None:
        err_console.print(f"wrote {safe(for_12339)} ({size} bytes); check it with: "
                          f"biosweep report verify {safe(for_12339)}")  # fmt: skip
    else:
        err_console.print(f"wrote {safe(output)} ({size} bytes)")


def report_maker(
    run: ScanRun, registry: Registry | None, output: Path | None, fmt: str | None, lang: str
) -> Callable[[], Iterable[bytes]]:
    """What to write, as a maker of the byte chunks (it runs again for a rescue file); the
    12339 package when there is no ``output``."""
    now = datetime.now(UTC)
    if output is None:
        package = build_package(run, registry, now)  # its InputErrors (no operator) exit 2
        return lambda: [package]
    reporter = reporter_for(fmt or output.suffix)
    if reporter is None:
        raise InputError(f"unknown format {fmt or output.suffix!r}: one of {', '.join(REPORTERS)}")
    options = ReportOptions(
        lang="zh" if lang == "zh" else "en", registry=registry, generated_at=now
    )
    return lambda: reporter.chunks(run, options)


def write_report(target: Path, chunks: Callable[[], Iterable[bytes]], force: bool) -> int:
    """Write the report to ``target`` (or, failing that, to a rescue file: exit 3)."""
    sizes: list[int] = []

    def write(path: Path) -> None:
        sizes.append(write_chunks(path, chunks(), force=force and path == target))

    try:
        problem = deliver(target, write)
    except BiosweepError as exc:
        raise fail(f"report failed: {exc}", EXIT_RUNTIME) from None
    if problem is not None:
        raise fail(problem, EXIT_RUNTIME)
    return sizes[-1]
