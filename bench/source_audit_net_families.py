"""The audit's own judgement of which makers and integrations are collectors (for
``source_audit_net.py``): written from the makers' catalogues, independent of the signature
database it audits.

A :class:`Family` names a maker as registries spell it (IEEE registrants, nmap's short forms,
Bluetooth SIG company names, recog vendor parameters): ``names`` is searched case-insensitively.
``group`` is the collector group its products fall in (``video``, ``biometric``, ``access``) or
``vms``; ``single`` says the maker's networked line is (almost) all collectors of that group,
so a MAC block of it should claim the class (>= 0.5), not only the vendor. ``vendor`` is written
as a corpus label would be: the answer's vendor must contain its first word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    vendor: str
    names: str
    group: str
    single: bool = False

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.names, re.I)


def _v(vendor: str, names: str, single: bool = False) -> Family:
    return Family(vendor, names, "video", single)


def _b(vendor: str, names: str, single: bool = False) -> Family:
    return Family(vendor, names, "biometric", single)


def _a(vendor: str, names: str, single: bool = False) -> Family:
    return Family(vendor, names, "access", single)


FAMILIES: tuple[Family, ...] = (
    # -- video, multi-product makers (cameras and recorders beside other goods): the vendor
    _v("Hikvision", r"hikvision"),
    _v("Dahua", r"\bdahua (?:technology|zhilian)|zhejiang dahua"),
    _v("Uniview", r"\buniview\b"),
    _v("Axis", r"^axis communications"),
    _v("Bosch", r"^bosch (?:security|sicherheits|\(zhuhai\) security)|^vcs video communication"),
    _v("Hanwha", r"samsung techwin|^hanwha (?:techwin|vision|nxmd)"),
    _v("Milesight", r"milesight"),
    _v("Kedacom", r"\bkeda (?:technology|communication)"),
    _v("Verkada", r"^verkada"),
    _v("FLIR", r"^flir systems|teledyne flir"),
    _v("Ubiquiti", r"^ubiquiti"),
    _v("Tiandy", r"^tiandy"),
    _v("CP PLUS", r"^cp plus|aditya infotech"),
    _v("GeoVision", r"^geovision"),
    _v("Honeywell", r"^honeywell (?:security|video)"),
    _v("2N", r"^2n telekomunikace"),
    _v("Aiphone", r"^aiphone"),
    _v("Comelit", r"^comelit"),
    _v("TKH Security", r"^tkh security|^siqura"),
    _v("Verint", r"^verint (?:loronix|video)"),
    _v("Imilab", r"imilab"),
    _v("Eagle Eye", r"^eagle eye networks"),
    _v("Dallmeier", r"^dallmeier"),
    _v("Geutebrück", r"^geutebr"),
    _v("ABUS", r"^abus security"),
    _v("Fermax", r"^fermax"),
    _v("DNAKE", r"dnake"),
    _v("Commax", r"^commax"),
    _v("Kocom", r"^kocom$"),
    _v("Urmet", r"^urmet(?!\s+tlc)"),
    _v("BTicino", r"^bticino"),
    # -- video makers whose networked line is cameras, recorders, doorbells, intercoms
    _v("EZVIZ", r"ezviz", True),
    _v("Imou", r"huacheng network", True),
    _v("Lorex", r"\blorex\b", True),
    _v("Amcrest", r"^amcrest", True),
    _v("Sunell", r"^sunell", True),
    _v("Jovision", r"jovision", True),
    _v("TVT", r"^tvt(?: co|$)", True),
    _v("HeroSpeed", r"^herospeed", True),
    _v("Infinova", r"^infinova", True),
    _v("IDIS", r"^idis\b", True),
    _v("AVTECH", r"^avtech corp", True),
    _v("LILIN", r"li-?lin ent", True),
    _v("EverFocus", r"^everfocus", True),
    _v("Provision-ISR", r"^provision-isr", True),
    _v("Reolink", r"^reolink", True),
    _v("Zmodo", r"^zmodo", True),
    _v("Night Owl", r"^night owl sp", True),
    _v("Swann", r"^swann comm", True),
    _v("YI", r"xiaoyi technology", True),
    _v("Wyze", r"^wyze labs", True),
    _v("Ring", r"^ring(?: llc)?$", True),
    _v("Blink", r"^blink by amazon", True),
    _v("Arlo", r"^arlo technolog", True),
    _v("Canary", r"^canary connect", True),
    _v("SkyBell", r"^skybell", True),
    _v("DoorBird", r"^bird home automation", True),
    _v("Akuvox", r"^akuvox", True),
    _v("Vivotek", r"^vivotek", True),
    _v("Avigilon", r"^avigilon(?! alta)", True),
    _v("Pelco", r"^pelco(?:,| inc)", True),
    _v("Panasonic i-PRO", r"^i-pro(?: co|$)", True),
    _v("Mobotix", r"^mobotix", True),
    _v("ACTi", r"^acti(?: corp|$)", True),
    _v("Arecont", r"^arecont", True),
    _v("IQinVision", r"^iqinvision", True),
    _v("Sentry360", r"^sentry ?360", True),
    _v("Pixord", r"^pixord", True),
    _v("March Networks", r"^march networks", True),
    _v("Vicon", r"^vicon industries", True),
    _v("Vaddio", r"^vaddio", True),
    _v("Speco", r"^speco tech", True),
    _v("Reecam", r"reecam", True),
    _v("NUUO", r"^nuuo", True),
    _v("Digital Watchdog", r"^digital watchdog", True),
    _v("Costar", r"^costar (?:video|electronics)", True),
    _v("Dedicated Micros", r"^dedicated micro", True),
    _v("GKB CCTV", r"^gkb cctv", True),
    _v("Kingtek CCTV", r"^kingtek cctv", True),
    _v("Multivision", r"^multivision intelligent surveillance", True),
    _v("Messoa", r"^messoa", True),
    _v("Truen", r"^truen$", True),
    _v("Videotec", r"^videotec", True),
    _v("WebGate", r"^webgate", True),
    _v("INSTAR", r"^instar deutschland", True),
    _v("IC Realtime", r"^ic realtime", True),
    _v("HeiTel", r"^heitel digital video", True),
    _v("Raysharp", r"raysharp", True),
    _v("Y-cam", r"^y-cam solutions", True),
    _v("Convision", r"^convision technology", True),
    _v("Wyze", r"tianjin hualai", True),
    _v("Nest", r"^dropcam", True),
    _v("CCTV Neotech", r"^cctv neotech", True),
    _v("Surveillance Pro", r"^surveillance pro", True),
    # -- biometric makers
    _b("Crossmatch", r"cross ?match tech", True),
    _b("Iris ID", r"^iris id systems", True),
    _b("EyeLock", r"^eyelock", True),
    _b("SecuGen", r"^secugen", True),
    _b("Onface", r"^onface$", True),
    _b("Bioscrypt", r"^bioscrypt", True),
    _b("Realtime Biometrics", r"^realtime biometrics", True),
    _b("Tools for Humanity", r"^tools for humanity", True),
    _b("Hanvon", r"^hanwang technology"),
    _b("ZKTeco", r"zkteco|^shenzhen zk technology|^zk technology"),
    _b("Anviz", r"^anviz"),
    _b("IDEMIA", r"^idemia|^safran (?:identity|morpho)|^morpho(?:trust)?\b"),
    _b("Megvii", r"kuangshi technology"),
    _b("SenseTime", r"sensetime"),
    _b("CloudWalk", r"^cloudwalk"),
    _b("Matrix Comsec", r"^matrix comsec"),
    _b("eSSL", r"^e-smart systems"),
    # -- access control makers
    _a("Paxton", r"^paxton access", True),
    _a("CDVI", r"^cdvi", True),
    _a("Suprema", r"^suprema(?: inc| id|$)", True),
    _a("Virdi", r"^virditech|union community", True),
    _a("Nitgen", r"^nitgen", True),
    _a("FingerTec", r"^fingertec", True),
    _a("Realand", r"^realand bio", True),
    _a("TST Biometrics", r"^tst biometrics", True),
    _a("Armatura", r"^armatura", True),
    _a("Brivo", r"^brivo", True),
    _a("Kisi", r"^kisi$", True),
    _v("Avigilon", r"^avigilon alta|^openpath"),
    _a("Mercury", r"^mercury security", True),
    _a("SALTO", r"^salto systems", True),
    _a("Rosslare", r"^rosslare enterprises"),
    _a("Gallagher", r"^gallagher group"),
    _a("HID Global", r"^hid(?: global| corporation|$)"),
    _a("ASSA ABLOY", r"assa ?abloy"),
    _a("dormakaba", r"dormakaba|^kaba\b|^dorma time"),
    _a("Allegion", r"^allegion|^schlage"),
    _a("Nedap", r"^nedap n\.?v"),
    _a("Vanderbilt", r"^vanderbilt international"),
    _a("LenelS2", r"^lenel"),
    _a("S2 Security", r"^s2 security", True),
    _a("iGuard", r"^lucky technology \(hk\)", True),
    _a("ekey", r"^ekey biometric", True),
)

#: Blocks whose registrant's name no longer says the collector maker (the IEEE renames a block
#: when its company changes hands): 24-bit prefix → family vendor.
BLOCK_FAMILIES: dict[str, str] = {"58fcc8": "LenelS2"}

#: Home Assistant integration domains whose devices are collectors: (vendor, expectation).
#: An expectation is a group (the class is expected), ``vendor`` (a multi-product maker: the
#: vendor is what counts) or ``negative`` (the domain's devices are ordinary: smart locks without
#: a fingerprint reader, alarm hubs, thermostats; they must not be called collectors).
HA_DOMAINS: dict[str, tuple[str, str]] = {
    "axis": ("Axis", "video"),
    "blink": ("Blink", "video"),
    "doorbird": ("DoorBird", "video"),
    "reolink": ("Reolink", "video"),
    "ring": ("Ring", "video"),
    "unifiprotect": ("Ubiquiti", "vendor"),
}

#: HomeKit model names (``zeroconf.py`` HOMEKIT) that are cameras or doorbells.
HA_HOMEKIT_COLLECTORS: dict[str, tuple[str, str]] = {
    "Presence": ("Netatmo", "video"),
    "Welcome": ("Netatmo", "video"),
}

#: UniversalScanner protocol files whose devices are collectors: file stem → vendor.
USCAN_COLLECTORS: dict[str, str] = {
    "360Vision": "360 Vision",
    "Arecont": "Arecont",
    "Axis": "Axis",
    "Bosch": "Bosch",
    "Dahua1": "Dahua",
    "Dahua2": "Dahua",
    "Foscam": "Foscam",
    "Hanwha": "Hanwha",
    "Hikvision": "Hikvision",
    "NiceVision": "NICE",
    "Panasonic": "Panasonic",
    "Sony": "Sony",
    "Vivotek": "Vivotek",
    "Vstarcam": "VStarcam",
}

#: nmap service-probe products whose p// and d// do not say they are collectors.
NMAP_PRODUCTS: dict[str, str] = {
    "Panasonic WJ-HD220 ftpd": "video",  # WJ-HD220: Panasonic digital disk recorder (CCTV)
    "ZKSoftware ZEM300 embedded Linux telnetd": "biometric",  # ZEM boards: ZK's terminals
}

#: recog device types (hw.device / os.device) that are collectors, by group; ``None`` marks
#: devices that are neither collectors nor ordinary (encoders and decoders are not scored).
RECOG_DEVICES: dict[str, str | None] = {
    "IP Camera": "video",
    "Web Cam": "video",
    "Webcam": "video",
    "DVR": "video",
    "NVR": "video",
    "Video Recorder": "video",
    "Video Doorbell": "video",
    "Access Control": "access",
    "Door Controller": "access",
    "Time Clock": "access",
    "Biometric": "biometric",
    "Video Encoder": None,
    "Video Decoder": None,
    "Video Server": None,
}


def family_of(name: str, prefix: str = "") -> Family | None:
    """The first family whose names the maker name matches (or that owns the block)."""
    owner = BLOCK_FAMILIES.get(prefix.replace(":", "").lower()[:6])
    for fam in FAMILIES:
        if fam.vendor == owner or (owner is None and fam.pattern.search(name)):
            return fam
    return None
