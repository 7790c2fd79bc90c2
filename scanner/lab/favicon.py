"""Generated favicons for the lab's web servers: a 16x16 ICO per vendor, never the vendor's.

Public favicon hashes exist for some vendors (e.g. Hikvision mmh3 ``999357577``, nuclei
``hikvision-detect.yaml``), but the images are the vendors' artwork and are not copied here.
Each device serves an icon drawn from a hash of its vendor's name instead, so the scanner's
favicon hashing can be tested for consistency (the hash of what the emulator served equals
the hash the scanner reports, and it is stable per vendor), never for vendor identity.

Layout (Microsoft "Icons" documentation, ICO file format): ICONDIR (reserved 0, type 1, count),
one ICONDIRENTRY (width, height, colour count 0, reserved, planes 1, 32 bits per pixel, size,
offset 22), then a BITMAPINFOHEADER (40 bytes, height doubled for the XOR and AND masks, no
compression), bottom-up BGRA pixels and a 1-bit AND mask padded to 32-bit rows.
"""

from __future__ import annotations

import hashlib
import struct

SIZE = 16
ICONDIR = struct.Struct("<HHH")
ICONDIRENTRY = struct.Struct("<BBBBHHII")
BITMAPINFOHEADER = struct.Struct("<IiiHHIIiiII")


def favicon(seed: str) -> bytes:
    """A deterministic 16x16, 32-bit ICO drawn from ``seed`` (a vendor name)."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    ink = bytes((digest[0], digest[1], digest[2], 0xFF))
    paper = bytes((0xFF, 0xFF, 0xFF, 0xFF))
    rows = []
    for y in range(SIZE):  # bottom-up; a border and a diagonal band pattern from the digest
        bits = int.from_bytes(digest[2 * (y % 8) + 3 : 2 * (y % 8) + 5], "big")
        rows.append(
            b"".join(
                ink if x in (0, SIZE - 1) or y in (0, SIZE - 1) or (bits >> x) & 1 else paper
                for x in range(SIZE)
            )
        )
    pixels = b"".join(rows)
    mask = bytes(4 * SIZE)  # 16 bits per row padded to 32: all opaque
    header = BITMAPINFOHEADER.pack(
        40, SIZE, 2 * SIZE, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0
    )
    image = header + pixels + mask
    entry = ICONDIRENTRY.pack(SIZE, SIZE, 0, 0, 1, 32, len(image), ICONDIR.size + ICONDIRENTRY.size)
    return ICONDIR.pack(0, 1, 1) + entry + image
