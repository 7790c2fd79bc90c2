"""The statute passages Chinese texts cite and quote, from one data file (``statutes.yaml``).

A text never types a law's wording or article number itself: it asks :func:`cite` for
``《title》第N条`` and :func:`quote` for the passage in quotation marks, so a quotation is
always the checked wording and the tests can compare every quotation with the file. Passages
not marked ``verbatim`` are cited, never quoted (no official copy of their full wording was
at hand); :func:`quote` refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Passage:
    key: str
    title: str
    article: str | None
    text: str
    verbatim: bool
    official: str
    checked: tuple[tuple[str, str], ...]  # (url, retrieved)


@cache
def passages() -> dict[str, Passage]:
    """Every passage of ``statutes.yaml`` by key."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("statutes.yaml").read_text("utf-8"))
    sources = raw["sources"]
    out = {}
    for key, p in raw["passages"].items():
        source = sources[p["source"]]
        out[key] = Passage(
            key=key,
            title=source["title"],
            article=p.get("article"),
            text=p["text"],
            verbatim=bool(p["verbatim"]),
            official=source["official"],
            checked=tuple((c["url"], str(c["retrieved"])) for c in p["checked"]),
        )
    return out


@cache
def _titles() -> dict[str, str]:
    raw = yaml.safe_load(resources.files(__package__).joinpath("statutes.yaml").read_text("utf-8"))
    return {key: source["title"] for key, source in raw["sources"].items()}


def law(source: str) -> str:
    """A source's title in book-title marks, ``《人脸识别技术应用安全管理办法》``, for citing an
    article this file has no passage of (the caller adds ``第N条``)."""
    return f"《{_titles()[source]}》"


def cite(key: str) -> str:
    """``《人脸识别技术应用安全管理办法》第十五条`` (the title alone where no article is known)."""
    p = passages()[key]
    return f"《{p.title}》{p.article or ''}"


def quote(key: str) -> str:
    """``《…》第N条规定，“…”`` with the verbatim wording; the caller ends the sentence."""
    p = passages()[key]
    if not p.verbatim:
        raise ValueError(f"{key}: not checked verbatim, cite it instead of quoting it")
    return f"{cite(key)}规定，“{p.text}”"


def paraphrase(key: str) -> str:
    """``依据《…》第N条，…`` with the passage's own summary (no quotation marks)."""
    p = passages()[key]
    return f"依据{cite(key)}，{p.text}"
