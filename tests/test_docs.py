"""The repository points only at itself: no `../shared/…` in any code, data or doc file, every
`NAME.md` they cite is in the repository, and every relative link of README.md, docs/ and
examples/README.md leads to a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "examples" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_points_only_inside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor
        path = (page.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), f"{page.name}: {target}"


def test_readme_links_the_report_screenshots() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for shot in ("docs/report-html.png", "docs/report-html-en.png", "docs/report-pdf-1.png"):
        assert f"]({shot})" in text


#: Where the repository's own text lives (code, data, docs); checked file by file.
_TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".j2", ".html", ".cfg", ".sh"}
_OUTSIDE = re.compile(r"\.\./shared|/work/shared")
_DOC_NAME = re.compile(r"(?<![/\w.-])([A-Z][A-Z0-9-]+(?:\.zh)?\.md)\b")  # not a path elsewhere
#: Files of public repositories a source table cites by name (not this repository's).
_CITED_ELSEWHERE = {"SKILL.md"}  # worldcoin/orb-software, docs/SIGNATURE-KNOWLEDGE.md "orb"


def _own_text_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for folder in ("scanner", "signatures", "bench", "tests", "docs", "examples"):
        files += [
            p
            for p in sorted((ROOT / folder).rglob("*"))
            if p.suffix in _TEXT_SUFFIXES and "__pycache__" not in p.parts
        ]
    return [p for p in files if p.is_file() and p != Path(__file__).resolve()]


def test_no_text_points_outside_the_repository() -> None:
    """Code comments, signatures, benchmarks and docs cite only what a clone contains: no path
    into a sibling folder, and every ``NAME.md`` they name is a file of the repository."""
    names = {p.name for p in ROOT.rglob("*.md") if ".venv" not in p.parts} | _CITED_ELSEWHERE
    bad = []
    for path in _own_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(ROOT)
        bad += [f"{rel}: {m.group(0)}" for m in _OUTSIDE.finditer(text)]
        bad += [f"{rel}: {n}" for n in sorted(set(_DOC_NAME.findall(text)) - names)]
    assert bad == []


_ISSUE = re.compile(r"\bissue #?\d{1,2}\b", re.IGNORECASE)


def test_no_text_cites_a_project_issue_number() -> None:
    """The project's issue tracker is not in a clone: code, tests, benchmarks and docs say
    what they mean instead of "issue 16". Signatures and recorded artefacts cite public issue
    threads by URL (``github.com/…/issues/NNNN``), which stay."""
    bad = []
    for path in _own_text_files():
        rel = path.relative_to(ROOT)
        if (
            rel.parts[0] == "signatures" and rel.suffix == ".yaml" and rel.name != "makers.yaml"
        ) or ("data" in rel.parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        bad += [f"{rel}: {m.group(0)}" for m in _ISSUE.finditer(text)]
    assert bad == []
