"""Source-driven family audit of the network-side public collections.

The labelled corpus's held-out part comes from the same public collections as the development
third; signatures written for the examples miss the families those collections describe. This
script walks each collection *entry by entry*, turns every entry into a representative
observation the way the project scorer (``$BIOSWEEP_EVAL/score.py``) maps corpus rows (a MAC
prefix becomes ``mac.address`` with a made-up suffix, an mDNS type ``mdns.service_type``, a
HomeKit model ``mdns.txt.md``, BLE ids normalised …), identifies it in-process with the
shipped database and says whether the database claims what the entry describes:

- a collector entry (camera, recorder, doorbell, biometric terminal, access panel) of a maker
  whose line is all collectors: the right class group at confidence >= 0.5;
- a MAC block / BLE id / port of a multi-product collector maker: the right vendor, any
  confidence (the class is a guess there);
- every other entry of the same files (printers, NAS, routers, TVs …): never a collector at
  >= 0.5 (the false-collector rate must stay 0).

Which makers and integrations are collectors is the audit's own table
(``source_audit_net_families.py``), written from the makers' catalogues, not from the database.

Sources (read locally; nothing is fetched and no third-party file is kept in the project):

- ``nmap``: nmap/nmap ``nmap-mac-prefixes``;
- ``ieee``: every block (MA-L, MA-M, MA-S, IAB) of every registrant of a collector family, from
  the registry the project ships (``scanner.identify.oui``), and every other block as a negative;
- ``recog``: rapid7/recog ``xml/{snmp_sysdescr,dhcp_vendor_class,telnet_banners,ftp_banners,
  ssh_banners,rtsp_servers,mdns_device-info_txt}.xml`` (each fingerprint's examples);
- ``ha``: Home Assistant's ``homeassistant/generated/{dhcp,zeroconf,ssdp,bluetooth}.py`` (a
  directory holding ``homeassistant/generated`` or the ``homeassistant`` wheel);
- ``btsig``: NordicSemiconductor/bluetooth-numbers-database ``v1/company_ids.json``;
- ``bleak``: hbldh/bleak ``bleak/uuids.py`` (16-bit member UUIDs);
- ``uscan``: julienblitte/UniversalScanner protocol files (discovery ports, mDNS types).

Each repository is a directory (a checkout, or a bare git directory such as ``fetch`` leaves in
``/work/.mirror/<owner>+<name>/repo``: read with ``git show HEAD:<path>``).

    .venv/bin/python bench/source_audit_net.py [--only nmap,ieee,...] [--list miss|all]
        [--recog DIR] [--nmap DIR] [--ha DIR] [--btsig DIR] [--bleak DIR] [--uscan DIR]
"""

from __future__ import annotations

import argparse
import ast
import base64
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from accuracy import eval_dir, load_scorer
from defusedxml import ElementTree
from source_audit_net_families import (
    FAMILIES,
    HA_DOMAINS,
    HA_HOMEKIT_COLLECTORS,
    NMAP_PRODUCTS,
    RECOG_DEVICES,
    USCAN_COLLECTORS,
    Family,
    family_of,
)

from scanner.errors import InputError
from scanner.identify import default_engine, derive, oui
from scanner.models import Identification, Observation
from scanner.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path("/work/.mirror")
SCORER = load_scorer(eval_dir() / "score.py")
GROUPS = {"video", "biometric", "access"}
RECOG_FILES = {
    "snmp_sysdescr": "snmp.sys_descr",
    "dhcp_vendor_class": "dhcp.vendor_class",
    "telnet_banners": "telnet.banner",
    "ftp_banners": "ftp.banner",
    "ssh_banners": "ssh.banner",
    "rtsp_servers": "rtsp.server",
    "mdns_device-info_txt": "mdns.txt",
}
KEYWORDS = (
    ("biometric", re.compile(r"(?i)fingerprint (?:reader|scanner|terminal)|biometric|face recogn")),
    ("access", re.compile(r"(?i)access control(?!ler)|door controller|time ?clock")),
    ("video", re.compile(r"(?i)\b(?:ip ?cam|camera|webcam|dvr|nvr|doorbell|door station)")),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a collection: what it describes and the observation that stands for it."""

    source: str
    ref: str
    expect: str  # a group (video/biometric/access/vms), "vendor" or "negative"
    vendor: str
    observe: tuple[tuple[str, str], ...]


class Repo:
    """A repository on disk: a work tree or a bare git directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, name: str) -> str:
        if (self.path / name).is_file():
            return (self.path / name).read_text(encoding="utf-8", errors="replace")
        out = subprocess.run(
            ["git", "-C", str(self.path), "show", f"HEAD:{name}"],
            capture_output=True,
            check=True,
        )
        return out.stdout.decode("utf-8", errors="replace")

    def names(self, folder: str) -> list[str]:
        if (self.path / folder).is_dir():
            return sorted(str(p.relative_to(self.path)) for p in (self.path / folder).iterdir())
        out = subprocess.run(
            ["git", "-C", str(self.path), "ls-tree", "--name-only", f"HEAD:{folder}"],
            capture_output=True,
            check=True,
            text=True,
        )
        return [f"{folder}/{n}" for n in out.stdout.split()]


def mirror(name: str) -> Path:
    return MIRROR / name / "repo"


def mac_of(prefix: str) -> str:
    """A MAC in the block, as the scorer makes it from a corpus prefix."""
    return str(SCORER.mac_from_prefix(prefix))


def glob_instance(glob: str) -> str:
    """A value a Home Assistant (fnmatch) glob matches: first member of a class, ``?`` → 0,
    ``*`` → a made-up serial."""
    out = re.sub(r"\[!?([^\]])[^\]]*\]", lambda m: m.group(1), glob)
    out = re.sub(r"(?<=[a-z])\*", "-1a2b3c", out, flags=re.I)
    return out.replace("*", "1a2b3c").replace("?", "0")


def expectation(fam: Family, by_block: bool) -> str:
    """What an entry of the family should get: the class when the maker's line is one
    collector group (or the evidence is not a bare block), else the vendor."""
    if fam.group == "vms":
        return "vms"
    return fam.group if fam.single or not by_block else "vendor"


# ------------------------------------------------------------------ MAC registries
def nmap_entries(repo: Repo) -> Iterator[Entry]:
    for number, line in enumerate(repo.read("nmap-mac-prefixes").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        prefix, _, name = line.partition(" ")
        if name.lower() == "ieee registration authority":  # parent of MA-M/MA-S blocks
            continue
        fam = family_of(name, prefix)
        expect, vendor = (expectation(fam, True), fam.vendor) if fam else ("negative", name)
        obs = (("mac.address", mac_of(prefix)),)
        yield Entry("nmap-mac-prefixes", f"L{number} {prefix} {name}", expect, vendor, obs)


def ieee_entries() -> Iterator[Entry]:
    for block in oui.table_in_use().table.blocks:
        if block.registrant in (oui.PRIVATE, "IEEE Registration Authority"):
            continue
        fam = family_of(block.registrant, block.prefix)
        expect, vendor = (expectation(fam, True), fam.vendor) if fam else ("negative", "")
        obs = (("mac.address", mac_of(block.prefix)),)
        yield Entry("ieee", f"{block.prefix} {block.registrant}", expect, vendor, obs)


# ------------------------------------------------------------------ nmap service probes
# Read at run time from the local snapshot to learn which banner families the database misses;
# nothing of the file is copied into the project (its licence forbids that).
NMAP_FIELDS = {"ftp": "ftp.banner", "telnet": "telnet.banner", "ssh": "ssh.banner"}
NMAP_MATCH = re.compile(r"^match (\S+) m(.)(.*?)\2([si]*)(.*)$")
IAC = re.compile(r"\xff\xfa.*?\xff\xf0|\xff[\xfb-\xfe].", re.S)


def sample(pattern: str, flags: int) -> str | None:
    """One string the regex matches (first branch, least repetition, first class member),
    or None when the walk cannot make one."""
    try:
        tree = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    except re.error:
        return None
    text = _walk(list(tree))
    if text is None:
        return None
    try:
        return text if re.compile(pattern, flags).match(text) else None
    except re.error:
        return None


def _walk(items: list[tuple[object, object]]) -> str | None:
    out = []
    for op, arg in items:
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if name in ("MAX_REPEAT", "MIN_REPEAT", "SUBPATTERN", "BRANCH"):
            part = _walk(_inner(name, arg))
        else:
            part = _atom(name, arg)
        if part is None:
            return None
        out.append(part * (arg[0] if name.endswith("REPEAT") else 1))  # type: ignore[index]
    return "".join(out)


def _inner(name: str, arg: object) -> list[tuple[object, object]]:
    """The items inside a repeat (its body), a group, or a branch (its first alternative)."""
    if name == "BRANCH":
        return list(arg[1][0])  # type: ignore[index]
    return list(arg[-1])  # type: ignore[index]


def _atom(name: str, arg: object) -> str | None:
    if name == "LITERAL":
        return chr(arg)  # type: ignore[arg-type]
    if name == "NOT_LITERAL":
        return "x" if arg != ord("x") else "y"
    if name == "ANY":
        return "x"
    if name == "IN":
        return _member(arg)  # type: ignore[arg-type]
    return None


def _member(items: list[tuple[object, object]]) -> str:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)  # type: ignore[arg-type]
        if name == "RANGE":
            return chr(arg[0])  # type: ignore[index]
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " "}.get(str(arg), "a")
        if name == "NEGATE":
            return "x"
    return "x"


def nmap_probe_label(info: str) -> str:
    """A match line's class from its d// device type and p// i// product text."""
    for product, group in NMAP_PRODUCTS.items():
        if f" p/{product}/" in info:
            return group
    device = re.search(r" d/([^/]*)/", info)
    if device and device.group(1) == "webcam":
        return "video"
    text = " ".join(re.findall(r" [pi]/([^/]*)/", info))
    for group, pattern in KEYWORDS:
        if pattern.search(text):
            return group
    return "negative"


def nmap_probe_entries(repo: Repo) -> Iterator[Entry]:
    for number, line in enumerate(repo.read("nmap-service-probes").splitlines(), 1):
        found = NMAP_MATCH.match(line)
        if not found or found.group(1) not in NMAP_FIELDS:
            continue
        flags = (re.S if "s" in found.group(4) else 0) | (re.I if "i" in found.group(4) else 0)
        text = sample(found.group(3), flags)
        text = IAC.sub("", text or "").strip()  # the telnet probe answers the negotiation
        if not text:
            continue
        product = re.search(r" p/([^/]*)/", found.group(5))
        ref = f"L{number} {found.group(1)} {product.group(1) if product else ''}"
        obs = ((NMAP_FIELDS[found.group(1)], text),)
        yield Entry("nmap-service-probes", ref, nmap_probe_label(found.group(5)), "", obs)


# ------------------------------------------------------------------ recog
def recog_label(fp: object) -> tuple[str, str]:
    """(expectation, vendor) of a recog fingerprint from its device and vendor parameters,
    else its description's keywords."""
    params = {p.get("name"): p.get("value") or "" for p in fp.iter("param")}  # type: ignore[attr-defined]
    device = params.get("hw.device") or params.get("os.device") or params.get("service.device")
    vendor = params.get("hw.vendor") or params.get("os.vendor") or params.get("service.vendor")
    vendor = vendor or ""
    fam = family_of(vendor) if vendor else None
    if device in RECOG_DEVICES:
        group = RECOG_DEVICES[device]
        return (group or "skip", vendor)
    description = fp.findtext("description") or ""  # type: ignore[attr-defined]
    if not device:
        for group, pattern in KEYWORDS:
            if pattern.search(description):
                return group, vendor
        if fam is not None:
            return "vendor", fam.vendor
    return "negative", vendor


def recog_examples(fp: object) -> Iterator[str]:
    for ex in fp.iter("example"):  # type: ignore[attr-defined]
        text = ex.text or ""
        if ex.get("_encoding") == "base64":
            text = base64.b64decode(text).decode("utf-8", errors="replace")
        if text:
            yield text


def recog_entries(repo: Repo) -> Iterator[Entry]:
    for stem, field in RECOG_FILES.items():
        root = ElementTree.fromstring(repo.read(f"xml/{stem}.xml").encode("utf-8"))
        for number, fp in enumerate(root.iter("fingerprint"), 1):
            expect, vendor = recog_label(fp)
            if expect == "skip":
                continue
            desc = fp.findtext("description") or ""
            for value in recog_examples(fp):
                if field == "mdns.txt":
                    key, _, val = value.partition("=")
                    obs = ((f"mdns.txt.{key.strip().lower()}", val),)
                else:
                    obs = ((field, value),)
                ref = f"{stem}.xml #{number} {desc[:50]}"
                yield Entry(f"recog:{stem}", ref, expect, vendor, obs)


# ------------------------------------------------------------------ Home Assistant
def ha_source(path: Path) -> Callable[[str], str]:
    """Reader of ``homeassistant/generated/<name>`` from a directory or the wheel."""
    if path.is_file():
        wheel = zipfile.ZipFile(path)
        return lambda name: wheel.read(f"homeassistant/generated/{name}").decode()
    wheels = sorted(path.glob("homeassistant-*.whl"))
    if wheels:
        return ha_source(wheels[-1])
    return lambda name: (path / "homeassistant" / "generated" / name).read_text()


def literal_items(text: str, name: str) -> Iterator[tuple[int, object, object]]:
    """(line, key or None, value) of each item of the module-level literal ``name``."""
    for node in ast.parse(text).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if not isinstance(target, ast.Name) or target.id != name or node.value is None:  # type: ignore[union-attr]
            continue
        value = node.value  # type: ignore[union-attr]
        if isinstance(value, ast.List):
            for item in value.elts:
                yield item.lineno, None, ast.literal_eval(item)
        elif isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                yield item.lineno, ast.literal_eval(key), ast.literal_eval(item)  # type: ignore[arg-type]


def ha_label(domain: str) -> tuple[str, str]:
    return HA_DOMAINS.get(domain, ("", "negative"))[::-1]  # type: ignore[return-value]


def ha_dhcp(read: Callable[[str], str]) -> Iterator[Entry]:
    for line, _, item in literal_items(read("dhcp.py"), "DHCP"):
        assert isinstance(item, dict)
        obs = []
        if "macaddress" in item:
            obs.append(("mac.address", mac_of(item["macaddress"].rstrip("*"))))
        if "hostname" in item:
            obs.append(("dhcp.hostname", glob_instance(item["hostname"])))
        if obs:
            expect, vendor = ha_label(item["domain"])
            yield Entry("ha:dhcp", f"dhcp.py L{line} {item['domain']}", expect, vendor, tuple(obs))


def ha_zeroconf(read: Callable[[str], str]) -> Iterator[Entry]:
    text = read("zeroconf.py")
    for line, model, item in literal_items(text, "HOMEKIT"):
        assert isinstance(item, dict) and isinstance(model, str)
        vendor, expect = HA_HOMEKIT_COLLECTORS.get(model, ("", "negative"))
        obs = (("mdns.txt.md", glob_instance(model)),)
        yield Entry("ha:zeroconf", f"zeroconf.py L{line} HOMEKIT {model}", expect, vendor, obs)
    for line, stype, matchers in literal_items(text, "ZEROCONF"):
        assert isinstance(matchers, list) and isinstance(stype, str)
        for item in matchers:
            obs = [("mdns.service_type", stype)]
            if "name" in item:
                obs.append(("mdns.instance", glob_instance(item["name"])))
            for key, val in (item.get("properties") or {}).items():
                obs.append((f"mdns.txt.{key}", glob_instance(val)))
            expect, vendor = ha_label(item["domain"])
            ref = f"zeroconf.py L{line} {stype} {item['domain']}"
            yield Entry("ha:zeroconf", ref, expect, vendor, tuple(obs))


SSDP_FIELDS = {
    "manufacturer": "upnp.manufacturer",
    "deviceType": "upnp.device_type",
    "st": "ssdp.st",
    "manufacturerURL": "upnp.manufacturer_url",
    "modelName": "upnp.model_name",
}


def ha_ssdp(read: Callable[[str], str]) -> Iterator[Entry]:
    for line, domain, matchers in literal_items(read("ssdp.py"), "SSDP"):
        assert isinstance(matchers, list) and isinstance(domain, str)
        for item in matchers:
            obs = tuple((SSDP_FIELDS[k], v) for k, v in item.items() if k in SSDP_FIELDS)
            if obs:
                expect, vendor = ha_label(domain)
                yield Entry("ha:ssdp", f"ssdp.py L{line} {domain}", expect, vendor, obs)


def ha_bluetooth(read: Callable[[str], str]) -> Iterator[Entry]:
    for line, _, item in literal_items(read("bluetooth.py"), "BLUETOOTH"):
        assert isinstance(item, dict)
        obs = []
        if "manufacturer_id" in item:
            cid = f"0x{item['manufacturer_id']:04x}"
            obs.append(("ble.company_id", cid))
            if "manufacturer_data_start" in item:
                data = bytes(item["manufacturer_data_start"]).hex()
                obs.append(("ble.manufacturer_data", f"{cid}:{data}"))
        for key in ("service_uuid", "service_data_uuid"):
            if key in item:
                obs.append((f"ble.{key}", str(SCORER.uuid128(item[key]))))
        if "local_name" in item:
            obs.append(("ble.local_name", glob_instance(item["local_name"])))
        if obs:
            expect, vendor = ha_label(item["domain"])
            ref = f"bluetooth.py L{line} {item['domain']}"
            yield Entry("ha:bluetooth", ref, expect, vendor, tuple(obs))


# ------------------------------------------------------------------ BLE numbers, UniversalScanner
def btsig_entries(repo: Repo) -> Iterator[Entry]:
    for item in json.loads(repo.read("v1/company_ids.json")):
        fam = family_of(item["name"])
        expect, vendor = ("vendor", fam.vendor) if fam else ("negative", item["name"])
        obs = (("ble.company_id", f"0x{item['code']:04x}"),)
        yield Entry("btsig", f"company {item['code']:#06x} {item['name']}", expect, vendor, obs)


def bleak_entries(repo: Repo) -> Iterator[Entry]:
    text = repo.read("bleak/uuids.py")
    for line, code, name in literal_items(text, "uuid16_dict"):
        assert isinstance(code, int) and isinstance(name, str)
        if code < 0xFC00:  # member UUIDs (companies) only; lower ones are SIG services
            continue
        fam = family_of(name.replace(":", ","))
        expect, vendor = ("vendor", fam.vendor) if fam else ("negative", name)
        obs = (("ble.service_uuid", str(SCORER.uuid128(f"{code:04x}"))),)
        yield Entry("bleak", f"uuids.py L{line} {code:#06x} {name}", expect, vendor, obs)


def uscan_entries(repo: Repo) -> Iterator[Entry]:
    for name in repo.names("UniversalScanner"):
        stem = Path(name).stem
        if not name.endswith(".cs"):
            continue
        text = repo.read(name)
        vendor = USCAN_COLLECTORS.get(stem, "")
        ports = re.findall(r"const int (?:request)?[pP]ort = (\d+);", text)
        domains = re.findall(r'"(_[a-z0-9-]+\._(?:tcp|udp)\.local)"', text)
        for port in ports:
            expect = "vendor" if vendor else "negative"
            obs = (("udp.open_port", port),)
            yield Entry("uscan", f"{stem}.cs port {port}", expect, vendor, obs)
        for domain in domains:
            expect = "video" if vendor else "negative"
            obs = (("mdns.service_type", domain),)
            yield Entry("uscan", f"{stem}.cs {domain}", expect, vendor, obs)


# ------------------------------------------------------------------ evaluation
def verdict(entry: Entry, best: Identification | None) -> str:
    """``ok``, ``vendor-only`` (a collector whose vendor is right but class is not), ``miss``,
    ``false-collector`` (an ordinary entry called a collector at >= 0.5)."""
    conf = best.confidence if best else 0.0
    claimed = SCORER.GROUP.get(best.device_class.value) if best and conf >= 0.5 else None
    vendor_ok = bool(
        best and entry.vendor and entry.vendor.split()[0].lower() in (best.vendor or "").lower()
    )
    if entry.expect == "negative":
        return "false-collector" if claimed else "ok"
    if entry.expect == "vendor":
        return "ok" if vendor_ok else "miss"
    if entry.expect == "vms":
        return "ok" if best and conf >= 0.5 and best.device_class.value == "vms_server" else "miss"
    if claimed == entry.expect:
        return "ok"
    return "vendor-only" if vendor_ok else "miss"


def evaluate(entries: list[Entry]) -> list[tuple[Entry, Identification | None, str]]:
    """Each entry identified on its own (no merging across entries: two collections' entries
    often make the same MAC)."""
    engine = default_engine()
    out = []
    for entry in entries:
        observations = []
        for field, value in entry.observe:
            try:
                observations.append(Observation("e", field, normalize(field, value), "audit"))
            except InputError:
                continue
        ranked = engine.identify(derive(observations))
        best = ranked[0] if ranked else None
        out.append((entry, best, verdict(entry, best)))
    return out


def collect(args: argparse.Namespace) -> list[Entry]:
    wanted = set(args.only.split(",")) if args.only else None
    makers: dict[str, Callable[[], Iterator[Entry]]] = {
        "nmap": lambda: nmap_entries(Repo(args.nmap)),
        "nmap-probes": lambda: nmap_probe_entries(Repo(args.nmap)),
        "ieee": ieee_entries,
        "recog": lambda: recog_entries(Repo(args.recog)),
        "ha": lambda: ha_all(ha_source(args.ha)),
        "btsig": lambda: btsig_entries(Repo(args.btsig)),
        "bleak": lambda: bleak_entries(Repo(args.bleak)),
        "uscan": lambda: uscan_entries(Repo(args.uscan)),
    }
    entries: list[Entry] = []
    for name, make in makers.items():
        if wanted is None or name in wanted:
            try:
                entries.extend(make())
            except (OSError, subprocess.CalledProcessError, KeyError) as exc:
                print(f"source {name} unreadable, skipped: {exc}", file=sys.stderr)
    return entries


def ha_all(read: Callable[[str], str]) -> Iterator[Entry]:
    yield from ha_dhcp(read)
    yield from ha_zeroconf(read)
    yield from ha_ssdp(read)
    yield from ha_bluetooth(read)


def summary(results: list[tuple[Entry, Identification | None, str]]) -> list[str]:
    table: dict[str, Counter[str]] = {}
    for entry, _, result in results:
        kind = "negative" if entry.expect == "negative" else "collector"
        table.setdefault(entry.source, Counter())[f"{kind}:{result}"] += 1
    lines = [f"{'source':28s} {'collector entries ok/total (vendor-only)':42s} false collectors"]
    for source, c in table.items():
        total = sum(v for k, v in c.items() if k.startswith("collector:"))
        neg = sum(v for k, v in c.items() if k.startswith("negative:"))
        ok, vonly = c["collector:ok"], c["collector:vendor-only"]
        cell = f"{ok}/{total} ({vonly})"
        lines.append(f"{source:28s} {cell:42s} {c['negative:false-collector']}/{neg}")
    return lines


def detail(results: list[tuple[Entry, Identification | None, str]], which: str) -> list[str]:
    lines = []
    for entry, best, result in results:
        if which == "miss" and result == "ok":
            continue
        got = best and (best.device_class.value, best.vendor, best.confidence, best.signature_id)
        obs = " ".join(f"{f}={v!r}" for f, v in entry.observe)[:110]
        lines.append(
            f"  [{result}] {entry.source} {entry.ref[:70]} expect={entry.expect}/{entry.vendor}"
            f"\n      {obs}\n      got={got}"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--only", help="comma-separated sources: nmap,nmap-probes,ieee,recog,ha,btsig,bleak,uscan"
    )
    ap.add_argument("--list", choices=("miss", "all"), help="print entries (misses or all)")
    ap.add_argument("--nmap", type=Path, default=mirror("nmap+nmap"))
    ap.add_argument("--recog", type=Path, default=mirror("rapid7+recog"))
    ap.add_argument("--ha", type=Path, default=Path("/tmp/auditnet-src/ha"))
    ap.add_argument(
        "--btsig", type=Path, default=mirror("NordicSemiconductor+bluetooth-numbers-database")
    )
    ap.add_argument("--bleak", type=Path, default=mirror("hbldh+bleak"))
    ap.add_argument("--uscan", type=Path, default=mirror("julienblitte+UniversalScanner"))
    args = ap.parse_args()
    results = evaluate(collect(args))
    print(f"{len(FAMILIES)} families, {len(default_engine().signatures)} signatures")
    print("\n".join(summary(results)))
    if args.list:
        print("\n".join(detail(results, args.list)))


if __name__ == "__main__":
    main()
