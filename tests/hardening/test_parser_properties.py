"""Every parser of device bytes, on any byte string up to 64 KiB: a result or its family's
parse error, never another exception, within a deadline and an allocation cap (SAFETY-CATALOGUE
case 68). Hypothesis runs a bounded, derandomised profile here (``ci``;
``BIOSWEEP_HYPOTHESIS_PROFILE=long`` for a deep run, see ``bench/fuzz/README.md``). Failures
hypothesis finds are kept as ``@example`` regressions (case 70).

Families and their one error type (:data:`ERRORS`): HTTP and RTSP heads ``HttpParseError``;
XML documents (ONVIF, UPnP descriptions) ``XmlParseError``; SSDP ``SsdpParseError``;
WS-Discovery ``WsdParseError`` (or the XML layer's beneath it); mDNS ``MdnsParseError``;
SADP/DHIP/HID ``DiscoveryParseError`` (SADP: or XML); JSON ``JsonParseError``; ZK, Anviz, SNMP their own; nmap XML
``NmapParseError`` (or XML); the capture and ScanRun readers, which read files a user hands
over, ``InputError``. BLE AD, X.509 summaries, ARP/ND replies, Ethernet and radiotap frames
(passive: ARP, DHCP, LLDP, CDP, mDNS, SSDP, WS-Discovery, SADP, DHIP, HTTP, 802.11) never raise:
bad input gives a partial result and a counted problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scanner.errors import InputError
from scanner.importers.nmap import NmapParseError, parse_nmap
from scanner.lab.ble import adbuild
from scanner.lab.emulators.nesting import nested_dhip_answer, nested_xml, pointer_chain_answer
from scanner.lab.emulators.ssdp import description
from scanner.passive import read_capture
from scanner.passive.layers import scapy
from scanner.probes import anviz, snmp, zkteco
from scanner.probes.anviz import AnvizParseError
from scanner.probes.arp import parse_reply as parse_arp
from scanner.probes.ble.adparse import parse_ad
from scanner.probes.httphead import HttpParseError, read_body, read_head
from scanner.probes.jsonsafe import JsonParseError, parse_json
from scanner.probes.multicast import mdns, ssdp, wsd
from scanner.probes.multicast.vendor import dhip_address, sadp_address
from scanner.probes.nd import parse_reply as parse_nd
from scanner.probes.snmp import SnmpParseError
from scanner.probes.stream import Stream
from scanner.probes.tls import certificate_observations
from scanner.probes.vendor_udp import DiscoveryParseError, parse_dhip, parse_hid, parse_sadp
from scanner.probes.xmlsafe import XmlParseError, parse_xml
from scanner.probes.zkteco import ZkParseError
from scanner.reporters.jsonin import parse_scanrun
from scanner.reporters.jsonout import scanrun_json
from tests.importers.test_nmap import XML as NMAP_XML
from tests.multicast.test_mdns import VALID as MDNS_ANSWER
from tests.multicast.test_wsd import ENVELOPE, match
from tests.passive.test_extract import NOTIFY, wired
from tests.probes.test_vendor_udp import DHIP_ANSWER
from tests.reporters.sample import sample_run

# The hypothesis profiles (``ci``: bounded and derandomised; ``long``) are in conftest.py.

MAX_INPUT = 64 * 1024
PEAK_CAP = 64 << 20

#: Valid seeds the mutation strategy starts from (truncate, bit-flip, splice).
SEEDS = [
    b"HTTP/1.1 200 OK\r\nServer: App-webs/\r\nContent-Length: 5\r\n\r\nhello",
    b'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm="x"\r\n\r\n',
    b"<ProbeMatch><DeviceDescription>DS-2CD</DeviceDescription><MAC>44-19-b6-00-00-01</MAC></ProbeMatch>",
    b"discovered;062;00:06:8E:01:02:03;VertX;10.0.0.60;1;V1000;2.2;x",  # a valid answer
]


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[bytes, ...] = tuple(SEEDS)) -> bytes:
    seed = bytearray(draw(st.sampled_from(seeds)))
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


def _capture(packets: list[Any]) -> bytes:
    path = Path(tempfile.mkdtemp(prefix="biosweep-seed-")) / "seed.pcap"
    from scapy.utils import wrpcap

    wrpcap(str(path), packets)
    return path.read_bytes()


def _family_seeds() -> dict[str, tuple[bytes, ...]]:
    """Valid inputs of each family the mutation strategy starts from (built in memory)."""
    s = scapy()
    frames = wired()
    upnp = description(
        device_type="urn:schemas-upnp-org:device:Basic:1", friendly_name="cam",
        manufacturer="AXIS", model_name="P3245", model_number="P3245", serial="ACCC8E",
        udn="uuid:1",
    ).encode()  # fmt: skip
    probe_match = ENVELOPE.format(relates="uuid:1", matches=match(4) + match(5)).encode()
    dhcp = next(bytes(f[s.BOOTP]) for f in frames if f.haslayer(s.BOOTP))  # type: ignore[attr-defined,index]
    answer = NOTIFY.replace(b"NOTIFY * HTTP/1.1", b"HTTP/1.1 200 OK")
    ad = adbuild.flags() + adbuild.name("IriShield") + adbuild.manufacturer(0x0124, b"\x01\x02")
    return {
        "mdns": (MDNS_ANSWER,),
        "ssdp": (NOTIFY, answer),
        "upnp-description": (upnp,),
        "wsd": (probe_match,),
        "xml": (upnp, probe_match),
        "sadp-multicast": (SEEDS[2],),
        "json": (DHIP_ANSWER[32:], b'{"a": [1, 2.5, "x\\"]", {"b": null}]}'),
        "ble-ad": (ad, ad + adbuild.uuids("0000fe2c-0000-1000-8000-00805f9b34fb")),
        "nmap-xml": (NMAP_XML.encode(),),
        "pcap": (_capture(frames),),
        "ethernet-frame": tuple(bytes(f) for f in frames),  # type: ignore[call-overload]
        "dhcp": (dhcp,),
        "scanrun-json": (scanrun_json(sample_run()),),
        "http": (
            SEEDS[0],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ),
    }


FAMILY_SEEDS = _family_seeds()


def inputs(name: str) -> st.SearchStrategy[bytes]:
    """Raw bytes, or mutations of the family's own valid inputs (all seeds when it has none)."""
    seeds = FAMILY_SEEDS.get(name, tuple(SEEDS))
    return st.one_of(st.binary(max_size=MAX_INPUT), mutated(seeds))


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


def mdns_parse(data: bytes) -> object:
    """Decode one answer and turn it into observations, as the probe and the listener do."""
    return mdns.responder_observations("10.0.0.1", mdns.decode(data), "mdns")


def wsd_parse(data: bytes) -> object:
    """An answer to our probe (RelatesTo checked), then any announcement, as passive reads."""
    with contextlib.suppress(wsd.WsdParseError):
        wsd.parse_wsd(data, frozenset({"uuid:1"}))
    return [wsd.match_observations("ip:1", "10.0.0.1", m, "wsd") for m in wsd.parse_wsd(data)]


_CAPTURE_DIR = Path(tempfile.mkdtemp(prefix="biosweep-fuzz-"))
ETHERNET, RADIOTAP = 1, 127  # pcap link types (tcpdump.org/linktypes.html)


def pcap_of(frames: list[bytes], linktype: int) -> bytes:
    """A classic pcap file (pcap-savefile(5)) holding ``frames`` as captured."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    return out + b"".join(struct.pack("<IIII", 0, 0, len(f), len(f)) + f for f in frames)


def pcap_parse(data: bytes) -> object:
    """A capture file of these bytes through the passive extractor (pcap or pcapng)."""
    path = _CAPTURE_DIR / "capture.pcap"
    path.write_bytes(data)
    return read_capture(path).observations()


def frame_parse(data: bytes, linktype: int) -> object:
    """One captured frame, dissected by scapy's capture reader and fed to the extractor (the
    path every packet takes, from a file or a live socket)."""
    return pcap_parse(pcap_of([data], linktype))


def _udp_frame(sport: int, dport: int, payload: bytes) -> bytes:
    s = scapy()
    return bytes(s.Ether(src="44:19:b6:00:00:01", dst="ff:ff:ff:ff:ff:ff")
                 / s.IP(src="10.0.0.9", dst="255.255.255.255")
                 / s.UDP(sport=sport, dport=dport)) + payload  # fmt: skip


def dhcp_parse(data: bytes) -> object:
    """A BOOTP/DHCP payload (client to server) in an Ethernet frame, through the extractor."""
    return frame_parse(_udp_frame(68, 67, data), ETHERNET)


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
    "mdns": mdns_parse,
    "ssdp": ssdp.parse_ssdp,
    "upnp-description": lambda data: ssdp.parse_description(data, 512 * 1024),
    "wsd": wsd_parse,
    "sadp-multicast": sadp_address,
    "dhip-multicast": dhip_address,
    "json": lambda data: parse_json(data, MAX_INPUT),
    "ble-ad": parse_ad,
    "nmap-xml": parse_nmap,
    "pcap": pcap_parse,
    "ethernet-frame": lambda data: frame_parse(data, ETHERNET),
    "radiotap-frame": lambda data: frame_parse(data, RADIOTAP),
    "dhcp": dhcp_parse,
    "scanrun-json": parse_scanrun,
}

#: The one error type of each parser's family (tuples: the family's own, then the layer
#: beneath it); ``()``: the parser never raises. Anything else fails the property.
ERRORS: dict[str, tuple[type[Exception], ...]] = {
    "http": (HttpParseError,),
    "rtsp": (HttpParseError,),
    "xml": (XmlParseError,),
    "sadp": (DiscoveryParseError, XmlParseError),
    "dhip": (DiscoveryParseError,),
    "hid": (DiscoveryParseError,),
    "zk": (ZkParseError,),
    "anviz": (AnvizParseError,),
    "snmp": (SnmpParseError,),
    "x509": (),
    "arp": (),
    "ipv6-echo": (),
    "mdns": (mdns.MdnsParseError,),
    "ssdp": (ssdp.SsdpParseError,),
    "upnp-description": (XmlParseError,),
    "wsd": (wsd.WsdParseError, XmlParseError),
    "sadp-multicast": (XmlParseError,),
    "dhip-multicast": (),
    "json": (JsonParseError,),
    "ble-ad": (),
    "nmap-xml": (NmapParseError, XmlParseError),
    "pcap": (InputError,),
    "ethernet-frame": (),  # a well-formed capture of one bad frame: counted, never raised
    "radiotap-frame": (),
    "dhcp": (),
    "scanrun-json": (InputError,),
}


@pytest.fixture
def bounded_memory() -> Iterator[Callable[[Callable[[], object]], None]]:
    """Runs one parse under tracemalloc and checks its own peak allocation (per input, so
    hypothesis's bookkeeping across thousands of examples is not counted)."""
    tracemalloc.start()

    def within_cap(parse: Callable[[], object]) -> None:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        try:
            parse()
        finally:
            _, peak = tracemalloc.get_traced_memory()
            assert peak - before < PEAK_CAP, f"peak allocation {(peak - before) >> 20} MiB"

    try:
        yield within_cap
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parser_returns_or_raises_parse_error_only(
    name: str, bounded_memory: Callable[[Callable[[], object]], None]
) -> None:
    parser, allowed = PARSERS[name], ERRORS[name]

    @given(inputs(name))
    @example(b"")
    @example(b"\x00" * MAX_INPUT)
    @example(b"HTTP/1.1 100 Continue\r\n\r\n" * 200)
    @example(b"\xa5" + b"\xff" * 20)
    @example(b"PP\x82}" + b"\xff" * 12)
    @example(b"0\x82\xff\xff")
    @example(b'<?xml version="" encoding="A"?>')  # found by hypothesis: LookupError from expat
    @example(b'<?xml version="1.0" encoding="big5"?><a/>')  # ValueError: multi-byte encoding
    @example(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")  # ProbeError
    @example(  # "²".isdigit() is true, int("²") raises: nmap, registry and compare had it too
        b'<nmaprun><host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/><ports>'
        b'<port protocol="tcp" portid="&#178;"><state state="open"/></port></ports></host></nmaprun>'
    )
    @example(b"HTTP/1.0 200\nContent-Length:\x1c0")  # long profile: int() refused "\x1c0"
    @example(b"HTTP/1.0 200\nContent-Length: \xb2\n\n")  # "²".isdigit() but not int()
    @example(b"HTTP/1.0 200\nContent-Length: " + b"9" * 5000 + b"\n\n")  # int() digit limit
    @example(b"[" * 5000 + b"]" * 5000)  # nesting past the recursion limit
    @example(nested_xml("a", 5000))
    @example(nested_dhip_answer())
    @example(pointer_chain_answer())  # 3,000 backward pointers
    def check(data: bytes) -> None:
        with contextlib.suppress(*allowed):  # anything else (another ParseError too) fails
            bounded_memory(lambda: parser(data))

    check()
