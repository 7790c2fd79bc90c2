"""``biosweep signatures``: verify, match (--why), stats, coverage — tools for the database and
its authors."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.table import Table

from scanner.cli import oui_cmd
from scanner.cli.console import console, fail, safe
from scanner.errors import BiosweepError, InputError, SignatureError
from scanner.identify import default_engine
from scanner.identify.engine import Engine
from scanner.identify.explain import RuleCheck, near_misses
from scanner.identify.selfcheck import check_database
from scanner.identify.signatures import Signature, load_files, load_signatures, signature_files
from scanner.identify.vocab import load_vocabulary, signatures_dir
from scanner.inputs import MiB, read_text
from scanner.models import COLLECTOR_CLASSES, DeviceClass, Identification, Observation
from scanner.normalize import normalize

app = typer.Typer(help="Verify, query and summarise the signature database.", no_args_is_help=True)
app.command("update-oui", help=oui_cmd.HELP)(oui_cmd.update_oui)


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
    why: bool = typer.Option(
        False, "--why", help="Also explain near misses: which conditions held and which did not."
    ),
    signature: list[str] = typer.Option(
        [], "--signature", "-s", help="Explain every rule of this signature id (implies --why)."
    ),
    limit: int = typer.Option(10, "--limit", min=1, help="How many near misses --why shows."),
) -> None:
    """Show which signatures match one device's observations, ranked, with evidence.

    Exit 0 when a signature matches, 1 when none does (after any --why explanation)."""
    from scanner.identify import derive, identify

    try:
        engine = default_engine()
        observations = [_parse_pair(p) for p in pairs]
        devices = identify(observations, engine)
        unknown = sorted(set(signature) - {s.id for s in engine.signatures})
        if unknown:
            raise InputError(f"unknown signature id {unknown[0]!r}")
    except (BiosweepError, SignatureError) as exc:
        raise fail(str(exc)) from None
    idents = [i for d in devices for i in d.identifications]
    if not idents:
        typer.echo("no signature matches")
    for rank, ident in enumerate(idents, 1):
        _print_identification(rank, ident)
    if why or signature:
        checks = near_misses(engine.signatures, derive(observations), only=signature, limit=limit)
        _print_checks(checks, explicit=bool(signature))
    if not idents:
        raise typer.Exit(1)


def _print_identification(rank: int, ident: Identification) -> None:
    attrs = ", ".join(f"{k}={v}{_carrier(ident, v)}" for k, v in ident.attributes)
    head = f"{rank}. [bold]{safe(ident.signature_id)}[/]  {ident.device_class}"
    console.print(
        f"{head}  {safe(ident.vendor)} {safe(ident.product)}"
        f"  confidence {ident.confidence:.2f} ({ident.certainty})"
        + (f"  [{safe(attrs)}]" if attrs else "")
    )
    for ev in ident.evidence:
        console.print(f"     {safe(ev.field)} = {safe(ev.value, 120)}  ~ {safe(ev.pattern, 120)}")


def _carrier(ident: Identification, value: str) -> str:
    """`` (from FIELD)``: the evidence field whose value carried an extracted attribute."""
    for ev in ident.evidence:
        if value and value.lower() in ev.value.lower():
            return f" (from {ev.field})"
    return ""


def _print_checks(checks: list[RuleCheck], *, explicit: bool) -> None:
    if not checks:
        typer.echo("no near misses: no rule had a condition hold or a value close to a pattern")
        return
    title = "rules of the chosen signatures" if explicit else "near misses, closest first"
    typer.echo(f"{title}:")
    for check in checks:
        sig, rule = check.signature, check.rule
        verdict = "HOLDS" if check.held else f"{check.n_held}/{len(check.conditions)} held"
        console.print(
            f"  [bold]{safe(sig.id)}[/] rule {rule.index + 1} ({rule.certainty}, "
            f"{sig.device_class}): {verdict}  ({safe(sig.file)}:{sig.line})"
        )
        for cond in check.conditions:
            mark = "held" if cond.held else "FAIL"
            if cond.matched is not None:
                seen = f"= {safe(cond.matched, 80)}"
            elif cond.observed:
                seen = "seen " + ", ".join(repr(safe(v, 60)) for v in cond.observed[:3])
            else:
                seen = "not observed"
            console.print(f"     {mark} {safe(cond.field)} ~ {safe(cond.pattern, 100)}  {seen}")


@app.command()
def stats() -> None:
    """Signatures per device class and per vendor, and the IEEE registry table in use."""
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
    oui_cmd.print_registry()


# ---------------------------------------------------------------- coverage

#: Column → field prefixes: what kind of evidence a rule rests on.
FAMILIES: dict[str, tuple[str, ...]] = {
    "oui": ("mac.",),
    "ble": ("ble.",),
    "wifi": ("wifi.",),
    "port": ("tcp.", "udp."),
    "http": ("http.",),
    "tls": ("tls.",),
    "rtsp": ("rtsp.",),
    "onvif": ("onvif.", "wsd."),
    "upnp": ("upnp.", "ssdp."),
    "mdns": ("mdns.",),
    "dhcp": ("dhcp.", "ip.hostname"),
    "proto": ("sadp.", "dhip.", "zk.", "hid.", "anviz."),
    "banner": ("ftp.", "telnet.", "ssh.", "snmp."),
    "model": (),  # model grammars (models:), counted by signature, not by field
    "maker": (),  # the maker table entry (makers.yaml)
}


def family(field: str) -> str:
    """The evidence family of a field (``http.server`` → ``http``; vendor protocols → ``proto``)."""
    return next(
        (name for name, prefixes in FAMILIES.items() if field.startswith(prefixes)), "other"
    )


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of ``signatures/coverage.txt``: a vendor or product line that must be covered."""

    label: str
    pattern: re.Pattern[str]
    classes: frozenset[str]

    def wants(self, sig: Signature) -> bool:
        text = f"{sig.vendor} | {sig.product} | {sig.id}"
        in_class = not self.classes or sig.device_class.value in self.classes
        return in_class and self.pattern.search(text) is not None


def load_requirements(path: Path | None = None) -> list[Requirement]:
    """The required vendors (``signatures/coverage.txt``)."""
    path = path or signatures_dir() / "coverage.txt"
    out = []
    for n, line in enumerate(read_text(path, MiB).splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, _, rest = line.partition("|")
        pattern, sep, classes = rest.rpartition("|")
        label, pattern = label.strip(), pattern.strip()
        if not sep or not label or not pattern:
            raise InputError(f"{path}:{n}: expected 'label | pattern | classes'")
        out.append(
            Requirement(label, re.compile(pattern, re.IGNORECASE), frozenset(classes.split()))
        )
    return out


def requirement_status(
    req: Requirement, signatures: list[Signature]
) -> tuple[str, list[Signature]]:
    """``ok``, ``no counterexample`` or ``missing``, with the signatures that match ``req``."""
    found = [s for s in signatures if req.wants(s)]
    if any(s.examples and s.counterexamples for s in found):
        return "ok", found
    return ("no counterexample" if found else "missing"), found


def _families_of(signatures: list[Signature]) -> Counter[str]:
    """Rules per field family, of hand-written signatures; a model grammar counts once in
    ``model`` (it has a rule for every model-bearing field) and a maker entry in ``maker``."""
    counts = Counter(
        family(c.field)
        for s in signatures
        if s.origin == "signature"
        for r in s.rules
        for c in {x.field: x for x in r.conditions}.values()
    )
    counts.update(s.origin for s in signatures if s.origin != "signature")
    return counts


@app.command()
def coverage(
    vendor: str = typer.Option("", "--vendor", help="Only vendors whose name contains this."),
    gaps: bool = typer.Option(False, "--gaps", help="Only the required entries not covered."),
    required: Path = typer.Option(
        None, "--required", help="Required-coverage list (default: signatures/coverage.txt)."
    ),
) -> None:
    """Vendors × field families × classes, and the required vendors (signatures/coverage.txt).

    Each cell counts the rules that use a field family. Exit 1 if a required entry lacks a
    signature with examples and counterexamples."""
    try:
        signatures = load_signatures()
        requirements = load_requirements(required)
    except (SignatureError, InputError, OSError) as exc:
        raise fail(str(exc), 1) from None
    if not gaps:
        _print_vendor_matrix(signatures, vendor.lower())
        _print_class_matrix(signatures)
    missing = _print_requirements(requirements, signatures, gaps_only=gaps)
    if missing:
        raise typer.Exit(1)


def _matrix(title: str, first: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for name in FAMILIES:
        table.add_column(name, justify="right")
    return table


def _cells(signatures: list[Signature]) -> list[str]:
    counts = _families_of(signatures)
    return [str(counts[name]) if counts[name] else "" for name in FAMILIES]


def _print_vendor_matrix(signatures: list[Signature], needle: str) -> None:
    vendors = sorted({s.vendor for s in signatures if needle in s.vendor.lower()}, key=str.lower)
    table = _matrix(f"{len(vendors)} vendors × field families (rules)", "vendor")
    for name in ("sigs", "ex", "cx", "classes"):
        table.add_column(name, justify="left" if name == "classes" else "right")
    for name in vendors:
        own = [s for s in signatures if s.vendor == name]
        examples = sum(len(s.examples) for s in own)
        counters = sum(len(s.counterexamples) for s in own)
        classes = ", ".join(sorted({s.device_class.value for s in own}))
        row = [*_cells(own), str(len(own)), str(examples), str(counters), classes]
        table.add_row(safe(name), *row)
    console.print(table)


def _print_class_matrix(signatures: list[Signature]) -> None:
    table = _matrix("classes × field families (rules)", "class")
    table.add_column("vendors", justify="right")
    for cls in DeviceClass:
        own = [s for s in signatures if s.device_class == cls]
        table.add_row(cls.value, *_cells(own), str(len({s.vendor for s in own})))
    console.print(table)


def _print_requirements(
    requirements: list[Requirement], signatures: list[Signature], *, gaps_only: bool
) -> int:
    table = Table(title="required coverage", title_justify="left")
    for name in ("entry", "status", "signatures", "classes", "families"):
        table.add_column(name)
    missing = 0
    for req in requirements:
        status, found = requirement_status(req, signatures)
        missing += status != "ok"
        if gaps_only and status == "ok":
            continue
        classes = ", ".join(sorted({s.device_class.value for s in found}))
        families = ", ".join(name for name in FAMILIES if _families_of(found)[name])
        table.add_row(safe(req.label), status, str(len(found)), classes, families)
    console.print(table)
    typer.echo(f"{len(requirements) - missing}/{len(requirements)} required entries covered")
    return missing
