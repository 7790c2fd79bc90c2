"""The HTML report: device text stays text (case 47), nothing loads, the DOM shows the run."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.html import CSP
from tests.reporters import browser
from tests.reporters.sample import registry, sample_run

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</td></tr></table><form action=//x>",
    "javascript:alert(1)",
]
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "h3", "p", "div",
    "b", "table", "thead", "tbody", "tr", "th", "td", "code", "ul", "ol", "li", "figure",
    "figcaption", "svg", "text", "rect", "footer", "br", "small", "span", "wbr",
}  # fmt: skip


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collect:
    parser = Collect()
    parser.feed(html)
    return parser


def render(hostile: str = "", lang: str = "en") -> str:
    options = ReportOptions(lang=lang, registry=registry())  # type: ignore[arg-type]
    return REPORTERS["html"].render(sample_run(hostile), options).decode("utf-8")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_device_text_never_becomes_markup(payload: str) -> None:
    """Catalogue case 47, checked with an HTML parser."""
    page = parse(render(payload))
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    attrs = [(tag, name, value) for tag, a in page.tags for name, value in a]
    assert not [a for a in attrs if a[1].startswith("on")]
    assert not [a for a in attrs if a[1] in {"href", "src", "action", "formaction", "srcset"}]
    assert payload in "".join(page.text)  # shown literally, as text
    csp = [v for tag, name, v in attrs if tag == "meta" and name == "content" and v == CSP]
    assert len(csp) == 1


def test_the_policy_forbids_every_load() -> None:
    assert "default-src 'none'" in CSP
    assert "script" not in CSP and "http" not in CSP
    assert "<script" not in render()


def test_chinese_report_is_chinese() -> None:
    html = render(lang="zh")
    assert '<html lang="zh-CN">' in html
    for text in (
        "生物特征采集设备排查报告",
        "发现的问题",
        "未登记的采集设备",
        "设备及识别依据",
        "识别依据",
    ):
        assert text in html


def test_large_runs_are_capped_with_a_pointer_to_the_json() -> None:
    """Catalogue case 55: the page details at most max_devices devices."""
    from dataclasses import replace

    run = sample_run()
    many = tuple(
        replace(
            run.devices[2], id=f"ip:10.1.{n // 250}.{n % 250}", ips=(f"10.1.{n // 250}.{n % 250}",)
        )
        for n in range(3000)
    )
    big = replace(run, devices=run.devices + many)
    html = REPORTERS["html"].render(big, ReportOptions(lang="en", max_devices=200)).decode()
    # collectors get a card each; the other devices a table row each, 200 in all
    others = html.split('<table class="others">', 1)[1].split("</table>", 1)[0]
    assert html.count('<section class="device') + others.count("<tr><td>") == 200
    assert "2804 more devices are not shown here; the JSON file lists every device." in html
    assert len(html) < 2_000_000


def test_html_renders_in_chromium_with_no_request(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(PAYLOADS[1], lang="zh"), encoding="utf-8")
    dom, requests = browser.run(page, tmp_path, "--dump-dom")
    assert requests == []
    tree = parse(dom)
    assert not [t for t, _ in tree.tags if t in {"script", "img", "form", "iframe"}]
    statuses = [
        dict(a).get("data-status")
        for t, a in tree.tags
        if t == "section" and dict(a).get("data-status")
    ]
    # a card for each collector; the phone and the wearable are rows of "Other devices"
    assert sorted(statuses) == ["registered", "unregistered"]
    findings = [
        dict(a)["data-severity"] for t, a in tree.tags if t == "tr" and "data-severity" in dict(a)
    ]
    assert findings == ["critical", "info"]
    text = "".join(tree.text)
    assert "在 10.0.0.51 发现海康威视 DS-K1T671MF 人脸识别终端" in text
    assert PAYLOADS[1] in text


def test_the_network_check_can_fail(tmp_path: Path) -> None:
    """A page that does load something is caught (so an empty list above means something)."""
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><img src="http://192.0.2.1/x.png"></body></html>', "utf-8")
    _, requests = browser.run(page, tmp_path, "--dump-dom")
    assert [r["url"] for r in requests] == ["http://192.0.2.1/x.png"]
