"""The lab's virtual air: bumble controllers on one in-process link, reachable over TCP.

bumble's ``LocalLink`` (``bumble/link.py``) delivers every advertising PDU a controller sends
to every other controller on the link; its ``Controller`` (``bumble/controller.py``) turns a
received PDU into HCI advertising reports for its host. The air puts three kinds of
controller on one link:

- **advertisers** with a real bumble host each (``Device.start_advertising``), using the
  address kind of the product they play; private ones rotate their address on a timer
  (``HCI_LE_Set_Advertising_Set_Random_Address``);
- **raw injectors** for hostile payloads: link-layer ``ADV_IND`` PDUs with whatever bytes
  (malformed structures, or a flood of fresh random addresses) — what a broken or malicious
  radio can send and a host stack would refuse to build;
- one **scanner controller per TCP connection**: biosweep connects with ``--ble-backend
  bumble --ble-transport tcp-client:127.0.0.1:PORT`` and drives it over HCI (H4 framing, as
  bumble's ``tcp-client`` transport speaks), exactly as it would a USB dongle.

The emulated controller reports every advert twice (as the advert and as a scan response,
both with the advert's data, at a fixed -50 dBm). The scanner controller here fixes that:
the scan-response report carries the advertiser's scan-response data (and is dropped for a
passive scan or an advertiser without one), and every report's RSSI follows a path model:
``tx_power − (40 dB + 20·log10(distance)) + noise`` (free space at 2.4 GHz, Friis), so a test
that changes an advertiser's TX power or distance changes what a locator hears.

Listeners are on loopback only; nothing here touches a real radio or interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bumble import ll
from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import (
    Address,
    HCI_LE_Advertising_Report_Event,
    HCI_LE_Extended_Advertising_Report_Event,
    HCI_LE_Set_Extended_Scan_Parameters_Command,
    HCI_LE_Set_Scan_Parameters_Command,
    HCI_Packet,
    OwnAddressType,
)
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink, StreamPacketSink, StreamPacketSource

from scanner.lab.ble import adbuild as ad
from scanner.lab.ble.catalogue import NRPA, PUBLIC, RPA, AdvertiserSpec

PATH_LOSS_1M = 40.0
UNKNOWN_RSSI = -90
SCAN_RSP_LEGACY = 0x04
SCAN_RSP_EXTENDED = 1 << 3
MAX_CONTROL_LINE = 64 * 1024

Report = HCI_LE_Advertising_Report_Event.Report | HCI_LE_Extended_Advertising_Report_Event.Report


def received_rssi(tx_power: int, distance: float, noise: float = 0.0) -> int:
    """RSSI (dBm) heard at ``distance`` metres from an advertiser sending ``tx_power`` dBm."""
    loss = PATH_LOSS_1M + 20.0 * math.log10(max(distance, 0.1))
    return max(-127, min(20, round(tx_power - loss + noise)))


def _bumble_address(text: str, public: bool) -> Address:
    kind = Address.PUBLIC_DEVICE_ADDRESS if public else Address.RANDOM_DEVICE_ADDRESS
    return Address(text.upper(), kind)


def private_address(rng: random.Random, kind: str) -> str:
    """A fresh private address: top bits 0b01 (resolvable) or 0b00 (non-resolvable)."""
    first = (0x40 if kind == RPA else 0x00) | rng.randrange(0x40)
    rest = [rng.randrange(256) for _ in range(5)]
    return ":".join(f"{b:02x}" for b in [first, *rest])


@dataclass
class Live:
    """One advertiser as it is on the air now."""

    spec: AdvertiserSpec
    tx_power: int
    distance: float
    address: str
    scan_response: bytes = b""
    device: Device | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    addresses_used: int = 1

    def describe(self) -> dict[str, Any]:
        s = self.spec
        return {
            "name": s.name,
            "truth": s.truth.value,
            "collector": s.collector,
            "kind": s.kind,
            "address": self.address,
            "addresses_used": self.addresses_used,
            "tx_power": self.tx_power,
            "distance": self.distance,
            "tags": list(s.tags),
        }


class Air:
    """Advertisers on one link, a path-loss model, and the scanners listening to them."""

    def __init__(self, specs: Iterable[AdvertiserSpec], seed: int = 20240611, noise: float = 1.0):
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible lab, not cryptography
        self.noise = noise
        self.live = {s.name: Live(s, s.tx_power, s.distance, s.address) for s in specs}
        self.by_address = {lv.address: lv for lv in self.live.values()}
        self.scanners: list[AirController] = []

    # -- the model ---------------------------------------------------------------------------
    def rssi_for(self, address: str) -> int:
        lv = self.by_address.get(address)
        if lv is None:
            return UNKNOWN_RSSI + round(self.rng.gauss(0.0, self.noise))
        return received_rssi(lv.tx_power, lv.distance, self.rng.gauss(0.0, self.noise))

    def scan_response_for(self, address: str) -> bytes:
        lv = self.by_address.get(address)
        return lv.scan_response if lv is not None else b""

    def describe(self) -> list[dict[str, Any]]:
        return [lv.describe() for lv in self.live.values()]

    # -- advertisers ---------------------------------------------------------------------------
    async def start(self) -> None:
        for lv in self.live.values():
            if lv.spec.raw or lv.spec.flood_rate:
                lv.tasks.append(asyncio.create_task(self._inject(lv)))
            else:
                await self._advertise(lv)
                if lv.spec.rotate_every:
                    lv.tasks.append(asyncio.create_task(self._rotate(lv)))

    async def stop(self) -> None:
        for lv in self.live.values():
            for task in lv.tasks:
                task.cancel()
            for task in lv.tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _advertise(self, lv: Live) -> None:
        spec = lv.spec
        public = spec.kind == PUBLIC
        controller = Controller(
            f"adv-{spec.name}",
            link=self.link,
            public_address=_bumble_address(spec.address, True) if public else None,
        )
        device = Device(
            address=None if public else _bumble_address(spec.address, False),
            host=Host(controller, AsyncPipeSink(controller)),
        )
        await device.power_on()
        assert spec.payload is not None
        adv, lv.scan_response = spec.payload(lv.tx_power)
        await device.start_advertising(
            advertising_data=adv,
            scan_response_data=lv.scan_response,
            own_address_type=OwnAddressType.PUBLIC if public else OwnAddressType.RANDOM,
            advertising_interval_min=spec.interval * 1000,
            advertising_interval_max=spec.interval * 1000,
        )
        lv.device = device

    async def _rotate(self, lv: Live) -> None:
        assert lv.spec.rotate_every is not None
        while True:
            await asyncio.sleep(lv.spec.rotate_every)
            new = private_address(self.rng, lv.spec.kind)
            adv_set = lv.device.legacy_advertising_set if lv.device else None
            if adv_set is None:
                continue
            await adv_set.set_random_address(_bumble_address(new, False))
            self.by_address.pop(lv.address, None)
            lv.address, lv.addresses_used = new, lv.addresses_used + 1
            self.by_address[new] = lv

    async def _inject(self, lv: Live) -> None:
        spec = lv.spec
        controller = Controller(f"raw-{spec.name}", link=self.link)
        interval = 1.0 / spec.flood_rate if spec.flood_rate else spec.interval
        n = 0
        while True:
            if spec.flood_rate:  # a fresh address and payload every time (case 45)
                address = _bumble_address(private_address(self.rng, NRPA), False)
                data = ad.flags() + ad.name(f"flood-{n:06x}")
                lv.addresses_used += 1
            else:
                address = _bumble_address(spec.address, spec.kind == PUBLIC)
                data = spec.raw[n % len(spec.raw)]
            controller.send_advertising_pdu(ll.AdvInd(advertiser_address=address, data=data))
            n += 1
            await asyncio.sleep(interval)

    async def configure(
        self, name: str, tx_power: int | None = None, distance: float | None = None
    ) -> dict[str, Any]:
        """Change an advertiser's TX power (also in its TX Power Level AD) or distance."""
        lv = self.live[name]
        if distance is not None:
            lv.distance = max(0.1, float(distance))
        if tx_power is not None:
            lv.tx_power = max(-127, min(20, int(tx_power)))
            adv_set = lv.device.legacy_advertising_set if lv.device else None
            if lv.spec.payload is not None and adv_set is not None:
                adv, lv.scan_response = lv.spec.payload(lv.tx_power)
                await adv_set.set_advertising_data(adv)
        return lv.describe()

    # -- scanners and control ----------------------------------------------------------------
    async def serve_scanners(self, host: str, port: int) -> asyncio.Server:
        """Each TCP connection gets its own scanner controller on the link (HCI over H4)."""
        air = self

        class Connection(StreamPacketSource):
            controller: AirController | None = None

            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.WriteTransport)
                self.controller = AirController(
                    air, f"scanner-{len(air.scanners)}", self, StreamPacketSink(transport)
                )
                air.scanners.append(self.controller)

            def connection_lost(self, exc: Exception | None) -> None:
                if self.controller is not None:
                    air.link.remove_controller(self.controller)
                    air.scanners.remove(self.controller)
                    self.controller = None
                self.on_transport_lost()

        return await asyncio.get_running_loop().create_server(Connection, _loopback(host), port)

    async def serve_control(self, host: str, port: int) -> asyncio.Server:
        """JSON lines: ``{"op": "list"}`` or ``{"op": "set", "name": …, "tx_power": …,
        "distance": …}``; each answered with one JSON line."""
        return await asyncio.start_server(
            self._control, _loopback(host), port, limit=MAX_CONTROL_LINE
        )

    async def _control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                writer.write(json.dumps(await self._command(line)).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _command(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
            if request.get("op") == "list":
                return {"ok": True, "advertisers": self.describe()}
            if request.get("op") == "set":
                state = await self.configure(
                    str(request["name"]), request.get("tx_power"), request.get("distance")
                )
                return {"ok": True, "advertiser": state}
            return {"ok": False, "error": "op must be list or set"}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def _loopback(host: str) -> str:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the lab air listens on loopback only, not {host}")
    return host


class AirController(Controller):
    """The controller one scanner drives: reports get the air's RSSI and scan responses."""

    def __init__(self, air: Air, name: str, source: Any, sink: StreamPacketSink) -> None:
        self.air = air
        self.active = True
        super().__init__(name, host_source=source, host_sink=sink, link=air.link)

    def on_hci_le_set_scan_parameters_command(
        self, command: HCI_LE_Set_Scan_Parameters_Command
    ) -> Any:
        self.active = command.le_scan_type == 1
        return super().on_hci_le_set_scan_parameters_command(command)

    def on_hci_le_set_extended_scan_parameters_command(
        self, command: HCI_LE_Set_Extended_Scan_Parameters_Command
    ) -> Any:
        self.active = any(t == 1 for t in command.scan_types)
        return super().on_hci_le_set_extended_scan_parameters_command(command)

    def send_hci_packet(self, packet: HCI_Packet) -> None:
        if isinstance(packet, HCI_LE_Advertising_Report_Event):
            legacy = [r for r in map(self._report, packet.reports) if r is not None]
            if legacy:
                super().send_hci_packet(HCI_LE_Advertising_Report_Event(legacy))  # type: ignore[arg-type]
            return
        if isinstance(packet, HCI_LE_Extended_Advertising_Report_Event):
            ext = [r for r in map(self._report, packet.reports) if r is not None]
            if ext:
                super().send_hci_packet(HCI_LE_Extended_Advertising_Report_Event(ext))  # type: ignore[arg-type]
            return
        super().send_hci_packet(packet)

    def _report(self, report: Report) -> Report | None:
        address = report.address.to_string(False).lower()
        extended = isinstance(report, HCI_LE_Extended_Advertising_Report_Event.Report)
        flag = SCAN_RSP_EXTENDED if extended else SCAN_RSP_LEGACY
        is_rsp = bool(report.event_type & flag) if extended else report.event_type == flag
        if is_rsp:
            data = self.air.scan_response_for(address)
            if not self.active or not data:
                return None
            report = dataclasses.replace(report, data=data)
        return dataclasses.replace(report, rssi=self.air.rssi_for(address))


async def serve(
    specs: Iterable[AdvertiserSpec],
    ready: Callable[[dict[str, Any]], object],
    host: str = "127.0.0.1",
    port: int = 0,
    control_port: int = 0,
    seed: int = 20240611,
) -> None:
    """Run the air until cancelled; ``ready`` gets the transport spec and control address."""
    air = Air(specs, seed=seed)
    await air.start()
    scanners = await air.serve_scanners(host, port)
    control = await air.serve_control(host, control_port)
    try:
        scan_port = scanners.sockets[0].getsockname()[1]
        control_addr = control.sockets[0].getsockname()
        ready(
            {
                "transport": f"tcp-client:{host}:{scan_port}",
                "control": f"{control_addr[0]}:{control_addr[1]}",
                "advertisers": air.describe(),
            }
        )
        await asyncio.Event().wait()
    finally:
        scanners.close()
        control.close()
        await air.stop()
