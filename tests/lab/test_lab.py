"""The mini site up for real: standard tools from the scanner's seat agree with the scenario."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scanner.lab.emulators import read_events
from scanner.lab.scenario import load_scenario
from scanner.lab.state import RunState
from tests.lab.conftest import MINI, in_scanner, python_in_scanner

PROBE_ALL = """
import socket, sys
for ip in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"", (ip, 9))  # a datagram to discard/udp: the kernel resolves the MAC by ARP
    s.close()
"""


def _http_get(state: RunState, address: str, path: str = "/") -> tuple[str, str]:
    """A plain GET from the scanner's seat: curl when installed, else urllib. (head, body)."""
    url = f"http://{address}{path}"
    if shutil.which("curl"):
        out = in_scanner(state, ["curl", "-s", "-i", "--max-time", "5", url])
        assert out.returncode == 0, out.stderr
        head, _, body = out.stdout.replace("\r\n", "\n").partition("\n\n")
        return head, body
    code = (
        "import sys, urllib.request\n"
        f"r = urllib.request.urlopen({url!r}, timeout=5)\n"
        "print('HTTP/1.1', r.status); print(r.headers, end=''); print(); print(r.read().decode())"
    )
    out = python_in_scanner(state, code)
    assert out.returncode == 0, out.stderr
    head, _, body = out.stdout.partition("\n\n")
    return head, body


def test_arp_from_the_scanner_namespace_shows_scenario_macs(lab: RunState) -> None:
    if lab.backend != "namespaces":
        pytest.skip("loopback backend: no layer 2, so no ARP (needs root and ip netns)")
    ips = [d.ip for d in lab.devices]
    out = python_in_scanner(lab, PROBE_ALL.replace("sys.argv[1:]", repr(ips)))
    assert out.returncode == 0, out.stderr
    expected = {d.ip: d.mac for d in load_scenario(str(MINI)).devices}
    seen: dict[str, str] = {}
    for _ in range(50):
        neigh = in_scanner(lab, ["ip", "-j", "neigh", "show", "dev", "eth0"])
        seen = {n["dst"]: n.get("lladdr", "") for n in json.loads(neigh.stdout or "[]")}
        if all(seen.get(ip) == mac for ip, mac in expected.items()):
            break
        subprocess.run(["sleep", "0.1"], check=True)
    assert {ip: seen.get(ip) for ip in expected} == expected


def test_nothing_of_the_lab_is_in_the_root_namespace(lab: RunState) -> None:
    if lab.backend != "namespaces":
        pytest.skip("loopback backend makes no interfaces")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert "br0" not in links
    for d in lab.devices:
        assert d.mac not in links


def test_camera_login_page_over_plain_http(lab: RunState) -> None:
    cam = lab.device("cam-hik")
    head, body = _http_get(lab, cam.address)
    assert head.startswith("HTTP/1.1 200")
    assert "Server: App-webs/" in head.splitlines()
    assert "<title>Login</title>" in body
    assert "/doc/page/login.asp" in body


def test_rtsp_options_answers_with_the_scenario_server(lab: RunState) -> None:
    cam = lab.device("cam-dahua")
    code = (
        "import socket\n"
        f"s = socket.create_connection(({cam.address!r}, 554), 5)\n"
        f"s.sendall(b'OPTIONS rtsp://{cam.address}/ RTSP/1.0\\r\\nCSeq: 1\\r\\n\\r\\n')\n"
        "data = b''\n"
        "while not data.endswith(b'\\r\\n\\r\\n'):\n"
        "    data += s.recv(4096)\n"
        "print(data.decode())\n"
    )
    out = python_in_scanner(lab, code)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()  # text mode folds CRLF; test_emulators checks the bytes
    assert lines[:2] == ["RTSP/1.0 200 OK", "CSeq: 1"]
    assert "Server: Dahua Rtsp Server" in lines


def test_zk_terminal_answers_the_connect_frame(lab: RunState) -> None:
    zk = lab.device("zk-door")
    code = (
        "import socket, struct\n"
        "from scanner.lab.emulators.zk import frame, parse\n"
        f"s = socket.create_connection(({zk.address!r}, 4370), 5)\n"
        "s.sendall(frame(1000, 0, 65534))\n"
        "top = s.recv(8)\n"
        "body = s.recv(struct.unpack('<HHI', top)[2])\n"
        "p = parse(body)\n"
        "print(top[:4].hex(), p.command, p.reply_id, p.checksum_ok)\n"
    )
    out = python_in_scanner(lab, code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["5050827d", "2000", "65534", "True"]


def test_emulator_log_records_every_request(lab: RunState) -> None:
    iris = lab.device("iris")
    _http_get(lab, iris.address, "/cgi-bin/status?x=1")
    events = read_events(Path(iris.log))
    [event] = [e for e in events if e.path == "/cgi-bin/status?x=1"]
    assert (event.proto, event.method, event.authorization) == ("http", "GET", False)
    assert event.peer.split(":")[0] == lab.scanner_address
    assert any(k.lower() == "host" for k, _ in event.headers)
