"""The PDF report: pages convert with pdftoppm, device text is never ReportLab markup."""

from __future__ import annotations

import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from scanner.reporters import REPORTERS, ReportOptions
from tests.reporters.sample import registry, sample_run

#: CVE-2023-33733: ReportLab evaluated colour attributes in Paragraph markup before 3.6.13.
EXPLOIT = (
    "<font color=\"[ [ getattr(pow, Word('__globals__'))['os'].system('touch pwned') "
    "for Word in [ orgTypeFun( 'Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: "
    "1 == 0, '__eq__': lambda self, x: self.mutate() and self.mutated < 0 and str(self) == x, "
    "'mutate': lambda self: { setattr(self, 'mutated', self.mutated - 1) }, '__hash__': lambda "
    "self: hash(str(self)), }, ) ] ] for orgTypeFun in [type(type(1))] for none in [[].append(1)]]] "
    "and 'red'\">x</font>"
)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package poppler-utils; make system-tools)")
    return path


def render(tmp: Path, hostile: str = "", lang: str = "zh") -> Path:
    options = ReportOptions(lang=lang, registry=registry())  # type: ignore[arg-type]
    path = tmp / f"report.{lang}.pdf"
    path.write_bytes(REPORTERS["pdf"].render(sample_run(hostile), options))
    return path


def text_of(pdf: Path) -> str:
    done = subprocess.run(
        [tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


def test_reportlab_is_past_the_cve_fix() -> None:
    major, minor, patch = (int(x) for x in ([*version("reportlab").split("."), "0", "0"])[:3])
    assert (major, minor, patch) >= (3, 6, 13)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_converts_to_pages(tmp_path: Path, lang: str) -> None:
    pdf = render(tmp_path, lang=lang)
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(
        [tool("pdftoppm"), "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)


def test_chinese_pdf_text(tmp_path: Path) -> None:
    text = text_of(render(tmp_path))
    for phrase in ("生物特征采集设备排查报告", "未登记的采集设备", "人脸识别终端", "识别依据"):
        assert phrase in text


def test_exploit_markup_is_printed_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catalogue case 51."""
    monkeypatch.chdir(tmp_path)
    pdf = render(tmp_path, EXPLOIT, lang="en")
    assert not (tmp_path / "pwned").exists()
    text = text_of(pdf)
    assert "getattr(pow, Word('__globals__'))['os'].system('touch pwned')" in text
    assert '<font color="[' in text


def test_chinese_lines_break_where_chinese_typesetting_allows() -> None:
    from scanner.reporters.cjkwrap import CANNOT_END, CANNOT_START, break_lines

    def measure(text: str) -> float:  # a Chinese character 10, anything else 5
        return sum(10 if ord(c) > 0x2E80 else 5 for c in text)

    text = (
        "已登记为 cam-entrance（采集点 entrance-video，三楼大堂及主入口），序列号 "
        "DS-2CD2143G2-I20230511AAWR5AC041、MAC 地址 3c:ef:8c:5a:c0:42 与登记一致。"
    )
    for width in range(60, 400, 7):
        lines = break_lines(text, width, measure)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        # a line fits, or only a closing mark hangs past its end
        assert all(measure(s) <= width or measure(s[:-1]) <= width for s in lines), width
        assert not [s for s in lines[1:] if s and s[0] in CANNOT_START], (width, lines)
        assert not [s for s in lines[:-1] if s and s[-1] in CANNOT_END], (width, lines)
        for token in ("DS-2CD2143G2-I20230511AAWR5AC041", "3c:ef:8c:5a:c0:42"):
            if measure(token) <= width:
                assert any(token in line for line in lines), (width, lines)
    assert break_lines("entrance-video/cam-lobby", 80, measure) == ["entrance-video/", "cam-lobby"]


def test_no_line_of_the_chinese_pdf_starts_with_a_closing_mark(tmp_path: Path) -> None:
    from scanner.reporters.cjkwrap import CANNOT_START

    done = subprocess.run(
        [tool("pdftotext"), str(render(tmp_path)), "-"], capture_output=True, check=True
    )  # without -layout, one output line per line of a paragraph
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) > 50
    assert not [s for s in lines if s and s[0] in CANNOT_START and s.strip() != "—"]
