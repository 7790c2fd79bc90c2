"""``biosweep signatures``: verify, match, stats — tools for the database and its authors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from scanner.cli.console import console, fail, safe
from scanner.errors import BiosweepError, InputError, SignatureError
from scanner.identify import default_engine
from scanner.identify.engine import Engine
from scanner.identify.selfcheck import check_database
from scanner.identify.signatures import Signature, load_files, load_signatures, signature_files
from scanner.identify.vocab import load_vocabulary
from scanner.models import COLLECTOR_CLASSES, Observation
from scanner.normalize import normalize

app = typer.Typer(help="Verify, query and summarise the signature database.", no_args_is_help=True)


@app.command()
def verify(
    files: list[Path] = typer.Argument(
        None, help="Signature files to check (default: the whole database)."
    ),
) -> None:
    """Check signature files: schema, regexes, examples, counterexamples. Exit 1 on any problem."""
    paths = files or signature_files()
    parsed, problems = load_files(paths)
    signatures = [s for f in parsed for s in f.signatures]
    if not problems:
        everything = Engine([*signatures, *_rest_of_database(signatures)])
        problems = check_database(signatures, everything)
    for p in problems:
        typer.echo(str(p))
    n_ex = sum(len(s.examples) + len(s.counterexamples) for s in signatures)
    counts = f"{len(paths)} files, {len(signatures)} signatures, {n_ex} examples"
    typer.echo(f"{counts}: {len(problems)} problems", err=bool(problems))
    if problems:
        raise typer.Exit(1)


def _rest_of_database(checked: list[Signature]) -> list[Signature]:
    """The shipped signatures not among ``checked``: examples must rank first against them too."""
    ids = {s.id for s in checked}
    files, _ = load_files(signature_files())
    return [s for f in files for s in f.signatures if s.id not in ids]


def _parse_pair(pair: str) -> Observation:
    field, sep, value = pair.partition("=")
    if not sep:
        raise InputError(f"expected FIELD=VALUE, got {pair!r}")
    if not load_vocabulary().has_field(field):
        raise InputError(f"unknown field {field!r}")
    return Observation("cli:1", field, normalize(field, value), source="cli")


@app.command()
def match(
    pairs: list[str] = typer.Argument(..., help="Observations of one device, as FIELD=VALUE."),
) -> None:
    """Show which signatures match one device's observations, ranked, with evidence."""
    from scanner.identify import identify

    try:
        observations = [_parse_pair(p) for p in pairs]
        devices = identify(observations, default_engine())
    except (BiosweepError, SignatureError) as exc:
        raise fail(str(exc)) from None
    idents = [i for d in devices for i in d.identifications]
    if not idents:
        typer.echo("no signature matches")
        raise typer.Exit(1)
    for rank, ident in enumerate(idents, 1):
        attrs = ", ".join(f"{k}={v}" for k, v in ident.attributes)
        head = f"{rank}. [bold]{safe(ident.signature_id)}[/]  {ident.device_class}"
        console.print(
            f"{head}  {safe(ident.vendor)} {safe(ident.product)}"
            f"  confidence {ident.confidence:.2f} ({ident.certainty})"
            + (f"  [{safe(attrs)}]" if attrs else "")
        )
        for ev in ident.evidence:
            console.print(
                f"     {safe(ev.field)} = {safe(ev.value, 120)}  ~ {safe(ev.pattern, 120)}"
            )


@app.command()
def stats() -> None:
    """Signatures per device class and per vendor."""
    try:
        signatures = load_signatures()
    except SignatureError as exc:
        raise fail(str(exc), 1) from None
    by_class = Counter(s.device_class for s in signatures)
    table = Table(title=f"{len(signatures)} signatures", title_justify="left")
    table.add_column("class")
    table.add_column("signatures", justify="right")
    table.add_column("collector")
    for cls, n in sorted(by_class.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(cls.value, str(n), "yes" if cls in COLLECTOR_CLASSES else "")
    console.print(table)
    by_vendor = Counter(s.vendor for s in signatures)
    vendors = Table(title=f"{len(by_vendor)} vendors", title_justify="left")
    vendors.add_column("vendor")
    vendors.add_column("signatures", justify="right")
    vendors.add_column("classes")
    for vendor, n in sorted(by_vendor.items(), key=lambda kv: (-kv[1], kv[0])):
        classes = sorted({s.device_class.value for s in signatures if s.vendor == vendor})
        vendors.add_row(safe(vendor), str(n), ", ".join(classes))
    console.print(vendors)
