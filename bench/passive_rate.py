"""``biosweep listen --pcap`` against ``tcpdump -r`` and ``tshark -r`` on a capture of at least
300,000 packets of the lab's own traffic; ``listen -i`` on that traffic replayed at 100 Mbit/s.

1. The ``office-foreign`` lab comes up in network namespaces (root; a lab directory of our own).
   In the scanner's namespace tcpdump records a full sweep of the lab (ARP, mDNS, SSDP,
   WS-Discovery, SADP, DHIP, HTTP, SYN-ACKs, ...) while a camera's namespace streams bulk TCP
   to the scanner's (``--bulk-mb`` MiB in 536-byte segments, as a camera's RTSP-over-TCP would).
2. That capture is repeated, timestamps shifted, until it holds ``--packets`` packets.
3. Timed, one after the other: ``biosweep listen --pcap --json`` (wall time, CPU time and
   peak RSS of the process with its signature worker), ``tcpdump -nn -r`` (every packet
   decoded to a summary line) and ``tshark -n -r``.
   Targets: biosweep >= 150,000 packets/s and at most 5x tcpdump's time, peak RSS
   <= 200 MB. Also timed: ``listen --pcap`` on the lab capture's first 1,000 packets, the
   command's fixed cost (start-up, the signature database, identification, the report).
4. The same observations as scapy's path (the decoder before the fast path) on the lab capture.
5. Live: two namespaces of our own joined by a veth pair; ``tcpreplay --mbps 100`` sends the
   capture on one end, ``biosweep listen -i`` hears it on the other; its notes give the kernel's
   drops (ps_drop), which must be 0.

Everything stays inside namespaces this script creates. The load average is printed with the
numbers: the machine is shared.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sweep_vs_nmap import installed_env  # noqa: E402
from scanner.lab import manager  # noqa: E402
from scanner.lab.state import ENV_DIR, RunState  # noqa: E402
from scanner.passive import read_capture, read_capture_scapy  # noqa: E402
from scanner.passive.capture import open_capture  # noqa: E402
from scanner.passive.pcapfile import records  # noqa: E402

BULK_PORT = 5544
BIOSWEEP = [sys.executable, "-m", "scanner"]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _bulk(state: RunState, megabytes: int) -> None:
    """A camera's namespace streams ``megabytes`` MiB to a receiver in the scanner's."""
    receiver = (
        "import socket\n"
        f"s=socket.create_server(('0.0.0.0',{BULK_PORT}))\n"
        "c,_=s.accept()\n"
        "while c.recv(1<<16): pass\n"
    )
    sender = (
        "import socket,sys\n"
        "s=socket.socket()\n"
        "s.setsockopt(socket.IPPROTO_TCP,socket.TCP_MAXSEG,536)\n"
        f"s.connect(({state.scanner_address!r},{BULK_PORT}))\n"
        "b=b'v'*65536\n"
        f"[s.sendall(b) for _ in range({megabytes * 16})]\n"
        "s.close()\n"
    )
    camera = next(d for d in state.devices if d.netns and "hik" in d.kind)
    assert camera.netns is not None
    links = subprocess.run(
        ["ip", "-n", camera.netns, "-o", "link"], capture_output=True, text=True, check=True
    ).stdout
    for line in links.splitlines():  # segments as sent: no 64 KiB GSO frames on the veth
        name = line.split(":")[1].strip().split("@")[0]
        if name != "lo":
            argv = ["ip", "-n", camera.netns, "link", "set", name, "gso_max_segs", "1"]
            subprocess.run(argv, check=True)
    recv = subprocess.Popen([*manager.shell_prefix(state), sys.executable, "-c", receiver])
    time.sleep(1.0)
    subprocess.run(["ip", "netns", "exec", camera.netns, sys.executable, "-c", sender], check=True)
    recv.wait(timeout=60)


def record_lab(state: RunState, work: Path, megabytes: int) -> Path:
    """The lab's traffic during a full sweep and a bulk stream, as seen by the scanner."""
    pcap = work / "lab.pcap"
    prefix = manager.shell_prefix(state)
    dump = subprocess.Popen(
        [*prefix, "tcpdump", "-i", "eth0", "-U", "-w", str(pcap), "-Z", "root"],
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    bulk = threading.Thread(target=_bulk, args=(state, megabytes))
    bulk.start()
    sweep = manager.sweep_command(state, ["--json"])
    subprocess.run(sweep, stdout=subprocess.DEVNULL, check=False, timeout=600)
    bulk.join()
    time.sleep(1.0)
    dump.terminate()
    dump.wait(timeout=30)
    return pcap


def repeat(source: Path, target: Path, packets: int) -> int:
    """``source``'s packets over and over, timestamps shifted, into a classic pcap."""
    with open_capture(source) as stream:
        frames = list(records(stream))
    linktype = frames[0][0]
    span = frames[-1][1] - frames[0][1] + 1.0
    written = 0
    with target.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        round_no = 0
        while written < packets:
            for _, ts, data, wirelen in frames:
                t = ts + round_no * span
                sec, usec = int(t), int((t % 1) * 1e6)
                out.write(struct.pack("<IIII", sec, usec, len(data), wirelen) + data)
                written += 1
            round_no += 1
    return written


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, bytes]:
    """(wall seconds, CPU seconds, peak RSS MB, its stdout) of a command. CPU: the process and
    the children it waited for (biosweep's signature worker). RSS: the largest sum over the
    process and its children, sampled every 5 ms (``ru_maxrss`` would count the pages a child
    shares with this script between fork and exec: tcpdump showed 98 MB, not its 7 MB)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(proc.pid, peak, done))
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return wall, cpu, peak[0] / 2**20, out.read()


def _sample_rss(pid: int, peak: list[int], done: threading.Event) -> None:
    """The largest RSS of ``pid`` and its children seen until ``done`` (into ``peak[0]``)."""
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not done.wait(0.005):
        try:
            tree = [root, *root.children(recursive=True)]
            total = sum(p.memory_info().rss for p in tree if p.status() != "zombie")
        except psutil.Error:
            continue
        peak[0] = max(peak[0], total)


def head(source: Path, target: Path, packets: int) -> None:
    """The first ``packets`` packets of ``source``: a capture read in no time, so that
    ``listen --pcap`` on it is the command's fixed cost (start-up, signatures, report)."""
    with open_capture(source) as stream:
        frames = list(itertools.islice(records(stream), packets))
    with target.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, frames[0][0]))
        for _, ts, data, wirelen in frames:
            out.write(struct.pack("<IIII", int(ts), int(ts % 1 * 1e6), len(data), wirelen) + data)


def measure(pcap: Path, packets: int, small: Path) -> dict[str, tuple[float, float, float]]:
    results = {}
    env = installed_env(small.parent)  # byte-compiled, as an installed copy runs
    wall, cpu, rss, stdout = timed([*BIOSWEEP, "listen", "--pcap", str(pcap), "--json"], env)
    notes = json.loads(stdout)["notes"] if stdout.strip() else ["(no output)"]
    results["biosweep listen --pcap"] = (wall, cpu, rss)
    for note in notes:
        if "packets read" in note or "dropped" in note:
            print(f"  biosweep: {note}")
    fixed = min(timed([*BIOSWEEP, "listen", "--pcap", str(small), "--json"], env)[0] for _ in "ab")
    print(f"  biosweep's fixed cost (listen --pcap on its first 1,000 packets): {fixed:.2f} s")
    print(f"    of which loading the signature database: {_signature_load():.2f} s")
    results["tcpdump -nn -r"] = timed(["tcpdump", "-nn", "-r", str(pcap)])[:3]
    if shutil.which("tshark"):
        results["tshark -n -r"] = timed(["tshark", "-n", "-r", str(pcap)])[:3]
    print(f"\n{packets:,} packets, {pcap.stat().st_size / 1e6:.0f} MB; load {load_average()}")
    print(
        f"{'tool':<24} {'wall s':>7} {'CPU s':>7} {'packets/s':>10} {'per CPU s':>10} {'RSS MB':>7}"
    )
    for tool, (wall, cpu, rss) in results.items():
        print(
            f"{tool:<24} {wall:7.2f} {cpu:7.2f} {packets / wall:10,.0f} "
            f"{packets / cpu:10,.0f} {rss:7.0f}"
        )
    biosweep, tcpdump = results["biosweep listen --pcap"], results["tcpdump -nn -r"]
    wall_x, cpu_x = biosweep[0] / tcpdump[0], biosweep[1] / tcpdump[1]
    print(f"biosweep / tcpdump: {wall_x:.1f}x wall, {cpu_x:.1f}x CPU")
    rate = packets / biosweep[0]
    print(
        f"targets: >= 150,000 packets/s: {rate:,.0f} ({_met(rate >= 150_000)}); "
        f"<= 5x tcpdump: {wall_x:.1f}x ({_met(wall_x <= 5)}); "
        f"peak RSS <= 200 MB: {biosweep[2]:.0f} MB ({_met(biosweep[2] <= 200)})"
    )
    return results


def _signature_load() -> float:
    """Seconds a fresh process takes to load and validate the shipped signatures."""
    code = (
        "import time; from scanner.identify.signatures import load_signatures as f; "
        "t = time.perf_counter(); f(); print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def compare(pcap: Path) -> bool:
    """Fast path against scapy's path: the same observations, in the same order?"""
    fast, slow = read_capture(pcap), read_capture_scapy(pcap)
    a, b = fast.observations(), slow.observations()
    same = a == b and fast.drops.counts == slow.drops.counts
    print(f"observations: fast path {len(a)}, scapy path {len(b)}, identical: {same}")
    return same


def _ns(name: str, *argv: str) -> None:
    subprocess.run(["ip", "netns", "exec", name, *argv], check=True)


def live(pcap: Path, mbps: int, work: Path) -> str:
    """Replay ``pcap`` at ``mbps`` into a namespace of our own; biosweep listens there."""
    tx, rx = f"bsw-tx-{os.getpid()}", f"bsw-rx-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", tx], check=True)
    subprocess.run(["ip", "netns", "add", rx], check=True)
    try:
        _ns(tx, "ip", "link", "add", "vtx", "type", "veth", "peer", "name", "vrx", "netns", rx)
        for ns, dev in ((tx, "vtx"), (rx, "vrx")):
            _ns(ns, "sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1")
            _ns(ns, "ip", "link", "set", dev, "up")
        with open_capture(pcap) as stream:
            sizes = [len(r[2]) for r in records(stream)]
        seconds = sum(sizes) * 8 / (mbps * 1e6)
        mtu = str(max(1500, max(sizes) - 14))  # a coalesced segment in the lab's capture
        for ns, dev in ((tx, "vtx"), (rx, "vrx")):
            _ns(ns, "ip", "link", "set", dev, "mtu", mtu)
        listen = subprocess.Popen(
            ["ip", "netns", "exec", rx, *BIOSWEEP, "listen", "-i", "vrx",
             "--duration", f"{seconds + 8:.0f}", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(3)
        _ns(tx, "tcpreplay", "-q", f"--mbps={mbps}", "-i", "vtx", str(pcap))
        out, _ = listen.communicate(timeout=seconds + 120)
    finally:
        subprocess.run(["ip", "netns", "del", tx], check=False)
        subprocess.run(["ip", "netns", "del", rx], check=False)
    notes = json.loads(out)["notes"] if out.strip() else ["(no output)"]
    return next((n for n in notes if "ps_drop" in n), "; ".join(notes))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packets", type=int, default=300_000)
    ap.add_argument("--bulk-mb", type=int, default=24)
    ap.add_argument("--mbps", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep the captures in this directory")
    ap.add_argument("--capture", type=Path, help="use this lab capture, bring no lab up")
    args = ap.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("tcpdump") is None:
        raise SystemExit(
            "needs root, iproute2 and tcpdump (make bench-tools): the lab runs in namespaces"
        )
    print(f"load average at start: {load_average()} ({socket.gethostname()})")
    with tempfile.TemporaryDirectory(prefix="biosweep-passive-") as tmp:
        work = Path(tmp)
        if args.capture:
            lab = args.capture
        else:
            os.environ[ENV_DIR] = str(work / "lab")  # a lab of our own
            state = manager.up("office-foreign", "namespaces")
            try:
                lab = record_lab(state, work, args.bulk_mb)
            finally:
                manager.teardown(state)
        bench = work / "bench.pcap"
        packets = repeat(lab, bench, args.packets)
        same = compare(lab)
        head(lab, work / "small.pcap", 1_000)
        measure(bench, packets, work / "small.pcap")
        if shutil.which("tcpreplay"):
            print(f"live, {args.mbps} Mbit/s: {live(bench, args.mbps, work)}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for f in (lab, bench):
                shutil.copy(f, args.keep / f.name)
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
