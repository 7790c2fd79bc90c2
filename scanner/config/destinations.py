"""Where alerts may go: never to a link-local address or a cloud metadata service unless the
configuration says so (``allow_link_local = true`` in the channel's section).

An alert is a request biosweep makes on a configuration's say-so; pointed at
``169.254.169.254`` (the metadata service of AWS, Azure, GCP, Huawei and others), at Alibaba
Cloud's ``100.100.100.200`` or at AWS's ``fd00:ec2::254``, a webhook would hand the site
server's cloud credentials' neighbourhood a signed POST, the textbook server-side request
forgery (OWASP SSRF Prevention Cheat Sheet). The check runs twice: on the configured host at
load time (IPv4 in every spelling ``inet_aton`` accepts, IPv4-mapped and NAT64 IPv6, the
metadata host names) and on the address actually connected to (a name may resolve anywhere).
"""

from __future__ import annotations

import ipaddress
import socket

#: Host names of cloud metadata services (GCP, Tencent Cloud, AWS, Azure, Alibaba Cloud).
METADATA_NAMES = frozenset(
    {
        "metadata", "metadata.google.internal", "metadata.goog", "metadata.tencentyun.com",
        "instance-data", "instance-data.ec2.internal", "metadata.azure.internal",
        "metadata.aliyun.com",
    }
)  # fmt: skip
#: Metadata services outside the link-local ranges (Alibaba Cloud; AWS over IPv6).
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: IPv4 addresses inside IPv6


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` as an address, in the spellings a resolver accepts (``2852039166``,
    ``0xa9fea9fe``, ``169.254.43518``), or None for a name."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):
        return None


def _embedded(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refused_destination(host: str) -> str | None:
    """Why ``host`` (a name or an address) may not receive alerts, or None."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name in METADATA_NAMES:
        return "is a cloud metadata service"
    ip = _address(name)
    if ip is None:
        return None
    for candidate in (ip, _embedded(ip)):
        if candidate is None:
            continue
        if candidate in METADATA_ADDRESSES:
            return "is a cloud metadata service"
        if candidate.is_link_local:
            return "is a link-local address (where cloud metadata services live)"
        if candidate.is_unspecified:
            return "is the unspecified address"
    return None


__all__ = ["METADATA_NAMES", "refused_destination"]
