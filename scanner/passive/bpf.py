"""libpcap's filter compiler and interpreter through ctypes: a BPF program selects packets.

libpcap (Debian ``libpcap0.8``, already a dependency of tcpdump) compiles a filter expression
for a link type (``pcap_open_dead`` + ``pcap_compile``, pcap-filter(7) syntax) and runs it on one
packet (``pcap_offline_filter``), in C: the same program, the same semantics as ``tcpdump -r FILE
EXPR``. No Python package is needed. Without libpcap, :func:`compile_filter` returns ``None`` and
the caller decodes every packet (slower, same observations); the run's notes say so.

A packet whose bytes a program reads past the captured length is rejected, as the kernel and
libpcap do (bpf_filter.c); callers must not take a rejection as proof of a packet's content.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

log = logging.getLogger(__name__)
SNAPLEN = 262_144  # libpcap's MAXIMUM_SNAPLEN: a program accepts with this length


class _Program(ctypes.Structure):
    _fields_ = [("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p)]


class _Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class _Header(ctypes.Structure):
    _fields_ = [("ts", _Timeval), ("caplen", ctypes.c_uint32), ("len", ctypes.c_uint32)]


class FilterError(ValueError):
    """libpcap refused an expression (a bug in the expression, not in a packet)."""


@cache
def _libpcap() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("pcap") or "libpcap.so.0.8"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        log.info("libpcap not found (%s): every packet is decoded", name)
        return None
    lib.pcap_open_dead.restype = ctypes.c_void_p
    lib.pcap_open_dead.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.pcap_close.argtypes = [ctypes.c_void_p]
    lib.pcap_geterr.restype = ctypes.c_char_p
    lib.pcap_geterr.argtypes = [ctypes.c_void_p]
    lib.pcap_compile.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(_Program), ctypes.c_char_p, ctypes.c_int, ctypes.c_uint32,
    ]  # fmt: skip
    lib.pcap_freecode.argtypes = [ctypes.POINTER(_Program)]
    lib.pcap_offline_filter.argtypes = [
        ctypes.POINTER(_Program), ctypes.POINTER(_Header), ctypes.c_char_p,
    ]  # fmt: skip
    return lib


def available() -> bool:
    """Is libpcap there to compile filters?"""
    return _libpcap() is not None


class Filter:
    """A compiled program for one link type; :meth:`matches` runs it on one packet."""

    def __init__(self, lib: ctypes.CDLL, program: _Program, expression: str) -> None:
        self._lib = lib
        self._program = program
        self.expression = expression
        self._header = _Header()
        self._run = lib.pcap_offline_filter
        self._program_ref = ctypes.byref(program)
        self._header_ref = ctypes.byref(self._header)

    def matches(self, data: bytes, wirelen: int) -> bool:
        """Does the program accept ``data`` (the captured bytes of a ``wirelen`` packet)?"""
        header = self._header
        header.caplen = len(data)
        header.len = wirelen
        return bool(self._run(self._program_ref, self._header_ref, data))

    def instructions(self) -> int:
        return int(self._program.bf_len)

    def __del__(self) -> None:
        if getattr(self, "_program", None) is not None:
            self._lib.pcap_freecode(ctypes.byref(self._program))


def compile_filter(expression: str, linktype: int) -> Filter | None:
    """``expression`` compiled (optimised) for ``linktype``; None without libpcap.

    Raises FilterError when libpcap refuses the expression for this link type."""
    lib = _libpcap()
    if lib is None:
        return None
    handle = lib.pcap_open_dead(linktype, SNAPLEN)
    if not handle:
        raise FilterError(f"libpcap cannot open link type {linktype}")
    try:
        program = _Program()
        if lib.pcap_compile(handle, ctypes.byref(program), expression.encode(), 1, 0xFFFFFFFF):
            reason = (lib.pcap_geterr(handle) or b"").decode("utf-8", "replace")
            raise FilterError(f"libpcap refused the filter for link type {linktype}: {reason}")
    finally:
        lib.pcap_close(handle)
    return Filter(lib, program, expression)
