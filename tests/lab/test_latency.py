"""The lab's per-device latency (scenario ``latency: {min_ms, max_ms, seed}``): each device
draws its own delay, keeps it across loads, and every answer it gives (TCP or UDP) comes that
much later, unchanged."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.lab.catalogue import CATALOGUE, resolve
from scanner.lab.device import _Datagrams
from scanner.lab.emulators import EventLog, datagram_emulator_for, emulator_for
from scanner.lab.emulators.discovery import SadpSpec
from scanner.lab.errors import ScenarioError
from scanner.lab.scenario import parse_scenario
from scanner.lab.spec import DeviceSpec, read_specs, write_specs

DEVICES = [
    {
        "name": f"pc-{n}",
        "kind": "windows_pc",
        "mac": f"00:14:22:00:00:{n:02x}",
        "ip": f"10.77.0.{n}",
    }
    for n in range(10, 40)
]
REQUEST = b"GET / HTTP/1.1\r\nHost: cam\r\n\r\n"


def _scenario(latency: Any, devices: list[dict[str, Any]] = DEVICES) -> Any:
    data = {"site": "t", "subnet": "10.77.0.0/24", "devices": devices, "latency": latency}
    return parse_scenario(data, Path("t.yaml"))


def test_each_device_draws_its_own_delay_within_the_range() -> None:
    scenario = _scenario({"min_ms": 5, "max_ms": 120, "seed": 7})
    delays = [d.latency_ms for d in scenario.devices]
    assert all(5 <= ms <= 120 for ms in delays)
    assert len(set(delays)) > len(delays) // 2  # drawn per device, not one for all


def test_a_device_keeps_its_delay_whatever_else_the_scenario_holds() -> None:
    full = {
        d.name: d.latency_ms for d in _scenario({"min_ms": 5, "max_ms": 120, "seed": 7}).devices
    }
    fewer = _scenario({"min_ms": 5, "max_ms": 120, "seed": 7}, DEVICES[::3]).devices
    assert all(full[d.name] == d.latency_ms for d in fewer)
    other_seed = _scenario({"min_ms": 5, "max_ms": 120, "seed": 8}).devices
    assert [d.latency_ms for d in other_seed] != list(full.values())


def test_without_latency_devices_answer_at_once() -> None:
    data = {"site": "t", "subnet": "10.77.0.0/24", "devices": DEVICES}
    assert {d.latency_ms for d in parse_scenario(data, Path("t.yaml")).devices} == {0.0}


@pytest.mark.parametrize(
    "latency",
    [
        {"min_ms": 50, "max_ms": 10},
        {"min_ms": -1, "max_ms": 10},
        {"min_ms": 1, "max_ms": 20_000},
        {"min_ms": "fast", "max_ms": 10},
        {"min_ms": 1, "max_ms": 10, "jitter": 3},
        [1, 10],
    ],
)
def test_a_bad_latency_is_refused_with_the_file_named(latency: Any) -> None:
    with pytest.raises(ScenarioError, match=r"t\.yaml: latency"):
        _scenario(latency)


def test_the_device_spec_carries_the_delay_and_old_specs_read_as_none(tmp_path: Path) -> None:
    services = resolve(CATALOGUE["hikvision_ipc"], "cam", "44:19:b6:00:00:01", {})
    spec = DeviceSpec("cam", "127.0.0.1", None, "log", services, latency_ms=42.5)
    write_specs(tmp_path / "s.json", [spec])
    assert read_specs(tmp_path / "s.json") == [spec]
    data = spec.to_json()
    del data["latency_ms"]
    assert DeviceSpec.from_json(data).latency_ms == 0.0


async def _http_exchange(tmp_path: Path, delay: float) -> tuple[bytes, float]:
    http = resolve(CATALOGUE["hikvision_ipc"], "cam", "44:19:b6:00:00:01", {})[0]
    emulator = emulator_for(http, "cam", EventLog(tmp_path / f"{delay}.jsonl"))
    emulator.delay = delay
    server = await asyncio.start_server(emulator.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        start = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(REQUEST)
        await writer.drain()
        reply = await asyncio.wait_for(reader.read(), 10)
        elapsed = time.monotonic() - start
        writer.close()
        return reply, elapsed
    finally:
        server.close()
        await server.wait_closed()


def test_a_tcp_answer_comes_after_the_delay_and_is_unchanged(tmp_path: Path) -> None:
    prompt, _ = asyncio.run(_http_exchange(tmp_path, 0.0))
    late, elapsed = asyncio.run(_http_exchange(tmp_path, 0.3))
    assert elapsed >= 0.3
    assert late.split(b"\r\n\r\n", 1)[1] == prompt.split(b"\r\n\r\n", 1)[1]
    assert b"200 OK" in late


async def _sadp_exchange(tmp_path: Path, delay: float) -> tuple[bytes, float]:
    spec = SadpSpec(port=37020, model="DS-2CD", serial="DS-2CD1", mac="44:19:b6:00:00:01")
    emulator = datagram_emulator_for(spec, "cam", EventLog(tmp_path / "udp.jsonl"))
    loop = asyncio.get_running_loop()
    protocol = _Datagrams(emulator, "127.0.0.1", delay)
    server, _ = await loop.create_datagram_endpoint(lambda: protocol, local_addr=("127.0.0.1", 0))
    port = server.get_extra_info("sockname")[1]
    got: asyncio.Future[bytes] = loop.create_future()

    class Client(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            if not got.done():
                got.set_result(data)

    client, _ = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", port))
    try:
        start = time.monotonic()
        client.sendto(b"<Probe><Uuid>1</Uuid><Types>inquiry</Types></Probe>")
        reply = await asyncio.wait_for(got, 10)
        return reply, time.monotonic() - start
    finally:
        client.close()
        server.close()


def test_a_udp_answer_comes_after_the_delay(tmp_path: Path) -> None:
    reply, elapsed = asyncio.run(_sadp_exchange(tmp_path, 0.3))
    assert elapsed >= 0.3
    assert b"<DeviceSN>DS-2CD1</DeviceSN>" in reply
