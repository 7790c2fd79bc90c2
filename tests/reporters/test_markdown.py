"""Markdown: device text renders literally (no HTML, no links, no emphasis)."""

from __future__ import annotations

from scanner.reporters import REPORTERS, ReportOptions
from tests.reporters.sample import sample_run


def test_device_text_cannot_become_markup() -> None:
    hostile = "<img src=x onerror=alert(1)> [a](javascript:alert(1)) *b* | c"
    text = REPORTERS["md"].render(sample_run(hostile), ReportOptions(lang="en")).decode()
    assert "<img" not in text
    assert "[a](javascript" not in text  # the bracket is escaped: no link
    assert r"\[a\](javascript:alert(1)) \*b\* \| c" in text


def test_chinese_report_headings_and_findings() -> None:
    text = REPORTERS["md"].render(sample_run(), ReportOptions(lang="zh")).decode()
    assert text.startswith("# 生物特征采集设备排查报告")
    assert "## 发现的问题" in text
    assert "场所登记表中没有这台设备" in text
