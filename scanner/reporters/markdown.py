"""Markdown: the report as text that renders in any Markdown viewer (and reads as plain text).

Device strings are escaped so they render literally: Markdown punctuation is backslashed and
``<``/``>``/``&`` become entities (a viewer that allows inline HTML must not receive any).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.compare.labels import Lang
from scanner.models import ScanRun
from scanner.reporters.base import Reporter, ReportOptions
from scanner.reporters.i18n import t
from scanner.reporters.view import DeviceRow, View, build_view

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")


def md(value: object) -> str:
    """Inline-safe Markdown text."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _device_lines(d: DeviceRow, lang: Lang) -> Iterator[str]:
    head = f"{d.index}. {d.class_label}" + (f" — {d.brand_model}" if d.brand_model else "")
    yield f"### {md(head)}"
    yield ""
    facts = [
        [t("status", lang), d.status_label],
        [t("addresses", lang), ", ".join(d.addresses)],
        [t("brand_model", lang), d.brand_model or "—"],
        *([] if lang == "zh" else [[t("product", lang), d.product or "—"]]),
        [t("serial", lang), d.serial or "—"],
        [t("confidence", lang), d.certainty],
    ]
    yield from _table(["", ""], facts)
    if d.evidence:
        cols = [t(k, lang) for k in ("ev_field", "ev_value", "ev_source", "ev_rule")]
        ev = [[e.field, e.value, e.source, e.signature] for e in d.evidence]
        yield from _table(cols, ev)
    if d.more_evidence:
        yield md(t("more_evidence", lang, n=d.more_evidence))
        yield ""


def _lines(v: View) -> Iterator[str]:
    lang = v.lang
    yield f"# {md(v.title)}"
    yield ""
    if not v.complete:
        yield f"> **{md(t('incomplete_note', lang))}**"
        yield from (f"> - {md(line)}" for line in v.incomplete)
        yield ""
    yield f"## {md(t('summary', lang))}"
    yield ""
    yield from _table(["", ""], [[k, val] for k, val in v.facts + v.headline])
    if v.time_note:
        yield md(v.time_note)
        yield ""
    if v.notes:
        yield md(t("notes", lang))
        yield ""
        yield from (f"- `{n.replace('`', chr(39))}`" for n in v.notes)
        yield ""
    yield f"## {md(t('findings', lang))}"
    yield ""
    if not v.findings:
        yield md(t("no_findings", lang))
        yield ""
    cols = [t(k, lang) for k in ("severity", "kind", "device", "registry_ref", "why")]
    rows = [[f.severity_label, f.kind_label, f.device, f.registry_ref, f.why] for f in v.findings]
    yield from _table(cols, rows) if rows else []
    if v.omitted_findings:
        yield md(t("omitted_findings", lang, n=v.omitted_findings))
        yield ""
    if v.deployments:
        yield f"## {md(t('deployments', lang))}"
        yield ""
        for dep in v.deployments:
            yield f"### {md(dep.id)}"
            yield ""
            yield from _table(["", ""], [[k, val] for k, val in dep.cells])
    yield f"## {md(t('devices', lang))}"
    yield ""
    for d in v.devices:
        yield from _device_lines(d, lang)
    if v.omitted_devices:
        yield md(t("omitted", lang, n=v.omitted_devices))
        yield ""
    if v.skipped:
        yield f"## {md(t('skipped', lang))}"
        yield ""
        yield from (f"- {md(where)}{t('colon', lang)}{md(why)}" for where, why in v.skipped)
        yield ""
    yield f"## {md(t('method', lang))}"
    yield ""
    yield md(t("method_text", lang))


class MarkdownReporter(Reporter):
    name = "md"
    suffix = ".md"
    media_type = "text/markdown; charset=utf-8"

    def chunks(self, run: ScanRun, options: ReportOptions) -> Iterator[bytes]:
        view = build_view(
            run, options.lang, options.registry, options.max_devices, options.max_findings,
            options.max_evidence,
        )  # fmt: skip
        for line in _lines(view):
            yield (line + "\n").encode("utf-8", "replace")
