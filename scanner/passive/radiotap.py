"""802.11 headers behind radiotap, read without scapy: transmitter, signal, type and flags.

Radiotap (radiotap.org): version 0, a little-endian header length, presence words (bit 31: one
more word follows), then the fields of the first word's bits in bit order, each aligned to its
own size from the start of the header. Only the signal (bit 5, dBm antenna signal, signed) and
the Flags (bit 1: 0x10, the frame ends with an FCS) are read; the other fields are only sized,
from radiotap.org's table. 802.11 (IEEE 802.11-2020 §9.2.4.1): frame control's type and
subtype in the first byte, its flags (To DS, From DS, ...) in the second, address 2 (the
transmitter) at bytes 10-15 of every frame that has one.

What scapy would read differently is left to it (None): an FHSS field (scapy's RadioTap has
none, so its signal would be read one byte early), TLVs (bit 28), fields that run past the
header's length, control-wrapper and extension frames, frames too short for their addresses.
"""

from __future__ import annotations

RADIOTAP, IEEE802_11 = 127, 105
#: radiotap fields of bits 0-27: (size, alignment); radiotap.org "Defined fields"
_FIELDS = (
    (8, 8), (1, 1), (1, 1), (4, 2), (2, 1), (1, 1), (1, 1), (2, 2), (2, 2), (2, 2),
    (1, 1), (1, 1), (1, 1), (1, 1), (2, 2), (2, 2), (1, 1), (1, 1), (8, 4), (3, 1),
    (8, 4), (12, 2), (12, 8), (12, 2), (12, 2), (6, 2), (1, 1), (4, 2),
)  # fmt: skip
_LEFT_TO_SCAPY = (1 << 4) | (1 << 28)  # FHSS, TLVs
_ADDR2_CONTROL = frozenset({0x4, 0x5, 0x6, 0x8, 0x9, 0xA, 0xB, 0xE, 0xF})  # scapy's Dot11
NO_TRANSMITTER = ("", None, (0, 0))  # a control frame without address 2 (ACK, CTS)
Frame = tuple[str, int | None, tuple[int, int]]  # address 2, signal, (type, flags)


def radiotap(data: bytes) -> tuple[int, int | None, bool] | None:
    """(header length, dBm signal or None, FCS at the end) of a radiotap header, or None."""
    if len(data) < 8 or data[0] != 0:
        return None
    length = data[2] | (data[3] << 8)
    present = int.from_bytes(data[4:8], "little")
    if length < 8 or length > len(data) or present & _LEFT_TO_SCAPY:
        return None
    at, word = 8, present
    while word & 0x8000_0000:  # more presence words (other namespaces): only skipped
        if at + 4 > length:
            return None
        word = int.from_bytes(data[at : at + 4], "little")
        at += 4
    signal, flags = None, 0
    for bit, (size, align) in enumerate(_FIELDS):
        if present >> bit & 1:
            at += -at % align
            if at + size > length:
                return None
            if bit == 1:
                flags = data[at]
            elif bit == 5:
                signal = data[at] - 256 if data[at] > 127 else data[at]
            at += size
    return length, signal, bool(flags & 0x10)


def dot11(data: bytes, fcs: bool) -> Frame | None:
    """(address 2, type, flags) of an 802.11 frame; NO_TRANSMITTER without address 2."""
    if len(data) < 2:
        return None
    kind, subtype, flags = (data[0] >> 2) & 3, data[0] >> 4, data[1]
    if kind == 3 or (kind == 1 and subtype == 6):
        return None  # extension and control-wrapper frames: scapy's own reading
    if kind == 1 and subtype not in _ADDR2_CONTROL:
        return NO_TRANSMITTER if len(data) >= 10 + 4 * fcs else None
    # scapy reads address 3 and the sequence control of management and data frames, and
    # address 4 of a data frame sent between distribution systems; shorter, it reads none
    need = 24 + 6 * (kind == 2 and flags & 3 == 3) if kind != 1 else 16
    if len(data) < need + 4 * fcs:
        return None
    return data[10:16].hex(":"), None, (kind, flags)


def wifi_frame(linktype: int, data: bytes) -> Frame | None:
    """The transmitter facts of one frame of a Wi-Fi link type, or None (scapy reads it)."""
    if linktype == IEEE802_11:
        return dot11(data, False)
    header = radiotap(data)
    if header is None:
        return None
    length, signal, fcs = header
    found = dot11(data[length:], fcs)
    if found is None or found is NO_TRANSMITTER:
        return found
    return found[0], signal, found[2]
