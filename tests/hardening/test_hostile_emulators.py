"""The hostile lab emulators on their own, over loopback: each attacks as documented, so the
lab acceptance (``test_hostile_lab.py``) tests the scanner and not a toothless peer."""

from __future__ import annotations

import asyncio
import gzip
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from scanner.lab.emulators import EventLog, read_events
from scanner.lab.emulators.base import Emulator
from scanner.lab.emulators.hostile import (
    BILLION_LAUGHS,
    FLOOD_CAP,
    GZIP_MEMBER,
    SHAPES,
    FragileHttpEmulator,
    FragileHttpSpec,
    FragileJetDirectEmulator,
    FragileJetDirectSpec,
    TarpitEmulator,
    TarpitSpec,
    flood_chunks,
)
from scanner.lab.emulators.hostile_udp import looping_answers
from scanner.lab.emulators.http import Route
from scanner.probes.multicast.mdns import MdnsParseError, decode
from scanner.probes.xmlsafe import XmlParseError, parse_xml

HOST = "127.0.41.1"
_ports = itertools.count(18300)


@pytest.mark.parametrize("shape", SHAPES)
def test_every_flood_shape_is_bounded_and_lazy(shape: str) -> None:
    total = 0
    for chunk in flood_chunks(shape, "RTSP" if shape == "interleaved" else "HTTP"):
        assert len(chunk) <= 128 * 1024  # never a huge string in memory
        total += len(chunk)
    assert total <= FLOOD_CAP


def test_the_floods_carry_their_attack() -> None:
    line = b"".join(itertools.islice(flood_chunks("long_line", "HTTP"), 4))
    assert b"X-Long: aaaa" in line and line.count(b"\n") == 2  # status, CSeq, then no end
    assert sum(len(c) for c in flood_chunks("long_line", "HTTP")) > 10 * 1024 * 1024
    bomb = list(itertools.islice(flood_chunks("gzip_bomb", "HTTP"), 2))
    assert b"Content-Encoding: gzip" in bomb[0]
    assert bomb[1].startswith(GZIP_MEMBER) and len(gzip.decompress(GZIP_MEMBER)) == 1 << 20
    chain = b"".join(flood_chunks("gzip_chain", "HTTP"))
    assert chain.count(b"gzip") >= 1000
    assert next(iter(flood_chunks("bad_status", "HTTP"))).startswith(b"HTTP/9.9 999")


def test_every_mdns_answer_has_hostile_framing_the_scanner_refuses() -> None:
    for packet in looping_answers(7):
        with pytest.raises(MdnsParseError):
            decode(packet)


def test_the_bomb_is_refused_by_the_xml_layer() -> None:
    with pytest.raises(XmlParseError, match="DTDForbidden"):
        parse_xml(BILLION_LAUGHS.encode(), 512 * 1024)


@asynccontextmanager
async def serving(emulator: Emulator[Any]) -> AsyncIterator[int]:
    port = next(_ports)
    server = await asyncio.start_server(emulator.handle, HOST, port)
    try:
        yield port
    finally:
        server.close()


async def _get(port: int, path: str = "/") -> bytes:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        return b""  # hung up without reading the request: a crashed device
    finally:
        writer.close()


def test_a_fragile_device_survives_two_requests_at_once_and_crashes_at_three(
    tmp_path: Path,
) -> None:
    log = EventLog(tmp_path / "p.jsonl")
    spec = FragileHttpSpec(port=0, server="HP HTTP Server", routes=(Route("/", 200, "ok"),))
    emulator = FragileHttpEmulator(spec, "printer-a", log)

    async def main() -> tuple[list[bytes], list[bytes], bytes]:
        async with serving(emulator) as port:
            two = await asyncio.gather(_get(port), _get(port))
            three = await asyncio.gather(_get(port), _get(port), _get(port))
            after = await _get(port)
        return list(two), list(three), after

    two, three, after = asyncio.run(main())
    assert all(b.startswith(b"HTTP/1.1 200") for b in two)
    assert b"" in three and after == b""  # crashed: it hangs up on everyone from then on
    crashes = [e.detail for e in read_events(tmp_path / "p.jsonl") if e.kind == "malformed"]
    assert crashes == ["crashed: 3 requests at once"]


def test_a_byte_on_the_raw_print_port_crashes_the_device(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "p.jsonl")
    printer = FragileJetDirectEmulator(FragileJetDirectSpec(port=0), "printer-b", log)
    web = FragileHttpEmulator(
        FragileHttpSpec(port=0, routes=(Route("/", 200, "ok"),)), "printer-b", log
    )

    async def main() -> tuple[bytes, bytes]:
        async with serving(printer) as raw, serving(web) as http:
            before = await _get(http)
            _, writer = await asyncio.open_connection(HOST, raw)
            writer.write(b"\x1b%-12345X@PJL\r\n")
            await writer.drain()
            writer.close()
            await asyncio.sleep(0.3)
            return before, await _get(http)

    before, after = asyncio.run(main())
    assert before.startswith(b"HTTP/1.1 200") and after == b""


def test_a_tarpit_never_answers_and_logs_what_it_was_sent(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "t.jsonl")
    tarpit = TarpitEmulator(TarpitSpec(port=0), "tarpit", log)

    async def main() -> bytes:
        async with serving(tarpit) as port:
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(b"GET / HTTP/1.1\r\n\r\n")
            await writer.drain()
            try:
                return await asyncio.wait_for(reader.read(1), 0.5)
            except TimeoutError:
                return b""
            finally:
                writer.close()
                await asyncio.sleep(0.2)

    assert asyncio.run(main()) == b""
    assert [e.size for e in read_events(tmp_path / "t.jsonl")] == [18]
