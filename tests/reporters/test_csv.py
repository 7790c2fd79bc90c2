"""CSV: RFC 4180 and inert in spreadsheets (catalogue case 49)."""

from __future__ import annotations

import csv
import io

import pytest

from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.csvout import FORMULA_TRIGGERS, cell
from tests.reporters.sample import sample_run

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "@SUM(1+1)",
    "-2+3",
    "+1",
    "\t=1",
    "\r=1",
    "=1\x00",
    'a "quoted", comma, value',
    "line\nbreak",
]


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value", HOSTILE)
def test_no_cell_starts_with_a_formula_trigger(value: str) -> None:
    data = REPORTERS["csv"].render(sample_run(value), ReportOptions(lang="en"))
    table = rows(data)
    assert len(table) == 1 + len(sample_run().devices)
    assert all(not c.startswith(FORMULA_TRIGGERS) for row in table for c in row)
    assert "\x00" not in data.decode("utf-8-sig")
    assert b"\r\n" in data


def test_quotes_and_commas_round_trip() -> None:
    assert cell('a "quoted", comma, value') == 'a "quoted", comma, value'
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([cell('x "y", z'), cell("=1")])
    assert rows(out.getvalue().encode()) == [['x "y", z', "'=1"]]


def test_columns_in_chinese() -> None:
    table = rows(REPORTERS["csv"].render(sample_run(), ReportOptions(lang="zh")))
    assert table[0][:3] == ["设备标识", "类别", "类别代码"]
    face = next(r for r in table if "10.0.0.51" in r)
    assert "人脸识别终端" in face and "未登记" in face
