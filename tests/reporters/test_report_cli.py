"""``biosweep report`` as a user meets it, and its atomic writes (catalogue cases 55, 61)."""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.atomic import write_atomic
from scanner.cli import app
from scanner.models import Evidence, ScanRun
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.jsonout import scanrun_chunks, scanrun_json
from tests.reporters.sample import sample_run

runner = CliRunner()


@pytest.fixture
def run_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.json"
    path.write_bytes(scanrun_json(sample_run()))
    return path


@pytest.mark.parametrize("suffix", [".json", ".csv", ".md", ".html", ".pdf"])
def test_every_format_from_the_output_suffix(tmp_path: Path, run_file: Path, suffix: str) -> None:
    out = tmp_path / f"report{suffix}"
    result = runner.invoke(app, ["report", str(run_file), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 200
    assert not list(tmp_path.glob(".*.tmp"))


def test_report_refuses_to_overwrite_and_bad_input(tmp_path: Path, run_file: Path) -> None:
    out = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(run_file), "-o", str(out)]).exit_code == 0
    again = runner.invoke(app, ["report", str(run_file), "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, ["report", str(run_file), "-o", str(out), "--force"]).exit_code == 0
    assert (
        runner.invoke(app, ["report", str(run_file), "-o", str(tmp_path / "r.doc")]).exit_code == 2
    )
    assert (
        runner.invoke(app, ["report", str(run_file), "-o", str(out), "--lang", "fr"]).exit_code == 2
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "nope"}')
    result = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "biosweep.scanrun/1" in result.output


def _failing(after: int) -> Iterator[bytes]:
    yield b"new " * 1000
    if after:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_the_previous_report_intact(tmp_path: Path) -> None:
    """Catalogue case 61: ENOSPC in the middle of writing."""
    target = tmp_path / "report.html"
    target.write_bytes(b"previous report")
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, _failing(1), force=True)
    assert target.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_killed_writer_leaves_no_partial_file_and_its_temp_is_cleaned(tmp_path: Path) -> None:
    """Catalogue case 61: SIGKILL while writing; the next write removes the leftover."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"previous report")
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from scanner.atomic import write_atomic
        def chunks():
            yield b"x" * 100000
            os.kill(os.getpid(), signal.SIGKILL)
        write_atomic(Path({str(target)!r}), chunks(), force=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=Path.cwd())
    assert done.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"previous report"
    leftovers = list(tmp_path.glob(".report.pdf.*.tmp"))
    assert len(leftovers) == 1
    write_atomic(target, [b"new report"], force=True)
    assert target.read_bytes() == b"new report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def _big_run(hosts: int, evidence: int) -> ScanRun:
    run = sample_run()
    cam = run.devices[0]
    ident = replace(
        cam.identifications[0],
        evidence=tuple(
            Evidence("http.server", "^.*$", "B" * 1000, "ip:x", "http") for _ in range(evidence)
        ),
    )
    devices = tuple(
        replace(cam, id=f"ip:10.{n // 65536}.{n // 256 % 256}.{n % 256}", identifications=(ident,))
        for n in range(hosts)
    )
    return replace(run, devices=devices)


@pytest.mark.parametrize("name", ["json", "csv"])
def test_json_and_csv_stream_with_bounded_memory(name: str) -> None:
    """Catalogue case 55: memory while exporting does not grow with the run."""
    run = _big_run(hosts=2000, evidence=20)  # about 40 MB of JSON
    chunks = REPORTERS[name].chunks(run, ReportOptions(lang="en"))
    tracemalloc.start()
    total = 0
    try:
        for chunk in chunks:
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 2_000_000
    assert peak < 2_000_000, (total, peak)


def test_scanrun_chunks_is_the_same_document() -> None:
    run = _big_run(hosts=3, evidence=2)
    assert b"".join(scanrun_chunks(run)) == scanrun_json(run)
