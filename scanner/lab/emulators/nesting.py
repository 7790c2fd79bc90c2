"""Hostile structures: answers nested or chained far past what any parser should follow.

Each is small (a few KiB, under the 9,000-byte datagram cap) and well formed at every level a
length-checking parser looks at; only following it to the end recurses thousands of times:

- :func:`pointer_chain_answer`: an mDNS answer whose owner name is a chain of thousands of
  *backward* DNS compression pointers, each hop earlier than the last, so there is no cycle to
  detect (RFC 1035 §4.1.4; python-zeroconf PR #1719 caps the chain at 128 hops);
- :func:`nested_dhip_answer`: a Dahua DHIP ``client.notifyDevInfo`` whose JSON body nests
  thousands of arrays (Python's ``json`` decoder recurses per level);
- :func:`nested_xml`: an XML document with thousands of nested elements.

Used by the hostile lab (:mod:`scanner.lab.emulators.hostile`) and by the tests that write
these into captures or serve them on 127.0.0.0/8.
"""

from __future__ import annotations

import json
import struct

#: Hops and levels: well past CPython's default recursion limit (1,000), under 9,000 bytes.
DEPTH = 3000


def pointer_chain_answer(qid: int = 0, hops: int = DEPTH) -> bytes:
    """A response (QR set) of two records: a TXT record whose RDATA holds the name
    ``a.local`` and then ``hops`` pointers, each to the one before it; and an A record whose
    owner name is a pointer to the last of them."""
    header = struct.pack("!6H", qid, 0x8400, 0, 2, 0, 0)
    owner = b"\x01x\x05local\x00"
    base = len(header) + len(owner) + 10  # where the TXT RDATA starts
    rdata = bytearray(b"\x01a\x05local\x00")
    previous = base
    for _ in range(hops):
        here = base + len(rdata)
        rdata += struct.pack("!H", 0xC000 | previous)
        previous = here
    txt = owner + struct.pack("!HHIH", 16, 1, 120, len(rdata)) + bytes(rdata)
    a_record = struct.pack("!H", 0xC000 | previous) + struct.pack("!HHIH", 1, 1, 120, 4)
    return header + txt + a_record + bytes([10, 0, 0, 1])


def dhip_frame(body: bytes) -> bytes:
    """A DHIP datagram: the 32-byte header (size 0x20, ``DHIP``, body length twice), body."""
    sizes = struct.pack("<I4xI4x", len(body), len(body))
    return struct.pack("<I", 0x20) + b"DHIP" + bytes(8) + sizes + body


def nested_dhip_answer(depth: int = DEPTH) -> bytes:
    """A ``client.notifyDevInfo`` whose ``params.deviceInfo.DeviceType`` nests ``depth``
    arrays."""
    head = json.dumps({"method": "client.notifyDevInfo", "params": {"deviceInfo": {}}})
    body = head[:-3] + '"DeviceType": ' + "[" * depth + "]" * depth + "}}}"
    return dhip_frame(body.encode())


def nested_xml(root: str, depth: int = DEPTH) -> bytes:
    """``<root>`` holding ``depth`` nested ``<n>`` elements."""
    return f"<{root}>{'<n>' * depth}{'</n>' * depth}</{root}>".encode()
