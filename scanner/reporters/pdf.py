"""PDF via ReportLab: the same report as the HTML, paginated, for printing and filing.

Safety: ReportLab's ``Paragraph`` parses a mini-markup and, before 3.6.13, evaluated colour
attributes (CVE-2023-33733); every string is XML-escaped before it reaches a Paragraph
(SAFETY-CATALOGUE case 51) and the dependency is pinned above the fix (pyproject.toml).

Chinese text needs a CJK font. A TrueType CJK font found on the system (WenQuanYi Zen Hei,
Droid Sans Fallback, AR PL UMing; or ``$BIOSWEEP_CJK_FONT``) is embedded as a subset, so the
PDF reads the same anywhere; without one the Adobe-GB1 CID font ``STSong-Light`` is named
and the viewer supplies the glyphs (ReportLab ships its metrics, not the font).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from scanner import __version__
from scanner.compare.zhtext import item
from scanner.errors import BiosweepError
from scanner.models import ScanRun
from scanner.reporters.base import Reporter, ReportOptions
from scanner.reporters.cjkwrap import break_lines
from scanner.reporters.i18n import COVER_12339, t
from scanner.reporters.rows import DeviceRow, Location
from scanner.reporters.svg import BAR, SEVERITY_COLOURS
from scanner.reporters.view import View, build_view, when

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FONT = "BiosweepCJK"
#: Text width of the page's frame (A4 less 40 pt margins and the frame's 6 pt padding), of a
#: table cell (its width less 6 pt padding each side), and the slack left for rounding.
BODY, CELL_PADDING, SLACK = 595.27 - 80 - 12, 12, 1.5


#: Full-width punctuation no line may start with (GB/T 15834; Chinese line breaking). ReportLab's
#: CJK wrapping knows the Japanese set, which lacks ， ： ； ？ ！ and closing quotes
#: (reportlab.lib.textsplit.CANNOT_START_LINE), so a line could start with a comma.
CANNOT_START = "，：；？！”’》」』〕】"


def _kinsoku() -> None:
    """Teach ReportLab's CJK wrapping the Chinese punctuation that cannot start a line (both
    line breakers read the module global: paragraphs of one fragment use textsplit's)."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        names = vars(module)  # the module global the line breakers read (untyped in the stubs)
        names["ALL_CANNOT_START"] += "".join(
            c for c in CANNOT_START if c not in names["ALL_CANNOT_START"]
        )


@cache
def _font() -> str:
    """Register the report font once; returns its name."""
    from reportlab.pdfbase import pdfmetrics

    _kinsoku()
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    wanted = os.environ.get("BIOSWEEP_CJK_FONT")
    for path in (wanted, *CJK_FONTS) if wanted else CJK_FONTS:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
            except (TTFError, OSError):
                continue
            return FONT
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def p(value: object) -> str:
    """Text for a Paragraph: XML-escaped, so device data is never parsed as markup."""
    return escape(str(value))


class _Doc:
    """Builds the flowables; one method per section."""

    def __init__(self, view: View, options: ReportOptions) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.v, self.options, self.colors = view, options, colors
        font = _font()
        # CJK text breaks between any two characters; English only between words, so a
        # narrow column never shows "Severit y" (ReportLab's default wrapping).
        wrap = "CJK" if view.lang == "zh" else None
        base = ParagraphStyle("base", fontName=font, fontSize=9, leading=13, wordWrap=wrap)
        self.s = {
            "base": base,
            "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
            "note": ParagraphStyle("note", parent=base, fontSize=8, leading=11, spaceBefore=4),
            "h1": ParagraphStyle("h1", parent=base, fontSize=17, leading=23, spaceAfter=8),
            "h2": ParagraphStyle(
                "h2",
                parent=base,
                fontSize=13,
                leading=18,
                spaceBefore=10,
                spaceAfter=4,
                textColor=colors.HexColor("#1d3b5e"),
            ),
            "h3": ParagraphStyle("h3", parent=base, fontSize=10.5, leading=15, spaceBefore=6),
            "big": ParagraphStyle("big", parent=base, fontSize=11.5, leading=17),
            "warn": ParagraphStyle(
                "warn",
                parent=base,
                backColor=colors.HexColor("#fff8e1"),
                borderColor=colors.HexColor("#e8a317"),
                borderWidth=0.5,
                borderPadding=4,
                spaceBefore=4,
                spaceAfter=6,
            ),
            "strong": ParagraphStyle("strong", parent=base, textColor=colors.HexColor("#8b0000")),
        }

    def para(self, value: object, style: str = "base", width: float = BODY) -> Any:
        """A paragraph ``width`` points wide, its lines broken by :mod:`cjkwrap`'s rules
        (ReportLab's CJK wrapping stays on for anything that still does not fit)."""
        from reportlab.pdfbase.pdfmetrics import stringWidth
        from reportlab.platypus import Paragraph

        st = self.s[style]

        def measure(text: str) -> float:
            return float(stringWidth(text, st.fontName, st.fontSize))

        lines = break_lines(str(value), width - SLACK, measure)
        return Paragraph("<br/>".join(p(line) for line in lines), st)

    def table(
        self, rows: Sequence[Sequence[object]], widths: list[float], header: bool = True,
        row_height: float | None = None,
    ) -> Any:  # fmt: skip
        from reportlab.platypus import Table, TableStyle

        cells = [
            [self.para(c, "small", w - CELL_PADDING) for c, w in zip(row, widths, strict=True)]
            for row in rows
        ]
        heights = [None, *[row_height] * (len(rows) - 1)] if row_height else None
        table = Table(cells, colWidths=widths, repeatRows=1 if header else 0,
                      rowHeights=heights)  # fmt: skip
        style: list[Any] = [
            ("GRID", (0, 0), (-1, -1), 0.4, self.colors.HexColor("#c8d2dc")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), self.colors.HexColor("#eef2f6")))
        table.setStyle(TableStyle(style))
        return table

    def chart(self, rows: list[tuple[str, int, str]]) -> Any:
        from reportlab.graphics.shapes import Drawing, Rect, String

        row_h, label_w, width = 16, 190, 470
        drawing = Drawing(width, max(1, len(rows)) * row_h + 6)
        top = max((v for _, v, _ in rows), default=1) or 1
        for i, (name, value, colour) in enumerate(reversed(rows)):
            y = 3 + i * row_h
            w = max(1.0, value * (width - label_w - 40) / top)
            caption = String(label_w - 6, y + 3, name, fontName=_font(), fontSize=8)
            caption.textAnchor = "end"
            drawing.add(caption)
            bar = Rect(label_w, y, w, row_h - 5)
            bar.fillColor, bar.strokeColor = self.colors.HexColor(colour), None
            drawing.add(bar)
            drawing.add(String(label_w + w + 4, y + 3, str(value), fontName=_font(), fontSize=8))
        return drawing

    def cover(self) -> list[Any]:
        """The reporting channels first; sections 一、二、 and items （一）（二） in one size
        (the embedded font has no ☎, • or ·)."""
        from reportlab.platypus import PageBreak

        c = COVER_12339
        out = [self.para(t("title_12339", "zh"), "h1"), self.para(f"一、{c.heading}", "h2")]
        out += [self.para(c.law)]
        out += [self.para(f"{item(n)}{line}", "strong") for n, line in enumerate(c.channels, 1)]
        out += [self.para(f"二、{c.include_heading}", "h2")]
        out += [self.para(f"{item(n)}{line}") for n, line in enumerate(c.include, 1)]
        out += [self.para(f"三、{c.caution_heading}", "h2")]
        out += [self.para(f"{item(n)}{line}") for n, line in enumerate(c.caution, 1)]
        return [*out, PageBreak()]

    def summary(self) -> list[Any]:
        v, lang = self.v, self.v.lang
        out = [self.para(v.title, "h1")]
        if not v.complete:  # what could not be checked, first (no • : the font has none)
            out.append(self.para(t("incomplete_note", lang), "h3"))
            out += [self.para(f"{n}. {line}") for n, line in enumerate(v.incomplete, 1)]
        out.append(self.para(t("summary", lang), "h2"))
        out.append(self.table([[k, val] for k, val in v.facts + v.headline], [130, 385], False))
        if v.time_note:
            out.append(self.para(v.time_note, "note"))
        if v.warnings:
            out.append(self.para(t("limits", lang), "h3"))
            out += [self.para(w, "warn") for w in v.warnings]
        out += [self.para(t("chart_classes", lang), "h3")]
        out.append(self.chart([(n, c, BAR) for n, c in v.class_counts]))
        if v.severity_counts:
            out.append(self.para(t("chart_findings", lang), "h3"))
            rows = [(name, n, SEVERITY_COLOURS[s]) for s, name, n in v.severity_counts]
            out.append(self.chart(rows))
        return out

    def findings(self) -> list[Any]:
        v, lang = self.v, self.v.lang
        out = [self.para(t("findings", lang), "h2")]
        if not v.findings:
            return [*out, self.para(t("no_findings", lang))]
        head = [t(k, lang) for k in ("severity", "kind", "device", "location", "why", "action")]
        rows = [
            [f.severity_label, f.kind_label, f.device, self.place(f.location, f.registry_ref),
             f.why, f.action]
            for f in v.findings
        ]  # fmt: skip
        out.append(self.table([head, *rows], [48, 80, 58, 76, 122, 131]))
        if v.omitted_findings:
            out.append(self.para(t("omitted_findings", lang, n=v.omitted_findings)))
        for dep in v.deployments:
            colon = "：" if lang == "zh" else ": "
            out += [self.para(f"{t('deployments', lang)}{colon}{dep.id}", "h3")]
            out.append(self.table([[k, val] for k, val in dep.cells], [130, 385], False))
        return out

    def device(self, d: DeviceRow) -> list[Any]:
        from reportlab.platypus import KeepTogether

        lang = self.v.lang
        name = d.brand_model if lang == "zh" and d.brand_model else f"{d.product} {d.model}"
        head = f"{d.index}. {d.class_label} — {name.strip()}"
        facts = [
            [t("status", lang), d.status_label], [t("location", lang), self.place(d.location)],
            [t("addresses", lang), ", ".join(d.addresses)],
            [t("brand_model", lang), d.brand_model or "—"],
            *([] if lang == "zh" else [[t("product", lang), d.product or "—"]]),
            [t("serial", lang), d.serial or "—"], [t("confidence", lang), d.certainty],
            [t("rule", lang), d.rule or "—"],
        ]  # fmt: skip
        block = [self.para(head, "h3"), self.table(facts, [110, 405], False)]
        if d.evidence:
            cols = [t(k, lang) for k in ("ev_field", "ev_value", "ev_source", "ev_rule")]
            rows = [[e.field, e.value, e.source, e.signature] for e in d.evidence]
            block.append(self.table([cols, *rows], [95, 205, 75, 140]))
        if d.more_evidence:
            block.append(self.para(t("more_evidence", lang, n=d.more_evidence), "small"))
        return [KeepTogether(block)]

    def devices(self) -> list[Any]:
        v, lang = self.v, self.v.lang
        out = [self.para(t("devices", lang), "h2")]
        for d in v.devices:
            out += self.device(d)
        if v.others:
            out += [self.para(t("others", lang), "h3"), self.para(t("others_note", lang), "small")]
            cols = [t(k, lang) for k in ("addresses", "mac", "class", "name", "location_fill")]
            rows = [[o.address, o.mac, o.class_label, o.name, ""] for o in v.others]
            out.append(self.table([cols, *rows], [80, 80, 90, 130, 135]))
        if v.omitted_devices:
            out.append(self.para(t("omitted", lang, n=v.omitted_devices)))
        if v.skipped:
            out.append(self.para(t("skipped", lang), "h2"))
            colon = t("colon", lang)
            out += [
                self.para(f"{n}. {where}{colon}{why}", "small")
                for n, (where, why) in enumerate(v.skipped, 1)
            ]
        return out

    def how_ran(self) -> list[Any]:
        v, lang = self.v, self.v.lang
        out = [self.para(t("how_ran", lang), "h2")]
        out += [self.para(f"• {h}", "small") for h in v.how_ran]
        out += [self.para(t("method", lang), "h3"), self.para(t("method_text", lang))]
        return out

    def signoff(self) -> list[Any]:
        from reportlab.platypus import KeepTogether

        v, lang = self.v, self.v.lang
        cols = [t(k, lang) for k in ("signoff_role", "signoff_name", "signature", "date")]
        rows = [[role, name, "", ""] for role, name in v.signoff]
        table = self.table([cols, *rows], [130, 130, 140, 115], row_height=30)
        return [KeepTogether([self.para(t("signoff", lang), "h2"), table])]

    def place(self, loc: Location, registry_ref: str = "") -> str:
        """A location cell: what is known, then a line to write on where it is blank."""
        lines = [loc.known]
        if registry_ref:
            lines.append(f"{t('registry_ref', self.v.lang)}: {registry_ref}")
        if loc.to_fill:
            lines.append(f"{t('location_fill', self.v.lang)}: __________")
        return "\n".join(lines)


def render_pdf(view: View, options: ReportOptions, run: ScanRun) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    doc = _Doc(view, options)
    generated = when(options.generated_at or datetime.now(UTC), view.lang)
    sep = "，" if view.lang == "zh" else " | "
    colon = "：" if view.lang == "zh" else ": "
    footer = f"{view.title}{sep}{run.id}{sep}{t('generated', view.lang)}{colon}{generated}"

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 7)
        canvas.drawString(40, 20, footer[:160])
        canvas.drawRightString(A4[0] - 40, 20, str(document.page))
        canvas.restoreState()

    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40,
        title=view.title, author=f"biosweep {__version__}", subject=run.id,
        creator=f"biosweep {__version__}", invariant=int(options.generated_at is not None),
    )  # fmt: skip
    story = (doc.cover() if options.cover_12339 else []) + doc.summary()
    story += doc.findings() + doc.devices() + doc.how_ran() + doc.signoff()
    try:
        pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    except (ValueError, KeyError, IndexError) as exc:  # ReportLab layout errors
        raise BiosweepError(f"PDF layout failed: {exc}") from None
    return out.getvalue()


class PdfReporter(Reporter):
    name = "pdf"
    suffix = ".pdf"
    media_type = "application/pdf"

    def chunks(self, run: ScanRun, options: ReportOptions) -> Iterator[bytes]:
        view = build_view(
            run, options.lang, options.registry, min(options.max_devices, 300),
            min(options.max_findings, 500), options.max_evidence,
        )  # fmt: skip
        yield render_pdf(view, options, run)
