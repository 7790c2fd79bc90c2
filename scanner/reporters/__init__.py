"""Reporters turn pipeline results into bytes; only the CLI writes them out.

One module per format and an explicit registry (:data:`REPORTERS`, by format name); the
12339 evidence package (:mod:`scanner.reporters.package`) bundles several of them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from scanner.models import ScanRun
from scanner.reporters.base import Reporter, ReportOptions
from scanner.reporters.jsonout import scanrun_chunks


class JsonReporter(Reporter):
    """The ScanRun JSON (``biosweep.scanrun/1``), the machine format; language-neutral."""

    name = "json"
    suffix = ".json"
    media_type = "application/json"

    def chunks(self, run: ScanRun, options: ReportOptions) -> Iterator[bytes]:
        return scanrun_chunks(run)


@functools.cache
def _registry() -> dict[str, Reporter]:
    """Every reporter by format name. Built when first asked for: the formats' libraries
    (Jinja2, reportlab) are not imported by a sweep that only reads or writes the JSON."""
    from scanner.reporters.csvout import CsvReporter
    from scanner.reporters.html import HtmlReporter
    from scanner.reporters.markdown import MarkdownReporter
    from scanner.reporters.pdf import PdfReporter

    return {
        r.name: r
        for r in (JsonReporter(), CsvReporter(), MarkdownReporter(), HtmlReporter(), PdfReporter())
    }


def __getattr__(name: str) -> dict[str, Reporter]:
    if name == "REPORTERS":  # ``from scanner.reporters import REPORTERS``: the registry
        return _registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reporter_for(name: str) -> Reporter | None:
    """A reporter by format name (``html``) or file suffix (``.html``, ``.htm``)."""
    key = name.lower().lstrip(".")
    return _registry().get({"htm": "html", "markdown": "md"}.get(key, key))


__all__ = ["REPORTERS", "ReportOptions", "Reporter", "reporter_for"]
