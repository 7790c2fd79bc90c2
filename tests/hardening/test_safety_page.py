"""The safety page (``docs/SAFETY.md``) maps every catalogue case to tests that exist, the
README links it, and the deep fuzzing run is documented for every parser (catalogue case 70)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.hardening.test_parser_properties import PARSERS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "SAFETY.md"
#: SAFETY-CATALOGUE.md's case numbers (docs/SAFETY-CATALOGUE.md says the same).
CASES = {1, 2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 24, 25, 27, 28}
CASES |= {29, 31, 32, 33, 35, 37, 38, 39, 40, 41, 42, 43, 45, 46, 47, 49, 50, 51, 54, 55}
CASES |= {56, 57, 58, 59, 61, 62, 64, 66, 67, 68, 69, 70}
CATALOGUE = ROOT / "docs" / "SAFETY-CATALOGUE.md"
_ROW = re.compile(r"^\| (\d+) \| [^|]+ \| (.+) \|$")
_TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _rows() -> dict[int, list[tuple[str, str]]]:
    rows = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if m := _ROW.match(line):
            rows[int(m.group(1))] = _TEST.findall(m.group(2))
    return rows


def test_every_catalogue_case_has_a_row_with_tests() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert set(map(int, re.findall(r"^(\d+)\. \*\*", text, re.MULTILINE))) == CASES
    rows = _rows()
    assert set(rows) == CASES
    assert [case for case, tests in rows.items() if not tests] == []


def test_every_named_test_exists() -> None:
    named = {t for tests in _rows().values() for t in tests}
    named |= set(_TEST.findall(PAGE.read_text(encoding="utf-8")))
    missing = []
    for file, test in sorted(named):
        source = ROOT / file
        if not source.is_file() or not re.search(
            rf"^(?:async )?def {test}\(", source.read_text(encoding="utf-8"), re.MULTILINE
        ):
            missing.append(f"{file}::{test}")
    assert missing == []


def test_the_readme_links_the_safety_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^## Safety$", readme, re.MULTILINE)
    assert "(docs/SAFETY.md)" in readme


def test_the_deep_fuzzing_run_is_documented() -> None:
    """Case 70: a deep run exists for every parser the property covers, with its limits."""
    script = (ROOT / "bench" / "fuzz" / "fuzz_parsers.py").read_text(encoding="utf-8")
    guide = (ROOT / "bench" / "fuzz" / "README.md").read_text(encoding="utf-8")
    assert [name for name in PARSERS if name not in script] == []
    assert "-rss_limit_mb" in guide and "-timeout" in guide and "@example" in guide
