"""Every parser of device bytes, on any byte string up to 64 KiB: a result or its family's
ParseError, never another exception, within a deadline and an allocation cap (SAFETY-CATALOGUE
case 68). Hypothesis runs a bounded, derandomised profile here (``ci``; ``BIOSWEEP_HYPOTHESIS_PROFILE=long`` for a deep run, see ``bench/fuzz/README.md``). Failures hypothesis finds are kept as ``@example`` regressions.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scanner.errors import ParseError
from scanner.probes import anviz, snmp, zkteco
from scanner.probes.arp import parse_reply as parse_arp
from scanner.probes.httphead import read_body, read_head
from scanner.probes.nd import parse_reply as parse_nd
from scanner.probes.net import Stream
from scanner.probes.tls import certificate_observations
from scanner.probes.vendor_udp import parse_dhip, parse_hid, parse_sadp
from scanner.probes.xmlsafe import parse_xml

settings.register_profile(
    "ci", max_examples=150, deadline=2000, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.register_profile("long", max_examples=20_000, deadline=5000)
settings.load_profile(os.environ.get("BIOSWEEP_HYPOTHESIS_PROFILE", "ci"))

MAX_INPUT = 64 * 1024
PEAK_CAP = 64 << 20

#: Valid seeds the mutation strategy starts from (truncate, bit-flip, splice).
SEEDS = [
    b"HTTP/1.1 200 OK\r\nServer: App-webs/\r\nContent-Length: 5\r\n\r\nhello",
    b'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm="x"\r\n\r\n',
    b"<ProbeMatch><DeviceDescription>DS-2CD</DeviceDescription><MAC>44-19-b6-00-00-01</MAC></ProbeMatch>",
    b"discovered;090;00:06:8E:01:02:03;VertX;10.0.0.60;1;V1000;2.2;x;",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    seed = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["flip", "cut", "splice", "dup"]))
        if not seed:
            break
        at = draw(st.integers(0, len(seed) - 1))
        if op == "flip":
            seed[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del seed[at:]
        elif op == "splice":
            seed[at:at] = draw(st.binary(max_size=64))
        else:
            seed[at:at] = seed[at : at + draw(st.integers(1, 256))] * draw(st.integers(1, 50))
    return bytes(seed[:MAX_INPUT])


ANY_BYTES = st.one_of(st.binary(max_size=MAX_INPUT), mutated())


def _stream(data: bytes) -> Stream:
    reader = asyncio.StreamReader(limit=64 * 1024)
    reader.feed_data(data)
    reader.feed_eof()
    return Stream(reader, None)


def http_parse(data: bytes) -> object:
    async def run() -> object:
        stream = _stream(data)
        head = await read_head(stream, 100)
        return await read_body(stream, head, 256 * 1024)

    return asyncio.run(run())


def rtsp_parse(data: bytes) -> object:
    async def run() -> object:
        return await read_head(_stream(data), 100, protocol="RTSP")

    return asyncio.run(run())


PARSERS: dict[str, Callable[[bytes], Any]] = {
    "http": http_parse,
    "rtsp": rtsp_parse,
    "xml": lambda data: parse_xml(data, 512 * 1024),
    "sadp": parse_sadp,
    "dhip": parse_dhip,
    "hid": parse_hid,
    "zk": zkteco.parse,
    "anviz": anviz.parse,
    "snmp": lambda data: snmp.parse_sys_descr(data, 1),
    "x509": lambda data: certificate_observations("ip:1", data, "tls:443"),
    "arp": parse_arp,
    "ipv6-echo": lambda data: parse_nd(data, 1),
}


@pytest.fixture
def bounded_memory() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < PEAK_CAP, f"peak allocation {peak >> 20} MiB"


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parser_returns_or_raises_parse_error_only(name: str, bounded_memory: None) -> None:
    parser = PARSERS[name]

    @given(ANY_BYTES)
    @example(b"")
    @example(b"\x00" * MAX_INPUT)
    @example(b"HTTP/1.1 100 Continue\r\n\r\n" * 200)
    @example(b"\xa5" + b"\xff" * 20)
    @example(b"PP\x82}" + b"\xff" * 12)
    @example(b"0\x82\xff\xff")
    def check(data: bytes) -> None:
        with contextlib.suppress(ParseError):  # anything else fails the property
            parser(data)

    check()
