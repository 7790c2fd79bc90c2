"""The fleet backend: the console over a real PostgreSQL (Debian's server, started by the
tests), runs from two sites, the device list, a device page and the finding workflow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from scanner.console import sensors
from tests.console.helpers import HOSTILE, SITE, Console, console, runs


@pytest.fixture
def app(pg_url: str) -> Iterator[Console]:
    c = console(pg_url)
    with c.client:
        yield c
    c.db.close()


def test_two_sites_in_postgresql(app: Console) -> None:
    first, second = runs()
    assert app.upload(first) == 201
    assert app.upload(second) == 201
    assert app.upload(second) == 200
    with app.db.write("a second site") as tx:
        _sensor, other = sensors.add(tx, "test", "Branch office")
    assert app.upload(replace(first, id="run-branch-1"), token=other) == 201
    assert app.login("officer") == 303
    sites = app.client.get("/", params={"lang": "en"}).text
    assert "Branch office" in sites and SITE in sites
    branch = app.client.get("/devices", params={"site": "Branch office"}).text
    assert len(re.findall(r'href="/devices/[0-9a-f]{24}"', branch)) == len(first.devices)
    found = app.client.get("/devices", params={"q": "alert(1)"}).text
    key = re.search(r'href="/devices/([0-9a-f]{24})"', found).group(1)  # type: ignore[union-attr]
    page = app.client.get(f"/devices/{key}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and HOSTILE not in page
    findings = app.client.get("/findings", params={"site": SITE}).text
    fkey = re.search(r'action="/findings/([0-9a-f]{24})"', findings).group(1)  # type: ignore[union-attr]
    move = {"csrf": app.csrf("/findings"), "site": SITE, "to": "acknowledged"}
    assert app.client.post(f"/findings/{fkey}", data=move).status_code == 303
    shown = app.client.get("/findings", params={"site": SITE, "state": "acknowledged"}).text
    assert shown.count('class="finding acknowledged"') == 1
