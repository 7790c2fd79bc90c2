"""The console in a real browser (Playwright driving the system Chromium, no JavaScript of
ours): log in, filter devices, open a device, acknowledge and file a finding, edit the
registry (one invalid change refused, one valid saved), download a 12339 package and verify
it. Screenshots go to $BIOSWEEP_CONSOLE_SCREENSHOTS (docs/ when refreshing them) or tmp."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from scanner.console import auth
from scanner.reporters.package import verify_package
from tests.console.helpers import PASSWORD, SITE, console, runs
from tests.console.live import live_console
from tests.reporters.sample import REGISTRY

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("no /usr/bin/chromium (make system-tools installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
            accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="en-US",
        )  # fmt: skip
        try:
            yield context.new_page()
        finally:
            context.close()


def test_a_security_officer_works_the_console(browser_page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    shots = Path(os.environ.get("BIOSWEEP_CONSOLE_SCREENSHOTS") or tmp_path)
    url = f"sqlite:///{tmp_path}/console.sqlite"
    c = console(url)
    first, second = runs()
    with c.client:
        assert (c.upload(first), c.upload(second)) == (201, 201)
    with c.db.write("a named officer") as tx:
        auth.add(tx, "test", "li.ming", "officer", PASSWORD, must_change=False)
    c.db.close()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    with live_console(url) as base:
        page.goto(f"{base}/devices?lang=en")
        expect(page).to_have_url(f"{base}/login")  # no session: the login page
        page.goto(f"{base}/login?lang=en")
        page.fill("input[name=username]", "li.ming")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Sites")

        page.goto(f"{base}/devices")
        page.check("input[name=unregistered]")
        page.click("form.filters button")
        rows = page.locator("table.devices tbody tr")
        expect(rows).to_have_count(1)
        page.screenshot(path=str(shots / "console-devices.png"), full_page=True)
        rows.first.locator("a").click()
        expect(page.locator("h1")).to_contain_text("mac:3c:ef:8c:00:00:43")
        expect(page.locator("body")).to_contain_text("<script>alert(1)</script>")  # as text
        page.screenshot(path=str(shots / "console-device.png"), full_page=True)

        page.goto(f"{base}/findings")
        first_open = page.locator("section.finding.open").first
        first_open.locator("button[name=ack]").click()
        acknowledged = page.locator("section.finding.acknowledged").first
        expect(acknowledged).to_contain_text("acknowledged")
        acknowledged.locator("input[name=reference]").fill("12339-2026-0042")
        acknowledged.locator("input[name=filed_on]").fill(date.today().isoformat())
        acknowledged.locator("form.filing button").click()
        filed = page.locator("section.finding.filed")
        expect(filed).to_have_count(1)
        expect(filed).to_contain_text("12339-2026-0042")
        page.screenshot(path=str(shots / "console-findings.png"), full_page=True)

        page.goto(f"{base}/registry")
        page.fill("textarea[name=body]", REGISTRY.replace("space: public_place", "space: moon"))
        page.click("form.registry button")
        expect(page.locator(".problems li").first).to_contain_text("space")
        page.screenshot(path=str(shots / "console-registry.png"), full_page=True)
        page.fill("textarea[name=body]", REGISTRY)
        page.click("form.registry button")
        expect(page.locator("p.ok")).to_have_text("Saved.")

        page.goto(f"{base}/runs?site={SITE}")
        page.locator("table a").first.click()
        expect(page.locator("table.diff")).to_contain_text("3c:ef:8c:00:00:43")
        with page.expect_download() as download:
            page.click("text=12339 evidence package")
        saved = tmp_path / "package.zip"
        download.value.save_as(saved)
    result = verify_package(saved.read_bytes())
    assert result.problems == [] and "manifest.json" in result.files
    # no CSP violation, missing resource or script error; the refused registry was a 400
    assert [e for e in errors if "status of 400" not in e] == []
