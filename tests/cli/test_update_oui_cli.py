"""``biosweep signatures update-oui`` as a user runs it, and where the table's date shows.

The fixture folders hold real rows of the IEEE CSV files (tests/identify/test_ieee_registry.py).
Each run gets its own ``XDG_DATA_HOME``, so the user's table is written to a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.identify import ieee, oui
from tests.identify.test_ieee_registry import IEEE_ROWS, write_ieee_dir


def run(home: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def shipped_date() -> str:
    return ieee.read_date(oui.SHIPPED)


def test_version_and_stats_show_the_shipped_registry_date(tmp_path: Path) -> None:
    out = run(tmp_path, "--version")
    assert out.returncode == 0, out.stderr
    assert f"IEEE registry {shipped_date()} (shipped)" in out.stdout
    stats = run(tmp_path, "signatures", "stats")
    assert stats.returncode == 0, stats.stderr
    line = next(x for x in stats.stdout.splitlines() if x.startswith("IEEE registry"))
    assert line.startswith(f"IEEE registry {shipped_date()} (shipped): MA-L 39,")
    assert all(name in line for name in ("MA-M", "MA-S", "IAB 4,575"))


def test_update_writes_a_newer_table_that_identify_then_uses(tmp_path: Path) -> None:
    # Synthetic: the fixture's MA-M file gives Milesight's block 10:DC:B6:5 to Axis, so the
    # identification shows which table identify read.
    rows = {**IEEE_ROWS, "mam.csv": ["MA-M,10DCB65,Axis Communications AB,Lund SE"]}
    folder = write_ieee_dir(tmp_path / "ieee", rows)
    obs = {"subject": "mac:10:dc:b6:51:22:33", "field": "ip.address", "value": "10.0.0.7"}
    line = json.dumps(obs).encode() + b"\n"
    before = run(tmp_path / "xdg", "identify", "--observations", "-", stdin=line)
    assert before.returncode == 0 and '"vendor":"Axis' not in before.stdout
    out = run(tmp_path / "xdg", "signatures", "update-oui", "--from", str(folder),
              "--date", "2099-01-31", "--force")  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = tmp_path / "xdg" / "biosweep" / "ieee-registry.tsv.gz"
    assert f"IEEE registry of 2099-01-31: 7 blocks written to {table}" in out.stdout
    assert "MA-M  mam.csv          1 blocks  " in out.stdout
    assert ieee.load(table).date == "2099-01-31"
    assert f"IEEE registry 2099-01-31 ({table})" in run(tmp_path / "xdg", "--version").stdout
    after = run(tmp_path / "xdg", "identify", "--observations", "-", stdin=line)
    assert after.returncode == 0, after.stderr
    (device,) = [json.loads(x) for x in after.stdout.splitlines()]
    evidence = device["identifications"][0]["evidence"][0]
    assert (evidence["field"], evidence["value"]) == ("mac.oui_vendor", "Axis Communications AB")


def test_a_truncated_registry_is_refused_without_force(tmp_path: Path) -> None:
    folder = write_ieee_dir(tmp_path / "ieee")
    out = run(tmp_path / "xdg", "signatures", "update-oui", "--from", str(folder),
              "--date", "2099-01-31")  # fmt: skip
    assert out.returncode == 2
    assert "oui.csv has 3 MA-L blocks, the table in use" in out.stderr
    assert "--force" in out.stderr
    assert not (tmp_path / "xdg" / "biosweep").exists()


def test_older_files_write_nothing(tmp_path: Path) -> None:
    folder = write_ieee_dir(tmp_path / "ieee")
    out = run(tmp_path / "xdg", "signatures", "update-oui", "--from", str(folder),
              "--date", "2001-01-01")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"older than the one in use ({shipped_date()}): nothing written" in out.stdout
    assert not (tmp_path / "xdg" / "biosweep").exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing", "no iab.csv; fetch them from standards-oui.ieee.org"),
        ("malformed", "mam.csv:4: assignment '10DCB6' is not 7 hex digits"),
        ("date", "--date must be YYYY-MM-DD"),
    ],
)
def test_missing_or_invalid_input_exits_2_and_keeps_the_old_table(
    tmp_path: Path, damage: str, message: str
) -> None:
    home = tmp_path / "xdg"
    table = home / "biosweep" / "ieee-registry.tsv.gz"
    table.parent.mkdir(parents=True)
    table.write_bytes(b"previous table")
    rows = dict(IEEE_ROWS)
    if damage == "malformed":
        rows["mam.csv"] = [*IEEE_ROWS["mam.csv"], "MA-M,10DCB6,Short Prefix Ltd,"]
    folder = write_ieee_dir(tmp_path / "ieee", rows)
    if damage == "missing":
        (folder / "iab.csv").unlink()
    day = "31/01/2099" if damage == "date" else "2099-01-31"
    out = run(home, "signatures", "update-oui", "--from", str(folder), "--date", day, "--force")
    assert out.returncode == 2
    assert message in out.stderr
    assert table.read_bytes() == b"previous table"
    assert list(table.parent.iterdir()) == [table]  # no temporary file left behind


def test_out_writes_elsewhere_and_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    folder = write_ieee_dir(tmp_path / "ieee")
    target = tmp_path / "t.tsv.gz"
    args = ("signatures", "update-oui", "--from", str(folder), "--date", "2099-01-31", "--force")
    out = run(tmp_path / "xdg", *args, "--out", str(target))
    assert out.returncode == 0, out.stderr
    assert len(ieee.load(target).blocks) == 8
    assert f"IEEE registry {shipped_date()} (shipped): MA-L" in out.stdout  # lookups unchanged
    out = run(tmp_path / "xdg", *args, "--out", str(tmp_path / "nowhere" / "t.tsv.gz"))
    assert out.returncode == 2 and "does not exist" in out.stderr
