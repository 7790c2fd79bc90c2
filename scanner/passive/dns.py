"""A device's own DNS queries: the names it looks up, its maker's cloud among them.

A camera resolves its vendor's servers soon after it boots (an EZVIZ doorbell asks for
``litedev.ezvizlife.com`` and ``time.ys7.com``: seanblanchfield.com, "Deep Dive into the EZVIZ
DB1 Doorbell", 2022, "Housekeeping Traffic"), so the question names of queries sent to port 53
are evidence of who made the asker: ``dns.query`` under ``ip:<source>``.

Wire format: RFC 1035 §4.1.1 (header: QR bit clear and OPCODE 0 for a standard query) and
§4.1.2 (QDCOUNT questions, each a name of length-prefixed labels, QTYPE, QCLASS). Untrusted and
bounded: at most :data:`MAX_QUESTIONS` questions a packet; a label over 63 octets, a
compression pointer or a name that is not a DNS name ends the packet's reading; reverse
(``.arpa``) and link-local (``.local``) names are skipped.

A device asks a handful of names; a resolver forwarding everyone's questions, or a PC whose user
browses, asks many. A source that asks more than :data:`MAX_NAMES` distinct names is one of
those: none of its queries is kept (they would say what people visit, and a forwarder's would
be attributed to it). At most :data:`MAX_SOURCES` sources are followed.
"""

from __future__ import annotations

import struct

from scanner.errors import InputError, ParseError
from scanner.models import Observation
from scanner.normalize import dns_name

PORT = 53
MAX_QUESTIONS = 4
MAX_NAMES = 32
MAX_SOURCES = 4096
_SKIPPED_SUFFIXES = (".arpa", ".local")


class DnsQueryError(ParseError):
    """A datagram to port 53 that is not a well-formed standard query."""


def question_names(data: bytes) -> list[str]:
    """The normalised question names of a standard query (raises DnsQueryError)."""
    if len(data) < 12:
        raise DnsQueryError("truncated DNS header")
    flags, qdcount = struct.unpack("!HH", data[2:6])
    if flags & 0x8000 or flags & 0x7800:
        return []  # a response, or not a standard query (RFC 1035 §4.1.1 QR, OPCODE)
    names, offset = [], 12
    for _ in range(min(qdcount, MAX_QUESTIONS)):
        labels = []
        while True:
            if offset >= len(data):
                raise DnsQueryError("question runs past the end")
            length = data[offset]
            if length == 0:
                offset += 5  # the root label, then QTYPE and QCLASS
                break
            if length > 63:
                raise DnsQueryError("compressed or over-long label in a question")
            labels.append(data[offset + 1 : offset + 1 + length])
            offset += 1 + length
        try:
            names.append(dns_name(b".".join(labels).decode("ascii")))
        except (UnicodeDecodeError, InputError):
            raise DnsQueryError("a question name that is not a DNS name") from None
    return [n for n in names if not n.endswith(_SKIPPED_SUFFIXES)]


class DnsQueries:
    """The names each source asked, bounded per source and in sources."""

    def __init__(self) -> None:
        self._names: dict[str, dict[str, None]] = {}
        self._too_many: set[str] = set()

    def feed(self, source: str, data: bytes) -> None:
        """One datagram sent to port 53 by ``source``."""
        if source in self._too_many:
            return
        names = question_names(data)
        asked = self._names.get(source)
        if asked is None:
            if len(self._names) + len(self._too_many) >= MAX_SOURCES or not names:
                return
            asked = self._names[source] = {}
        for name in names:
            asked[name] = None
        if len(asked) > MAX_NAMES:
            del self._names[source]
            self._too_many.add(source)

    def observations(self, source_tag: str) -> list[Observation]:
        return [
            Observation(f"ip:{src}", "dns.query", name, source_tag)
            for src, names in self._names.items()
            for name in names
        ]

    @property
    def resolvers(self) -> int:
        """Sources left out for asking too many names (forwarders, general-purpose computers)."""
        return len(self._too_many)
