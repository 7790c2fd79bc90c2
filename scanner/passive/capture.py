"""A capture file as scapy's readers see it: every read checked against the file and a cap.

scapy's pcapng reader reads a block's body with one ``read(length)`` of the length the block
header claims, so a header saying 4 GiB would make it allocate 4 GiB before anything is
checked (classic pcap records are already capped by scapy). :class:`BoundedCapture` sits
between the file and scapy: a read longer than :data:`MAX_BLOCK`, or longer than what is
left of the file, raises :class:`CaptureError` before any buffer is made. A gzip-compressed
capture (which scapy would otherwise open itself, out of sight of these checks) is
decompressed here, under the same per-read cap and :data:`MAX_DECOMPRESSED` in total.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import BinaryIO

from scanner.errors import InputError
from scanner.inputs import open_input, size_text

#: Largest block a capture may hold. Wireshark refuses pcapng blocks over 16 MiB
#: (wiretap/pcapng.c, MAX_BLOCK_SIZE); packets are at most 256 KiB (its default snaplen).
MAX_BLOCK = 16 << 20
#: Bytes a gzip-compressed capture may decompress to.
MAX_DECOMPRESSED = 4 << 30
#: Reads this short may run into the end of the file: that is how a reader finds the end.
_HEADER = 64
_GZIP_MAGIC = b"\x1f\x8b"


class CaptureError(InputError):
    """A capture claims a block larger than the cap or than the rest of the file."""


class BoundedCapture:
    """A read-only byte stream that refuses reads past :data:`MAX_BLOCK` or the file's end."""

    def __init__(
        self, raw: BinaryIO, name: str, size: int | None, owner: BinaryIO | None = None
    ) -> None:
        self._raw = raw
        self._owner = owner  # the file under a decompressing ``raw``, closed with it
        self.name = name
        self._size = size  # None for a decompressed stream: its end is not known
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            raise CaptureError(f"{self.name}: a capture is read block by block, not whole")
        if n > MAX_BLOCK:
            raise CaptureError(
                f"{self.name}: a block at byte {self._pos} claims {n} bytes, more than the "
                f"{size_text(MAX_BLOCK)} a capture block may hold"
            )
        if n > _HEADER and self._size is not None and n > self._size - self._pos:
            raise CaptureError(
                f"{self.name}: a block at byte {self._pos} claims {n} bytes, past the end of "
                f"the file ({self._size} bytes): the capture is cut short or corrupt"
            )
        if self._size is None and self._pos + n > MAX_DECOMPRESSED:
            limit = size_text(MAX_DECOMPRESSED)
            raise CaptureError(f"{self.name}: decompresses to more than {limit}")
        data = self._raw.read(n)
        self._pos += len(data)
        return data

    def read_some(self, n: int) -> bytes:
        """Up to ``n`` bytes (at most :data:`MAX_BLOCK`), fewer at the end of the file: a
        buffered reader's refill. The reader checks each block's claimed length itself."""
        n = min(n, MAX_BLOCK)
        if self._size is None and self._pos + n > MAX_DECOMPRESSED:
            if self._pos >= MAX_DECOMPRESSED:
                limit = size_text(MAX_DECOMPRESSED)
                raise CaptureError(f"{self.name}: decompresses to more than {limit}")
            n = MAX_DECOMPRESSED - self._pos
        data = self._raw.read(n)
        self._pos += len(data)
        return data

    @property
    def compressed(self) -> bool:
        """A decompressed stream: its end is not known until it is reached."""
        return self._size is None

    def progress(self) -> tuple[int, int]:
        """(bytes of the file read, its size): of the compressed file for a gzip capture."""
        if self._owner is None:
            return self._pos, self._size or 0
        try:
            return self._owner.tell(), os.fstat(self._owner.fileno()).st_size
        except (OSError, ValueError):
            return 0, 0

    def tell(self) -> int:
        return self._pos

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()
        if self._owner is not None:
            self._owner.close()

    def __enter__(self) -> BoundedCapture:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_capture(path: Path) -> BoundedCapture:
    """A regular capture file (see :func:`scanner.inputs.open_input`) behind the checks."""
    f = open_input(path)
    try:
        size = os.fstat(f.fileno()).st_size
        if f.read(2) == _GZIP_MAGIC:
            f.seek(0)
            unzipped: BinaryIO = gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[assignment]
            return BoundedCapture(unzipped, str(path), None, owner=f)
        f.seek(0)
    except OSError as exc:
        f.close()
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return BoundedCapture(f, str(path), size)
