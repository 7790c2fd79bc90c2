"""Entries of public fingerprint collections as labelled observations (for source_audit.py).

Each reader turns a collection snapshot into :class:`Row` objects: one observable (field and
value in the project's vocabulary, mapped the way the project scorer
(``$BIOSWEEP_EVAL/score.py``) maps corpus rows)
with the label the collection's own words give it. Labels are keyword heuristics, shown with
every listed row (``why``) so a reviewer can overrule them; they decide what the audit counts,
never what the database says. The collections are read, never copied.

Readers: rapid7/recog (xml/*.xml examples), 0x727/FingerprintHub (web_fingerprint_v4.json,
also from history once removed, and web-fingerprint/*.yaml), EdgeSecurityTeam/EHole
(finger.json favicon hashes), projectdiscovery/nuclei-templates (favicon hashes of
http/technologies, http/exposed-panels, http/iot), nmap/nmap (HTTP and RTSP answers inside
nmap-service-probes ``match`` lines, where the fragment is a literal).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import yaml

RECOG_FILES = {
    "http_servers": "http.server", "html_title": "http.title",
    "http_wwwauth": "http.www_authenticate", "x509_subjects": "tls.subject",
    "x509_issuers": "tls.issuer", "favicons": "http.favicon_md5", "rtsp_servers": "rtsp.server",
    "http_cookies": "http.cookie",
}  # fmt: skip
RECOG_DEVICES = {
    "ip camera": "ip_camera", "web cam": "ip_camera", "webcam": "ip_camera",
    "dvr": "nvr_dvr", "nvr": "nvr_dvr", "cloud network video recorder": "nvr_dvr",
    "network video recorder": "nvr_dvr", "video doorbell": "video_doorbell",
    "access control": "access_control", "biometric reader": "biometric_unknown",
    "video encoder": "other", "video decoder": "other", "video server": "other",
}  # fmt: skip
# Words of an entry's name or description; label_words checks them in this order.
NOT_COLLECTOR = re.compile(
    r"(?i)tivo|set-?top|\btv\b(?!-ip)|hdhomerun|silicondust|tablo|\bplex\b|broadcast|printer"
    r"|\brouter\b|diskstation|\bnas\b|readynas|video ?conferenc|teleconferenc|telepresence|lifesize"
    r"|alarm panel"
    r"|intrusion|environment monitor"
)
ENCODER = re.compile(r"(?i)\b(?:video )?(?:encoder|decoder)s?\b|\bvideo ?server\b")
MANAGEMENT = re.compile(
    r"(?i)platform|ping-?tai|平台|管理系统|management|\bvms\b|isecure"
    r"|surveillance (?:center|station)|video management|attendance|考勤|kao-?qin|\bcms\b"
    r"|综合安防|an-?fang|security center|control center"
)
BIOMETRIC = re.compile(
    r"(?i)\bface(?!book)|人脸|ren-?lian|fingerprint|指纹|zhi-?wen|(?<!blue[- ])\biris\b|虹膜"
    r"|palm ?vein|掌静脉|biometric"
)
ACCESS = re.compile(
    r"(?i)access control|门禁|men-?jin|door controller|access controller|turnstile|闸机|zha-?ji"
)
VIDEO = re.compile(
    r"(?i)camera|ip-?cam|webcam|\bcam\b|\bipc\b(?!@)|\bnvr|\bdvr|\bxvr|network video|cctv|摄像"
    r"|video recorder"
    r"|录像|doorbell|可视对讲|intercom|surveillance|监控|unifi video"
    r"|airvision|jian-?kong|she-?xiang|lu-?xiang|ke-?shi-?dui-?jiang"
)
MAKERS = re.compile(
    r"(?i)hikvision|海康|dahua|大华|uniview|宇视|tiandy|天地伟业|kedacom|科达|\baxis\b|mobotix"
    r"|vivotek|hanwha|wisenet|geovision|avtech|foscam|reolink|amcrest|lorex|swann|hipcam"
    r"|xiongmai|jovision|milesight|sunell|infinova|\btvt\b|ezviz|imou|\binstar\b|d-?link dcs"
    r"|netwave|\bacti\b|arecont|avigilon|pelco|bosch\b|truvision|interlogix|provision|ossia"
    r"|uniarch|honeywell video|edimax ic|lilin|tecvoz|intelbras|doorbird|bird home automation"
    r"|2n helios|akuvox|zkteco|suprema|anviz|hanvon|virdi|lenel|hid global|gallagher|paxton"
    r"|herospeed|ic-?realtime"
)
# Values that name no product by themselves (the corpus marks such rows context-dependent).
GENERIC_VALUE = re.compile(
    r"(?i)^(?:\d{3}\b.*|.*\b(?:not found|unauthorized|forbidden|bad request|moved|error)\b.*"
    r"|(?:http ?server|httpd|server|webs|web ?server|unknown|goahead-webs|start|management"
    r"|configuration|index|login|home|home\.htm|document error.*|runtime error)"
    r'|\w+ realm="(?:/\w*|device|server|index\.htm)"?)$'
)


@dataclass(frozen=True)
class Row:
    """One observable of a collection entry, with the label its own words give."""

    file: str
    entry: str
    field: str
    value: str
    label: str  # a device class, "vms_server", "vendor" (vendor-only), "other" or "negative"
    vendor: str
    why: str


# --- reading a snapshot -------------------------------------------------------------------


class Snapshot:
    """A collection snapshot: a git directory (bare or not), a work tree, or one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        bare = (path / "HEAD").is_file() and (path / "objects").is_dir()
        self.gitdir = path / ".git" if (path / ".git").exists() else path if bare else None

    def _git(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        cmd = ["git", f"--git-dir={self.gitdir}", *args]
        return subprocess.run(cmd, input=stdin, capture_output=True, check=False)

    def read(self, name: str, rev: str = "HEAD") -> str | None:
        """A file of the snapshot at ``rev`` (the work tree first), or None."""
        if self.path.is_file():
            return self.path.read_text(encoding="utf-8") if self.path.name == name else None
        if self.gitdir is None or (self.path / name).is_file():
            file = self.path / name
            return file.read_text(encoding="utf-8") if file.is_file() else None
        out = self._git("show", f"{rev}:{name}")
        return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None

    def read_many(self, names: list[str]) -> Iterator[tuple[str, str]]:
        """Many files at once (one ``git cat-file --batch`` for a git snapshot)."""
        if self.gitdir is None:
            yield from ((n, (self.path / n).read_text(encoding="utf-8")) for n in names)
            return
        out = self._git("cat-file", "--batch", stdin="".join(f"HEAD:{n}\n" for n in names).encode())
        pos = 0
        for name in names:
            end = out.stdout.index(b"\n", pos)
            header = out.stdout[pos:end].split()
            if header[-1] == b"missing":
                pos = end + 1
                continue
            size = int(header[2])
            yield name, out.stdout[end + 1 : end + 1 + size].decode("utf-8", "replace")
            pos = end + 1 + size + 1

    def names(self, folder: str) -> list[str]:
        """The YAML files under ``folder``."""
        if self.path.is_file():
            return []
        if self.gitdir is None:
            return sorted(
                str(p.relative_to(self.path)) for p in (self.path / folder).rglob("*.yaml")
            )
        out = self._git("ls-tree", "-r", "--name-only", "-z", "HEAD", folder)
        return [n for n in out.stdout.decode("utf-8", "replace").split("\0") if n.endswith(".yaml")]

    def last_rev_with(self, name: str) -> str:
        """The newest commit holding ``name`` (a file the collection has since removed)."""
        if self.gitdir is None:
            return "HEAD"
        rev = self._git("log", "--all", "-1", "--format=%H", "--", name).stdout.decode().strip()
        if not rev:
            return "HEAD"
        return rev if self.read(name, rev) is not None else f"{rev}^"


# --- labels -------------------------------------------------------------------------------


def label_words(text: str) -> tuple[str, str]:
    """A label from an entry's own words: (label, the rule that gave it). A name that only
    names a collector maker is ``vendor`` (the corpus scores such rows by vendor only)."""
    collectorish = BIOMETRIC.search(text) or ACCESS.search(text) or VIDEO.search(text)
    managed = MANAGEMENT.search(text) and (collectorish or MAKERS.search(text))
    checks = (
        (NOT_COLLECTOR.search(text), "negative", "ordinary-product word"),
        (ENCODER.search(text), "other", "video encoder/decoder (not scored)"),
        (managed, "vms_server", "management words"),
        (BIOMETRIC.search(text), "biometric_unknown", "biometric words"),
        (ACCESS.search(text), "access_control", "access-control words"),
        (VIDEO.search(text), "ip_camera", "camera/recorder words"),
        (MAKERS.search(text), "vendor", "collector maker named (vendor default)"),
    )  # fmt: skip
    return next(
        ((label, why) for hit, label, why in checks if hit), ("negative", "no collector words")
    )


def maker_in(text: str) -> str:
    """The collector maker a name mentions, for the vendor check ("" when none)."""
    found = MAKERS.search(text)
    return found.group(0) if found else ""


def recog_label(params: dict[str, str], description: str) -> tuple[str, str]:
    """recog's device type decides; without one, the description's words or the vendor."""
    keys = ("hw.device", "os.device", "service.device")
    # recog's bare "Device" says nothing about the kind of device: as no device type
    devices = [params[k].lower() for k in keys if params.get(k, "device").lower() != "device"]
    for device in devices:
        label = RECOG_DEVICES.get(device)
        if label and NOT_COLLECTOR.search(description) and label != "other":
            return "negative", f"device={device}, ordinary-product words"
        if label:
            return label, f"device={device}"
    if devices:
        return "negative", f"device={devices[0]}"
    label, why = label_words(description)
    if label == "negative" and MAKERS.search(vendor_of(params)):
        return "vendor", "collector maker, no device type"
    return label, f"description: {why}"


def vendor_of(params: dict[str, str]) -> str:
    return next(
        (params[k] for k in ("hw.vendor", "os.vendor", "service.vendor") if params.get(k)), ""
    )


# --- collections --------------------------------------------------------------------------


def recog_rows(snap: Snapshot) -> Iterator[Row]:
    """Every example of the web-side recog files, labelled by its fingerprint's params."""
    for name, field in RECOG_FILES.items():
        text = snap.read(f"xml/{name}.xml")
        if text is None:
            continue
        for fp in SafeET.fromstring(text.encode("utf-8")).iter("fingerprint"):
            params = {p.get("name", ""): p.get("value", "") for p in fp.iter("param")}
            params = {k: v for k, v in params.items() if v}
            description = (fp.findtext("description") or "").strip()
            label, why = recog_label(params, description)
            for example in fp.iter("example"):
                value = example.text or ""
                if example.get("_encoding") != "base64" and value.strip():
                    yield Row(name, description, field, value, label, vendor_of(params), why)


def fingerprinthub_rows(snap: Snapshot) -> Iterator[Row]:
    """Favicon hashes and Server words of web_fingerprint_v4.json and web-fingerprint/*."""
    text = snap.read("web_fingerprint_v4.json", snap.last_rev_with("web_fingerprint_v4.json"))
    for entry in json.loads(text) if text else []:
        yield from _nuclei_style_rows("web_fingerprint_v4", entry)
    for _name, body in snap.read_many(snap.names("web-fingerprint")):
        doc = yaml.safe_load(body)
        if isinstance(doc, dict):
            yield from _nuclei_style_rows("web-fingerprint", doc)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _nuclei_style_rows(file: str, entry: dict[str, Any]) -> Iterator[Row]:
    info = _dict(entry.get("info"))
    meta = _dict(info.get("metadata"))
    name = f"{entry.get('id', '')} {info.get('name', '')} {meta.get('product', '')}"
    label, why = label_words(f"{name} {meta.get('vendor', '')}")
    vendor = str(meta.get("vendor") or "")
    vendor = maker_in(name) if vendor in ("", "00_unknown") else vendor
    for http in entry.get("http") or []:
        for matcher in _dict(http).get("matchers") or []:
            for field, value in _matcher_observables(_dict(matcher)):
                yield Row(file, str(entry.get("id")), field, value, label, vendor, why)


def _hash_field(value: str) -> str:
    return "http.favicon_md5" if re.fullmatch(r"[0-9a-fA-F]{32}", value) else "http.favicon_mmh3"


def _matcher_observables(matcher: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if matcher.get("type") == "favicon":
        for value in (str(h).strip() for h in matcher.get("hash") or []):
            yield _hash_field(value), value
    elif matcher.get("type") == "word" and matcher.get("part") == "header":
        for word in matcher.get("words") or []:
            head, _, value = str(word).partition(":")
            if head.strip().lower() == "server" and value.strip():
                yield "http.server", value.strip()


NUCLEI_FOLDERS = ("http/technologies", "http/exposed-panels", "http/iot")
_DSL_HASH = re.compile(
    r'"(-?\d{1,11})"\s*==\s*mmh3\(|mmh3\([^)]*\)\)?\s*==\s*"?(-?\d{1,11})'
    r'|"([0-9a-f]{32})"\s*==\s*md5\(|md5\(body\)\s*==\s*"([0-9a-f]{32})"'
)


def nuclei_rows(snap: Snapshot) -> Iterator[Row]:
    """Favicon hashes and quoted titles of nuclei-templates detections (a matcher's own name,
    as in favicon-detect.yaml, labels its hash; otherwise the template's)."""
    names = [n for folder in NUCLEI_FOLDERS for n in snap.names(folder)]
    for path, body in snap.read_many(names):
        if not re.search(r"mmh3|md5\(|favicon|</title>", body, re.I):
            continue
        doc = _dict(yaml.safe_load(body))
        title = f"{doc.get('id', '')} {_dict(doc.get('info')).get('name', '')}"
        for http in doc.get("http") or []:
            for matcher in map(_dict, _dict(http).get("matchers") or []):
                entry = str(matcher.get("name") or title)
                label, why = label_words(entry)
                for field, value in _nuclei_hashes(matcher):
                    yield Row(path.split("/")[1], entry, field, value, label, maker_in(entry), why)


def _nuclei_hashes(matcher: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Favicon hashes, and whole titles a word matcher quotes (``<title>X</title>``)."""
    if matcher.get("type") == "favicon":
        yield from _matcher_observables(matcher)
        return
    for word in matcher.get("words") or [] if matcher.get("type") == "word" else []:
        title = re.fullmatch(r"(?is)<title>([^<]+)</title>", str(word).strip())
        if title:
            yield "http.title", title.group(1).strip()
    for dsl in matcher.get("dsl") or [] if matcher.get("type") == "dsl" else []:
        for m in _DSL_HASH.finditer(str(dsl)):
            mmh3 = m.group(1) or m.group(2)
            yield (
                ("http.favicon_mmh3", mmh3)
                if mmh3
                else ("http.favicon_md5", m.group(3) or m.group(4))
            )


def ehole_rows(snap: Snapshot) -> Iterator[Row]:
    """EHole's favicon-hash entries (its keyword entries match substrings: not scored)."""
    for entry in json.loads(snap.read("finger.json") or "{}").get("fingerprint", []):
        if entry.get("method") == "faviconhash":
            name = str(entry.get("cms", ""))
            label, why = label_words(name)
            for h in entry.get("keyword", []):
                yield Row("finger", name, "http.favicon_mmh3", str(h), label, maker_in(name), why)


# nmap-service-probes: HTTP answers inside `match` regexes; a fragment is used only when it is
# a literal once its escapes are undone (as the labelled corpus took them).
_NMAP_MATCH = re.compile(r"^(?:soft)?match (\S+) m(.)(.*?)\2([si]*)(?: (.*))?$")
_NMAP_FIELDS = (
    ("http.server", re.compile(r"\\r\\nServer: (.*?)\\r\\n", re.I)),
    ("http.title", re.compile(r"<title>(.*?)</title>", re.I)),
    ("http.www_authenticate", re.compile(r"WWW-Authenticate: (.*?)\\r\\n", re.I)),
)
_ESCAPED = re.compile(r"\\([^a-zA-Z0-9])")
_NMAP_COLLECTOR_KINDS = ("media device", "security-misc", "storage-misc", "None")


def nmap_literal(fragment: str) -> str | None:
    """The text a regex fragment matches when it is a literal (escapes undone), else None."""
    if re.search(r"[\\\[\](){}*+?|^$.]", _ESCAPED.sub("", fragment)):
        return None
    return _ESCAPED.sub(r"\1", fragment)


def nmap_label(info: str) -> tuple[str, str]:
    """d/webcam is a camera (a recorder when the product says so; video conferencing is not);
    other device types count only with collector words in the product or info fields."""
    device = re.search(r"\bd/([^/]*)/", info)
    words = " ".join(re.findall(r"\b[pi]/([^/]*)/", info))
    kind = device.group(1) if device else "None"
    label, why = label_words(words)
    if kind == "webcam" and not NOT_COLLECTOR.search(words):
        recorder = re.search(r"(?i)\b(?:dvr|nvr|xvr|video recorder)\b", words)
        return ("nvr_dvr" if recorder else "ip_camera"), "d/webcam"
    if label == "vendor":
        return "vendor", f"d/{kind}"
    if label == "negative" or kind not in _NMAP_COLLECTOR_KINDS:
        return "negative", f"d/{kind}"
    return label, f"d/{kind} + {why}"


def nmap_rows(snap: Snapshot) -> Iterator[Row]:
    for line in (snap.read("nmap-service-probes") or "").splitlines():
        m = _NMAP_MATCH.match(line)
        if not m:
            continue
        label, why = nmap_label(m.group(5) or "")
        product = " ".join(re.findall(r"\b[pi]/([^/]*)/", m.group(5) or ""))
        for http_field, pattern in _NMAP_FIELDS:
            # an RTSP answer's Server and realm are RTSP fields
            field = http_field.replace("http.", "rtsp.") if m.group(1) == "rtsp" else http_field
            for value in filter(None, map(nmap_literal, pattern.findall(m.group(3)))):
                yield Row(
                    "nmap-service-probes", product, field, value, label, maker_in(product), why
                )


def without_context(rows: list[Row]) -> list[Row]:
    """Rows whose value names no product by itself (a status text, a bare server word) or is
    given for collectors and ordinary products alike become ``other`` (not counted)."""
    labels: dict[tuple[str, str], set[bool]] = defaultdict(set)
    for row in rows:
        labels[(row.field, row.value)].add(row.label in ("negative", "other"))
    return [
        replace(row, label="other", why=f"{row.why}; context-dependent value")
        if GENERIC_VALUE.match(row.value) or len(labels[(row.field, row.value)]) > 1
        else row
        for row in rows
    ]


def rows_of(snap: Snapshot) -> list[Row]:
    """The labelled rows of whichever collection the snapshot holds."""
    if snap.read("xml/http_servers.xml") is not None:
        return list(recog_rows(snap))
    if snap.read("finger.json") is not None:
        return list(ehole_rows(snap))
    if snap.read("nmap-service-probes") is not None:
        return without_context(list(nmap_rows(snap)))
    if snap.names("http/technologies"):
        return list(nuclei_rows(snap))
    return list(fingerprinthub_rows(snap))
