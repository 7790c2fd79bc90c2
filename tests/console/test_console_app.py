"""The console as its users meet it (Starlette's test client over an SQLite store): access
rules, sensor uploads, the inventory and its filters, device pages with hostile text, the
finding workflow, the registry editor, downloads, and the audit trail of every change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.console import audit
from scanner.reporters.jsonout import scanrun_json
from scanner.reporters.package import verify_package
from tests.console.helpers import HOSTILE, PASSWORD, SITE, Console, console, runs
from tests.reporters.sample import REGISTRY


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Console]:
    c = console(f"sqlite:///{tmp_path}/console.sqlite")
    with c.client:
        yield c
    c.db.close()


def _actions(c: Console) -> list[str]:
    with c.db.read() as tx:
        return [e.action for e in audit.entries(tx)]


def test_pages_need_a_session_and_uploads_a_sensor_token(app: Console) -> None:
    assert app.client.get("/healthz").json() == {"status": "ok"}
    for path in ("/", "/devices", "/findings", "/runs", "/registry", "/users", "/audit"):
        response = app.client.get(path)
        assert response.status_code in (302, 303, 307), path
        assert response.headers["location"].endswith("/login")
    first, _ = runs()
    assert app.upload(first, token="bsw1.000000000000.not-the-right-secret-at-all") == 401
    assert app.client.post("/api/v1/runs", content=scanrun_json(first)).status_code == 401
    page = app.client.get("/login")
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text


def test_uploads_are_idempotent_capped_and_validated(app: Console) -> None:
    first, second = runs()
    assert app.upload(first) == 201
    assert app.upload(first) == 200  # the same run again: kept once
    assert app.upload(second) == 201
    headers = {"Authorization": f"Bearer {app.token}"}
    bad = app.client.post("/api/v1/runs", content=b'{"schema": "x"}', headers=headers)
    assert bad.status_code == 422
    nan = scanrun_json(first).replace(b'"devices": [', b'"x": NaN, "devices": [', 1)
    assert app.client.post("/api/v1/runs", content=nan, headers=headers).status_code == 422
    huge = app.client.post("/api/v1/runs", content=b" " * (65 * 1024 * 1024), headers=headers)
    assert huge.status_code == 413
    assert app.login("viewer") == 303
    listing = app.client.get("/runs").text
    assert listing.count('href="/runs/') == 2


def test_login_throttling_csrf_and_one_time_passwords(app: Console) -> None:
    for _ in range(5):
        assert app.login("viewer", "wrong password!!") == 401
    assert app.login("viewer") == 401  # locked out, even with the right password
    assert app.login("admin") == 401  # ... and so is every account from that address
    with app.db.write("the address lockout ends") as tx:
        tx.execute("UPDATE console_throttle SET locked_until = '2000-01-01T00:00:00+00:00' "
                   "WHERE throttle_key LIKE 'addr:%'")  # fmt: skip
    assert app.login("viewer") == 401  # the account's own lockout still holds
    missing = app.client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert missing.status_code == 403
    assert app.login("admin") == 303
    add = app.client.post("/users", data={"csrf": "forged", "username": "eve", "role": "admin"})
    assert add.status_code == 403
    made = app.client.post(
        "/users", data={"csrf": app.csrf("/users"), "username": "li.ming", "role": "officer"}
    )
    one_time = re.search(r'<code class="secret">([^<]+)</code>', made.text)
    assert one_time is not None
    app.client.cookies.clear()
    assert app.login("li.ming", one_time.group(1)) == 303
    assert app.client.get("/devices").headers["location"] == "/account/password"
    changed = app.client.post(
        "/account/password",
        data={"csrf": app.csrf("/account/password"), "current": one_time.group(1),
              "new": "my own long password"},
    )  # fmt: skip
    assert changed.status_code == 303
    app.client.cookies.clear()
    assert app.login("li.ming", "my own long password") == 303
    assert app.client.get("/devices").status_code == 200
    assert {"login.failed", "login.throttled", "user.add", "user.password"} <= set(_actions(app))


def test_inventory_filters_and_a_device_page_with_hostile_text(app: Console) -> None:
    first, second = runs()
    app.upload(first)
    app.upload(second)
    assert app.login("viewer") == 303
    everything = app.client.get("/devices", params={"lang": "en"})
    total = int(re.search(r"(\d+) devices", everything.text).group(1))  # type: ignore[union-attr]
    assert total == len({d.id for d in (*first.devices, *second.devices)})
    unregistered = app.client.get("/devices", params={"unregistered": "1", "lang": "en"})
    rows = re.findall(r'href="/devices/([0-9a-f]{24})"', unregistered.text)
    assert len(rows) == 1 and "1 devices" in unregistered.text
    assert (
        app.client.get("/devices", params={"q": "3c:ef:8c:00:00:43"}).text.count('href="/devices/')
        == 1
    )
    future = app.client.get("/devices", params={"first_after": "2099-01-01"})
    assert 'href="/devices/' not in future.text
    marked = app.client.get("/devices", params={"q": "alert(1)"})
    keys = re.findall(r'href="/devices/([0-9a-f]{24})"', marked.text)
    assert keys
    page = app.client.get(f"/devices/{keys[0]}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "\u202e" not in page.text
    assert all("script" not in v for v in page.headers.values())
    history = app.client.get(f"/devices/{rows[0]}").text
    assert "not seen" in history and "seen" in history
    assert HOSTILE not in page.text


def test_findings_workflow_by_role_and_audit(app: Console) -> None:
    first, second = runs()
    app.upload(first)
    app.upload(second)
    assert app.login("viewer") == 303
    page = app.client.get("/findings", params={"lang": "en"}).text
    key = re.search(r'action="/findings/([0-9a-f]{24})"', page)
    assert key is None  # a viewer gets no workflow buttons ...
    first_key = re.search(r'class="finding open"', page)
    assert first_key is not None
    app.client.cookies.clear()
    assert app.login("officer") == 303
    page = app.client.get("/findings").text
    fkey = re.search(r'action="/findings/([0-9a-f]{24})"', page).group(1)  # type: ignore[union-attr]
    csrf = app.csrf("/findings")
    ack = {"csrf": csrf, "site": SITE, "to": "acknowledged"}
    assert app.client.post(f"/findings/{fkey}", data=ack).status_code == 303
    bad = {"csrf": csrf, "site": SITE, "to": "filed", "reference": "", "filed_on": "2026-01-01"}
    assert app.client.post(f"/findings/{fkey}", data=bad).status_code == 400
    filed = {**bad, "reference": "12339-2026-0042"}
    assert app.client.post(f"/findings/{fkey}", data=filed).status_code == 303
    shown = app.client.get("/findings", params={"state": "filed", "lang": "en"}).text
    assert "12339-2026-0042" in shown and "2026-01-01" in shown
    app.client.cookies.clear()
    assert app.login("viewer") == 303
    refused = app.client.post(
        f"/findings/{fkey}", data={"csrf": app.csrf("/findings"), "site": SITE, "to": "open"}
    )
    assert refused.status_code == 403  # the viewer's own valid token, but not the role
    assert [a for a in _actions(app) if a.startswith("finding.")] == [
        "finding.filed",
        "finding.acknowledged",
    ]


def test_registry_editor_validates_like_registry_check(app: Console) -> None:
    first, _ = runs()
    app.upload(first)
    assert app.login("officer") == 303
    csrf = app.csrf("/registry")
    broken = REGISTRY.replace("space: public_place", "space: nowhere")
    refused = app.client.post("/registry", data={"csrf": csrf, "site": SITE, "body": broken})
    assert refused.status_code == 400
    assert re.search(r"site\.yaml:\d+: deployments\[0\]\.space", refused.text)
    saved = app.client.post("/registry", data={"csrf": csrf, "site": SITE, "body": REGISTRY})
    assert saved.status_code == 303
    assert "Lobby" in app.client.get("/registry", params={"site": SITE}).text
    assert _actions(app).count("registry.save") == 1


def test_reports_and_the_12339_package_download(app: Console) -> None:
    first, second = runs()
    app.upload(first)
    app.upload(second)
    assert app.login("officer") == 303
    pk = max(int(p) for p in re.findall(r'href="/runs/(\d+)"', app.client.get("/runs").text))
    run_page = app.client.get(f"/runs/{pk}", params={"lang": "en"}).text
    assert "New" in run_page and "3c:ef:8c:00:00:43" in run_page  # the diff shows the camera
    zipped = app.client.get(f"/runs/{pk}/package.zip")
    assert zipped.status_code == 200
    assert zipped.headers["content-disposition"] == (
        f'attachment; filename="biosweep-12339-run-{pk}.zip"'
    )
    assert verify_package(zipped.content).problems == []
    html = app.client.get(f"/runs/{pk}/report.html")
    assert html.status_code == 200 and b"<script>alert" not in html.content
    app.client.cookies.clear()
    assert app.login("viewer") == 303
    assert app.client.get(f"/runs/{pk}/package.zip").status_code == 403


def test_live_progress_of_a_running_sweep(app: Console) -> None:
    headers = {"Authorization": f"Bearer {app.token}"}
    counters = {"phase": "probing", "addresses": 254, "discovered": 17, "probed": 9}
    assert app.client.post("/api/v1/progress", json=counters, headers=headers).status_code == 200
    assert app.client.post("/api/v1/progress", json=counters).status_code == 401
    assert app.login("viewer") == 303
    page = app.client.get("/", params={"lang": "en"}).text
    assert '<meta http-equiv="refresh" content="3">' in page  # the page follows the sweep
    assert "Sweeping now: probing" in page and "254 addresses" in page and "probed 9" in page
    assert app.upload(runs()[0]) == 201  # the finished run ends the live line
    assert "Sweeping now" not in app.client.get("/").text


def test_the_device_list_pages_forward_and_back_by_key(tmp_path: Path) -> None:
    c = console(f"sqlite:///{tmp_path}/console.sqlite", page_size=1)
    with c.client:
        first, second = runs()
        c.upload(first)
        c.upload(second)
        assert c.login("viewer") == 303
        seen: list[list[str]] = []
        url = "/devices?collectors=1&lang=en"
        while url:
            page = c.client.get(url.replace("&amp;", "&")).text
            seen.append(re.findall(r'href="/devices/([0-9a-f]{24})"', page))
            found = re.search(r'href="(/devices\?[^"]*)" rel="next"', page)
            url = found.group(1) if found else ""
        keys = [k for p in seen for k in p]
        collectors = {d.id for d in (*first.devices, *second.devices) if d.is_collector}
        assert len(keys) == len(set(keys)) == len(collectors) and all(len(p) == 1 for p in seen)
        assert len(seen) >= 2
        back = re.search(r'href="(/devices\?[^"]*)" rel="prev"', page)
        assert back is not None  # from the last page one step back: the page before it
        before = c.client.get(back.group(1).replace("&amp;", "&")).text
        assert re.findall(r'href="/devices/([0-9a-f]{24})"', before) == seen[-2]
    c.db.close()
