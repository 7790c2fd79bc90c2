"""HCI transport specs for the bumble backend, and the rule that keeps them local.

bumble opens a controller from a spec string ``SCHEME:PARAMETERS`` (google/bumble
``bumble/transport/__init__.py`` ``open_transport``): ``usb:0`` or ``usb:VID:PID`` (a dongle
through libusb), ``serial:/dev/ttyUSB0[,115200]``, ``hci-socket:0`` (a Linux HCI socket),
``tcp-client:HOST:PORT``, ``tcp-server:HOST:PORT``, ``udp:LOCAL_HOST:LOCAL_PORT,REMOTE_HOST:
REMOTE_PORT``, ``ws-client:ws://HOST:PORT``, ``unix:PATH``, ``pty:NAME``, ``file:PATH``,
``vhci``. An optional ``[key=value,…]`` metadata prefix (e.g. a driver) may precede the
parameters.

The network schemes are accepted for loopback addresses only (127.0.0.0/8, ::1): biosweep's
rule is that no packet leaves the machine unless the operator scoped it, and an HCI bridge on
this machine (or the lab's virtual air, ``biosweep ble lab``) is the use they serve.
"""

from __future__ import annotations

import ipaddress
import re

from scanner.errors import InputError

LOCAL_SCHEMES = frozenset(
    {"usb", "pyusb", "serial", "hci-socket", "vhci", "unix", "unix-client", "pty", "file"}
)
NETWORK_SCHEMES = frozenset({"tcp-client", "tcp-server", "udp", "ws-client"})
_META = re.compile(r"^\[\w+=[^\]]*\]")


def check_transport(spec: str) -> str:
    """``spec`` unchanged if bumble can open it without leaving the machine, else InputError."""
    scheme, _, params = spec.strip().partition(":")
    if scheme not in LOCAL_SCHEMES | NETWORK_SCHEMES:
        known = ", ".join(sorted(LOCAL_SCHEMES | NETWORK_SCHEMES))
        raise InputError(f"--ble-transport: unknown scheme {scheme[:30]!r} (known: {known})")
    if scheme in NETWORK_SCHEMES:
        for host in _hosts(scheme, _META.sub("", params)):
            if not _loopback(host):
                raise InputError(
                    f"--ble-transport: {host[:60]!r} is not a loopback address; network HCI "
                    "transports are accepted on 127.0.0.0/8 and ::1 only"
                )
    return spec.strip()


def _hosts(scheme: str, params: str) -> list[str]:
    if scheme == "ws-client":
        params = re.sub(r"^wss?://", "", params).split("/")[0]
    endpoints = params.split(",") if scheme == "udp" else [params]
    hosts = []
    for endpoint in endpoints:
        host, sep, port = endpoint.rpartition(":")
        if not sep or not port.isdigit():
            raise InputError(f"--ble-transport: expected HOST:PORT in {endpoint[:60]!r}")
        hosts.append(host.strip("[]"))
    return hosts


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
