"""The console at fleet scale: N sites x M devices in PostgreSQL (default 200 x 5,000).

Starts a throwaway PostgreSQL (tests/console/pgserver.py) unless --store names one, and the
console as its own process (`biosweep serve`), then:

1. one sensor per site pushes one synthetic run of M devices over HTTP (POST /api/v1/runs):
   the time of each upload is the ingest time (body read, hostile-JSON parse, run rows,
   inventory upsert, commit);
2. a logged-in client asks for the device list (unfiltered, by site, unregistered only, a text
   search, a page deep in the list) and for random device pages: p50/p95 per kind;
3. the console process's RSS (psutil) after all of it.

Targets: ingest of one 5,000-device run <= 2 s; device list and device page p95
<= 300 ms; console RSS <= 500 MB. Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.console import auth, sensors  # noqa: E402
from scanner.models import (  # noqa: E402
    Certainty,
    Device,
    DeviceClass,
    Evidence,
    Finding,
    FindingKind,
    Identification,
    Observation,
    ScanRun,
    Severity,
)
from scanner.reporters.jsonout import scanrun_json  # noqa: E402
from scanner.store.backend import open_database  # noqa: E402
from tests.console.live import free_port  # noqa: E402

PASSWORD = "bench password 1234"
KINDS = [
    (DeviceClass.IP_CAMERA, "Hikvision", "Hikvision network camera", "DS-2CD2143G2-I"),
    (DeviceClass.NVR_DVR, "Dahua", "Dahua NVR", "DHI-NVR4104"),
    (DeviceClass.FACE_TERMINAL, "ZKTeco", "ZKTeco face terminal", "SpeedFace-V5L"),
    (DeviceClass.PHONE_PC, "Dell", "PC", "OptiPlex"),
    (DeviceClass.PRINTER, "HP", "Printer", "LaserJet"),
]


def device(site: int, n: int) -> Device:
    cls, vendor, product, model = KINDS[n % len(KINDS)]
    mac = (
        f"02:{site // 256:02x}:{site % 256:02x}:{n // 65536:02x}:{n // 256 % 256:02x}:{n % 256:02x}"
    )
    ip = f"10.{site % 250}.{n // 250}.{n % 250 + 1}"
    subject = f"ip:{ip}"
    ident = Identification(
        f"{vendor.lower()}-sig", vendor, product, cls, 0.9, Certainty.HIGH, 0,
        evidence=(Evidence("http.title", f"(?i){vendor}", f"{vendor} {model}", subject, "http"),),
    )  # fmt: skip
    obs = (
        Observation(f"mac:{mac}", "ip.address", ip, "arp"),
        Observation(subject, "http.title", f"{vendor} {model}", "http"),
        Observation(subject, "onvif.serial", f"SN{site:03d}{n:06d}", "onvif"),
        Observation(subject, "tcp.open_port", "80", "tcp"),
    )
    return Device(f"mac:{mac}", (f"mac:{mac}", subject), (mac,), (ip,), (), (ident,), obs)


def run(site: int, devices: int, when: datetime) -> ScanRun:
    found = tuple(device(site, n) for n in range(devices))
    findings = tuple(
        Finding(FindingKind.UNREGISTERED_COLLECTOR, Severity.HIGH, d.id, "not in the registry")
        for d in found[::50]
        if d.is_collector
    )
    return ScanRun(
        id=f"run-bench-{site:04d}-{when:%Y%m%dT%H%M%S}", started_at=when,
        finished_at=when + timedelta(minutes=5), tool_version="bench", signatures_version="bench",
        site=f"site-{site:03d}", operator="bench", scope=(f"10.{site % 250}.0.0/16",),
        devices=found, findings=findings,
    )  # fmt: skip


def post(url: str, body: bytes, token: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as response:
        return int(response.status)


def login(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode({"csrf": csrf, "username": "admin", "password": PASSWORD})
    opener.open(f"{base}/login", data=form.encode())
    return opener


def timed(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, str]:
    start = time.perf_counter()
    body = opener.open(url, timeout=60).read().decode()
    return time.perf_counter() - start, body


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench(store: str, sites: int, devices: int, samples: int) -> dict[str, object]:
    db = open_database(store)
    tokens = []
    with db.write("bench setup") as tx:
        auth.add(tx, "bench", "admin", "admin", PASSWORD, must_change=False)
        for s in range(sites):
            tokens.append(sensors.add(tx, "bench", f"site-{s:03d}")[1])
    db.close()
    port = free_port()
    console = subprocess.Popen([sys.executable, "-m", "scanner", "serve", "--listen",
                                f"127.0.0.1:{port}", "--store", store])  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        ingest, cpu, start = [], [], datetime(2026, 12, 1, tzinfo=UTC)
        proc = psutil.Process(console.pid)
        for s in range(sites):
            body = scanrun_json(run(s, devices, start + timedelta(minutes=s)))
            before, t0 = sum(proc.cpu_times()[:2]), time.perf_counter()
            assert post(f"{base}/api/v1/runs", body, tokens[s]) == 201
            ingest.append(time.perf_counter() - t0)
            cpu.append(sum(proc.cpu_times()[:2]) - before)
            if s % 20 == 0:
                print(f"site {s}: ingest {ingest[-1]:.2f} s, console CPU {cpu[-1]:.2f} s "
                      f"({len(body) / 1e6:.1f} MB)", flush=True)  # fmt: skip
        opener = login(base)
        keys: list[str] = []
        for s in random.sample(range(sites), min(sites, samples)):
            body = opener.open(f"{base}/devices?site=site-{s:03d}").read().decode()
            keys += re.findall(r'href="/devices/([0-9a-f]{24})"', body)[3:5]
        kinds = {
            "all": "/devices",
            "site": "/devices?site=site-{s:03d}",
            "unregistered": "/devices?unregistered=1",
            "collectors, one class": "/devices?collectors=1&class=ip_camera",
            "search": "/devices?q=sn{s:03d}0012",
            "deep page": "/devices?after={k}",
        }
        lists: dict[str, list[float]] = {}
        for _ in range(samples):
            s, k = random.randrange(sites), random.choice(keys)
            for name, path in kinds.items():
                lists.setdefault(name, []).append(timed(opener, base + path.format(s=s, k=k))[0])
        pages = [timed(opener, f"{base}/devices/{k}")[0] for k in keys[: samples * 2]]
        rss = psutil.Process(console.pid).memory_info().rss / 1e6
    finally:
        console.terminate()
        console.wait(30)

    def ms(values: list[float]) -> dict[str, float]:
        return {"p50": pct(values, 50) * 1000, "p95": pct(values, 95) * 1000}

    return {
        "sites": sites, "devices_per_run": devices,
        "ingest_s": {"median": statistics.median(ingest), "p95": pct(ingest, 95),
                     "max": max(ingest)},
        "ingest_console_cpu_s": {"median": statistics.median(cpu), "p95": pct(cpu, 95)},
        "load_average": os.getloadavg(),
        "list_ms": {k: ms(v) for k, v in lists.items()},
        "device_page_ms": ms(pages),
        "console_rss_mb": rss,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=40, help="requests per list kind")
    parser.add_argument("--store", help="postgresql://… (default: a throwaway server)")
    args = parser.parse_args()
    if args.store:
        result = bench(args.store, args.sites, args.devices, args.samples)
    else:
        from tests.console.pgserver import fresh_database, postgres_server

        with postgres_server(durable=True) as server:
            result = bench(fresh_database(server, "bench"), args.sites, args.devices, args.samples)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
