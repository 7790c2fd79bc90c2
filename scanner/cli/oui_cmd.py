"""``biosweep signatures update-oui``: refresh the IEEE registry table from the IEEE CSV files.

Reads files the user already has (nothing is downloaded), validates every row, and writes the
table atomically to the user's data folder (or ``--out``); lookups then use it whenever it is at
least as new as the table shipped with biosweep.
"""

from __future__ import annotations

from pathlib import Path

import typer

from scanner.atomic import write_atomic
from scanner.cli.console import fail
from scanner.cli.files import check_destination
from scanner.errors import InputError
from scanner.identify import oui
from scanner.identify.ieee import REGISTRIES, Table, dump, read_csv_dir
from scanner.normalize import clean_text

#: Debian's ``update-ieee-data`` refreshes into the first; the package ships the second.
DEBIAN_DIRS = (Path("/var/lib/ieee-data"), Path("/usr/share/ieee-data"))
#: A registry that shrinks below this share of the table in use is a truncated download.
MIN_SHARE = 0.9

HELP = f"""Refresh the IEEE MAC registry table (mac.oui_vendor) from the IEEE CSV files.

Nothing is downloaded. Fetch the four files yourself into one folder:
{chr(10).join(f"  {r.url}" for r in REGISTRIES)}
or install Debian's ieee-data (apt-get install ieee-data; update-ieee-data refreshes it).
Every row is checked; exit 2 if a file is missing or invalid.
"""


def _default_source() -> Path:
    """The Debian folder that holds the CSV files, refreshed copy first."""
    for folder in DEBIAN_DIRS:
        if (folder / REGISTRIES[0].file).is_file():
            return folder
    return DEBIAN_DIRS[-1]


def update_oui(
    source: Path = typer.Option(
        None,
        "--from",
        help="Folder with oui.csv, mam.csv, oui36.csv and iab.csv "
        "(default: /var/lib/ieee-data if update-ieee-data filled it, else /usr/share/ieee-data).",
    ),
    out: Path = typer.Option(
        None,
        "--out",
        help="Table to write (default: $XDG_DATA_HOME/biosweep/ieee-registry.tsv.gz).",
    ),
    day: str = typer.Option(
        "", "--date", help="Registry date YYYY-MM-DD (default: the newest file's mtime)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Write even if a registry has shrunk (a truncated download?)."
    ),
) -> None:
    source = source or _default_source()
    target = out or oui.user_table_path()
    try:
        if out is not None:
            check_destination(out, force=True)
        table = read_csv_dir(source, day=day)
        current = oui.table_in_use()
        if not force and table.date < current.table.date:
            typer.echo(
                f"{clean_text(str(source))} holds the IEEE registry of {table.date}, older than "
                f"the one in use ({current.table.date}): nothing written (--force writes it anyway)"
            )
            return
        if not force:
            _refuse_shrinking(table, current.table)
        if out is None:
            target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, dump(table), force=True)
    except (InputError, OSError) as exc:
        raise fail(str(exc), 2) from None
    for src in table.sources:
        typer.echo(f"{src.registry:<5} {src.file:<10} {src.blocks:>7,} blocks  {src.modified}")
    total = f"{len(table.blocks):,} blocks"
    typer.echo(f"IEEE registry of {table.date}: {total} written to {clean_text(str(target))}")
    oui.reload()
    print_registry()


def _refuse_shrinking(new: Table, current: Table) -> None:
    for reg in REGISTRIES:
        before, after = current.count(reg.name), new.count(reg.name)
        if after < before * MIN_SHARE:
            raise InputError(
                f"{reg.file} has {after:,} {reg.name} blocks, the table in use "
                f"({current.date}) {before:,}: a truncated file? --force writes it anyway"
            )


def _table_in_use() -> oui.TableInUse:
    try:
        return oui.table_in_use()
    except InputError as exc:
        raise fail(str(exc), 1) from None


def print_registry() -> None:
    """The table in use: date, origin and blocks per registry (for ``signatures stats``)."""
    in_use = _table_in_use()
    counts = ", ".join(f"{r.name} {in_use.table.count(r.name):,}" for r in REGISTRIES)
    typer.echo(f"{clean_text(in_use.describe())}: {counts} blocks")
    if in_use.note:
        typer.echo(f"note: {clean_text(in_use.note)}", err=True)
