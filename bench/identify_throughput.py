"""Identification throughput: observations per second through `identify`.

Builds a synthetic site of N devices (default 10,000) with M observations in all (default
100,000): every device has a MAC (with a real vendor OUI) linked to its IP by an ARP-style
observation, and a mix of banners drawn from cameras, recorders, terminals and ordinary gear,
so merging, OUI derivation and matching all do real work. Prints a table and the rate.

    .venv/bin/python bench/identify_throughput.py [--devices 10000] [--observations 100000]
"""

from __future__ import annotations

import argparse
import random
import resource
import time

from scanner.identify import default_engine, identify
from scanner.models import Observation

OUIS = [
    "58:03:fb",
    "00:40:8c",
    "38:af:29",
    "00:17:fc",
    "3c:d9:2b",
    "00:11:32",
    "f0:9f:c2",
    "a4:14:37",
]
BANNERS = [
    ("http.server", "Hikvision-Webs"),
    ("http.server", "DNVRS-Webs"),
    ("http.server", "Apache/2.4.57 (Debian)"),
    ("http.server", "nginx"),
    ("http.server", "HP HTTP Server; HP LaserJet Pro M404dn"),
    ("http.title", "Login"),
    ("http.title", "Synology DiskStation"),
    ("http.www_authenticate", 'Basic realm="hikvision"'),
    ("rtsp.server", "Dahua Rtsp Server"),
    ("ssh.banner", "SSH-2.0-OpenSSH_9.2p1 Debian-2"),
    ("tcp.open_port", "80"),
    ("tcp.open_port", "443"),
    ("tcp.open_port", "554"),
    ("sadp.device_description", "DS-2CD2143G2-I"),
    ("sadp.device_description", "DS-K1T671MF"),
    ("zk.device_name", "iFace702"),
    ("snmp.sys_descr", "Linux 5.10.0 armv7l"),
]


def site(devices: int, observations: int, seed: int = 7) -> list[Observation]:
    rng = random.Random(seed)
    out: list[Observation] = []
    per_device = max(2, observations // devices)
    for n in range(devices):
        mac = f"{rng.choice(OUIS)}:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"
        ip = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        out.append(Observation(f"mac:{mac}", "ip.address", ip, "arp"))
        for _ in range(per_device - 1):
            field, value = rng.choice(BANNERS)
            out.append(Observation(f"ip:{ip}", field, value, "bench"))
    return out[:observations]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--observations", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    engine = default_engine()
    data = site(a.devices, a.observations)
    times = []
    for _ in range(a.repeat):
        engine._memo.clear()  # each run starts cold
        start = time.perf_counter()
        result = identify(data, engine)
        times.append(time.perf_counter() - start)
    best, median = min(times), sorted(times)[len(times) // 2]
    collectors = sum(d.is_collector for d in result)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    header = ("observations", "devices", "collectors", "median s", "obs/s", "peak MB")
    row = (
        len(data),
        len(result),
        collectors,
        f"{median:.2f}",
        f"{len(data) / median:.0f}",
        f"{rss:.0f}",
    )
    print(" ".join(f"{h:>12}" for h in header))
    print(" ".join(f"{v!s:>12}" for v in row))
    print(f"best of {a.repeat}: {len(data) / best:.0f} obs/s (target >= 50,000 obs/s)")


if __name__ == "__main__":
    main()
