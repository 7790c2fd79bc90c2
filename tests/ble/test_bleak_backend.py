"""The OS-stack backend against a fake of bleak's scanner API (there is no Bluetooth hardware
here), its error translation, and the explanation of why the OS stack is unavailable."""

from __future__ import annotations

import asyncio
import inspect
import sys
from pathlib import Path
from typing import Any, ClassVar

import bleak
import pytest
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason, BleakError

from scanner.models import SkipReason
from scanner.probes.ble.backends.bleak_stack import BleakBackend, linux_stack_problem, scan_args
from scanner.probes.ble.probe import BleOptions
from scanner.probes.source import SourceResult
from tests.ble.conftest import scan_ble

BASE = "-0000-1000-8000-00805f9b34fb"


def advert(name: str | None = None, **fields: Any) -> AdvertisementData:
    return AdvertisementData(
        local_name=name,
        manufacturer_data=fields.get("manufacturer_data", {}),
        service_data=fields.get("service_data", {}),
        service_uuids=fields.get("service_uuids", []),
        tx_power=fields.get("tx_power"),
        rssi=fields.get("rssi", -60),
        platform_data=(),
    )


def bluez_device(address: str, kind: str = "public", appearance: int | None = None) -> BLEDevice:
    props: dict[str, Any] = {"Address": address, "AddressType": kind}
    if appearance is not None:
        props["Appearance"] = appearance
    return BLEDevice(address, None, {"path": "/org/bluez/hci0/dev", "props": props})


class FakeBleakScanner:
    """bleak.BleakScanner's surface: constructor keywords, async start/stop, callbacks."""

    script: ClassVar[list[tuple[BLEDevice, AdvertisementData]]] = []
    fail: ClassVar[BaseException | None] = None
    made: ClassVar[list[FakeBleakScanner]] = []

    def __init__(
        self,
        detection_callback: Any = None,
        service_uuids: list[str] | None = None,
        scanning_mode: str = "active",
        *,
        bluez: dict[str, Any] | None = None,
        cb: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.callback = detection_callback
        self.mode = scanning_mode
        self.bluez = bluez or {}
        self.started = self.stopped = False
        FakeBleakScanner.made.append(self)

    async def start(self) -> None:
        if self.fail is not None:
            raise self.fail
        self.started = True
        for device, adv in self.script:
            asyncio.get_running_loop().call_soon(self.callback, device, adv)

    async def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def fake() -> type[FakeBleakScanner]:
    FakeBleakScanner.script, FakeBleakScanner.fail, FakeBleakScanner.made = [], None, []
    return FakeBleakScanner


def scan(fake: type[FakeBleakScanner], active: bool = True) -> SourceResult:
    opts = BleOptions(backend="bleak", duration=0.2, active=active, salt=bytes(32))
    out = scan_ble(opts, BleakBackend(scanner_class=fake))
    return out


def test_our_call_fits_the_real_bleak_scanner_signature() -> None:
    signature = inspect.signature(bleak.BleakScanner)
    signature.bind(detection_callback=lambda d, a: None, **scan_args(True))
    signature.bind(detection_callback=lambda d, a: None, **scan_args(False))


def test_bleak_adverts_become_normalised_observations(fake: type[FakeBleakScanner]) -> None:
    fake.script = [
        (
            bluez_device("F4:85:20:00:00:02", "random", appearance=0x0708),
            advert(
                "eufy T8520",
                manufacturer_data={0x0CC2: b"\x85\x20"},
                service_uuids=["0000FEED-0000-1000-8000-00805F9B34FB"],
                service_data={"0000fe2c-0000-1000-8000-00805f9b34fb": b"\x01"},
            ),
        ),
    ]
    out = scan(fake)
    assert out.skipped == []
    fields = {(o.field, o.value) for o in out.observations}
    assert ("ble.address", "f4:85:20:00:00:02") in fields
    assert ("ble.local_name", "eufy T8520") in fields
    assert ("ble.company_id", "0x0cc2") in fields
    assert ("ble.manufacturer_data", "0x0cc2:8520") in fields
    assert ("ble.service_uuid", "0000feed" + BASE) in fields
    assert ("ble.service_data_uuid", "0000fe2c" + BASE) in fields
    assert ("ble.service_data", "0000fe2c" + BASE + ":01") in fields
    assert ("ble.appearance", "0x0708") in fields
    assert all(o.subject.startswith("ble:h-") and o.source == "ble-bleak" for o in out.observations)
    (scanner,) = fake.made
    assert scanner.started and scanner.stopped
    assert scanner.mode == "active"


def test_rotating_bluez_addresses_count_once(fake: type[FakeBleakScanner]) -> None:
    phone = advert(manufacturer_data={0x004C: bytes.fromhex("100501")})
    fake.script = [(bluez_device(f"4A:00:00:00:00:{i:02X}", "random"), phone) for i in range(6)]
    out = scan(fake)
    assert len({o.subject for o in out.observations}) == 1
    assert "6 addresses" in out.notes[0]


def test_passive_scanning_asks_bluez_for_patterns(fake: type[FakeBleakScanner]) -> None:
    scan(fake, active=False)
    (scanner,) = fake.made
    assert scanner.mode == "passive"
    if sys.platform.startswith("linux"):
        assert scanner.bluez["or_patterns"][0] == (0, 0x01, b"\x00")


@pytest.mark.parametrize(
    ("error", "reason", "words"),
    [
        (FileNotFoundError(2, "No such file or directory"), SkipReason.NO_ADAPTER, "unreachable"),
        (BleakError("No Bluetooth adapters found."), SkipReason.NO_ADAPTER, "no Bluetooth adapter"),
        (
            BleakBluetoothNotAvailableError(
                "Bluetooth is off", BleakBluetoothNotAvailableReason.POWERED_OFF
            ),
            SkipReason.NO_ADAPTER,
            "is off",
        ),
        (PermissionError("denied"), SkipReason.NEEDS_ROOT, "refused"),
        (BleakError("something odd"), SkipReason.ERROR, "failed"),
    ],
    ids=["no-dbus", "no-adapter", "powered-off", "permission", "other"],
)
def test_stack_failures_become_a_skipped_entry_with_a_fix(
    fake: type[FakeBleakScanner], error: BaseException, reason: SkipReason, words: str
) -> None:
    fake.fail = error
    out = scan(fake)
    (skipped,) = out.skipped
    assert skipped.probe == "ble"
    assert skipped.reason is reason
    assert words in skipped.detail
    assert "fix:" in skipped.detail
    assert out.observations == []


def test_linux_stack_problem_names_the_missing_piece(tmp_path: Path) -> None:
    socket, sysfs = tmp_path / "system_bus_socket", tmp_path / "bluetooth"
    problem = linux_stack_problem(socket, sysfs)
    assert problem is not None and str(socket) in problem.detail
    assert "bluez" in problem.fix.lower()
    socket.touch()
    problem = linux_stack_problem(socket, sysfs)
    assert problem is not None and "no Bluetooth adapter" in problem.detail
    (sysfs / "hci0").mkdir(parents=True)
    assert linux_stack_problem(socket, sysfs) is None
