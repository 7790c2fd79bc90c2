"""Regenerate the Chinese sample outputs in docs/ from the Chinese sample site (``office-zh``).

Run as root from the repository root (the lab needs network namespaces; Chromium runs under
``unshare -n``, so it can reach nothing)::

    BIOSWEEP_LAB_DIR=/tmp/lab-docs .venv/bin/python docs/make_samples.py

It brings the ``office-zh`` lab up, sweeps it from the scanner's namespace with the shipped
registry, tears the lab down, and writes ``docs/sample/``: ``run.json`` (the ScanRun),
``report.zh.html``, ``report.zh.pdf`` and ``cover.zh.txt`` (the 12339 package's cover letter),
then the screenshots ``docs/report-html.png``, ``docs/report-pdf-1.png``,
``docs/report-pdf-2.png`` and ``docs/cover-12339.png``. Reports are stamped with the sweep's
end time, so regenerating from the same ``run.json`` gives the same files.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from scanner.lab import manager
from scanner.registry import load_registry
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.jsonin import parse_scanrun
from scanner.reporters.package import build_package

SCENARIO = "office-zh"
REGISTRY = Path("scanner/lab/scenarios/registries/office-zh.yaml")
OPERATOR = "王芳"
DOCS = Path("docs")
SAMPLE = DOCS / "sample"
CHROMIUM = [
    "unshare", "-n", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
    "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
]  # fmt: skip


def sweep() -> bytes:
    """The ScanRun JSON of a sweep of the sample site, compared with its registry."""
    state = manager.up(SCENARIO, "namespaces")
    try:
        command = manager.sweep_command(state, [
            "--quiet", "--json", "--site", state.site, "--operator", OPERATOR,
            "--registry", str(REGISTRY),
        ])  # fmt: skip
        done = subprocess.run(command, capture_output=True, timeout=600, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr.decode(errors="replace")[-2000:])
        return done.stdout
    finally:
        manager.teardown(state)


def write_reports(data: bytes) -> None:
    run = parse_scanrun(data, "run.json")
    options = ReportOptions(registry=load_registry(REGISTRY), generated_at=run.finished_at)
    SAMPLE.mkdir(parents=True, exist_ok=True)
    (SAMPLE / "run.json").write_bytes(data)
    (SAMPLE / "report.zh.html").write_bytes(REPORTERS["html"].render(run, options))
    (SAMPLE / "report.zh.pdf").write_bytes(REPORTERS["pdf"].render(run, options))
    package = build_package(run, options.registry, created_at=run.finished_at)
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        (SAMPLE / "cover.zh.txt").write_bytes(z.read("cover.zh.txt"))


def screenshot(page: Path, png: Path, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="biosweep-docs-") as profile:
        subprocess.run(
            [*CHROMIUM, f"--user-data-dir={profile}", f"--window-size=1100,{height}",
             f"--screenshot={png.resolve()}", page.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def pdf_pages(pdf: Path, prefix: Path, last: int) -> None:
    for n in range(1, last + 1):
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(n), "-l", str(n),
             str(pdf), f"{prefix}-{n}"],
            check=True, timeout=120,
        )  # fmt: skip


def main() -> None:
    data = (SAMPLE / "run.json").read_bytes() if "--reuse" in sys.argv else sweep()
    write_reports(data)
    screenshot(SAMPLE / "report.zh.html", DOCS / "report-html.png", 2400)
    screenshot(SAMPLE / "cover.zh.txt", DOCS / "cover-12339.png", 1500)
    pdf_pages(SAMPLE / "report.zh.pdf", DOCS / "report-pdf", 2)
    print("wrote", *sorted(str(p) for p in [*SAMPLE.iterdir(), *DOCS.glob("*.png")]))


if __name__ == "__main__":
    main()
