"""The fast path (capture filter, header-only frame evidence, own decoders) against scapy's path
(every packet decoded by scapy, as before the fast path): the same observations in the same order
and the same drops, on every evidence kind and header form, seeded mutations of them, cooked
and raw-IP link types, Wi-Fi and hostile captures. Then the filter's semantics, the reader's
formats and the counts the notes give."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="scapy is the reference decoder")
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import PcapWriter, wrpcap

from scanner import passive
from scanner.passive import bpf, read_capture, read_capture_scapy, selection
from scanner.passive.extract import FILTER_TCP_PORTS, FILTER_UDP_PORTS, Extractor
from scanner.passive.fastpath import FastPath
from tests.passive import corpus
from tests.passive.test_extract import wifi
from tests.passive.test_hostile_captures import HOSTILE, HOSTILE_IP, VALID, _udp

needs_libpcap = pytest.mark.skipif(not bpf.available(), reason="libpcap is not installed")


def _write(path: Path, frames: list[bytes], linktype: int = 1) -> Path:
    writer = PcapWriter(str(path), linktype=linktype, sync=True)
    for frame in frames:
        writer.write(frame)
    writer.close()
    return path


def assert_same(path: Path) -> Extractor:
    """Both paths over ``path``: identical observations (and order) and drops."""
    fast, slow = read_capture(path), read_capture_scapy(path)
    assert fast.observations() == slow.observations()
    assert fast.drops.counts == slow.drops.counts
    assert fast.packets == slow.packets
    return fast


def test_every_evidence_kind_and_header_form_reads_the_same(tmp_path: Path) -> None:
    frames = corpus.base()
    fast = assert_same(_write(tmp_path / "base.pcap", frames))
    found = {(o.field, o.value) for o in fast.observations()}
    # the corpus does carry what the filter must not lose (a sanity check of the corpus)
    assert ("http.title", "Network Camera") in found
    assert ("telnet.banner", "camera login:") in {(f, v.strip()) for f, v in found}
    assert ("lldp.system_name", "cam-lobby") in found
    assert ("ip.address", corpus.CAM6) in found  # neighbour discovery


@pytest.mark.parametrize(("linktype", "convert"), [(113, corpus.sll), (101, corpus.raw_ip)])
def test_cooked_and_raw_ip_link_types_read_the_same(
    tmp_path: Path, linktype: int, convert: object
) -> None:
    frames = convert(corpus.base())  # type: ignore[operator]
    assert_same(_write(tmp_path / f"{linktype}.pcap", frames, linktype))


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_frames_read_the_same(tmp_path: Path, seed: int) -> None:
    frames = corpus.mutants(corpus.base(), 700, seed)
    assert_same(_write(tmp_path / "mutants.pcap", frames))


def test_wifi_captures_read_the_same(tmp_path: Path) -> None:
    assert_same(wifi(tmp_path))
    frames = corpus.radio()
    fast = assert_same(_write(tmp_path / "radio.pcap", frames, 127))
    assert "0 by scapy" not in fast.notes()[0]  # extension frames are scapy's
    assert_same(_write(tmp_path / "mutants.pcap", corpus.mutants(frames, 250, 3), 127))
    assert_same(_write(tmp_path / "dot11.pcap", [f[f[2] :] for f in frames], 105))


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_captures_drop_the_same_packet_of_the_same_kind(tmp_path: Path, kind: str) -> None:
    port, payload, _ = HOSTILE[kind]
    path = tmp_path / f"{kind}.pcap"
    wrpcap(str(path), [_udp(HOSTILE_IP, port, payload), *VALID])
    fast = assert_same(path)
    assert fast.drops.counts[kind] == 1


@needs_libpcap
def test_bulk_is_rejected_but_its_sender_is_still_seen(tmp_path: Path) -> None:
    frames = [bytes(p) for p in corpus.streams()]
    fast = assert_same(_write(tmp_path / "streams.pcap", frames))
    notes = " ".join(fast.notes())
    # 29 segments: the filter passes the request, the response's head, SYN-ACKs and the Telnet
    # session (6); the response's next two segments are decoded as its flow is open; the SYN
    # and the video (20) only give frame evidence
    assert "29 packets read" in notes
    assert "6 selected by the capture filter, 8 decoded (0 by scapy), 0 decode errors" in notes
    macs = {o.value for o in fast.observations() if o.field == "mac.address"}
    assert corpus.CAM_MAC in macs


# -- the filter -------------------------------------------------------------------------------


def _matches(frame: bytes) -> bool:
    flt = bpf.compile_filter(selection.expression(1), 1)
    assert flt is not None
    return flt.matches(frame, len(frame))


@needs_libpcap
def test_the_filter_passes_every_port_the_extractors_read_in_either_direction() -> None:
    for port in FILTER_UDP_PORTS:
        for sport, dport in ((port, 40000), (40000, port)):
            frame = Ether() / IP(src="10.0.0.2", dst="10.0.0.3") / UDP(sport=sport, dport=dport)
            assert _matches(bytes(frame)), port
    for port in FILTER_TCP_PORTS:
        frame = Ether() / IP(src="10.0.0.2", dst="10.0.0.3") / TCP(sport=port, flags="A")
        assert _matches(bytes(frame)), port
    assert not _matches(bytes(Ether() / IP() / UDP(sport=40000, dport=40001)))


@needs_libpcap
def test_short_segments_are_judged_before_any_read_past_their_end() -> None:
    """A SYN-ACK with no payload and no Ethernet padding (a capture on the sender) is passed
    although the HTTP-prefix test would read past its end."""
    syn_ack = bytes(Ether() / IP(src="10.0.0.2", dst="10.0.0.3") / TCP(sport=554, flags="SA"))
    assert len(syn_ack) == 54 and _matches(syn_ack)
    ack = bytes(Ether() / IP(src="10.0.0.2", dst="10.0.0.3") / TCP(sport=554, flags="A"))
    assert not _matches(ack)
    head = Ether() / IP() / TCP(sport=49152, dport=40000, flags="PA") / Raw(b"HTTP/1.1 200 OK")
    assert _matches(bytes(head))
    tagged = bytes(head)[:12] + b"\x81\x00\x00\x0a" + bytes(head)[12:]
    assert _matches(tagged)


def test_without_libpcap_every_packet_is_decoded_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bpf, "_libpcap", lambda: None)
    path = _write(tmp_path / "base.pcap", corpus.base())
    fast = assert_same(path)
    assert "(libpcap missing: no filter)" in fast.notes()[0]


# -- the reader -------------------------------------------------------------------------------


def _pcapng_block(kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def test_pcapng_with_two_interfaces_nanosecond_pcap_and_a_cut_record(tmp_path: Path) -> None:
    frame = bytes(Ether(src="02:00:00:00:00:07") / IP(src="192.168.1.7") / UDP(sport=9, dport=9))
    ip_only = frame[14:]
    shb = _pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    eth = _pcapng_block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB", 9, 1, 9) + b"\0" * 7)
    raw = _pcapng_block(1, struct.pack("<HHI", 101, 0, 0))
    epb = _pcapng_block(6, struct.pack("<IIIII", 1, 0, 5, len(ip_only), len(ip_only)) + ip_only)
    spb = _pcapng_block(3, struct.pack("<I", len(frame)) + frame)
    orphan = _pcapng_block(6, struct.pack("<IIIII", 7, 0, 5, len(frame), len(frame)) + frame)
    path = tmp_path / "two.pcapng"
    path.write_bytes(shb + eth + raw + epb + spb + orphan)
    fast = read_capture(path)
    assert fast.packets == 2  # the block naming an undescribed interface is skipped
    found = {(o.field, o.value) for o in fast.observations()}
    assert ("mac.address", "02:00:00:00:00:07") in found
    # classic pcap, nanosecond magic, big-endian, cut in its last record
    header = struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
    record = struct.pack(">IIII", 1, 5, len(frame), len(frame)) + frame
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(header + record + record[:30])
    fast = read_capture(cut)
    assert fast.packets == 1
    assert fast.stopped and "cut short" in fast.stopped


def test_a_capture_past_the_packet_limit_says_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passive, "MAX_PACKETS", 5)
    monkeypatch.setattr(passive, "PROGRESS_EVERY", 2)
    frames = [bytes(p) for p in corpus.streams()]
    seen: list[int] = []
    fast = read_capture(
        _write(tmp_path / "long.pcap", frames), progress=lambda *a: seen.append(a[2])
    )
    assert fast.packets == 5 and seen == [2, 4, 5, 5]
    assert "stopped reading: " in " ".join(fast.notes())
    assert fast.stopped and "first 5 packets read (the limit)" in fast.stopped
    monkeypatch.setattr(passive, "MAX_PACKETS", len(frames))  # exactly at the limit: all read
    fast = read_capture(tmp_path / "long.pcap")
    assert fast.packets == len(frames) and fast.stopped is None


@needs_libpcap
def test_the_python_reading_of_plain_ipv4_gives_libpcaps_answers() -> None:
    """selection.plain_ipv4 answers for the commonest frames without a call into libpcap: it
    must answer as the compiled filter does, on every frame of the corpus and its mutants."""
    flt = bpf.compile_filter(selection.expression(1), 1)
    assert flt is not None
    frames = corpus.base()
    frames += corpus.mutants(frames, 4000, 7)
    answered = 0
    for frame in frames:
        mine = selection.plain_ipv4(frame)
        if mine is not None:
            answered += 1
            assert mine == flt.matches(frame, len(frame)), frame.hex()
    assert answered > 1000


@needs_libpcap
def test_the_one_function_reading_of_the_commonest_frames_answers_as_the_general_path() -> None:
    """FastPath._plain_bulk (the filter's answer and the frame key in one function, for speed)
    must take only frames libpcap's program rejects, and give them the general path's key,
    with and without responses being reassembled; on the corpus and its mutants."""
    flt = bpf.compile_filter(selection.expression(1), 1)
    assert flt is not None
    frames = corpus.base()
    frames += corpus.mutants(frames, 4000, 11)
    fast = FastPath(Extractor(None, "pcap"))
    for flows in (set(), {f[26:38] for f in frames[::3] if len(f) >= 38}):
        fast.open_flows = flows
        answered = 0
        for frame in frames:
            key = fast._plain_bulk(frame)
            if key is not None:
                answered += 1
                assert not flt.matches(frame, len(frame)), frame.hex()
                assert key == fast._bulk_v4(frame, 14), frame.hex()
        assert answered > 100
