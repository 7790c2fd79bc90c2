"""Markdown: the report as text that renders in any Markdown viewer (and reads as plain text).

Device strings are escaped so they render literally, and only as far as Markdown needs:
``\\ ` * _ [ ] | ~`` anywhere (emphasis, code, links, table cells, strikethrough), ``#``,
``+``, ``-``, ``=`` and ``1.`` only where a line starts with them (headings, lists), and
``<``/``>``/``&`` become entities (a viewer that allows inline HTML must not receive any).
Dates and numbers (``2026-12-07``, ``0.9``) stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.compare.labels import Lang
from scanner.models import ScanRun
from scanner.reporters.base import Reporter, ReportOptions
from scanner.reporters.i18n import t
from scanner.reporters.rows import DeviceRow, Location
from scanner.reporters.view import View, build_view

_INLINE = re.compile(r"([\\`*_\[\]|~])")
#: What makes a line a heading, list item or rule: ``# x``, ``- x``, ``+ x``, ``1. x``, ``---``.
_LINE_START = re.compile(
    r"^(\s*)(#{1,6}(?=\s|$)|[-+](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[-=](?=[-=]*\s*$))"
)
BLANK = "________"  # a line to write on, on paper


class _Raw(str):
    """Text already made safe (it is not escaped again)."""


def md(value: object) -> str:
    """Text safe inside a line, a table cell or at the start of a line."""
    if isinstance(value, _Raw):
        return value
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text.replace("\n", " "))
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _place(loc: Location, lang: Lang) -> str:
    """A location cell: what is known, and a blank to fill in where the place is unknown."""
    if not loc.to_fill:
        return loc.known
    return _Raw(f"{md(loc.known)}; {md(t('location_fill', lang))}: {BLANK}")


def _ref(registry_ref: str) -> str:
    return f" ({md(registry_ref)})" if registry_ref else ""


def _device_lines(d: DeviceRow, lang: Lang) -> Iterator[str]:
    name = d.brand_model if lang == "zh" and d.brand_model else f"{d.product} {d.model}".strip()
    head = f"{d.index}. {d.class_label} — {name}"
    yield f"### {md(head)}"
    yield ""
    facts = [
        [t("status", lang), d.status_label],
        [t("location", lang), _place(d.location, lang)],
        [t("addresses", lang), ", ".join(d.addresses)],
        [t("brand_model", lang), d.brand_model or "—"],
        *([] if lang == "zh" else [[t("product", lang), d.product or "—"]]),
        [t("serial", lang), d.serial or "—"],
        [t("confidence", lang), d.certainty],
        [t("rule", lang), d.rule or "—"],
    ]
    yield from _table(["", ""], facts)
    if d.evidence:
        cols = [t(k, lang) for k in ("ev_field", "ev_value", "ev_source", "ev_rule")]
        ev = [[e.field, e.value, e.source, e.signature] for e in d.evidence]
        yield from _table(cols, ev)
    if d.more_evidence:
        yield md(t("more_evidence", lang, n=d.more_evidence))
        yield ""


def _summary(v: View) -> Iterator[str]:
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
    if v.warnings:
        yield f"**{md(t('limits', lang))}**"
        yield ""
        for w in v.warnings:
            yield f"> {md(w)}"
            yield ""


def _findings(v: View) -> Iterator[str]:
    lang = v.lang
    yield f"## {md(t('findings', lang))}"
    yield ""
    if not v.findings:
        yield md(t("no_findings", lang))
        yield ""
    cols = [t(k, lang) for k in ("severity", "kind", "device", "location", "why", "action")]
    rows = [
        [f.severity_label, f.kind_label, f.device,
         _Raw(md(_place(f.location, lang)) + _ref(f.registry_ref)),
         f.why, f.action]
        for f in v.findings
    ]  # fmt: skip
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


def _devices(v: View) -> Iterator[str]:
    lang = v.lang
    yield f"## {md(t('devices', lang))}"
    yield ""
    for d in v.devices:
        yield from _device_lines(d, lang)
    if v.others:
        yield f"### {md(t('others', lang))}"
        yield ""
        cols = [t(k, lang) for k in ("addresses", "mac", "class", "name", "location_fill")]
        yield from _table(cols, [[o.address, o.mac, o.class_label, o.name, ""] for o in v.others])
    if v.omitted_devices:
        yield md(t("omitted", lang, n=v.omitted_devices))
        yield ""
    if v.skipped:
        yield f"## {md(t('skipped', lang))}"
        yield ""
        yield from (f"- {md(where)}{t('colon', lang)}{md(why)}" for where, why in v.skipped)
        yield ""


def _closing(v: View) -> Iterator[str]:
    lang = v.lang
    yield f"## {md(t('how_ran', lang))}"
    yield ""
    yield from (f"- {md(h)}" for h in v.how_ran)
    yield ""
    yield f"### {md(t('method', lang))}"
    yield ""
    yield md(t("method_text", lang))
    yield ""
    yield f"## {md(t('signoff', lang))}"
    yield ""
    cols = [t(k, lang) for k in ("signoff_role", "signoff_name", "signature", "date")]
    yield from _table(cols, [[role, name, "", ""] for role, name in v.signoff])


def _lines(v: View) -> Iterator[str]:
    for part in (_summary, _findings, _devices, _closing):
        yield from part(v)


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
