"""ARP discovery (IPv4, RFC 826) on the interfaces whose networks hold the scope.

With CAP_NET_RAW (root) a raw ``AF_PACKET`` socket broadcasts one well-formed who-has per
in-scope address of an attached network, paced by the scope's global rate, and collects the
is-at answers for a short window: every on-link host that has an IP answers, whatever its
firewall. Without the capability, off-link, or when the interface is gone or down, the sweep
falls back to TCP-connect discovery and records why (OS errors are mapped to a reason by
:mod:`scanner.probes.oserrors`). ARP is only ever sent on an interface whose own network
contains the target (never across a router, never outside the scope); nothing is spoofed: the
sender fields are the interface's own MAC and address.

:class:`ArpSource` is one attached segment's sweep as a source of the host sweep: each answer
goes to the sweep's workers as it arrives (:class:`~scanner.probes.discovery.HostFeed`), and
where ARP cannot run, or nobody answers, the segment's addresses go to TCP discovery instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from scanner.models import Observation
from scanner.normalize import mac as normal_mac
from scanner.probes.base import ProbeContext
from scanner.probes.discovery import HostFeed
from scanner.probes.oserrors import SourceUnavailable, mapped_os_errors
from scanner.probes.progress import Phase
from scanner.probes.rtt import RttEstimator
from scanner.probes.source import Source, SourceResult
from scanner.scope import Scope

ETH_P_ARP = 0x0806
BROADCAST = b"\xff" * 6
REPLY_WAIT = 1.0  # seconds an address has to answer, until some answer has been timed
MIN_WAIT = 0.5  # ... and at least this long once answers have been timed (see round_wait)
SEND_TRIES, CONGESTED_WAIT = 4, 0.02  # a refused frame (queue full) is retried after a pause


@dataclass(frozen=True, slots=True)
class Attachment:
    """An interface with an IPv4 network that overlaps the scope."""

    name: str
    mac: bytes
    address: ipaddress.IPv4Address
    network: ipaddress.IPv4Network


def attachments(scope: Scope) -> list[Attachment]:
    """Interfaces (this network namespace) whose IPv4 network overlaps a scope network."""
    import psutil

    found = []
    for name, addrs in psutil.net_if_addrs().items():
        link = next((a.address for a in addrs if a.family == psutil.AF_LINK), None)
        for a in addrs:
            if a.family != socket.AF_INET or not a.netmask or not link:
                continue
            net = ipaddress.IPv4Network(f"{a.address}/{a.netmask}", strict=False)
            if net.is_loopback or not any(
                net.overlaps(n) for n in scope.networks if n.version == 4
            ):
                continue
            found.append(
                Attachment(
                    name,
                    bytes.fromhex(link.replace(":", "")),
                    ipaddress.IPv4Address(a.address),
                    net,
                )
            )
    return found


def request_frame(
    src_mac: bytes, src_ip: ipaddress.IPv4Address, target: ipaddress.IPv4Address
) -> bytes:
    arp = struct.pack(
        "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac, src_ip.packed, bytes(6), target.packed
    )
    return BROADCAST + src_mac + struct.pack("!H", ETH_P_ARP) + arp


def parse_reply(frame: bytes) -> tuple[str, str] | None:
    """(ip, mac) of an ARP is-at, or None for anything else."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06":
        return None
    htype, ptype, hlen, plen, oper, sha, spa = struct.unpack("!HHBBH6s4s", frame[14:32])
    if (htype, ptype, hlen, plen, oper) != (1, 0x0800, 6, 4, 2):
        return None
    return str(ipaddress.IPv4Address(spa)), normal_mac(sha.hex())


async def _send(sock: socket.socket, frame: bytes) -> None:
    """Send one request. A full queue on the way out (ENOBUFS) means the segment is congested:
    wait for it to drain and try again, a few times; a frame still refused is lost, as on the
    wire (the second round asks the silent again)."""
    for _ in range(SEND_TRIES):
        try:
            sock.send(frame)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
        await asyncio.sleep(CONGESTED_WAIT)


def round_wait(rtt: RttEstimator) -> float:
    """How long an address has to answer a who-has before it is asked again, and how long the
    sweep waits after its last request: REPLY_WAIT until some answer has been timed, then four
    times the timeout those round trips imply (RFC 6298, as the connects use), within
    [MIN_WAIT, REPLY_WAIT]. On a LAN answers take milliseconds."""
    timeout = rtt.timeout()
    return REPLY_WAIT if timeout is None else min(REPLY_WAIT, max(MIN_WAIT, 4 * timeout))


async def ask(
    targets: list[ipaddress.IPv4Address],
    answers: dict[str, str],
    sent: dict[str, float],
    rtt: RttEstimator,
    send: Callable[[ipaddress.IPv4Address], Awaitable[None]],
) -> None:
    """Two who-has for every silent target (ARP is lossy), then wait for the last answers.

    ``send`` sends one request and paces the next. The second request to an address goes
    :func:`round_wait` after its first, not after the whole first round: on a large segment
    the first round lasts longer than that wait, and the retries follow it without a pause.
    ``answers`` fills as replies arrive (the caller's reader); a late answer counts until the
    last wait is over."""
    for target in targets:
        sent[str(target)] = time.monotonic()
        await send(target)
    wait = round_wait(rtt)
    for target in targets:
        key = str(target)
        delay = sent[key] + wait - time.monotonic()
        if delay > 0 and key not in answers:
            await asyncio.sleep(delay)
        if key not in answers:
            sent[key] = time.monotonic()
            await send(target)
    deadline = time.monotonic() + round_wait(rtt)
    while time.monotonic() < deadline and len(answers) < len(targets):
        await asyncio.sleep(0.05)


async def sweep(
    att: Attachment,
    scope: Scope,
    on_answer: Callable[[str], None] | None = None,
    pace: Callable[[], Awaitable[None]] | None = None,
) -> list[Observation]:
    """ARP every in-scope address of one attachment (twice for the silent); ``mac:… ip.address …``
    for each answer. ``on_answer(ip)`` is called as each first answer arrives (the sweep probes
    that host at once); ``pace`` replaces the fixed 1/global-rate gap between requests (the
    sweep passes its connector's global bucket, so ARP and connects share one rate)."""
    targets = [
        a for a in scope.hosts() if isinstance(a, ipaddress.IPv4Address) and a in att.network
    ]
    targets = [a for a in targets if a != att.address]
    with mapped_os_errors(f"ARP on {att.name}"):
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    answers: dict[str, str] = {}
    wanted = {str(t) for t in targets}
    sent: dict[str, float] = {}
    rtt = RttEstimator(ceiling=REPLY_WAIT, floor=0.0)
    loop = asyncio.get_running_loop()

    def readable() -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                got = parse_reply(sock.recv(2048))
                if got and got[0] in wanted and got[0] not in answers:
                    answers[got[0]] = got[1]
                    rtt.observe(time.monotonic() - sent.get(got[0], -1e9))
                    if on_answer is not None:
                        on_answer(got[0])

    try:
        with mapped_os_errors(f"ARP on {att.name}"):
            sock.bind((att.name, ETH_P_ARP))
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), readable)
        interval = 1.0 / scope.limits.global_rate

        async def send(target: ipaddress.IPv4Address) -> None:
            await _send(sock, request_frame(att.mac, att.address, target))
            await (pace() if pace is not None else asyncio.sleep(interval))

        with mapped_os_errors(f"ARP on {att.name}"):
            await ask(targets, answers, sent, rtt, send)
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
    return [
        Observation(f"mac:{mac}", "ip.address", ip, f"arp:{att.name}")
        for ip, mac in answers.items()
    ]


class ArpSource(Source):
    """ARP on one attached segment, feeding the host sweep's workers (see the module text).
    Silence proves absence only where ARP demonstrably works (someone answered): there the
    silent addresses are done without a probe; elsewhere they go to TCP discovery."""

    name = "arp"

    def __init__(self, att: Attachment, feed: HostFeed) -> None:
        super().__init__()
        self.att = att
        self.feed = feed
        self.covered = False  # someone answered: ARP works on this segment
        feed.open_source()  # the workers wait for this sweep's answers before they finish

    async def run(self, ctx: ProbeContext) -> SourceResult:
        att, scope, feed = self.att, ctx.scope, self.feed
        segment = (str(a) for a in scope.hosts() if a in att.network)
        answered: set[str] = set()

        def on_answer(host: str) -> None:
            answered.add(host)
            feed.alive(host)

        try:
            with ctx.progress.phase(Phase.ARP):
                found = await sweep(att, scope, on_answer=on_answer, pace=ctx.dialer.pace)
        except SourceUnavailable as exc:
            self.result.skipped.append(exc.skipped(self.name, "TCP connects used"))
            feed.add(segment)
            return self.result
        else:
            self.covered = bool(found)
            if found:
                silent = sum(1 for a in scope.hosts() if a in att.network) - len(answered)
                ctx.progress.addresses_done(max(0, silent))  # no host there: done, no probe
            else:
                feed.add(a for a in segment if a != str(att.address))
        finally:
            feed.close_source()
        self.result.observations += found
        self.result.notes.append(
            f"discovery: arp on {att.name} ({att.network}): {len(found)} answered"
        )
        return self.result
