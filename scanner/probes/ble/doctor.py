"""Why BLE scanning can or cannot run on this machine, without using the radio.

Each check names what it looked at and, when it fails, the one-line fix. The OS-stack checks
read only the file system (the D-Bus socket bleak needs on Linux, the adapters in sysfs) and
the kernel release (``uname -r``: :mod:`scanner.probes.ble.kernel`, CVE-2020-24490); the
transport check opens the HCI transport the operator named and resets the controller (HCI
commands over the transport; nothing is transmitted over the air).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from scanner.errors import InputError
from scanner.probes.ble import kernel
from scanner.probes.ble.backends import BleUnavailable, choose_backend
from scanner.probes.ble.backends.bleak_stack import INSTALL_FIX as BLEAK_FIX
from scanner.probes.ble.backends.bleak_stack import linux_stack_problem
from scanner.probes.ble.backends.bumble_stack import INSTALL_FIX as BUMBLE_FIX
from scanner.probes.ble.backends.bumble_stack import BumbleBackend


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def _installed(package: str, fix: str) -> Check:
    try:
        return Check(package, True, f"installed ({metadata.version(package)})")
    except metadata.PackageNotFoundError:
        return Check(package, False, "not installed", fix)


def os_stack_check() -> Check:
    """Can the OS stack (bleak) scan here? Read from the file system only."""
    if not sys.platform.startswith("linux"):
        return Check("OS stack", True, f"{sys.platform}: checked when a scan starts")
    problem = linux_stack_problem()
    if problem is None:
        return Check("OS stack", True, "BlueZ: D-Bus system bus and an adapter present")
    return Check("OS stack", False, problem.detail, problem.fix)


def kernel_check(
    release: Callable[[], str] | None = None,
    platform: str = sys.platform,
    kernel_ok: bool = False,
) -> Check:
    """Is this kernel one the OS stack may scan with (CVE-2020-24490)? bumble is not at risk.
    ``release`` is the seam (default: ``uname -r``)."""
    if not platform.startswith("linux"):
        return Check("kernel", True, f"{platform}: not Linux, {kernel.CVE} does not apply")
    found = (release or kernel.kernel_release)()
    why = kernel.problem(found)
    if why is None:
        return Check("kernel", True, f"Linux {found[:60]}: has the {kernel.CVE} fix")
    if kernel_ok:
        return Check("kernel", True, f"{why}; vouched for (--ble-kernel-ok / ble_kernel_ok)")
    return Check("kernel", False, f"{why}; the OS stack (bleak) is refused", kernel.OVERRIDE_FIX)


async def transport_check(spec: str, timeout: float = 5.0) -> Check:
    """Open ``spec`` and reset the controller behind it."""
    name = f"transport {spec}"
    try:
        backend = BumbleBackend(spec, open_timeout=timeout)
    except InputError as exc:
        return Check(name, False, str(exc), "use a local transport (see --help)")
    if (problem := backend.unavailable()) is not None:
        return Check(name, False, problem.detail, problem.fix)
    from bumble.device import Device
    from bumble.hci import Address

    try:
        transport = await backend.open()
    except BleUnavailable as exc:
        return Check(name, False, exc.detail, exc.fix)
    async with transport:
        device = Device.with_hci(
            "biosweep-doctor", Address.generate_static_address(), transport.source, transport.sink
        )
        try:
            async with asyncio.timeout(timeout):
                await device.power_on()
        except Exception as exc:  # a timeout or any controller failure is the finding
            why = "no answer" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
            return Check(name, False, f"the controller did not reset ({why})", "check the spec")
        features = "extended advertising" if device.supports_le_extended_advertising else "legacy"
        return Check(name, True, f"controller answered (LE, {features} scanning)")


def run_checks(
    transport: str | None = None,
    kernel_ok: bool = False,
    release: Callable[[], str] | None = None,
) -> list[Check]:
    """Every check, and last the verdict: which backend ``--ble-backend auto`` would use.
    ``release`` is the seam of the kernel check (``uname -r`` by default)."""
    checks = [
        _installed("bleak", BLEAK_FIX),
        os_stack_check(),
        kernel_check(release, kernel_ok=kernel_ok),
        _installed("bumble", BUMBLE_FIX),
    ]
    if transport:
        checks.append(asyncio.run(transport_check(transport)))
    checks.append(_verdict(transport, checks, kernel_ok, release))
    return checks


def _verdict(
    transport: str | None, checks: list[Check], kernel_ok: bool, release: Callable[[], str] | None
) -> Check:
    if transport and not checks[-1].ok:
        return Check("BLE scanning", False, "the named transport is unusable", checks[-1].fix)
    try:
        backend = choose_backend("auto", transport, kernel_ok, release)
    except (BleUnavailable, InputError) as exc:
        fix = exc.fix if isinstance(exc, BleUnavailable) else None
        detail = exc.detail if isinstance(exc, BleUnavailable) else str(exc)
        return Check("BLE scanning", False, f"unavailable: {detail}", fix)
    return Check("BLE scanning", True, f"available with --ble-backend {backend.name}")
