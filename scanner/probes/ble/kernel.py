"""Is this Linux kernel one an advertiser in radio range could attack while BlueZ scans?

CVE-2020-24490 (Google's "BleedingTooth" advisory GHSA-ccx2-w2r4-x649, "BadVibes"): the
kernel's Bluetooth host copied an extended advertising report's data (up to 255 octets) into
a 31-octet buffer of ``struct hci_dev`` (``store_pending_adv_report`` in
``net/bluetooth/hci_event.c``), so any advertiser nearby could corrupt kernel memory while the
host scanned. Introduced with extended advertising reports in Linux 4.19 (commit
c215e9397b00, "Bluetooth: Process extended ADV report event"); fixed upstream by commit
a2ec905d1e160a33b2e210e45ad30445ef26ce0e ("Bluetooth: fix kernel oops in
store_pending_adv_report"), in mainline by Linux 5.8, and backported to the stable kernels
4.19.137, 5.4.56 and 5.7.13 (the stable review series of 3 August 2020: "[PATCH 4.19 43/56]
Bluetooth: fix kernel oops in store_pending_adv_report", "[ Upstream commit a2ec905d1e16 ]",
and the same patch in the 5.4.56-rc1 and 5.7.13-rc1 shortlogs). 4.20, 5.0-5.3, 5.5 and 5.6
reached their end of life unfixed; every kernel from 5.8 on (5.10 included) has the fix.

Only the OS stack is at risk: bleak drives BlueZ, whose scans the kernel's host parses. bumble
runs its own host in user space: over USB, serial or TCP the kernel never sees a report, and
over ``hci-socket`` it binds the HCI user channel, which hands every event to bumble
unprocessed (``HCI_CHANNEL_USER``; ``hci_rx_work`` in ``net/bluetooth/hci_core.c``). So the
bleak backend refuses an affected kernel, and bumble is never refused.

A distribution kernel's version says little of its patches (Ubuntu's 5.4.0-52 carries the fix,
5.4.0-37 does not): an operator who knows theirs is patched says so with ``--ble-kernel-ok``
(or ``ble_kernel_ok = true`` in the ``[sweep]`` section of ``biosweep.toml``).
"""

from __future__ import annotations

import os
import re

CVE = "CVE-2020-24490"
INTRODUCED = (4, 19)
FIXED_UPSTREAM = (5, 8)
#: stable series that got the fix, and the first patch release that carries it
FIXED_STABLE = {(4, 19): 137, (5, 4): 56, (5, 7): 13}
_RELEASE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


def kernel_release() -> str:
    """This machine's kernel release (``uname -r``): the real side of the seam."""
    return os.uname().release


def parse_release(release: str) -> tuple[int, int, int] | None:
    """``5.4.0-37-generic`` → (5, 4, 0); None when it is no Linux release string."""
    m = _RELEASE.match(release.strip())
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def affected(release: str) -> bool:
    """Does a kernel of this release lack the fix, by its version number? (An unreadable
    release counts as affected: the operator can say otherwise.)"""
    version = parse_release(release)
    if version is None:
        return True
    series, patch = version[:2], version[2]
    if series < INTRODUCED or series >= FIXED_UPSTREAM:
        return False
    return patch < FIXED_STABLE.get(series, 1 << 30)


def problem(release: str) -> str | None:
    """Why scanning with the OS stack on a kernel of ``release`` is refused, or None."""
    if not affected(release):
        return None
    return (
        f"Linux {release[:60]} may have {CVE} (an advertiser in range can overflow the "
        "kernel's extended-advertising report buffer while BlueZ scans; fixed in 4.19.137, "
        "5.4.56, 5.7.13 and 5.8)"
    )


OVERRIDE_FIX = (
    "update the kernel; if your distribution's kernel carries the fix, pass --ble-kernel-ok "
    "(or ble_kernel_ok = true in [sweep] of biosweep.toml); or scan through bumble, which the bug "
    "cannot reach: --ble-backend bumble --ble-transport usb:0"
)
