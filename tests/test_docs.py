"""The user documentation points only at files in the repository: no `../shared/…`, and every
relative link of README.md, docs/ and examples/README.md leads to a file that exists."""

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
