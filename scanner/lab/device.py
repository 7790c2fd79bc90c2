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
import json
import os
import resource
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from scanner.lab.emulators import EventLog, datagram_emulator_for, emulator_for
from scanner.lab.emulators.discovery import DatagramEmulator
from scanner.lab.netns import entered
from scanner.lab.spec import DeviceSpec, read_specs

BACKLOG = 128


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


def _same(protocol: _Datagrams) -> _Datagrams:
    return protocol


class _Datagrams(asyncio.DatagramProtocol):
    """Feeds each datagram to a UDP emulator and sends its answer back to the asker."""

    def __init__(self, emulator: DatagramEmulator, address: str) -> None:
        self.emulator = emulator
        self.address = address
        self.transport: Any = None  # asyncio's selector datagram transport (has sendto)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self.emulator.received(data, (str(addr[0]), addr[1]), self.address)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


async def serve(devices: list[DeviceSpec], ready: Path | None) -> None:
    """Start every emulator, signal readiness, run until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    servers: list[asyncio.Server] = []
    datagrams: list[asyncio.BaseTransport] = []
    logs: list[EventLog] = []
    for device in devices:
        sockets = open_sockets(device)
        log = EventLog(Path(device.log))
        logs.append(log)
        for spec, sock in zip(device.services, sockets, strict=True):
            if spec.transport == "udp":
                protocol = _Datagrams(datagram_emulator_for(spec, device.name, log), device.address)
                transport, _ = await loop.create_datagram_endpoint(
                    functools.partial(_same, protocol), sock=sock
                )
                datagrams.append(transport)
                continue
            emulator = emulator_for(spec, device.name, log)
            servers.append(await asyncio.start_server(emulator.handle, sock=sock))
    if ready is not None:
        tmp = ready.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "devices": len(devices)}), "utf-8")
        os.replace(tmp, ready)
    await stop.wait()
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
