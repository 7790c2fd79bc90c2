"""The network seam: every TCP connection a probe makes goes through :class:`Connector`.

It enforces the non-negotiables in one place, so no probe can forget them: the address must be
in scope (exclusions included), printer ports 9100-9107 never get a payload byte, a global and
a per-host token bucket pace connection attempts (and the raw frames of ARP, through
:meth:`Connector.pace`), a per-host cap limits concurrent connections
(:mod:`scanner.probes.slots`), every connect has a deadline, and reads are bounded
(:class:`Stream`).

Within those limits it saves time the way nmap does: port-check timeouts adapt to the round
trips measured so far (:mod:`scanner.probes.rtt`), probes go ahead of the remaining port checks
of their host, and a port check can leave its connection open for the probe that follows
(``probe_port(..., keep=True)``), so that probe costs no second connection attempt.
Tests swap in :class:`~scanner.probes.fakenet.FakeConnector`, which serves scripted bytes and
records what was sent; reads are bounded by :class:`~scanner.probes.stream.Stream`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import ssl
import time
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from scanner.errors import ProbeError
from scanner.probes.rtt import RttEstimator, connect_timeouts
from scanner.probes.slots import PORT_CHECK, HostSlots
from scanner.probes.stream import Stream
from scanner.scope import PRINTER_PORTS, Scope

MAX_DATAGRAM = 9000  # the largest discovery answer we keep (mDNS's own cap, RFC 6762 §17)


class TlsHandshakeError(ProbeError):
    """OpenSSL refused the server's handshake (not a timeout, not a reset): its certificate
    may still be read from the raw records (:mod:`scanner.probes.tlsraw`)."""


class PortState(StrEnum):
    OPEN = "open"  # connected: a service listens
    CLOSED = "closed"  # refused: the host is alive, the port closed
    SILENT = "silent"  # no answer in time (filtered, or a black hole)
    UNREACHABLE = "unreachable"  # ARP/ND or routing found no host


class TokenBucket:
    """Paces events to ``rate`` per second with a burst of ``burst`` (asyncio-safe)."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate / 10)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)

    def debit(self) -> float:
        """Charge one event sent ahead of the waiting :meth:`take` calls. The tokens may go
        below zero; the debt delays those takes. Returns the seconds until the debt is repaid,
        which the caller waits before its next event, so it too keeps the rate."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate) - 1
        self.stamp = now
        return max(0.0, -self.tokens) / self.rate

    def full(self) -> bool:
        """Refilled to capacity and unused: indistinguishable from a new bucket."""
        if self._lock.locked():
            return False
        elapsed = time.monotonic() - self.stamp
        return self.tokens + elapsed * self.rate >= self.capacity


def openssl_is_safe(info: tuple[int, int, int, int, int]) -> bool:
    """OpenSSL 1.1.1n+ or 3.0.2+: earlier ones loop forever on a crafted certificate
    (CVE-2022-0778, BN_mod_sqrt), which a hostile device could send (catalogue case 35)."""
    major, minor, fix, patch, _status = info
    if major >= 3:
        return (major, minor, fix, patch) >= (3, 0, 0, 2)
    return (major, minor, fix) == (1, 1, 1) and patch >= 14


def check_openssl(info: tuple[int, int, int, int, int] = ssl.OPENSSL_VERSION_INFO) -> None:
    if not openssl_is_safe(info):
        raise ProbeError(
            f"refusing to scan with {ssl.OPENSSL_VERSION}: upgrade to OpenSSL 1.1.1n or 3.0.2 "
            "or later (CVE-2022-0778: a device's certificate could hang the scanner)"
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Identification only: read the device's certificate, never trust it for anything.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():  # TLS 1.0 is deprecated, and old cameras still speak it
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    with contextlib.suppress(ssl.SSLError):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


def check_target(scope: Scope, host: str, port: int, *, payload: bool) -> None:
    """Refuse an out-of-scope address, and any payload to a printer port."""
    if not scope.allows(host):
        raise ProbeError(f"{host} is not in scope")
    if payload and port in PRINTER_PORTS:
        raise ProbeError("printer port — not probed")


class Dialer(Protocol):
    """What probes need from the network: :class:`Connector`, or :class:`FakeConnector`."""

    scope: Scope

    def connect(
        self, host: str, port: int, *, tls: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Stream]:
        """A bounded stream; the request deadline starts when the host's slot is granted and
        covers the caller's whole exchange inside the ``async with``."""

    async def probe_port(self, host: str, port: int, *, keep: bool = False) -> PortState:
        """Connect and close, sending nothing. ``keep``: a probe will connect to this port
        next, so an open connection may be left for it (within the per-host cap)."""

    async def datagram(self, host: str, port: int, payload: bytes, wait: float) -> bytes | None: ...

    async def pace(self) -> None:
        """Wait for the global rate to allow one more packet (raw frames such as ARP's)."""

    def release(self, host: str) -> None:
        """The sweep is done with ``host``: close what was kept open for it."""


class _FirstReply(asyncio.DatagramProtocol):
    """Keeps the first datagram from the peer we asked (others are ignored), capped in size."""

    def __init__(self, peer: tuple[str, int]) -> None:
        self.peer = peer
        self.reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if addr[0] == self.peer[0] and not self.reply.done():
            self.reply.set_result(data[:MAX_DATAGRAM])

    def error_received(self, exc: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(exc)


@dataclass
class _HostState:
    """What the connector keeps per host: its rate, its connection slots, its round trips."""

    bucket: TokenBucket
    slots: HostSlots
    rtt: RttEstimator


class Connector:
    """Opens TCP (and TLS) connections within the scope and the limits.

    ``attempts`` counts connection attempts (and UDP questions) made; ``reused`` the probe
    connections served by a port check's parked connection instead of a new attempt.
    """

    def __init__(self, scope: Scope) -> None:
        check_openssl()
        self.scope = scope
        self.limits = scope.limits
        self._global = TokenBucket(self.limits.global_rate)
        self._hosts: dict[str, _HostState] = {}
        self.rtt = RttEstimator(self.limits.connect_timeout)  # the whole sweep's round trips
        self.attempts = 0
        self.reused = 0

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(
                TokenBucket(self.limits.host_rate),
                HostSlots(self.limits.host_connections),
                RttEstimator(self.limits.connect_timeout),
            )
        return state

    async def pace(self) -> None:
        """One raw frame (ARP) sent: wait one interval of the global rate before the next (no
        burst, no catching up: a broadcast reaches every host of the segment), longer while
        the global bucket is in debt. Frames go ahead of waiting connects and are charged to
        the global bucket, so frames and connects together keep the cap."""
        await asyncio.sleep(max(1 / self.limits.global_rate, self._global.debit()))

    async def _pace(self, state: _HostState) -> None:
        await self._global.take()
        await state.bucket.take()
        self.attempts += 1

    def release(self, host: str) -> None:
        """Close connections parked for ``host``; forget its state once it is at rest (a
        fresh state is then identical), so memory follows the hosts in flight, not the scope."""
        state = self._hosts.get(host)
        if state is None:
            return
        state.slots.close_parked()
        if state.slots.at_rest and state.bucket.full():
            del self._hosts[host]

    async def _open(
        self, host: str, port: int, tls: bool, timeout: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(
                    host, port, ssl=_tls_context() if tls else None, limit=self.limits.max_line
                ),
                timeout,
            )
        except TimeoutError as exc:
            raise ProbeError("connect timed out") from exc
        except ssl.SSLError as exc:
            raise TlsHandshakeError(f"TLS handshake failed: {exc.reason or exc}") from exc
        except OSError as exc:
            raise ProbeError(f"connect failed: {exc.strerror or exc}") from exc

    async def _start_tls(self, host: str, writer: asyncio.StreamWriter) -> None:
        """TLS over a parked connection: the same handshake a fresh TLS connect makes."""
        try:
            await asyncio.wait_for(
                writer.start_tls(_tls_context(), server_hostname=host),
                self.limits.request_deadline,
            )
        except TimeoutError as exc:
            raise ProbeError("TLS handshake timed out") from exc
        except ssl.SSLError as exc:
            raise TlsHandshakeError(f"TLS handshake failed: {exc.reason or exc}") from exc
        except OSError as exc:
            raise ProbeError(f"TLS handshake failed: {exc.strerror or exc}") from exc

    async def _turn(
        self, state: _HostState, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """Wait for one of the host's slots and the rate's permission: the connection parked
        for ``port`` (slot included), or ``None`` with a slot held for a new connection.
        No deadline here: the wait depends on the host's other ports, and the host budget
        bounds it."""
        claimed = state.slots.claim(port)
        if claimed is not None:
            self.reused += 1
            return claimed
        await state.slots.acquire()
        try:
            await self._pace(state)
        except BaseException:
            state.slots.release()
            raise
        return None

    async def _ready(
        self,
        host: str,
        port: int,
        tls: bool,
        claimed: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The parked connection (TLS started over it if asked), or a new one."""
        if claimed is None:
            return await self._open(host, port, tls, self.limits.request_deadline)
        if tls:
            await self._start_tls(host, claimed[1])
        return claimed

    @contextlib.asynccontextmanager
    async def connect(self, host: str, port: int, *, tls: bool = False) -> AsyncIterator[Stream]:
        """A bounded stream to host:port. The request deadline starts once the host's slot is
        granted and covers connect, TLS and the caller's whole exchange (TimeoutError at the
        deadline). Waiting for the slot counts only against the host budget, so a host with
        many slow ports loses no probe to the queue."""
        check_target(self.scope, host, port, payload=True)
        state = self._state(host)
        claimed = await self._turn(state, port)
        writer = claimed[1] if claimed is not None else None
        try:
            async with asyncio.timeout(self.limits.request_deadline):
                reader, writer = await self._ready(host, port, tls, claimed)
                yield Stream(reader, writer)
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1.0)
            state.slots.release()

    async def datagram(self, host: str, port: int, payload: bytes, wait: float) -> bytes | None:
        """Send one UDP datagram to host:port and return the first reply within ``wait``."""
        check_target(self.scope, host, port, payload=True)
        state = self._state(host)
        await state.slots.acquire()
        try:
            await self._pace(state)
            loop = asyncio.get_running_loop()
            try:
                transport, proto = await loop.create_datagram_endpoint(
                    lambda: _FirstReply((host, port)), remote_addr=(host, port)
                )
            except OSError as exc:
                raise ProbeError(f"UDP socket failed: {exc.strerror or exc}") from exc
            try:
                transport.sendto(payload)
                return await asyncio.wait_for(proto.reply, wait)
            except TimeoutError:
                return None
            except OSError:
                return None  # ICMP port unreachable: nothing listens
            finally:
                transport.close()
        finally:
            state.slots.release()

    async def probe_port(self, host: str, port: int, *, keep: bool = False) -> PortState:
        """Connect and close, sending nothing (a printer port is fine: no payload byte).

        The timeout adapts to measured round trips (:func:`~scanner.probes.rtt.connect_timeouts`);
        with ``keep``, an open connection is parked for the probe that follows."""
        check_target(self.scope, host, port, payload=False)
        state = self._state(host)
        await state.slots.acquire(PORT_CHECK)
        conn = None
        try:
            found = PortState.SILENT
            for timeout in connect_timeouts(state.rtt, self.rtt):
                found, conn = await self._check(state, host, port, timeout)
                if found is not PortState.SILENT:
                    break
        finally:
            if conn is not None and keep:
                state.slots.park(port, *conn)
            else:
                if conn is not None:
                    conn[1].close()
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn[1].wait_closed(), 1.0)
                state.slots.release()
        return found

    async def _check(
        self, state: _HostState, host: str, port: int, timeout: float
    ) -> tuple[PortState, tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]:
        """One connect attempt within ``timeout``; an answer (open or refused) is an RTT sample."""
        await self._pace(state)
        start = time.monotonic()
        try:
            conn = await asyncio.wait_for(
                asyncio.open_connection(host, port, limit=self.limits.max_line), timeout
            )
        except TimeoutError:
            return PortState.SILENT, None
        except ConnectionRefusedError:
            self._sample(state, time.monotonic() - start)
            return PortState.CLOSED, None
        except OSError as exc:
            # EHOSTUNREACH / ENETUNREACH: ARP or routing found nobody there.
            unreachable = exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN)
            return (PortState.UNREACHABLE if unreachable else PortState.SILENT), None
        self._sample(state, time.monotonic() - start)
        return PortState.OPEN, conn

    def _sample(self, state: _HostState, rtt: float) -> None:
        state.rtt.observe(rtt)
        self.rtt.observe(rtt)
