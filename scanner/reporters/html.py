"""HTML: one self-contained page (inline CSS, inline SVG charts, no script, no external
resource) with a strict Content-Security-Policy, so opening it sends no request anywhere.

Rendered by Jinja2 with autoescaping on (every device string is text; SAFETY-CATALOGUE case
47) and undefined names an error. Links to device data are never made. Large runs detail at
most ``max_devices`` devices and point to the JSON (case 55).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from scanner import __version__
from scanner.compare.zhtext import item
from scanner.models import ScanRun
from scanner.reporters.base import Reporter, ReportOptions
from scanner.reporters.i18n import COVER_12339, t
from scanner.reporters.svg import BAR, SEVERITY_COLOURS, bar_chart
from scanner.reporters.view import build_view, when

#: Nothing may load: no script, image, font, frame or form target, no base URL; inline CSS only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Identifiers a browser would break at a hyphen or colon (serials, models, MAC addresses).
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{2,38}[A-Za-z0-9]")


def keep_identifiers(value: str) -> Markup:
    """``value`` escaped, with each identifier in a ``span.id`` that does not wrap, so a serial
    is never split across lines (longer tokens may still wrap: device text is untrusted)."""
    out, pos = [], 0
    for m in _IDENTIFIER.finditer(value):
        if "-" in m.group() or ":" in m.group():
            out += [escape(value[pos : m.start()]), Markup('<span class="id">'), escape(m.group())]
            out.append(Markup("</span>"))
            pos = m.end()
    out.append(escape(value[pos:]))
    return Markup("").join(out)


def template_environment(folder: Path) -> jinja2.Environment:
    """Jinja2 as every biosweep page uses it: autoescaped, strict about undefined names (the
    reports here, the console's pages in :mod:`scanner.console`)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_env = template_environment(TEMPLATES)
_env.filters["ids"] = keep_identifiers


class HtmlReporter(Reporter):
    name = "html"
    suffix = ".html"
    media_type = "text/html; charset=utf-8"

    def chunks(self, run: ScanRun, options: ReportOptions) -> Iterator[bytes]:
        lang = options.lang
        view = build_view(
            run, lang, options.registry, options.max_devices, options.max_findings,
            options.max_evidence,
        )  # fmt: skip
        classes = [(name, n, BAR) for name, n in view.class_counts]
        severities = [(name, n, SEVERITY_COLOURS[s]) for s, name, n in view.severity_counts]
        page = _env.get_template("report.html.j2").render(
            v=view,
            t=lambda key, **kw: t(key, lang, **kw),
            csp=CSP,
            cover=COVER_12339 if options.cover_12339 else None,
            cover_title=t("title_12339", lang),
            chart_classes=bar_chart(t("chart_classes", lang), classes),
            chart_findings=bar_chart(t("chart_findings", lang), severities),
            generated=when(options.generated_at or datetime.now(UTC), lang),
            tool_version=__version__,
            item=item,
        )
        yield page.encode("utf-8", "replace")
