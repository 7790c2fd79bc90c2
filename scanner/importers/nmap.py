"""nmap's XML output (``-oX``) as observations: existing scans, identified by our signatures.

Format: nmap's ``nmap.dtd`` (nmap.org/book/nmap-dtd.html): ``host`` → ``status@state``,
``address@addr/@addrtype`` (``ipv4``, ``ipv6``, ``mac``), ``hostnames/hostname@name``,
``ports/port@protocol/@portid`` → ``state@state``, ``service@name/@product/…``, and
``script@id/@output``. Kept: live hosts' addresses and MACs, PTR/user host names, open ports,
and the raw strings our signatures read from scripts that ``-sV`` runs or that users add:
``http-server-header`` (the ``Server`` header), ``http-title``, ``banner`` (SSH/FTP/Telnet
greetings), ``rtsp-methods`` is not a banner and is ignored. nmap's own product guesses
(``service@product``) are not our evidence and are not turned into fields.

The file is untrusted input: a regular file under a size cap, defusedxml with DTDs refused
(nmap writes a DOCTYPE without an internal subset; it is stripped before parsing, nothing
else is) and the XML depth cap. Only the places the DTD gives each element are read (hosts
are children of ``nmaprun``, ports of ``host/ports``): ``iter()`` over descendants would
visit a nested ``host`` once per ancestor, quadratic in a hostile file.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from xml.etree.ElementTree import Element

from scanner.errors import InputError, ParseError
from scanner.inputs import read_input
from scanner.models import Observation
from scanner.normalize import clean_text, mac
from scanner.probes.xmlsafe import parse_xml

MAX_FILE = 256 * 1024 * 1024
SOURCE = "nmap"
_DOCTYPE = re.compile(rb"<!DOCTYPE nmaprun>\s*")
_BANNER_FIELDS = {"ssh": "ssh.banner", "ftp": "ftp.banner", "telnet": "telnet.banner"}
_NO_TITLE = ("Site doesn't have a title", "Did not follow redirect")


class NmapParseError(ParseError):
    """Bytes that are XML but not nmap's output (the XML layer raises XmlParseError)."""


def read_nmap(path: Path) -> list[Observation]:
    """Observations from one nmap XML file; InputError names what is wrong with it."""
    data = read_input(path, MAX_FILE)
    try:
        return parse_nmap(data)
    except ParseError as exc:
        raise InputError(f"{path}: not nmap XML: {exc}") from None


def parse_nmap(data: bytes) -> list[Observation]:
    # nmap's own DOCTYPE has no internal subset; any other DTD is refused by defusedxml.
    root = parse_xml(_DOCTYPE.sub(b"", data, count=1), MAX_FILE)
    if root.tag != "nmaprun":
        raise NmapParseError(f"root element is {root.tag!r}, not nmaprun")
    out: list[Observation] = []
    for host in root.findall("host"):
        out += _host(host)
    return list(dict.fromkeys(out))


def _host(host: Element) -> list[Observation]:
    status = host.find("status")
    if status is not None and status.get("state") != "up":
        return []
    addresses = host.findall("address")
    ips = [a.get("addr", "") for a in addresses if a.get("addrtype") in ("ipv4", "ipv6")]
    if not ips:
        return []
    subject = f"ip:{ips[0]}"
    out = [Observation(subject, "ip.address", ip, SOURCE) for ip in ips]
    for a in addresses:
        if a.get("addrtype") == "mac":
            with contextlib.suppress(InputError):
                out.append(Observation(subject, "mac.address", mac(a.get("addr", "")), SOURCE))
    for name in host.findall("hostnames/hostname"):
        if text := clean_text(name.get("name", ""), 255):
            out.append(Observation(subject, "ip.hostname", text, SOURCE))
    for port in host.findall("ports/port"):
        out += _port(subject, port)
    return out


def _port(subject: str, port: Element) -> list[Observation]:
    state = port.find("state")
    portid = port.get("portid", "")
    if state is None or state.get("state") != "open" or not (portid.isascii() and portid.isdigit()):
        return []
    proto = port.get("protocol", "tcp")
    field = "udp.open_port" if proto == "udp" else "tcp.open_port"
    out = [Observation(subject, field, str(int(portid)), SOURCE)]
    service = port.find("service")
    name = service.get("name", "") if service is not None else ""
    for script in port.findall("script"):
        sid, text = script.get("id", ""), clean_text(script.get("output", ""), 1024)
        if not text:
            continue
        if sid == "http-server-header":
            out.append(Observation(subject, "http.server", clean_text(text, 512), SOURCE))
        elif sid == "http-title" and not text.startswith(_NO_TITLE):
            out.append(Observation(subject, "http.title", clean_text(text, 256), SOURCE))
        elif sid == "banner" and name in _BANNER_FIELDS:
            out.append(Observation(subject, _BANNER_FIELDS[name], text, SOURCE))
    return out
