"""The device process: serves the emulators of one or more lab devices until SIGTERM.

``lab up`` starts it detached as ``python -m scanner.lab.device --run RUN --spec FILE --ready
FILE`` (under ``ip netns exec DEVICE-NS`` in the namespaces backend). It binds every listener
first, in each device's namespace, then writes the ready file, so ``lab up`` returns only when
every port answers. It imports nothing heavy (no YAML, no rich): hundreds may run at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import ipaddress
import json
import os
import resource
import signal
import socket
import struct
import sys
from pathlib import Path
from typing import Any

from scanner.lab.emulators import DATAGRAM_EMULATORS, EventLog, datagram_emulator_for, emulator_for
from scanner.lab.emulators.base import ServiceSpec
from scanner.lab.emulators.discovery import DatagramEmulator
from scanner.lab.netns import entered
from scanner.lab.spec import DeviceSpec, read_specs

BACKLOG = 128
ANNOUNCE_EVERY = 20.0  # seconds between unsolicited multicast announcements (SSDP, mDNS, WSD)


def _listen(device: str, address: str, port: int, udp: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        if not udp:
            sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise OSError(
            exc.errno, f"{device}: cannot listen on {address}:{port}: {exc.strerror}"
        ) from None
    sock.setblocking(False)
    return sock


def open_sockets(device: DeviceSpec) -> list[socket.socket]:
    """One listening socket per service, created inside the device's namespace."""
    with entered(device.netns):
        return [
            _listen(device.name, device.address, s.port, s.transport == "udp")
            for s in device.services
        ]


def group_of(spec: ServiceSpec) -> str:
    """The multicast group a UDP service also listens on ("" for none)."""
    entry = DATAGRAM_EMULATORS.get(spec.proto) if spec.transport == "udp" else None
    return entry[1].group if entry else ""


def multicast_capable(device: DeviceSpec) -> bool:
    """Only a device with an interface of its own (namespaces backend) has multicast."""
    return not ipaddress.ip_address(device.address).is_loopback


def _group_socket(device: DeviceSpec, group: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((group, port))
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(device.address))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    except OSError as exc:
        sock.close()
        raise OSError(
            exc.errno, f"{device.name}: cannot join {group}:{port}: {exc.strerror}"
        ) from None
    sock.setblocking(False)
    return sock


def open_group_sockets(
    device: DeviceSpec, sockets: list[socket.socket]
) -> dict[int, socket.socket]:
    """Group sockets by service index, joined on the device's interface; the service's unicast
    socket is set to send multicast there with a TTL of 1."""
    if not multicast_capable(device):
        return {}
    found = {}
    with entered(device.netns):
        for i, spec in enumerate(device.services):
            if group := group_of(spec):
                found[i] = _group_socket(device, group, spec.port)
                unicast = sockets[i]
                unicast.setsockopt(
                    socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(device.address)
                )
                unicast.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
                unicast.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    return found


def _same(protocol: _Datagrams) -> _Datagrams:
    return protocol


class _Datagrams(asyncio.DatagramProtocol):
    """Feeds each datagram to a UDP emulator and sends its answer back to the asker,
    ``delay`` seconds later (the device's latency)."""

    def __init__(self, emulator: DatagramEmulator, address: str, delay: float = 0.0) -> None:
        self.emulator = emulator
        self.address = address
        self.delay = delay
        self.transport: Any = None  # asyncio's selector datagram transport (has sendto)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self.emulator.received(data, (str(addr[0]), addr[1]), self.address)
        if reply is not None:
            self.answer(reply, addr)

    def answer(self, data: bytes, to: tuple[str | Any, int] | None) -> None:
        """Send an answer (``to`` None: to the group) after the device's delay."""
        if self.delay > 0:
            asyncio.get_running_loop().call_later(self.delay, self._send, data, to)
        else:
            self._send(data, to)

    def _send(self, data: bytes, to: tuple[str | Any, int] | None) -> None:
        if to is None:
            self.multicast(data)
        elif self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, to)

    def error_received(self, exc: Exception) -> None:
        """A lost answer (e.g. no route back from a foreign subnet) is the network's business."""

    def multicast(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.sendto(data, (self.emulator.group, self.emulator.spec.port))


class _GroupDatagrams(asyncio.DatagramProtocol):
    """Datagrams sent to a service's group; answers leave by the service's unicast socket."""

    def __init__(self, unicast: _Datagrams) -> None:
        self.unicast = unicast

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        peer = (str(addr[0]), int(addr[1]))
        if peer[0] == self.unicast.address:
            return  # our own announcement
        for send in self.unicast.emulator.on_group(data, peer, self.unicast.address):
            self.unicast.answer(send.data, send.to)


async def _announce(protocols: list[_Datagrams], stop: asyncio.Event) -> None:
    """Multicast every emulator's announcements now and every ANNOUNCE_EVERY seconds."""
    while not stop.is_set():
        for p in protocols:
            for data in p.emulator.announcements(p.address):
                p.multicast(data)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ANNOUNCE_EVERY)


async def serve(devices: list[DeviceSpec], ready: Path | None) -> None:
    """Start every emulator, signal readiness, run until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    servers: list[asyncio.Server] = []
    datagrams: list[asyncio.BaseTransport] = []
    logs: list[EventLog] = []
    announcers: list[_Datagrams] = []
    for device in devices:
        sockets = open_sockets(device)
        groups = open_group_sockets(device, sockets)
        log = EventLog(Path(device.log))
        logs.append(log)
        for i, (spec, sock) in enumerate(zip(device.services, sockets, strict=True)):
            if spec.transport == "udp":
                protocol = _Datagrams(
                    datagram_emulator_for(spec, device.name, log),
                    device.address,
                    device.latency_ms / 1000,
                )
                transport, _ = await loop.create_datagram_endpoint(
                    functools.partial(_same, protocol), sock=sock
                )
                datagrams.append(transport)
                if i in groups:
                    group_transport, _ = await loop.create_datagram_endpoint(
                        functools.partial(_GroupDatagrams, protocol), sock=groups[i]
                    )
                    datagrams.append(group_transport)
                    announcers.append(protocol)
                continue
            emulator = emulator_for(spec, device.name, log)
            emulator.delay = device.latency_ms / 1000
            servers.append(await asyncio.start_server(emulator.handle, sock=sock))
    if ready is not None:
        tmp = ready.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "devices": len(devices)}), "utf-8")
        os.replace(tmp, ready)
    announcing = asyncio.create_task(_announce(announcers, stop))
    await stop.wait()
    await announcing
    for server in servers:
        server.close()
    for datagram in datagrams:
        datagram.close()
    for log in logs:
        log.close()


def _raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scanner.lab.device")
    parser.add_argument("--run", required=True, help="lab run id (lets lab down find this process)")
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args(argv)
    _raise_fd_limit()
    try:
        devices = read_specs(args.spec)
        asyncio.run(serve(devices, args.ready))
    except (OSError, ValueError, KeyError) as exc:
        sys.stderr.write(f"biosweep lab device {args.run}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
