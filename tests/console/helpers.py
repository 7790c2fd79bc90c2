"""A console to test against: accounts of each role, a sensor, runs made by the real identify
and compare (tests.store.sample), and a client that logs in the way a browser does."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from starlette.testclient import TestClient

from scanner.console import ConsoleConfig, auth, create_app, sensors
from scanner.models import Observation, ScanRun
from scanner.reporters.jsonout import scanrun_json
from scanner.store.backend import Database, open_database
from tests.store.sample import NEW_MAC, make_run

SITE = "Test site"
PASSWORD = "a long test password"
HOSTILE = "<script>alert(1)</script>\u202e\udcff"  # markup, a bidi override, a lone surrogate


@dataclass
class Console:
    db: Database
    client: TestClient
    token: str

    def upload(self, run: ScanRun, token: str | None = None) -> int:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.client.post(
            "/api/v1/runs", content=scanrun_json(run), headers=headers
        ).status_code

    def login(self, username: str, password: str = PASSWORD) -> int:
        page = self.client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {"csrf": csrf.group(1), "username": username, "password": password}
        return self.client.post("/login", data=form).status_code

    def csrf(self, path: str = "/") -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text)
        assert found is not None
        return found.group(1)


def console(url: str, page_size: int = 50) -> Console:
    """A console over the store at ``url`` with users admin, officer, viewer and a sensor."""
    db = open_database(url)
    with db.write("test setup") as tx:
        for role in auth.ROLES:
            auth.add(tx, "test", role, role, PASSWORD, must_change=False)
        _sensor, token = sensors.add(tx, "test", SITE)
    client = TestClient(
        create_app(ConsoleConfig(url, page_size=page_size), db), follow_redirects=False
    )
    return Console(db, client, token)


def runs() -> tuple[ScanRun, ScanRun]:
    """Two runs of the site: the second finds a new, unregistered camera and hostile text."""
    first = make_run(0, pcs=3)
    second = make_run(1, pcs=3, new_camera=True, previous=first)
    camera = next(d for d in second.devices if NEW_MAC in d.macs)
    serial = Observation("ip:10.0.0.43", "dhip.serial", f"7K{HOSTILE}", "dhip")
    hostile = replace(camera, observations=(*camera.observations, serial))
    devices = tuple(hostile if d is camera else d for d in second.devices)
    return first, replace(second, devices=devices)
