"""What an officer files: the run's notes in the report's language, warnings only for what
limits the findings, an action and a location per finding, each piece of evidence once, no
empty cards, a sign-off block, headers that never break mid-word, Markdown that escapes only
what it must, and no local paths in a 12339 package."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scanner.models import Observation, ScanRun
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.package import build_package
from tests.reporters import browser
from tests.reporters.sample import FACE_MAC, observations, registry, sample_run

NOTES = (
    "discovery: arp on eth0 (10.0.0.0/24): 3 answered",
    "discovery: tcp-connect (after ARP)",
    "connections: 1154 attempts, 33 probes served by their port check's connection",
    "tarpit: 10.0.0.9 accepted connections on 40 of 41 ports and on control port 49151, which "
    "no service uses; its open ports are not used as evidence",
)
WHEN = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)


def run_with_notes() -> ScanRun:
    return replace(sample_run(), notes=NOTES)


def render(fmt: str, lang: str, run: ScanRun | None = None) -> bytes:
    options = ReportOptions(lang=lang, registry=registry(), generated_at=WHEN)  # type: ignore[arg-type]
    return REPORTERS[fmt].render(run or run_with_notes(), options)


class Blocks(HTMLParser):
    """Text by the class of the element it sits in (``note`` boxes, ``how`` list, rows)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"br", "meta"}:
            self.stack.append(dict(attrs).get("class") or tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in {"br", "meta"}:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for cls in set(self.stack):
            self.text.setdefault(cls, []).append(data)

    def of(self, cls: str) -> str:
        return " ".join(self.text.get(cls, []))


def blocks(html: bytes) -> Blocks:
    parser = Blocks()
    parser.feed(html.decode("utf-8"))
    return parser


def test_notes_are_retold_in_chinese_and_warnings_are_only_what_limits_findings() -> None:
    page = blocks(render("html", "zh"))
    how = page.of("how")
    assert "在 eth0（10.0.0.0/24）上进行 ARP 探测：3 台主机应答。" in how
    assert "共发起 1154 次连接" in how
    notes = page.of("note")
    assert "10.0.0.9" in notes and "蜜罐" in notes  # the tarpit limits what was found
    assert "1154" not in notes and "ARP" not in notes  # run notes are no warnings
    html = render("html", "zh").decode()
    assert "connections:" not in html and "discovery:" not in html and "answered" not in html


def test_english_report_says_how_the_sweep_ran_in_english() -> None:
    page = blocks(render("html", "en"))
    assert "ARP on eth0 (10.0.0.0/24): 3 hosts answered." in page.of("how")
    assert "1154 connection attempts in all" in page.of("how")
    assert "its open ports were not used as evidence" in page.of("note")


def test_no_arp_is_a_warning_in_the_report_language() -> None:
    from scanner.models import Skipped, SkipReason

    run = replace(sample_run(), skipped=(Skipped("arp", SkipReason.NEEDS_ROOT, "ARP needs root"),))
    assert "未能进行 ARP 探测（ARP needs root）" in blocks(render("html", "zh", run)).of("note")


def test_every_finding_has_an_action_and_a_location() -> None:
    page = blocks(render("html", "en"))
    rows = page.of("finding")
    # the unregistered face terminal: report through 12339 if unclaimed; found by address
    assert "report it through 12339 (hotline 12339, www.12339.gov.cn" in page.of("action")
    assert "None: registered as recorded." in page.of("action")
    locations = page.of("location")
    assert "Lobby / Entrance" in locations  # the registry's location of the registered camera
    assert f"10.0.0.51 · MAC {FACE_MAC} · segment 10.0.0.0/24" in locations
    assert "found at" in locations  # a blank to write the place in
    assert "Recommended action" in rows or "Recommended action" in render("html", "en").decode()
    zh = blocks(render("html", "zh")).of("action")
    assert "通过 12339 举报" in zh and "举报电话 12339" in zh


def test_each_piece_of_evidence_is_shown_once() -> None:
    html = render("html", "en").decode()
    for card in html.split('<section class="device')[1:]:
        evidence = card.split('<table class="evidence">', 1)[-1].split("</table>", 1)[0]
        rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td>", evidence)
        assert rows and len(rows) == len(set(rows))


def test_unidentified_devices_get_a_row_not_an_empty_card() -> None:
    extra = [Observation("mac:02:00:00:00:00:77", "ip.address", "10.0.0.77", "arp")]
    from scanner.identify import identify
    from scanner.scan import compared

    base = sample_run(with_registry=False)
    run = compared(
        replace(base, devices=tuple(identify([*observations(), *extra]))), registry(), None
    )
    html = render("html", "en", run).decode()
    cards = html.split('<section class="device')[1:]
    assert all("unidentified device —" not in c.split("</h3>")[0] for c in cards)
    others = html.split('<table class="others">', 1)[1].split("</table>", 1)[0]
    assert "10.0.0.77" in others and "02:00:00:00:00:77" in others
    md = render("md", "en", run).decode()
    assert "unidentified device —" not in md and "10.0.0.77" in md


def test_sign_off_block_in_every_format() -> None:
    page = blocks(render("html", "en"))
    signoff = page.of("signoff")
    for words in ("Sweep carried out by", "Li Ming", "Reviewed by", "Signature", "Date"):
        assert words in signoff
    md = render("md", "zh").decode()
    assert "## 签字确认" in md and "| 复核人 |" in md
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = pdf_text(render("pdf", "en"))
        assert "Sign-off" in text and "Reviewed by" in text


def pdf_text(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    done = subprocess.run(
        [tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8", "replace")


HEADER_WORDS = ("Severity", "Finding", "Location", "Recommended", "Unregistered", "collector")


def test_pdf_headers_and_labels_never_break_mid_word() -> None:
    words = set(pdf_text(render("pdf", "en")).split())
    assert set(HEADER_WORDS) <= words
    assert not {"Severit", "Unregiste", "Recommende"} & words


def test_html_headers_and_labels_never_break_mid_word(tmp_path: Path) -> None:
    """Laid out by Chromium (printed to PDF), the narrow columns break between words only."""
    page = tmp_path / "report.html"
    page.write_bytes(render("html", "en"))
    pdf = tmp_path / "page.pdf"
    browser.run(page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    words = set(pdf_text(pdf.read_bytes()).split())
    assert set(HEADER_WORDS) <= words
    assert not {"Severit", "Unregiste", "Recommende"} & words


def test_markdown_escapes_only_what_markdown_needs() -> None:
    md = render("md", "en").decode()
    assert "2026-05-04 02:30:00" in md  # dates as they are
    assert "10.0.0.0/24" in md and "0.9 (high)" in md
    assert "\\-" not in md and "\\." not in md and "\\(" not in md


def test_package_names_the_registry_without_local_paths() -> None:
    run = replace(sample_run(), registry="/home/li/cases/site.yaml sha256:" + "ab" * 32)
    data = build_package(run, registry(), WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {name: z.read(name) for name in z.namelist()}
    for name, body in files.items():
        assert b"/home/li" not in body, name
    assert b'"registry": "site.yaml sha256:' in files["manifest.json"]
    assert b'"registry": "site.yaml sha256:' in files["report.json"]


def test_every_finding_kind_has_an_action_in_both_languages() -> None:
    from scanner.models import Finding, FindingKind, Severity
    from scanner.reporters.actions import action_key
    from scanner.reporters.i18n import t

    for kind in FindingKind:
        for severity in Severity:
            for reason in ("", "gone_registered", "gone_unregistered"):
                f = Finding(kind=kind, severity=severity, device_id=None, why="", reason=reason)
                en, zh = t(action_key(f), "en"), t(action_key(f), "zh")
                assert en and zh and en != zh, (kind, severity)
    critical = Finding(FindingKind.UNREGISTERED_COLLECTOR, Severity.CRITICAL, "d", "")
    assert "12339" in t(action_key(critical), "en")
    swap = Finding(FindingKind.IDENTITY_MISMATCH, Severity.CRITICAL, "d", "")
    assert "www.12339.gov.cn" in t(action_key(swap), "en")
    prohibited = Finding(FindingKind.PROHIBITED_SPACE, Severity.CRITICAL, "d", "")
    assert "disconnect" in t(action_key(prohibited), "en")
