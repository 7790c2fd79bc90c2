"""End to end: every emulated device model's wire format, checked against public sources.

For EVERY kind in the catalogue (parametrised, so a new model without an entry in
:data:`CITED` fails), the device's emulators come up on 127.0.0.1 (no root), a client built
from each protocol's public specification talks to them (``tests/lab/wire.py``: RFC 9112/9110
HTTP, RFC 8446 TLS, RFC 2326 RTSP, [MS-SMB2] §2.1/§2.2.3/§2.2.4/§3.3.5.3.1, UPnP Device
Architecture 2.0 §1.3/§2.3/§2.5, RFC 1035/6762/6763 parsed by python-zeroconf, WS-Discovery
2005/04 as profiled by ONVIF Core, pyzk for ZKTeco, UniversalScanner ``Hikvision.cs``/
``Dahua2.cs`` for SADP/DHIP, metasploit ``hid_discoveryd.rb`` for HID) and asserts its framing;
then the model's vendor strings are compared with the public captures cited below. Strings
with no public source are listed as ``illustrative`` (README "Catalogue and emulators"): only
their framing is checked, never their text.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from scanner.lab import certs
from scanner.lab.catalogue import CATALOGUE, resolve
from scanner.lab.favicon import favicon
from scanner.lab.scenario import load_scenario
from scanner.probes.base import ProbeContext
from scanner.probes.http import HttpProbe, favicon_hashes
from scanner.probes.net import Connector
from scanner.scope import build_scope
from tests.lab.wire import observe


@dataclass(frozen=True)
class Fact:
    """A value seen on the wire (``key`` as ``tests/lab/wire.py`` records it) that must match
    ``pattern`` (a full-match regex), because ``source`` (a public capture or spec) says so."""

    key: tuple[str, int, str]
    pattern: str
    source: str


@dataclass(frozen=True)
class Cited:
    sources: tuple[str, ...]
    facts: tuple[Fact, ...] = ()
    illustrative: tuple[str, ...] = ()  # strings with no public source (framing-checked only)


NMAP = "nmap nmap-service-probes"
RECOG = "rapid7/recog xml/"
HIK_RTSP = (
    Fact(("rtsp", 554, "www-authenticate"), r'Digest realm="Hikvision", .*', f"{NMAP}:L12367"),
    Fact(
        ("rtsp", 554, "public"),
        "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, PAUSE",
        f"{NMAP}:L12380",
    ),
    Fact(
        ("http", 80, "www-authenticate"),
        'Basic realm="hikvision"',
        f"{RECOG}http_wwwauth.xml:L151-153",
    ),
)
HIK_SN = "UniversalScanner Hikvision.cs L62-75 (DeviceDescription, DeviceSN)"
ONVIF = Fact(
    ("wsd", 3702, "scopes"),
    r".*onvif://www\.onvif\.org/hardware/\S+.*",
    "github onvif/specs doc/Core.xml (Discovery scopes)",
)
HIK_CERT = "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"
SILENT = "no greeting: the server waits for the client"
FRAMING_ONLY = "RFC 9112/9110 framing; RFC 7617/7616 challenge syntax"

CITED: dict[str, Cited] = {
    "hikvision_ipc": Cited(
        (f"{NMAP}:L9762", f"{NMAP}:L12367, L12380", f"{RECOG}http_wwwauth.xml:L151-153", HIK_SN),
        (
            Fact(("http", 80, "server"), "App-webs/", f"{NMAP}:L9762"),
            *HIK_RTSP,
            Fact(("sadp", 37020, "DeviceDescription"), r"DS-2CD\S+", HIK_SN),
            ONVIF,
        ),
        ("HTML title 'Login'",),
    ),
    "hikvision_nvr": Cited(
        (
            f"{RECOG}http_servers.xml:L3067-3071",
            f"{RECOG}x509_subjects.xml (HIKVISION DVR)",
            "hik-mdns",
        ),
        (
            Fact(("http", 80, "server"), "DNVRS-Webs", f"{RECOG}http_servers.xml:L3067-3071"),
            Fact(("https", 443, "server"), "DNVRS-Webs", f"{RECOG}http_servers.xml:L3067-3071"),
            Fact(
                ("tls", 443, "subject"), HIK_CERT.replace(".", r"\."), f"{RECOG}x509_subjects.xml"
            ),
            Fact(("tls", 443, "issuer"), HIK_CERT.replace(".", r"\."), "self-signed default"),
            *HIK_RTSP,
            Fact(("mdns", 5353, "types"), "_CGI._tcp", "github 128keaton/hikvision-mdns"),
            Fact(
                ("mdns", 5353, "instances"),
                r"HIKVISION DS-7608NI-K2 - DS-7608NI-K2\S+\._CGI\._tcp\.local\.?",
                "github 128keaton/hikvision-mdns src/hikvision.ts",
            ),
            Fact(("sadp", 37020, "DeviceDescription"), r"DS-7\S+", HIK_SN),
        ),
        ("HTML title 'Login'",),
    ),
    "hikvision_face_terminal": Cited(
        (HIK_SN, f"{NMAP}:L9762"),
        (
            Fact(("sadp", 37020, "DeviceDescription"), r"DS-K1T\S+", HIK_SN),
            *HIK_RTSP,
        ),
        ("web stack copied from the cameras",),
    ),
    "dahua_ipc": Cited(
        (f"{RECOG}rtsp_servers.xml:L22-24", f"{NMAP}:L11572, L12373", "UniversalScanner Dahua2.cs"),
        (
            Fact(("rtsp", 554, "server"), "Dahua Rtsp Server", f"{RECOG}rtsp_servers.xml:L22-24"),
            Fact(("rtsp", 554, "www-authenticate"), 'Basic realm="device"', f"{NMAP}:L12373"),
            Fact(("dhip", 37810, "DeviceType"), r"IPC-\S+", "UniversalScanner Dahua2.cs L141-178"),
            ONVIF,
        ),
        ("HTML title 'WEB SERVICE'", "HTTP Digest realm 'Login to <serial>'"),
    ),
    "axis_camera": Cited(
        (f"{RECOG}x509_subjects.xml:L1404", "HA zeroconf.py, ssdp.py", f"{RECOG}http_servers.xml"),
        (
            Fact(
                ("tls", 443, "subject"),
                "CN=axis-[0-9a-f]{12},O=Axis Communications AB",
                f"{RECOG}x509_subjects.xml:L1404",
            ),
            Fact(("mdns", 5353, "types"), "_axis-video._tcp", "HA zeroconf.py (axis)"),
            Fact(("mdns", 5353, "txt"), "macaddress=[0-9A-F]{12}", "HA zeroconf.py (axis)"),
            Fact(("upnp", 1900, "manufacturer"), "AXIS", "HA ssdp.py (axis)"),
            Fact(
                ("ssdp", 1900, "server"),
                r"Linux/[\d.]+-axis\d+, UPnP/1\.0, Portable SDK for UPnP devices/[\d.]+",
                f"{RECOG}http_servers.xml (Axis UPnP)",
            ),
            ONVIF,
        ),
        ("HTML title 'AXIS'", "HTTP/RTSP Digest realm 'AXIS_<MAC>'", "UPnP modelName"),
    ),
    "uniview_ipc": Cited(
        ("ieee OUI", "github onvif/specs doc/Core.xml"),
        (ONVIF,),
        ("HTML title", "HTTP and RTSP Digest realms"),
    ),
    "zkteco_terminal": Cited(
        ("pyzk zk/const.py L56, L79, L84", f"{NMAP}:L9212, L10904"),
        (
            Fact(("zk", 4370, "ack"), "2000", "pyzk zk/const.py CMD_ACK_OK (no comm key)"),
            Fact(("http", 80, "server"), "ZK Web Server", f"{NMAP}:L9212"),
        ),
        ("HTML title 'ZKTeco'",),
    ),
    "irisid_reader": Cited(
        ("ieee OUI (no public banner)", FRAMING_ONLY),
        (),
        ("HTML title 'iCAM7 Configuration'", "Basic realm 'iCAM'"),
    ),
    "doorbird_doorbell": Cited(
        (f"{RECOG}x509_subjects.xml:L1686-1690", "HA zeroconf.py (doorbird)"),
        (
            Fact(
                ("tls", 443, "subject"),
                "CN=BHA-1CCAE3[0-9A-F]{6},O=Bird Home Automation",
                f"{RECOG}x509_subjects.xml:L1686-1690",
            ),
            Fact(("mdns", 5353, "types"), "_axis-video._tcp", "HA zeroconf.py (doorbird)"),
            Fact(
                ("mdns", 5353, "txt"), "macaddress=1CCAE3[0-9A-F]{6}", "HA zeroconf.py (doorbird)"
            ),
        ),
        ("HTML title", "Basic realm 'DoorBird' (HTTP and RTSP)", "mDNS instance name"),
    ),
    "hid_edge_controller": Cited(
        (
            "msf modules/auxiliary/scanner/misc/hid_discoveryd.rb",
            "lixmk/Concierge hid/nse/hid-evo-discover.nse",
        ),
        (
            Fact(("hid", 4070, "model"), "EH400", "Concierge hid-evo-discover.nse sample"),
            Fact(
                ("hid", 4070, "version"), r"3\.5\.1\.1483", "Concierge hid-evo-discover.nse sample"
            ),
            Fact(("hid", 4070, "date"), "07/02/2015", "Concierge hid-evo-discover.nse sample"),
        ),
    ),
    "mercury_panel": Cited(
        (f"{RECOG}x509_subjects.xml:L1135-1149", f"{RECOG}http_servers.xml:L2047-2050"),
        (
            Fact(
                ("tls", 443, "subject"),
                r"CN=MAC000FE5[0-9A-F]{6},OU=EP-1502,O=Mercury Security Products\\, LLC,L=Long Beach,ST=CA,C=US",
                f"{RECOG}x509_subjects.xml:L1135-1149",
            ),
            Fact(
                ("http", 80, "server"),
                r"TargetWeb/2011\.0 \(TargetOS\)",
                f"{RECOG}http_servers.xml:L2047-2050",
            ),
            Fact(
                ("https", 443, "server"),
                r"TargetWeb/2011\.0 \(TargetOS\)",
                f"{RECOG}http_servers.xml:L2047-2050",
            ),
        ),
        ("HTML title (the model)", "firmware"),
    ),
    "suprema_terminal": Cited(
        (
            "supremainc/BioStar2_device_SDK BS2IpConfig.h (ports 51211/51210; no public wire format)",
        ),
        (),
        ("model BS2-OMPW and firmware: not on the wire",),
    ),
    "windows_pc": Cited(
        ("[MS-SMB2] §2.2.4 NEGOTIATE response", SILENT),
        (Fact(("smb", 445, "dialect"), "0x0302", "[MS-SMB2] §3.3.5.4: highest common dialect"),),
    ),
    "mac_laptop": Cited(("no listening services: only the kernel's ARP/ND (RFC 826, RFC 4861)",)),
    "phone": Cited(("no listening services: only the kernel's ARP/ND (RFC 826, RFC 4861)",)),
    "linux_server": Cited(
        ("RFC 4253 §4.2", "nginx default page"),
        (
            Fact(
                ("banner", 22, "line"),
                r"SSH-2\.0-OpenSSH_9\.2p1 Debian-2\+deb12u3",
                "Debian 12 openssh-server 1:9.2p1-2+deb12u3",
            ),
            Fact(("http", 80, "server"), r"nginx/1\.22\.1", "Debian 12 nginx 1.22.1"),
            Fact(("http", 80, "title"), "Welcome to nginx!", "nginx index.html"),
        ),
    ),
    "hp_printer": Cited(
        ("RFC 6763 _ipp._tcp", "nmap Exclude T:9100-9107 (raw print)", FRAMING_ONLY),
        (
            Fact(("mdns", 5353, "types"), "_ipp._tcp", "RFC 6763; IANA service name ipp"),
            Fact(
                ("http", 80, "server"),
                r"HP HTTP Server; HP [^;]+ - \w+; Serial Number: \w+; Built: [^{]+\{\S+\}",
                "public captures: nmap http-server-header, HP eSCL traces",
            ),
        ),
        ("build date and product number",),
    ),
    "brother_printer": Cited(
        ("nmap Exclude T:9100-9107 (raw print)", FRAMING_ONLY),
        (),
        ("Server 'debut/1.30'", "HTML title"),
    ),
    "synology_nas": Cited(
        (f"{RECOG}x509_subjects.xml 'Synology NAS' example", "[MS-SMB2] §2.2.4", "UDA 2.0"),
        (
            Fact(
                ("tls", 5001, "subject"),
                r"CN=synology\.com,O=Synology Inc\.,L=Taipei,C=TW",
                f"{RECOG}x509_subjects.xml",
            ),
            Fact(("smb", 445, "dialect"), "0x0302", "[MS-SMB2] §3.3.5.4"),
            Fact(("mdns", 5353, "txt"), "vendor=Synology", "HA zeroconf.py (synology_dsm)"),
            Fact(("upnp", 1900, "manufacturer"), "Synology", "HA ssdp.py (synology_dsm)"),
        ),
        ("Server 'nginx'", "HTML title", "SSDP SERVER", "SSH version"),
    ),
    "samsung_tv": Cited(
        (
            "UPnP AV MediaRenderer:1 device template",
            "DLNA guidelines X_DLNADOC",
            "UDA 2.0 §2.3, §2.5",
        ),
        (
            Fact(
                ("upnp", 1900, "deviceType"),
                r"urn:schemas-upnp-org:device:MediaRenderer:1",
                "UPnP AV MediaRenderer:1",
            ),
            Fact(
                ("upnp", 1900, "services"),
                r"urn:schemas-upnp-org:service:AVTransport:1 urn:schemas-upnp-org:service:ConnectionManager:1 urn:schemas-upnp-org:service:RenderingControl:1",
                "UPnP AV MediaRenderer:1 (RenderingControl, ConnectionManager; AVTransport)",
            ),
            Fact(
                ("upnp", 1900, "X_DLNADOC"),
                r"DM[RSP]-\d\.\d\d",
                "DLNA guidelines: device class and version",
            ),
        ),
        ("SSDP SERVER", "web port 8001 and its title"),
    ),
    "mikrotik_router": Cited(
        ("RFC 4253 §4.2", f"{NMAP} (ROSSSH: MikroTik RouterOS sshd)"),
        (
            Fact(("banner", 22, "line"), "SSH-2.0-ROSSSH", f"{NMAP} ROSSSH match"),
            Fact(
                ("http", 80, "title"),
                "RouterOS router configuration page",
                "nmap http-title in public scans",
            ),
        ),
    ),
    "tplink_switch": Cited((FRAMING_ONLY,), (), ("HTML title", "Basic realm 'TP-LINK'")),
    "unifi_ap": Cited(
        ("RFC 4253 §4.2",),
        (
            Fact(
                ("banner", 22, "line"),
                r"SSH-2\.0-dropbear_\d{4}\.\d+",
                "dropbear's identification string",
            ),
        ),
    ),
    "yealink_phone": Cited((FRAMING_ONLY,), (), ("HTML title",)),
    # hostile models break protocols on purpose; the checks hold them to their documented shape
    "tarpit": Cited(("SAFETY-CATALOGUE case 5: accept, never answer",)),
    "slow_drip": Cited(("SAFETY-CATALOGUE case 10: one byte per interval after a status line",)),
    "http_flood": Cited(("SAFETY-CATALOGUE cases 12-16 (hostile.py SHAPES)",)),
    "rtsp_flood": Cited(("SAFETY-CATALOGUE case 38; RFC 2326 §10.12 interleaved frames",)),
    "tls_stall": Cited(("SAFETY-CATALOGUE case 37; RFC 5246 §6.2.1 handshake record",)),
    "upnp_bomb": Cited(("SAFETY-CATALOGUE case 21 (billion laughs)", "UDA 2.0 §1.3.3 answers")),
    "mdns_loop": Cited(("SAFETY-CATALOGUE cases 29, 31; RFC 1035 §4.1.4 broken on purpose",)),
    "ssdp_flood": Cited(("SAFETY-CATALOGUE case 27; UDA 2.0 §1.3.3",)),
    "sadp_bomb": Cited(("SAFETY-CATALOGUE case 21",)),
    "xss_camera": Cited(
        (HIK_SN, "SAFETY-CATALOGUE cases 33, 47, 50"),
        (Fact(("sadp", 37020, "DeviceDescription"), r'DS-2CD2143G2-I">.*', HIK_SN),),
        ("every string is markup or a terminal escape",),
    ),
    "fragile_printer": Cited(("SAFETY-CATALOGUE cases 6, 7", FRAMING_ONLY), (), ("HP strings",)),
}


def mac_for(kind: str) -> str:
    """A MAC under the model's first OUI (MA-M prefixes have seven hex digits)."""
    hexes = CATALOGUE[kind].ouis[0].replace(":", "")
    hexes += "5ac041d052"[: 12 - len(hexes)]
    return ":".join(hexes[i : i + 2] for i in range(0, 12, 2))


def test_every_catalogue_model_is_cited() -> None:
    assert sorted(set(CATALOGUE) - set(CITED)) == []
    assert sorted(set(CITED) - set(CATALOGUE)) == []  # no stale entries


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_wire_format_matches_public_sources(kind: str, tmp_path: Path) -> None:
    model = CATALOGUE[kind]
    cited = CITED.get(kind)
    assert cited is not None and cited.sources, f"{kind}: cite a public source for its wire format"
    specs = certs.materialise(resolve(model, "dev", mac_for(kind), {}), tmp_path / "tls", "dev")
    if not specs:
        assert "no listening services" in cited.sources[0]
        return
    served = observe(specs, tmp_path / "dev.jsonl", strict=model.hostile is None)
    wrong = []
    for fact in cited.facts:
        seen = served.seen.get(fact.key)
        if seen is None or not re.fullmatch(fact.pattern, seen):
            wrong.append((fact.key, seen, fact.pattern, fact.source))
    assert wrong == []
    events = served.events()
    assert events, "the emulators logged nothing"
    assert not [e for e in events if e.authorization]
    tls_ports = {s.port for s in specs if getattr(s, "tls_subject", "")}
    malformed = [e for e in events if e.kind == "malformed" and model.hostile is None]
    # the only malformed input sent is plain HTTP to each TLS port, and each one is logged
    assert len(malformed) == len(tls_ports)
    assert all("not a TLS handshake record" in e.detail for e in malformed)


def test_tls_certificates_are_per_device_and_cached(tmp_path: Path) -> None:
    model = CATALOGUE["hikvision_nvr"]
    first = certs.materialise(resolve(model, "a", mac_for("hikvision_nvr"), {}), tmp_path, "a")
    again = certs.materialise(resolve(model, "a", mac_for("hikvision_nvr"), {}), tmp_path, "a")
    other = certs.materialise(resolve(model, "b", mac_for("hikvision_nvr"), {}), tmp_path, "b")
    pems = [
        next(Path(s.tls_cert).read_bytes() for s in specs if getattr(s, "tls_cert", ""))
        for specs in (first, again, other)
    ]
    assert pems[0] == pems[1]  # the second lab up reuses the cached certificate
    assert pems[0] != pems[2]  # another device, another key
    keys = {x509.load_pem_x509_certificate(p).public_key().public_numbers() for p in pems}  # type: ignore[union-attr]
    assert len(keys) == 2
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in tmp_path.glob("*.key"))


def test_scanner_favicon_hash_and_certificate_agree_with_what_the_lab_served(
    tmp_path: Path,
) -> None:
    """The scanner's HTTP probe over HTTPS (port 8443) against the NVR's emulator: the favicon
    hash it reports is the hash of the generated icon (consistency, not vendor identity: the
    public Hikvision favicon hash is NOT what the lab serves), and the certificate subject is
    the recorder's public default."""
    from scanner.lab.emulators import EventLog, emulator_for
    from scanner.lab.emulators.http import HttpSpec

    [plain, secure] = [
        s
        for s in certs.materialise(
            resolve(CATALOGUE["hikvision_nvr"], "nvr", mac_for("hikvision_nvr"), {}),
            tmp_path,
            "nvr",
        )
        if isinstance(s, HttpSpec)
    ]
    host = "127.0.88.43"

    async def main() -> list[tuple[str, str]]:
        log = EventLog(tmp_path / "nvr.jsonl")
        server = await asyncio.start_server(emulator_for(secure, "nvr", log).handle, host, 8443)
        try:
            scope = build_scope([host])
            found = await HttpProbe().probe(ProbeContext(scope, Connector(scope)), host, 8443)
        finally:
            server.close()
            log.close()
        return [(o.field, o.value) for o in found]

    try:
        seen = dict(asyncio.run(main()))
    except OSError as exc:  # the address or port is taken on this machine
        pytest.skip(f"cannot listen on {host}:8443: {exc}")
    md5, mmh3 = favicon_hashes(favicon("Hikvision"))
    assert (seen["http.favicon_md5"], seen["http.favicon_mmh3"]) == (md5, mmh3)
    assert mmh3 != "999357577"  # nuclei's Hikvision favicon: the lab does not reproduce it
    assert seen["tls.subject"] == HIK_CERT
    assert seen["http.server"] == "DNVRS-Webs"
    assert plain.port == 80


def test_office_and_large_use_only_cited_models() -> None:
    for name in ("office", "large"):
        assert {d.kind for d in load_scenario(name).devices} <= set(CITED)
