"""The catalogue of emulated device models: what each ``kind`` in a scenario looks like on the wire.

A :class:`DeviceModel` is data: vendor, product, device class (the ground truth a sweep of the
lab is scored against), default model/firmware strings, the vendor MAC prefixes it may carry,
and the services it runs (web pages, RTSP, ZK, raw print, banner ports). :func:`resolve` turns a
model plus one scenario device (its MAC and overrides) into concrete emulator specs.

Where a string comes from public data, the entry cites it with the source keys of
``docs/SIGNATURE-KNOWLEDGE.md`` (``nmap-sp``: nmap ``nmap-service-probes``; ``recog``:
rapid7/recog XML; ``HA``: Home Assistant's generated matchers; ``pyzk``: fananimi/pyzk). MAC
prefixes are IEEE MA-L/MA-M registrations (checked against the registry copy shipped with
netaddr). Strings marked *illustrative* are plausible stand-ins with no public capture behind
them: the lab must not be used to "prove" a signature built from such a string.

Templates may use ``{model}``, ``{serial}``, ``{firmware}``, ``{mac}`` (``aa:bb:…``),
``{MAC}`` (``AABBCCDDEEFF``), ``{machex}`` (``aabbccddeeff``), ``{mac_tail}`` (last six hex
digits, upper case) and ``{name}``;
they are filled by plain replacement, so HTML and JavaScript braces need no escaping.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, replace

from scanner.identify.merge import link_local_of
from scanner.lab.emulators import BannerSpec, JetDirectSpec, Route, RtspSpec, ServiceSpec, ZkSpec
from scanner.lab.emulators import hostile as h
from scanner.lab.emulators.discovery import DhipSpec, SadpSpec
from scanner.lab.emulators.hid import HidSpec
from scanner.lab.emulators.http import HttpSpec
from scanner.lab.emulators.mdns import MdnsSpec, Service
from scanner.lab.emulators.smb import SmbSpec
from scanner.lab.emulators.ssdp import SsdpSpec, description, scpd, service_path
from scanner.lab.emulators.suprema import TCP_PORT, UDP_PORT, SupremaSpec, SupremaUdpSpec
from scanner.lab.emulators.wsd import WsdSpec
from scanner.lab.favicon import favicon
from scanner.models import COLLECTOR_CLASSES, DeviceClass

OVERRIDE_KEYS = frozenset(
    {"server", "title", "rtsp_server", "model", "serial", "firmware", "comm_key"}
)


@dataclass(frozen=True, slots=True)
class Identity:
    """The strings one device shows, after scenario overrides."""

    name: str
    mac: str
    model: str
    serial: str
    firmware: str

    def fill(self, template: str) -> str:
        hexes = self.mac.replace(":", "").upper()
        values = {
            "{model}": self.model,
            "{serial}": self.serial,
            "{firmware}": self.firmware,
            "{mac}": self.mac,
            "{MAC}": hexes,
            "{machex}": hexes.lower(),
            "{mac_tail}": hexes[-6:],
            "{name}": self.name,
        }
        for key, value in values.items():
            template = template.replace(key, value)
        return template


@dataclass(frozen=True, slots=True)
class Web:
    """A device web server: a login page at ``login_path`` (also served at ``/``) and
    ``protected`` path prefixes that answer ``401`` with the ``challenge`` header value.

    ``tls_port`` (0: none) serves the same routes over TLS with a per-device certificate whose
    subject (and issuer; empty: self-signed, same as the subject) is the vendor's public
    default, an RFC 4514 template. ``favicon`` serves a generated ``/favicon.ico``
    (:mod:`scanner.lab.favicon`: never the vendor's image)."""

    port: int = 80
    server: str | None = None
    title: str = ""
    body: str = ""
    login_path: str = "/"
    protected: tuple[str, ...] = ()
    challenge: str = ""
    content_type: str = "text/html; charset=utf-8"
    tls_port: int = 0
    tls_subject: str = ""
    tls_issuer: str = ""
    favicon: bool = True


@dataclass(frozen=True, slots=True)
class Announce:
    """What a model says by multicast (templates filled per device): SSDP with a UPnP
    description served by its first web server (with ``upnp_services`` and their SCPDs, and a
    DLNA ``X_DLNADOC`` when ``dlna`` is set), mDNS services, WS-Discovery ONVIF scopes."""

    ssdp_server: str | None = None
    upnp_type: str = "urn:schemas-upnp-org:device:Basic:1"
    upnp_manufacturer: str = ""
    upnp_model: str = "{model}"
    upnp_services: tuple[str, ...] = ()
    dlna: str = ""
    mdns: tuple[Service, ...] = ()
    mdns_host: str = "{name}"
    onvif_scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceModel:
    """One emulated product. ``ouis`` are MAC prefixes (``aa:bb:cc`` or an MA-M ``aa:bb:cc:d``)."""

    kind: str
    vendor: str
    product: str
    device_class: DeviceClass
    model: str
    firmware: str
    ouis: tuple[str, ...]
    serial: str = "{MAC}"
    web: tuple[Web, ...] = ()
    rtsp: RtspSpec | None = None
    zk: ZkSpec | None = None
    jetdirect: bool = False
    discovery: str | None = None  # "sadp" (Hikvision) or "dhip" (Dahua): unicast + their groups
    hid_discoveryd: bool = False  # HID discoveryd on UDP 4070, unicast only (emulators/hid.py)
    firmware_date: str = ""  # build date the discoveryd answer carries (MM/DD/YYYY)
    smb: bool = False  # SMB2 on TCP 445 (emulators/smb.py)
    suprema: bool = False  # Suprema device port TCP 51211 and discovery port UDP 51210
    banners: tuple[BannerSpec, ...] = ()
    sources: tuple[str, ...] = ()
    announce: Announce | None = None  # multicast: SSDP/UPnP, mDNS, WS-Discovery
    hostile: h.Hostile | None = None  # how it attacks a scanner (emulators/hostile.py)

    @property
    def is_collector(self) -> bool:
        return self.device_class in COLLECTOR_CLASSES


_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body>{body}
<form id="login" method="post" action="{login_path}">
<input name="username" autocomplete="username"><input type="password" name="password">
<button type="submit">Login</button></form>
</body></html>
"""


def _page(web: Web, title: str, ident: Identity) -> str:
    page = _PAGE.replace("{title}", title).replace("{login_path}", web.login_path)
    return ident.fill(page.replace("{body}", web.body))


def _icon(vendor: str) -> Route:
    data = base64.b64encode(favicon(vendor)).decode("ascii")
    return Route("/favicon.ico", 200, data, "image/x-icon", binary=True)


def _http(
    web: Web, ident: Identity, vendor: str, server: str | None, title: str | None
) -> list[HttpSpec]:
    """The web server of ``web`` (and its TLS twin on ``tls_port``) for one device."""
    page = _page(web, ident.fill(title if title is not None else web.title), ident)
    routes = [Route(web.login_path, 200, page, web.content_type)]
    if web.login_path != "/":
        routes.append(Route("/", 200, page, web.content_type))
    if web.favicon:
        routes.append(_icon(vendor))
    challenge = (("WWW-Authenticate", ident.fill(web.challenge)),) if web.challenge else ()
    unauthorized = "<html><body><h1>401 Unauthorized</h1></body></html>"
    routes += [Route(p, 401, unauthorized, headers=challenge) for p in web.protected]
    banner = server if server is not None else web.server
    plain = HttpSpec(
        port=web.port, server=ident.fill(banner) if banner else None, routes=tuple(routes)
    )
    if not web.tls_port:
        return [plain]
    issuer = ident.fill(web.tls_issuer)
    secure = replace(
        plain, port=web.tls_port, tls_subject=ident.fill(web.tls_subject), tls_issuer=issuer
    )
    return [plain, secure]


def resolve(
    model: DeviceModel, name: str, mac: str, overrides: dict[str, str | bool]
) -> tuple[ServiceSpec, ...]:
    """The concrete emulator specs for one scenario device of this model.

    ``server`` and ``title`` override the first web server only (the device's main UI);
    ``rtsp_server`` the RTSP ``Server`` header; ``comm_key`` whether a ZK terminal demands one.
    """

    def text(key: str) -> str | None:
        return _text(overrides, key)

    ident = Identity(
        name, mac, text("model") or model.model, "", text("firmware") or model.firmware
    )
    ident = replace(ident, serial=text("serial") or ident.fill(model.serial))
    specs = [*_services(model, ident, overrides), *_extras(model, ident, name, mac)]
    specs += [replace(b, banner=ident.fill(b.banner)) for b in model.banners]
    if model.announce is not None:
        specs = _announced(model.announce, ident, specs)
    if model.hostile is not None:
        return model.hostile.rework(tuple(specs))
    return tuple(specs)


def _text(overrides: dict[str, str | bool], key: str) -> str | None:
    value = overrides.get(key)
    return value if isinstance(value, str) else None


def _services(
    model: DeviceModel, ident: Identity, overrides: dict[str, str | bool]
) -> list[ServiceSpec]:
    """The model's web servers, RTSP server and ZK terminal service, filled for one device."""

    def text(key: str) -> str | None:
        return _text(overrides, key)

    specs: list[ServiceSpec] = []
    for i, web in enumerate(model.web):
        first = i == 0
        specs += _http(
            web,
            ident,
            model.vendor,
            text("server") if first else None,
            text("title") if first else None,
        )
    if model.rtsp is not None:
        server = text("rtsp_server") or model.rtsp.server
        specs.append(
            replace(
                model.rtsp,
                server=ident.fill(server) if server else None,
                www_authenticate=ident.fill(model.rtsp.www_authenticate),
            )
        )
    if model.zk is not None:
        comm_key = overrides.get("comm_key", model.zk.comm_key)
        specs.append(
            replace(
                model.zk,
                comm_key=bool(comm_key),
                device_name=ident.fill(model.zk.device_name),
                serial=ident.serial,
                firmware=ident.firmware,
            )
        )
    return specs


def _extras(model: DeviceModel, ident: Identity, name: str, mac: str) -> list[ServiceSpec]:
    """Printing, discovery answers, SMB and Suprema services of one device of ``model``."""
    specs: list[ServiceSpec] = []
    if model.jetdirect:
        specs.append(JetDirectSpec(port=9100))
    if model.discovery == "sadp":
        specs.append(SadpSpec(port=37020, model=ident.model, serial=ident.serial, mac=mac))
    elif model.discovery == "dhip":
        specs.append(DhipSpec(port=37810, device_type=ident.model, serial=ident.serial, mac=mac))
    if model.hid_discoveryd:
        specs.append(
            HidSpec(port=4070, mac=mac, name=name, model=ident.model, version=ident.firmware,
                    date=model.firmware_date)
        )  # fmt: skip
    if model.smb:
        guid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"smb {name} {mac}"))
        specs.append(SmbSpec(port=445, server_guid=guid))
    if model.suprema:
        specs += [SupremaSpec(port=TCP_PORT), SupremaUdpSpec(port=UDP_PORT)]
    return specs


UPNP_PATH = "/upnp/description.xml"


def _announced(a: Announce, ident: Identity, specs: list[ServiceSpec]) -> list[ServiceSpec]:
    """Add the multicast services of ``a`` (and the UPnP description route) for one device."""
    udn = f"uuid:{uuid.uuid5(uuid.NAMESPACE_OID, ident.name + ident.mac)}"
    webs = [i for i, s in enumerate(specs) if isinstance(s, HttpSpec)]
    if a.ssdp_server is not None and webs:
        web = specs[webs[0]]
        assert isinstance(web, HttpSpec)
        doc = description(
            device_type=a.upnp_type, friendly_name=ident.fill("{name}"),
            manufacturer=a.upnp_manufacturer, model_name=ident.fill(a.upnp_model),
            model_number=ident.model, serial=ident.serial, udn=udn,
            services=a.upnp_services, dlna=a.dlna,
        )  # fmt: skip
        xml = "text/xml; charset=utf-8"
        routes = [Route(UPNP_PATH, 200, doc, xml)]
        routes += [Route(service_path(t), 200, scpd(t), xml) for t in a.upnp_services]
        specs[webs[0]] = replace(web, routes=(*routes, *web.routes))
        specs.append(
            SsdpSpec(
                port=1900, server=ident.fill(a.ssdp_server), device_type=a.upnp_type, udn=udn,
                location_port=web.port, location_path=UPNP_PATH, services=a.upnp_services,
            )
        )  # fmt: skip
    if a.mdns:
        services = tuple(
            Service(
                v.stype, ident.fill(v.instance), v.port, tuple((k, ident.fill(t)) for k, t in v.txt)
            )
            for v in a.mdns
        )
        specs.append(MdnsSpec(port=5353, hostname=ident.fill(a.mdns_host), services=services))
    if a.onvif_scopes:
        scopes = tuple(ident.fill(x) for x in a.onvif_scopes)
        ll = link_local_of(ident.mac)
        specs.append(WsdSpec(port=3702, endpoint=f"urn:{udn}", scopes=scopes, link_local=ll))
    return specs


def _onvif(name: str, hardware: str = "{model}") -> tuple[str, ...]:
    """ONVIF Core "Discovery" scopes of a network video transmitter."""
    base = "onvif://www.onvif.org/"
    return (
        f"{base}type/video_encoder", f"{base}type/Network_Video_Transmitter",
        f"{base}Profile/Streaming", f"{base}hardware/{hardware}", f"{base}name/{name}",
    )  # fmt: skip


# --- collectors ---------------------------------------------------------------------------

_HIK_COPYRIGHT = "<div id='footer'>Copyright © Hikvision Digital Technology Co., Ltd.</div>"
_HIK_WEB = Web(
    server="App-webs/",  # nmap-sp:L9762 "Hikvision IP camera httpd"
    title="Login",  # illustrative
    body="<script>var sLogin='/doc/page/login.asp';</script>" + _HIK_COPYRIGHT,  # nuclei marker
    login_path="/doc/page/login.asp",  # nuclei hikvision-detect.yaml
    protected=("/ISAPI/*", "/SDK/*", "/PSIA/*"),
    challenge='Basic realm="hikvision"',  # recog http_wwwauth.xml:L151-153
)
_HIK_RTSP = RtspSpec(
    port=554,
    www_authenticate='Digest realm="Hikvision", nonce="{nonce}", stale="FALSE"',  # nmap-sp:L12367
    public="OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, PAUSE",  # nmap-sp:L12380
)
#: recog x509_subjects.xml "HIKVISION DVR" (SIGNATURE-KNOWLEDGE.md §2: L823-825): the
#: recorders' default certificate. No public default is known for the cameras' certificate,
#: so the cameras and the face terminal serve no HTTPS here.
_HIK_CERT = "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"
_HIK_OUIS = ("44:19:b6", "bc:ad:28", "c0:56:e3", "4c:bd:8f", "24:48:45")
_HIK_SERIAL = "{model}20230511AAWR{mac_tail}"
_HIK_SOURCES = ("SIGNATURE-KNOWLEDGE.md §2 Hikvision: nmap-sp, recog, nuclei", "ieee OUI")

_DAHUA_OUIS = ("3c:ef:8c", "e0:50:8b", "4c:11:bf", "90:02:a9", "38:af:29")
_AXIS_OUIS = ("ac:cc:8e", "00:40:8c", "b8:a4:4f")
_AXIS_CHALLENGE = (
    'Digest realm="AXIS_{MAC}", nonce="{nonce}", algorithm=MD5, qop="auth"'  # illustrative
)

COLLECTORS: tuple[DeviceModel, ...] = (
    DeviceModel(
        kind="hikvision_ipc",
        vendor="Hikvision",
        product="Network camera",
        device_class=DeviceClass.IP_CAMERA,
        model="DS-2CD2143G2-I",
        firmware="V5.7.3 build 220112",
        ouis=_HIK_OUIS,
        serial=_HIK_SERIAL,
        web=(_HIK_WEB,),
        rtsp=_HIK_RTSP,
        discovery="sadp",  # UDP 37020 unicast (emulators/discovery.py)
        sources=_HIK_SOURCES,
        announce=Announce(onvif_scopes=_onvif("HIKVISION")),  # WS-Discovery (ONVIF)
    ),
    DeviceModel(
        kind="hikvision_nvr",
        vendor="Hikvision",
        product="Network video recorder",
        device_class=DeviceClass.NVR_DVR,
        model="DS-7608NI-K2",
        firmware="V4.30.085 build 200916",
        ouis=_HIK_OUIS,
        serial=_HIK_SERIAL,
        # recog http_servers.xml:L3067-3071; HTTPS with the recorders' default certificate
        web=(replace(_HIK_WEB, server="DNVRS-Webs", tls_port=443, tls_subject=_HIK_CERT),),
        rtsp=_HIK_RTSP,
        discovery="sadp",  # UDP 37020 unicast (emulators/discovery.py)
        sources=_HIK_SOURCES,
        # github 128keaton/hikvision-mdns: NVRs announce _CGI._tcp "HIKVISION <model> - <serial>"
        announce=Announce(mdns=(Service("_CGI._tcp", "HIKVISION {model} - {serial}", 80),)),
    ),
    DeviceModel(
        kind="hikvision_face_terminal",
        vendor="Hikvision",
        product="Face recognition terminal",
        device_class=DeviceClass.FACE_TERMINAL,
        model="DS-K1T671MF",
        firmware="V3.2.30 build 220321",
        ouis=_HIK_OUIS,
        serial=_HIK_SERIAL,
        web=(_HIK_WEB,),  # same web stack as the cameras: illustrative for DS-K1T
        rtsp=_HIK_RTSP,
        discovery="sadp",  # UDP 37020 unicast (emulators/discovery.py)
        sources=(*_HIK_SOURCES, "DS-K1T model prefix: SIGNATURE-KNOWLEDGE.md §2 (SADP)"),
    ),
    DeviceModel(
        kind="dahua_ipc",
        vendor="Dahua",
        product="Network camera",
        device_class=DeviceClass.IP_CAMERA,
        model="IPC-HFW2431S-S-S2",
        firmware="V2.800.0000000.16.R",
        ouis=_DAHUA_OUIS,
        serial="7K0{mac_tail}PAZ",
        web=(
            Web(
                title="WEB SERVICE",  # illustrative
                body="<script src='/jsBase/lib/login.js'></script>",  # illustrative
                protected=("/cgi-bin/*", "/RPC2*"),
                # illustrative
                challenge='Digest realm="Login to {serial}", qop="auth", nonce="{nonce}"',
            ),
        ),
        rtsp=RtspSpec(
            port=554,
            server="Dahua Rtsp Server",  # recog rtsp_servers.xml; nmap-sp:L11572
            www_authenticate='Basic realm="device"',  # nmap-sp:L12373
        ),
        discovery="dhip",  # UDP 37810 unicast (emulators/discovery.py)
        sources=("SIGNATURE-KNOWLEDGE.md §2 Dahua: recog, nmap-sp", "ieee OUI"),
        announce=Announce(onvif_scopes=_onvif("Dahua")),  # WS-Discovery (ONVIF)
    ),
    DeviceModel(
        kind="axis_camera",
        vendor="Axis",
        product="Network camera",
        device_class=DeviceClass.IP_CAMERA,
        model="AXIS P3245-LVE",
        firmware="10.12.182",
        ouis=_AXIS_OUIS,  # HA dhcp.py axis prefixes
        serial="{MAC}",  # Axis serial numbers are the MAC (recog x509 CN=axis-<mac>)
        web=(
            Web(
                title="AXIS",  # illustrative
                body="<script>location.replace('/camera/index.html');</script>",  # illustrative
                protected=("/axis-cgi/*", "/vapix/*"),
                challenge=_AXIS_CHALLENGE,
                tls_port=443,  # recog x509_subjects.xml:L1404 (SIGNATURE-KNOWLEDGE.md §2 Axis)
                tls_subject="CN=axis-{machex},O=Axis Communications AB",
            ),
        ),
        rtsp=RtspSpec(
            port=554,
            # the string is in recog rtsp_servers.xml; that Axis OS sends it is illustrative
            server="GStreamer RTSP server",
            www_authenticate=_AXIS_CHALLENGE,
        ),
        sources=("SIGNATURE-KNOWLEDGE.md §2 Axis: HA, recog", "ieee OUI"),
        announce=Announce(
            # recog ssdp/upnp matchers: Axis OS "Linux/<ver>-axis<n>, UPnP/1.0, Portable SDK…"
            ssdp_server="Linux/4.14.79-axis8, UPnP/1.0, Portable SDK for UPnP devices/1.8.4",
            upnp_manufacturer="AXIS",
            upnp_model="{model} Network Camera",  # illustrative
            # HA zeroconf: _axis-video._tcp with TXT macaddress
            mdns=(Service("_axis-video._tcp", "{model} - {MAC}", 80, (("macaddress", "{MAC}"),)),),
            mdns_host="axis-{MAC}",
            onvif_scopes=_onvif("AXIS", "{model}"),
        ),
    ),
    DeviceModel(
        kind="uniview_ipc",
        vendor="Uniview",
        product="Network camera",
        device_class=DeviceClass.IP_CAMERA,
        model="IPC2124LB-SF28KM-G",
        firmware="IPC_G6103-B0009P60D1907",
        ouis=("48:ea:63", "6c:f1:7e", "c4:79:05"),
        serial="210235C3{mac_tail}",
        web=(
            Web(
                title="Web Client",  # illustrative
                protected=("/LAPI/*",),
                challenge='Digest realm="{MAC}", qop="auth", nonce="{nonce}"',  # illustrative
            ),
        ),
        rtsp=RtspSpec(
            port=554, www_authenticate='Digest realm="{MAC}", nonce="{nonce}"'
        ),  # illustrative
        sources=("ieee OUI Zhejiang Uniview Technologies",),
        announce=Announce(onvif_scopes=_onvif("UNIVIEW")),  # WS-Discovery (ONVIF)
    ),
    DeviceModel(
        kind="zkteco_terminal",
        vendor="ZKTeco",
        product="Fingerprint attendance terminal",
        device_class=DeviceClass.FINGERPRINT_READER,
        model="K40/ID",  # pyzk README tested device names
        firmware="Ver 6.60 Apr 28 2017",
        ouis=("48:e6:c6:4",),  # nmap-mac MA-M "Shenzhen ZK Technology"
        serial="CGXH{mac_tail}",
        web=(
            Web(
                server="ZK Web Server",  # nmap-sp:L9212, L10904
                title="ZKTeco",  # illustrative
                body="<script>window.location='/csl/login';</script>",  # nmap-sp:L10904
                login_path="/csl/login",
            ),
        ),
        zk=ZkSpec(port=4370, comm_key=False, device_name="{model}", platform="ZEM560_TFT"),
        sources=("pyzk zk/base.py, zk/const.py, README.md", "nmap-sp ZK Web Server"),
    ),
    DeviceModel(
        kind="irisid_reader",
        vendor="Iris ID",
        product="IrisAccess iris reader",
        device_class=DeviceClass.IRIS_SCANNER,
        model="iCAM7100",
        firmware="7.1.0.42",
        ouis=("e4:47:91",),  # ieee "Iris ID Systems, Inc."
        serial="IC7{mac_tail}",
        web=(
            Web(
                title="iCAM7 Configuration",
                protected=("/cgi-bin/*",),
                challenge='Basic realm="iCAM"',
            ),
        ),
        sources=("ieee OUI; no public banner: web strings illustrative",),
    ),
    DeviceModel(
        kind="doorbird_doorbell",
        vendor="DoorBird",
        product="Video door station",
        device_class=DeviceClass.VIDEO_DOORBELL,
        model="D1101V",
        firmware="000139",
        ouis=("1c:ca:e3",),  # HA zeroconf/dhcp doorbird macaddress=1ccae3*
        serial="{MAC}",
        web=(
            Web(
                title="DoorBird",  # illustrative
                protected=("/bha-api/*",),
                challenge='Basic realm="DoorBird"',  # illustrative
                tls_port=443,  # recog x509_subjects.xml:L1686-1690 (SIGNATURE-KNOWLEDGE.md §4)
                tls_subject="CN=BHA-{MAC},O=Bird Home Automation",
            ),
        ),
        rtsp=RtspSpec(port=554, www_authenticate='Basic realm="DoorBird"'),  # illustrative
        sources=("HA doorbird matchers; recog x509 BHA-<mac>; web strings illustrative",),
        # HA zeroconf doorbird: _axis-video._tcp with TXT macaddress=1CCAE3…; instance illustrative
        announce=Announce(
            mdns=(
                Service(
                    "_axis-video._tcp", "DoorBird {model} - {MAC}", 80, (("macaddress", "{MAC}"),)
                ),
            ),
            mdns_host="bha-{MAC}",
        ),
    ),
    DeviceModel(
        kind="hid_edge_controller",
        vendor="HID Global",
        product="Edge EVO door controller",
        device_class=DeviceClass.ACCESS_CONTROL,
        # lixmk/Concierge hid/nse/hid-evo-discover.nse sample answer: EH400, 3.5.1.1483,
        # 07/02/2015; msf hid_discoveryd.rb field order
        model="EH400",
        firmware="3.5.1.1483",
        firmware_date="07/02/2015",
        ouis=("00:06:8e",),  # ieee "HID Corporation"
        hid_discoveryd=True,  # UDP 4070, unicast (emulators/hid.py)
        sources=("msf hid_discoveryd.rb; Concierge hid-evo-discover.nse", "ieee OUI"),
    ),
    DeviceModel(
        kind="mercury_panel",
        vendor="HID Global",
        product="Mercury Security intelligent controller",
        device_class=DeviceClass.ACCESS_CONTROL,
        model="EP-1502",  # recog x509_subjects.xml:L1135-1149 OU examples
        firmware="1.29.1",  # illustrative
        ouis=("00:0f:e5",),  # ieee "MERCURY SECURITY CORPORATION"
        web=(
            Web(
                server="TargetWeb/2011.0 (TargetOS)",  # recog http_servers.xml:L2047-2050
                title="{model}",  # illustrative
                tls_port=443,  # recog x509_subjects.xml:L1135-1149
                tls_subject=(
                    "CN=MAC{MAC},OU={model},O=Mercury Security Products\\, LLC,"
                    "L=Long Beach,ST=CA,C=US"
                ),
            ),
        ),
        sources=("SIGNATURE-KNOWLEDGE.md §3 HID: recog x509 and http_servers", "ieee OUI"),
    ),
    DeviceModel(
        kind="suprema_terminal",
        vendor="Suprema",
        product="BioStation 2 fingerprint terminal",
        device_class=DeviceClass.FINGERPRINT_READER,
        model="BS2-OMPW",  # illustrative
        firmware="1.8.0",  # illustrative
        ouis=("00:17:fc",),  # ieee "Suprema Inc."
        suprema=True,  # TCP 51211, UDP 51210: ports only, no public wire format
        sources=("suprema-sdk BS2IpConfig.h port defaults", "ieee OUI"),
    ),
)

# --- ordinary devices (negatives) ---------------------------------------------------------

_SSH_DEBIAN = BannerSpec(port=22, banner="SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
_WINDOWS_PORTS = tuple(BannerSpec(port=p) for p in (135, 3389))  # 445 is SMB (smb=True)
_PRINT = "<h1>{model}</h1><p>Embedded Web Server</p>"

ORDINARY: tuple[DeviceModel, ...] = (
    DeviceModel(
        kind="windows_pc",
        vendor="Dell",
        product="Desktop PC",
        device_class=DeviceClass.PHONE_PC,
        model="OptiPlex 7090",
        firmware="Windows 11",
        ouis=("00:14:22", "3c:d9:2b", "00:1b:21", "d4:6a:6a"),
        banners=_WINDOWS_PORTS,
        smb=True,
    ),
    DeviceModel(
        kind="mac_laptop",
        vendor="Apple",
        product="Laptop",
        device_class=DeviceClass.PHONE_PC,
        model="MacBookPro18,3",
        firmware="macOS 14",
        ouis=("a4:83:e7", "f0:18:98", "00:03:93"),
    ),
    DeviceModel(
        kind="phone",
        vendor="Apple",
        product="Smartphone",
        device_class=DeviceClass.PHONE_PC,
        model="iPhone14,5",
        firmware="iOS 17",
        ouis=("a4:83:e7", "f0:18:98"),
    ),
    DeviceModel(
        kind="linux_server",
        vendor="Dell",
        product="Server",
        device_class=DeviceClass.PHONE_PC,
        model="PowerEdge R650",
        firmware="Debian 12",
        ouis=("00:14:22",),
        web=(
            Web(
                server="nginx/1.22.1", title="Welcome to nginx!", body="<h1>Welcome to nginx!</h1>"
            ),
        ),
        banners=(_SSH_DEBIAN,),
    ),
    DeviceModel(
        kind="hp_printer",
        vendor="HP",
        product="Laser printer",
        device_class=DeviceClass.PRINTER,
        model="HP LaserJet Pro M404dn",
        firmware="002_2306A",
        ouis=("3c:d9:2b",),
        announce=Announce(mdns=(Service("_ipp._tcp", "{model}", 631),)),  # RFC 6763 IPP
        serial="PHB{mac_tail}",
        web=(
            Web(
                # the layout of public captures (nmap -sV http-server-header, HP eSCL traces):
                # "HP HTTP Server; HP <model> - <product no>; Serial Number: <sn>; Built: …"
                server=(
                    "HP HTTP Server; {model} - W1A53A; Serial Number: {serial}; "
                    "Built: Thu Oct 15, 2020 01:32:45PM {{firmware}}"
                ),
                title="{model}",
                body=_PRINT,
            ),
            Web(
                port=631, server="HP HTTP Server; {model}", title="{model}", body=_PRINT
            ),  # IPP port
        ),
        jetdirect=True,
        sources=("HP Server header layout: public captures; build date illustrative",),
    ),
    DeviceModel(
        kind="brother_printer",
        vendor="Brother",
        product="Laser printer",
        device_class=DeviceClass.PRINTER,
        model="HL-L2350DW",
        firmware="1.72",
        ouis=("00:80:77", "30:05:5c", "3c:2a:f4"),
        web=(
            Web(server="debut/1.30", title="Brother {model} series", body=_PRINT),  # illustrative
            Web(port=631, server="debut/1.30", title="Brother {model} series", body=_PRINT),
        ),
        jetdirect=True,
    ),
    DeviceModel(
        kind="synology_nas",
        vendor="Synology",
        product="NAS",
        device_class=DeviceClass.NAS,
        model="DS920+",
        firmware="DSM 7.2.1-69057",
        ouis=("00:11:32",),
        announce=Announce(  # HA zeroconf/ssdp synology matchers; SERVER string illustrative
            ssdp_server="Synology/DSM/7.2 UPnP/1.0",
            upnp_manufacturer="Synology",
            mdns=(Service("_http._tcp", "{name}", 5000, (("vendor", "Synology"),)),),
        ),
        web=(
            Web(
                port=5000,
                server="nginx",  # illustrative, as is the title
                title="Synology DiskStation",
                tls_port=5001,  # recog x509_subjects.xml "Synology NAS" example (DSM default)
                tls_subject="CN=synology.com,O=Synology Inc.,L=Taipei,C=TW",
            ),
        ),
        banners=(BannerSpec(port=22, banner="SSH-2.0-OpenSSH_8.2"),),
        smb=True,  # SMB2 on 445 ([MS-SMB2] NEGOTIATE)
    ),
    DeviceModel(
        kind="samsung_tv",
        vendor="Samsung",
        product="Smart TV",
        device_class=DeviceClass.MEDIA,
        model="QE55Q60BAU",
        firmware="T-KSU2EAKUC-1500.5",
        ouis=("8c:79:f5", "00:12:fb"),
        announce=Announce(  # a DLNA renderer (UPnP AV MediaRenderer:1; strings illustrative)
            ssdp_server="SHP, UPnP/1.0, Samsung UPnP SDK/1.0",
            upnp_type="urn:schemas-upnp-org:device:MediaRenderer:1",
            upnp_manufacturer="Samsung Electronics",
            upnp_services=tuple(
                f"urn:schemas-upnp-org:service:{s}:1"
                for s in ("RenderingControl", "ConnectionManager", "AVTransport")
            ),
            dlna="DMR-1.50",  # DLNA guidelines: X_DLNADOC names the device class and version
        ),
        web=(Web(port=8001, title="Samsung Smart TV", content_type="text/html"),),  # illustrative
    ),
    DeviceModel(
        kind="mikrotik_router",
        vendor="MikroTik",
        product="Router",
        device_class=DeviceClass.NETWORK_GEAR,
        model="RB760iGS",
        firmware="RouterOS 7.14",
        ouis=("4c:5e:0c",),
        # the title RouterOS serves (nmap http-title output in public scans)
        web=(Web(title="RouterOS router configuration page", body="<h1>RouterOS v7</h1>"),),
        banners=(BannerSpec(port=22, banner="SSH-2.0-ROSSSH"),),
    ),
    DeviceModel(
        kind="tplink_switch",
        vendor="TP-Link",
        product="Managed switch",
        device_class=DeviceClass.NETWORK_GEAR,
        model="TL-SG2008",
        firmware="3.0.0 Build 20220711",
        ouis=("50:c7:bf", "14:eb:b6"),
        web=(Web(title="{model}", protected=("/userRpm/*",), challenge='Basic realm="TP-LINK"'),),
    ),
    DeviceModel(
        kind="unifi_ap",
        vendor="Ubiquiti",
        product="Wireless access point",
        device_class=DeviceClass.NETWORK_GEAR,
        model="U6-Lite",
        firmware="6.5.54",
        ouis=("24:a4:3c", "78:8a:20"),
        banners=(BannerSpec(port=22, banner="SSH-2.0-dropbear_2019.78"),),
    ),
    DeviceModel(
        kind="yealink_phone",
        vendor="Yealink",
        product="IP desk phone",
        device_class=DeviceClass.PHONE_PC,
        model="SIP-T46U",
        firmware="108.86.0.45",
        ouis=("00:15:65", "80:5e:c0"),
        web=(Web(title="Yealink {model} Phone"),),  # illustrative
    ),
)

# --- hostile devices (the `hostile` scenario): they attack the scanner ----------------------
# Locally administered MACs (02:…) for devices with no vendor to imitate. SAFETY-CATALOGUE
# case numbers in brackets; the wire shapes and their sources are in emulators/hostile.py.

_TARPIT_PORTS = (21, 22, 23, 80, 443, 554, 2020, 4370, 5010, 8000, 8080, 8443, 8554, 8899, 37777)
_XSS = "<script>alert(1)</script>"
#: Terminal escapes (clear screen, OSC 52 clipboard write, OSC 8 hyperlink, C1 CSI) and Rich
#: markup (catalogue case 50); latin-1, so they fit HTTP/RTSP headers byte for byte.
_ESCAPES = "\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\x1b]8;;http://x\x1b\\\x9b[bold red]x[/]"
_LOCAL = ("02:4b:00",)


def _hostile(kind: str, rework: h.Rework, attack: str, **extra: object) -> DeviceModel:
    """A device with no identity to speak of: all it does is attack (a safe sweep records an
    error for it). ``extra`` sets other DeviceModel fields (web, announce, ouis)."""
    model = DeviceModel(
        kind=kind, vendor="Unknown", product=attack.partition(" (")[0], model=kind, firmware="",
        device_class=DeviceClass.OTHER_IOT, ouis=_LOCAL, sources=("illustrative",),
        hostile=h.Hostile(rework, "error", attack),
    )  # fmt: skip
    return replace(model, **extra)  # type: ignore[arg-type]


HOSTILE: tuple[DeviceModel, ...] = (
    _hostile("tarpit", h.tarpit(_TARPIT_PORTS), "accepts on 15 service ports, never answers (5)"),
    _hostile("slow_drip", h.drips({80: "HTTP", 554: "RTSP"}), "one byte every 0.5 s, forever (10)"),
    _hostile(
        "http_flood",
        h.floods(
            {
                80: ("headers", "HTTP"),
                81: ("long_line", "HTTP"),
                82: ("endless_body", "HTTP"),
                88: ("continue", "HTTP"),
                5000: ("empty", "HTTP"),
                8080: ("gzip_chain", "HTTP"),
                8081: ("gzip_bomb", "HTTP"),
                8088: ("bad_status", "HTTP"),
                8888: ("garbage", "HTTP"),
            }
        ),
        "HTTP header floods, long lines, endless and bomb bodies, bad status lines (12-16)",
    ),
    _hostile(
        "rtsp_flood",
        h.floods({554: ("headers", "RTSP"), 8554: ("interleaved", "RTSP")}),
        "endless CSeq headers and $-interleaved binary over RTSP (38)",
    ),
    _hostile(
        "tls_stall",
        h.floods({443: ("tls_stall", "HTTP"), 8443: ("tls_stall", "HTTP")}),
        "a ServerHello, then silence (37)",
    ),
    _hostile(
        "upnp_bomb",
        h.upnp_bomb,
        "a billion-laughs UPnP description (21)",
        web=(Web(title="Media Server"),),
        announce=Announce(ssdp_server="Linux/5.10 UPnP/1.0 MiniDLNA/1.3.0"),
    ),
    _hostile("mdns_loop", h.mdns_loops, "mDNS answers with compression-pointer loops (29, 31)"),
    _hostile("ssdp_flood", h.ssdp_flood, "SSDP floods, malformed and oversized answers (27)"),
    _hostile("sadp_bomb", h.sadp_bomb, "a billion-laughs SADP ProbeMatch (21)", ouis=_HIK_OUIS),
    DeviceModel(  # a camera whose every string is markup or a terminal escape (33, 47, 50)
        kind="xss_camera",
        vendor="Hikvision",
        product="Network camera",
        device_class=DeviceClass.IP_CAMERA,
        model=f'DS-2CD2143G2-I">{_XSS}',  # reaches the report in the evidence values
        firmware="V5.7.3 build 220112",
        ouis=_HIK_OUIS,
        serial="DS2CD{mac_tail}",
        web=(
            Web(server=f"{_XSS}\x1b[2J", title=f'"><img src=x onerror=alert(1)>\u202e{_ESCAPES}'),
        ),
        rtsp=replace(_HIK_RTSP, server=f"</td></tr></table><form action=//x>{_ESCAPES}"),
        discovery="sadp",
        announce=Announce(
            ssdp_server="</td></tr></table><form action=//x>",
            upnp_manufacturer="javascript:alert(1)",
            upnp_model="&lt;img src=x onerror=alert(1)&gt;",  # XML-escaped in the document
            mdns=(Service("_CGI._tcp", "HIKVISION {model} - {serial}", 80),),
        ),
        sources=("illustrative: catalogue cases 33, 47, 50",),
        hostile=h.Hostile(h.unchanged, "inert", "markup, script and escapes in every string"),
    ),
    replace(  # an HP printer that "crashes" on >2 requests at once or any raw-print byte (6, 7)
        next(m for m in ORDINARY if m.kind == "hp_printer"),
        kind="fragile_printer",
        hostile=h.Hostile(h.fragile, "inert", "crashes on 3 requests at once or a print byte"),
    ),
)

CATALOGUE: dict[str, DeviceModel] = {m.kind: m for m in (*COLLECTORS, *ORDINARY, *HOSTILE)}
