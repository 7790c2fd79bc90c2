"""What the Chinese output says: one term per concept (docs/GLOSSARY.zh.md), statutes quoted
exactly as scanner/compare/statutes.yaml has them, one typesetting rule, and no English in the
sentences of a Chinese report beyond brands, models and identifiers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scanner.compare import compare
from scanner.compare import labels as L
from scanner.compare.statutes import passages
from scanner.compare.why_zh import ZH
from scanner.identify.signatures import load_signatures
from scanner.models import ScanRun
from scanner.registry import Registry, load_registry
from scanner.registry.template import TEMPLATE
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.i18n import COVER_12339, TEXT
from scanner.reporters.jsonin import parse_scanrun
from scanner.reporters.package import build_package
from tests.compare.test_compare import SAMPLE_DETAILS
from tests.reporters.sample import registry as sample_registry
from tests.reporters.sample import sample_run

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "GLOSSARY.zh.md"
SAMPLE_RUN = ROOT / "docs" / "sample" / "run.json"
SAMPLE_REGISTRY = ROOT / "scanner" / "lab" / "scenarios" / "registries" / "office-zh.yaml"
HAN = "\u4e00-\u9fff"

#: Details for every explanation: identifiers as a sweep gives them, a Chinese maker.
DETAILS = SAMPLE_DETAILS | {"vendor": "Hikvision", "location": "大堂", "area": "入口"}


def explanations() -> Iterator[str]:
    for reason, text in sorted(ZH.items()):
        yield text(DETAILS, "zh")
        yield text(DETAILS | {"basis": "mac_prefix", "device_class": "iris_scanner"}, "zh")
        yield text({**DETAILS, "vendor": "ZKTeco (ZKSoftware)", "model": "iClock880"}, "zh")
        del reason


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "3"


@cache
def sample_view_run() -> tuple[ScanRun, Registry]:
    """The Chinese sample site's sweep (docs/sample/run.json), compared with today's code."""
    run = parse_scanrun(SAMPLE_RUN.read_bytes(), "docs/sample/run.json")
    reg = load_registry(SAMPLE_REGISTRY)
    findings = compare(run.devices, reg, scope=run.scope, today=run.started_at.date())
    return replace(run, findings=findings), reg


def cover_letters() -> list[str]:
    import io
    import zipfile

    out = []
    for run, reg in ((sample_run(), sample_registry()), sample_view_run()):
        package = build_package(replace(run, operator="王芳"), reg)
        with zipfile.ZipFile(io.BytesIO(package)) as z:
            out.append(z.read("cover.zh.txt").decode("utf-8"))
    return out


def our_texts() -> list[str]:
    """Every Chinese text biosweep writes itself (labels, report and cover wording,
    explanations with identifiers for device data, the registry template)."""
    tables = [
        L.CLASSES, L.KINDS, L.SEVERITIES, L.FIELDS, L.SPACES, L.FILING, L.METHODS, L.STATUS,
        L.CERTAINTY, L.LEGAL_BASIS, L.SKIP_REASONS, L.MODALITIES, L.STORAGE,
    ]  # fmt: skip
    texts = [zh for table in tables for _, zh in table.values()]
    texts += [*L.VENDORS_ZH.values(), *L.VENDOR_TEXT_ZH.values()]
    texts += [zh.format_map(_Blank()) for _, zh in TEXT.values()]
    c = COVER_12339
    texts += [c.heading, c.law, *c.channels, c.include_heading, *c.include]
    texts += [c.caution_heading, *c.caution]
    texts += list(explanations())
    texts += [line for line in TEMPLATE.splitlines() if re.search(f"[{HAN}]", line)]
    return texts + cover_letters()


class _Text(HTMLParser):
    """The page's text outside code, style and the evidence tables (device data)."""

    NESTED = frozenset({"code", "style", "title", "table"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        skip = tag in ("code", "style", "title") or ("class", "evidence") in attrs
        if (self.depth and tag in self.NESTED) or skip:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag in self.NESTED:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def glossary() -> list[tuple[str, list[str], list[str]]]:
    rows = []
    table = GLOSSARY.read_text(encoding="utf-8").split("## 用语", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("概念", "---") or set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0], cells[1].split("、"), [v for v in cells[2].split("、") if v]))
    return rows


def test_the_glossary_names_a_term_and_its_variants_per_concept() -> None:
    rows = glossary()
    assert len(rows) >= 15
    assert all(preferred and forbidden for _, preferred, forbidden in rows)
    concepts = [c for c, _, _ in rows]
    assert len(concepts) == len(set(concepts))


def test_chinese_texts_use_only_the_glossary_terms() -> None:
    preferred = sorted({t for _, p, _ in glossary() for t in p}, key=len, reverse=True)
    problems = []
    for text in [*our_texts(), sample_sentences()]:
        rest = text
        for term in preferred:
            rest = rest.replace(term, "\0")
        problems += [
            (concept, bad, text[:80])
            for concept, _, forbidden in glossary()
            for bad in forbidden
            if bad in rest
        ]
    assert problems == []


def test_every_quotation_and_article_is_the_statutes_file() -> None:
    verbatim = {p.text for p in passages().values() if p.verbatim}
    articles = {(p.title, p.article) for p in passages().values() if p.article}
    titles = {p.title for p in passages().values()}
    quoted = re.compile(r"》第[一二三四五六七八九十百]+条规定，“([^”]*)”")
    cited = re.compile(r"《([^》]+)》(第[一二三四五六七八九十百]+条)?")
    seen_quotes = set()
    for text in [*our_texts(), sample_sentences()]:
        for q in quoted.findall(text):
            assert q in verbatim, q
            seen_quotes.add(q)
        for title, article in cited.findall(text):
            assert title in titles, title
            assert not article or (title, article) in articles, (title, article)
    # the cover letter quotes the Counter-espionage Law's Art. 16 as the file has it
    assert passages()["report_espionage"].text in seen_quotes


def test_the_statutes_file_says_where_each_passage_comes_from() -> None:
    for key, p in passages().items():
        assert p.official.startswith("https://"), key
        assert p.checked, key
        for url, retrieved in p.checked:
            assert url.startswith(("http://", "https://")), key
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", retrieved), key
        assert not re.search(r"[“”\"]", p.text), key


def _outside_exempt(text: str) -> str:
    """Statute quotations and dates keep their official form."""
    verbatim = [p.text for p in passages().values()]
    for q in sorted(verbatim, key=len, reverse=True):
        text = text.replace(q, "\0")
    text = re.sub(r"地址：.*", "\0", text)  # the registry's address, as the site wrote it
    return re.sub(r"\d{4}年\d{1,2}月\d{1,2}日", "\0", text)


def test_one_typesetting_rule() -> None:
    problems = []
    for text in our_texts():
        for line in _outside_exempt(text).splitlines():
            line = line.strip().lstrip("#").strip()
            problems += [
                (why, line)
                for why, pattern in (
                    (
                        "no space between Chinese and Latin",
                        f"[{HAN}][A-Za-z0-9]|[A-Za-z0-9][{HAN}]",
                    ),
                    ("half-width punctuation in Chinese", f"[{HAN}][,:;()?!]|[,:;()?!][{HAN}]"),
                    ("space beside full-width punctuation", r" [，。：；、）“”]|[，。：；、（“”] "),
                    ("ASCII quotes in Chinese", f'[{HAN}]"|"[{HAN}]'),
                )
                if re.search(pattern, line)
            ]
    assert problems == []


# Latin words a Chinese sentence may carry: the tool, formats and protocol abbreviations.
ALLOWED = {
    "biosweep", "JSON", "PDF", "HTML", "IP", "MAC", "BLE", "UTC", "SHA", "NVR", "DVR", "ID",
    "UUID", "ONVIF", "UPnP", "SADP", "DHIP", "RTSP", "HTTP", "HTTPS", "TLS", "mDNS", "PIA", "www",
    "ARP", "TCP",  # the discovery methods "How the sweep ran" names
}  # fmt: skip


@cache
def brand_words() -> frozenset[str]:
    """Words of the makers' names the signature database knows (brands are allowed)."""
    words = set()
    for sig in load_signatures():
        words |= set(re.findall(r"[A-Za-z]+", re.sub(r"\([^)]*\)", "", sig.vendor)))
    return frozenset(words)


def latin_words(text: str) -> list[str]:
    """Plain Latin words: tokens with digits or identifier punctuation are identifiers."""
    text = re.sub(r"“[\x20-\x7e]*”", " ", text)  # a quoted command
    out = []
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9@_./:+-]*", text):
        token = token.rstrip(".:")
        if re.search(r"[0-9@_./:+-]", token):
            continue
        if token not in ALLOWED and token not in brand_words():
            out.append(token)
    return out


@cache
def sample_html() -> str:
    run, reg = sample_view_run()
    options = ReportOptions(lang="zh", registry=reg, generated_at=run.finished_at)
    return REPORTERS["html"].render(run, options).decode("utf-8")


@cache
def sample_sentences() -> str:
    """The Chinese sample report's text, without code and evidence tables."""
    parser = _Text()
    parser.feed(sample_html())
    return "".join(parser.parts)


def test_the_chinese_sample_report_has_no_english_sentences() -> None:
    text = sample_sentences()
    assert "未登记的采集设备" in text and "疑似虹膜识别设备" in text
    assert latin_words(text) == []
    chinese_site_cover = cover_letters()[1]
    assert "上海示例科技有限公司" in chinese_site_cover
    assert latin_words(chinese_site_cover) == []


def test_the_report_states_the_confidence_scores_it_uses() -> None:
    method = TEXT["method_text"][1]
    for phrase in ("0.9（高）", "0.7（中）", "0.4（低）", "MAC 地址", "“疑似”", "最高为“高”"):
        assert phrase in method
    html = sample_html()
    assert "0.7（中）；仅依据 MAC 地址厂商前缀判断，待现场核实" in html


@pytest.mark.parametrize("font_path", ["/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"])
def test_the_pdf_font_has_every_character_of_the_chinese_texts(font_path: str) -> None:
    if not Path(font_path).is_file():
        pytest.skip(f"{font_path} is not installed")
    from reportlab.pdfbase.ttfonts import TTFont

    cmap = TTFont("GlyphCheck", font_path, subfontIndex=0).face.charToGlyph
    used = {c for text in our_texts() for c in text if not c.isspace()}
    assert sorted(c for c in used if ord(c) not in cmap) == []
