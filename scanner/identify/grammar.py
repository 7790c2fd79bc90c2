"""Model grammars: a maker's product-family pattern, declared once, applied to every field
where devices name their model.

Devices name themselves by model in many places: the SADP/DHIP/ONVIF/UPnP model fields, the
SNMP ``sysDescr``, HTTP titles and realms, the SSDP ``SERVER`` token, TLS subjects, telnet
prompts, and in names set at the factory (the DHCP host name, the mDNS instance and host names,
the UPnP ``friendlyName``, a BLE local name). A grammar written once in a vendor file's
``models:`` section becomes one signature whose rules each apply the grammar to one of those
fields, with the field's certainty:

- ``model`` fields carry a model and nothing else (``onvif.model``, ``upnp.model_name`` …): high;
- ``text`` fields are banners and titles that quote the model (``snmp.sys_descr``,
  ``http.title`` …): high, as a model string names the product line (signatures/README.md);
- ``name`` fields are names the factory sets and a user may change (``dhcp.hostname``,
  ``mdns.instance`` …): medium.

The grammar must stand alone as a token: it matches only between separators (start or end of
the value, or any character that is not a letter or digit; ``%xx`` in URL-encoded ONVIF scopes
counts as a separator), case-insensitively, and its whole text is extracted as ``model``. A
``context`` regex, when given, must precede the model in ``text`` and ``name`` fields (for
grammars too short to stand alone: ``AXIS M3045-V``). ``certainty`` caps every rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from scanner.identify import yamlines
from scanner.identify.lazyre import LazyPattern
from scanner.identify.sigparse import (
    Collector,
    Condition,
    Rule,
    Signature,
    parse_counterexamples,
    parse_examples,
)
from scanner.identify.vocab import Vocabulary
from scanner.models import Certainty, DeviceClass


class FieldKind(StrEnum):
    MODEL = "model"
    TEXT = "text"
    NAME = "name"


#: Where devices name their model, and how much a model found there is worth.
MODEL_FIELDS: dict[str, FieldKind] = {
    # protocol fields whose value is the model
    "sadp.device_description": FieldKind.MODEL,
    "dhip.device_type": FieldKind.MODEL,
    "onvif.model": FieldKind.MODEL,
    "onvif.hardware_id": FieldKind.MODEL,
    "onvif.scope": FieldKind.MODEL,
    "upnp.model_name": FieldKind.MODEL,
    "upnp.model_number": FieldKind.MODEL,
    "hid.model": FieldKind.MODEL,
    "anviz.device_type": FieldKind.MODEL,
    "zk.device_name": FieldKind.MODEL,
    "mdns.txt.md": FieldKind.MODEL,
    "mdns.txt.model": FieldKind.MODEL,
    "mdns.txt.product": FieldKind.MODEL,
    "homekit.model": FieldKind.MODEL,
    # banners, titles and descriptions that quote the model
    "snmp.sys_descr": FieldKind.TEXT,
    "http.title": FieldKind.TEXT,
    "http.www_authenticate": FieldKind.TEXT,
    "http.server": FieldKind.TEXT,
    "rtsp.server": FieldKind.TEXT,
    "rtsp.www_authenticate": FieldKind.TEXT,
    "rtsp.sdp_session": FieldKind.TEXT,
    "ssdp.server": FieldKind.TEXT,
    "tls.subject": FieldKind.TEXT,
    "telnet.banner": FieldKind.TEXT,
    "ftp.banner": FieldKind.TEXT,
    "ssh.banner": FieldKind.TEXT,
    "lldp.system_description": FieldKind.TEXT,
    "cdp.platform": FieldKind.TEXT,
    "hid.name": FieldKind.TEXT,
    # names set at the factory that a user may change
    "dhcp.hostname": FieldKind.NAME,
    "mdns.instance": FieldKind.NAME,
    "mdns.hostname": FieldKind.NAME,
    "ip.hostname": FieldKind.NAME,
    "upnp.friendly_name": FieldKind.NAME,
    "lldp.system_name": FieldKind.NAME,
    "cdp.device_id": FieldKind.NAME,
    "ble.local_name": FieldKind.NAME,
}
KIND_CERTAINTY = {
    FieldKind.MODEL: Certainty.HIGH,
    FieldKind.TEXT: Certainty.HIGH,
    FieldKind.NAME: Certainty.MEDIUM,
}
_ORDER = (Certainty.LOW, Certainty.MEDIUM, Certainty.HIGH)
#: A separator: anything but a letter or digit, or a URL escape (``%20`` in ONVIF scopes).
_SEP = r"(?:[^0-9a-z]|%[0-9a-f]{2})"
_MODEL_KEYS = {
    "id", "product", "class", "references", "grammar", "context", "fields", "certainty",
    "vendor", "description", "provenance", "examples", "counterexamples",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Grammar:
    grammar: str
    context: str | None = None


def field_pattern(field: str, grammar: Grammar) -> str:
    """The anchored rule regex that finds ``grammar`` as a token in a value of ``field``."""
    model = f"(?P<model>{grammar.grammar})"
    tail = f"(?:{_SEP}.*)?$"
    if grammar.context and MODEL_FIELDS[field] is not FieldKind.MODEL:
        lead = f"(?:.*?{_SEP})?(?:{grammar.context})(?:{_SEP}.*?)??{_SEP}"  # first token after it
    else:
        lead = f"(?:.*?{_SEP})??"  # lazy: the earliest token wins (DH-IPC-…, not IPC-…)
    return f"(?is)^{lead}{model}{tail}"


def _check_grammar(source: str, what: str) -> str | None:
    """A problem with a grammar or context regex, or None."""
    try:
        compiled = re.compile(source)
    except re.error as exc:
        return f"{what} {source!r} does not compile: {exc}"
    if compiled.groups:
        return f"{what} {source!r} must not have groups that capture: use (?:…)"
    if source.startswith("^") or source.endswith("$") or "(?" in source.replace("(?:", ""):
        return f"{what} {source!r} must be a bare pattern (no anchors, flags or lookarounds)"
    if compiled.match(""):
        return f"{what} {source!r} matches the empty string"
    return None


def _certainty(node: yamlines.LineDict, c: Collector) -> Certainty:
    raw = node.get("certainty", "high")
    try:
        return Certainty(str(raw))
    except ValueError:
        c.add(node.key_lines.get("certainty", node.line), "certainty must be high, medium or low")
        return Certainty.HIGH


def _fields(node: yamlines.LineDict, vocab: Vocabulary, c: Collector) -> list[str]:
    """The model fields this grammar applies to: ``fields`` (field names or kinds) or all."""
    raw = node.get("fields")
    known = [f for f in MODEL_FIELDS if vocab.has_field(f)]
    if raw is None:
        return known
    chosen: list[str] = []
    for item in raw if isinstance(raw, list) else [raw]:
        name = str(item)
        if name in {k.value for k in FieldKind}:
            chosen += [f for f in known if MODEL_FIELDS[f] == name]
        elif name in known:
            chosen.append(name)
        else:
            c.add(node.key_lines.get("fields", node.line), f"{name!r} is not a model field")
    return list(dict.fromkeys(chosen))


def rules_for(
    grammar: Grammar, fields: Iterable[str], cap: Certainty, context_only: bool = False
) -> tuple[Rule, ...]:
    """One rule per field, the field's certainty capped at ``cap``."""
    rules: list[Rule] = []
    for field in fields:
        certainty = min(KIND_CERTAINTY[MODEL_FIELDS[field]], cap, key=_ORDER.index)
        pattern = LazyPattern(field_pattern(field, grammar))
        rules.append(Rule(len(rules), certainty, (Condition(field, pattern),)))
    return tuple(rules)


def parse_model(
    node: object, line: int, file_vendor: str, refs: set[str], vocab: Vocabulary, c: Collector
) -> Signature | None:
    """One entry of a file's ``models:`` list, expanded into a signature."""
    if not isinstance(node, yamlines.LineDict):
        c.add(line, "a model grammar must be a mapping")
        return None
    sig_id = str(node.get("id") or "")
    c.sig = sig_id or "-"
    c.keys(node, _MODEL_KEYS, "model grammar")
    try:
        device_class = DeviceClass(str(node.get("class", "")))
    except ValueError:
        c.add(node.key_lines.get("class", node.line), f"unknown class {node.get('class')!r}")
        return None
    cited = tuple(str(r) for r in node.get("references") or [])
    for ref in cited:
        if ref not in refs:
            c.add(node.key_lines.get("references", node.line), f"reference {ref!r} not defined")
    if not cited:
        c.add(node.line, "model grammar must cite at least one reference")
    grammar = Grammar(str(node.get("grammar") or ""), node.get("context"))
    problems = [
        p
        for p in (
            _check_grammar(grammar.grammar, "grammar"),
            grammar.context and _check_grammar(str(grammar.context), "context"),
        )
        if p
    ]
    for problem in problems:
        c.add(node.key_lines.get("grammar", node.line), problem)
    rules = () if problems else rules_for(grammar, _fields(node, vocab, c), _certainty(node, c))
    examples = parse_examples(node.get("examples"), vocab, c, node.line)
    if not examples:
        c.add(node.line, "model grammar needs at least one example")
    provenance = node.get("provenance")
    return Signature(
        id=sig_id,
        vendor=str(node.get("vendor") or file_vendor),
        product=str(node.get("product") or ""),
        device_class=device_class,
        references=cited,
        verified=bool(isinstance(provenance, dict) and provenance.get("verified")),
        generic=False,
        rules=rules,
        examples=examples,
        counterexamples=parse_counterexamples(node.get("counterexamples"), vocab, c, node.line),
        file=c.path,
        line=node.line,
        origin="model",
    )


__all__ = ["KIND_CERTAINTY", "MODEL_FIELDS", "FieldKind", "Grammar", "field_pattern", "parse_model"]
