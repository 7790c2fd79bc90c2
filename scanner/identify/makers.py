"""The maker table (``signatures/makers.yaml``): maker strings as devices and registries spell
them, mapped to biosweep vendors.

A device names its maker in many places: the ONVIF ``Manufacturer`` and UPnP ``manufacturer``
fields, the SNMP ``sysDescr`` and ``sysObjectID`` (the IANA private enterprise number), the
``O=`` of its TLS certificate, the IEEE registrant of its MAC block (full legal name), the
Bluetooth SIG company id of its radio, a UPnP device type ``urn:<maker-domain>:device:…``. Each
maker entry becomes one signature, ``maker.<id>``, with a rule per place:

- ``names``: ``onvif.manufacturer`` or ``upnp.manufacturer`` starting with the name, the name
  as a token of ``snmp.sys_descr``, ``O=<name>`` in ``tls.subject``, an ONVIF scope
  ``onvif://www.onvif.org/name/<name>…`` (also ``hardware/``, ``manufacturer/``);
- ``domains``: ``upnp.manufacturer_url`` on the domain, ``upnp.device_type``
  ``urn:<domain, dots as dashes>:device:…``, a non-standard scope ``onvif://<domain>/…``;
- ``enterprise``: ``snmp.sys_object_id`` under ``1.3.6.1.4.1.<PEN>``;
  (these three claim the entry's ``certainty``)
- ``registrants``: ``mac.oui_vendor`` equal to the IEEE registrant (case-insensitive), and
  ``ble_company``: ``ble.company_id``; both claim ``prefix_certainty`` (default low), above
  low only with ``biometric_only_vendor`` or ``access_only_vendor`` (signatures/README.md,
  "Certainty").

``class`` is what the maker's networked products mostly are; ``certainty`` says how much the
maker's name alone tells about the class: ``medium`` only for makers whose networked products
are (almost) all collectors of that class, ``low`` (vendor only; the class is a guess) for
everyone else. A more specific signature (a model grammar, a banner) outranks a maker entry;
when the best claim on a device is a cross-vendor one (``generic``), the engine names the vendor
from the best maker or vendor claim (:mod:`scanner.identify.engine`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.identify import yamlines
from scanner.identify.lazyre import LazyPattern
from scanner.identify.sigparse import (
    ACCESS_ONLY_KEY,
    BIOMETRIC_ONLY_KEY,
    Collector,
    Condition,
    Rule,
    Signature,
    check_line_key,
    check_prefix_rules,
    parse_counterexamples,
    parse_examples,
)
from scanner.identify.vocab import Vocabulary
from scanner.models import Certainty, DeviceClass

#: Every maker entry's signature id starts so: the engine ranks a maker claim (it names who made
#: the device, not what it is) below a vendor's own signature of equal confidence.
MAKER_PREFIX = "maker."
_MAKER_KEYS = {
    "id", "vendor", "product", "class", "references", "names", "domains", "enterprise",
    "registrants", "ble_company", "certainty", "prefix_certainty", "oem", "description",
    "examples", "counterexamples", BIOMETRIC_ONLY_KEY, ACCESS_ONLY_KEY,
}  # fmt: skip
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
_BLE = re.compile(r"^0x[0-9a-f]{4}$")
_SEP = r"(?:[^0-9a-z]|$)"


def _alternatives(items: Iterable[str]) -> str:
    return "|".join(re.escape(s).replace(r"\ ", r"(?:[\s_+-]|%20)*") for s in items)


def _patterns(names: list[str], domains: list[str], pens: list[int]) -> list[tuple[str, str]]:
    """(field, regex) for the maker's names, domains and enterprise numbers."""
    out: list[tuple[str, str]] = []
    if names:
        alt = _alternatives(names)
        for field in ("onvif.manufacturer", "upnp.manufacturer"):
            out.append((field, rf"(?i)^\W*(?:{alt}){_SEP}.*$"))
        out.append(("snmp.sys_descr", rf"(?i)^(?:.*?[^0-9a-z])?(?:{alt}){_SEP}.*$"))
        out.append(("tls.subject", rf"(?i)^(?:.*?[,/]\s*)?O\s*=\s*\"?(?:{alt}){_SEP}.*$"))
        scope = r"onvif://www\.onvif\.org/(?:name|manufacturer|mfr|brand|hardware)/(?:%20|[\s_+-])*"
        out.append(("onvif.scope", rf"(?i)^{scope}(?:{alt})(?:[^0-9a-z]|%[0-9a-f]{{2}}|$).*$"))
    if domains:
        dots = "|".join(re.escape(d) for d in domains)
        dashes = "|".join(re.escape(d.replace(".", "-")) for d in domains)
        out.append(
            ("upnp.manufacturer_url", rf"(?i)^(?:https?://)?(?:[^/]*\.)?(?:{dots})(?:[:/].*)?$")
        )
        out.append(("upnp.device_type", rf"(?i)^urn:(?:schemas-)?(?:{dashes}):device:.*$"))
        out.append(("onvif.scope", rf"(?i)^onvif://(?:[^/]*\.)?(?:{dots})(?:[:/].*)?$"))
        # a non-standard UDN that embeds the maker's site (uuid:www.dahuatech.com.device_3_0-…)
        out.append(("upnp.udn", rf"(?i)^uuid:(?:www\.)?(?:{dots})[._:/].*$"))
    if pens:
        alt = "|".join(str(p) for p in pens)
        out.append(("snmp.sys_object_id", rf"^\.?1\.3\.6\.1\.4\.1\.(?:{alt})(?:\.\d+)*$"))
    return out


def _prefix_patterns(registrants: list[str], ble: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if registrants:
        alt = "|".join(re.escape(r) for r in registrants)
        out.append(("mac.oui_vendor", rf"(?i)^(?:{alt})$"))
    if ble:
        out.append(("ble.company_id", rf"^(?:{'|'.join(ble)})$"))
    return out


def _strings(
    node: yamlines.LineDict, key: str, c: Collector, check: re.Pattern[str] | None = None
) -> list[str]:
    raw = node.get(key) or []
    items = [str(x).strip() for x in (raw if isinstance(raw, list) else [raw])]
    for item in items:
        if not item or (check is not None and not check.match(item.lower())):
            c.add(node.key_lines.get(key, node.line), f"bad {key} entry {item!r}")
    return [i.lower() if check is not None else i for i in items if i]


def _certainty(node: yamlines.LineDict, key: str, default: str, c: Collector) -> Certainty:
    try:
        return Certainty(str(node.get(key, default)))
    except ValueError:
        c.add(node.key_lines.get(key, node.line), f"{key} must be high, medium or low")
        return Certainty(default)


def _rules(node: yamlines.LineDict, vocab: Vocabulary, c: Collector) -> tuple[Rule, ...]:
    names = _strings(node, "names", c)
    domains = _strings(node, "domains", c, _DOMAIN)
    pens = []
    for raw in node.get("enterprise") or []:
        if isinstance(raw, int) and 0 < raw < 2**32:
            pens.append(raw)
        else:
            c.add(node.key_lines.get("enterprise", node.line), f"bad enterprise number {raw!r}")
    registrants = _strings(node, "registrants", c)
    ble = _strings(node, "ble_company", c, _BLE)
    strong = _certainty(node, "certainty", "low", c)
    weak = _certainty(node, "prefix_certainty", "low", c)
    specs = [(f, p, strong) for f, p in _patterns(names, domains, pens)]
    specs += [(f, p, weak) for f, p in _prefix_patterns(registrants, ble)]
    rules: list[Rule] = []
    for field, pattern, certainty in specs:
        if vocab.has_field(field):
            cond = Condition(field, LazyPattern(pattern))
            rules.append(Rule(len(rules), certainty, (cond,)))
    return tuple(rules)


def parse_maker(
    node: object, line: int, refs: set[str], vocab: Vocabulary, c: Collector
) -> Signature | None:
    """One entry of ``makers:``, expanded into the signature ``maker.<id>``."""
    if not isinstance(node, yamlines.LineDict):
        c.add(line, "a maker must be a mapping")
        return None
    vendor = str(node.get("vendor") or "")
    slug = str(node.get("id") or re.sub(r"[^a-z0-9]+", "-", vendor.lower()).strip("-"))
    c.sig = f"{MAKER_PREFIX}{slug}"
    c.keys(node, _MAKER_KEYS, "maker")
    if not vendor or not _ID.match(slug):
        c.add(node.line, "a maker needs a vendor (and an id of a-z, 0-9, '-', '_')")
    try:
        device_class = DeviceClass(str(node.get("class", "")))
    except ValueError:
        c.add(node.key_lines.get("class", node.line), f"unknown class {node.get('class')!r}")
        return None
    cited = tuple(str(r) for r in node.get("references") or [])
    if not cited or any(r not in refs for r in cited):
        c.add(node.line, "a maker must cite references defined in the file")
    rules = _rules(node, vocab, c)
    if not rules:
        c.add(node.line, "a maker needs names, domains, enterprise, registrants or ble_company")
    biometric_only = check_line_key(node, BIOMETRIC_ONLY_KEY, device_class, cited, rules, c)
    access_only = check_line_key(node, ACCESS_ONLY_KEY, device_class, cited, rules, c)
    lines = [node.line] * len(rules)
    check_prefix_rules(rules, lines, device_class, biometric_only or access_only, c)
    examples = parse_examples(node.get("examples"), vocab, c, node.line)
    if not examples:
        c.add(node.line, "a maker needs at least one example")
    return Signature(
        id=f"{MAKER_PREFIX}{slug}",
        vendor=vendor,
        product=str(node.get("product") or f"{vendor} device (maker named by the device)"),
        device_class=device_class,
        references=cited,
        verified=False,
        generic=False,
        rules=rules,
        examples=examples,
        counterexamples=parse_counterexamples(node.get("counterexamples"), vocab, c, node.line),
        file=c.path,
        line=node.line,
        biometric_only_vendor=biometric_only,
        access_only_vendor=access_only,
        origin="maker",
    )


__all__ = ["MAKER_PREFIX", "parse_maker"]
