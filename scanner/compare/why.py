"""The plain-language "why" of each finding, in English and Chinese.

A finding carries a ``reason`` code and ``details`` (what was expected, what was seen); this
module turns them into a sentence an officer can act on. Compare stores the English one in
``Finding.why``; reports call :func:`explain` for their language, so a run saved in JSON can
be reported in Chinese later. Details are device data (untrusted): callers escape the result
for their format.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.compare.labels import (
    CLASSES,
    FIELDS,
    FILING,
    METHODS,
    SPACES,
    Lang,
    brand_model,
    label,
)
from scanner.compare.statutes import cite, paraphrase, quote
from scanner.compare.zhtext import date_zh, num, sp
from scanner.models import Finding

Details = dict[str, str]


#: What a suspected identification rests on (scanner/compare/certainty.py).
BASIS = {
    "mac_prefix": ("from the MAC address vendor prefix only", "仅依据 MAC 地址厂商前缀判断"),
    "ble_company": ("from the Bluetooth company id only", "仅依据蓝牙厂商编号判断"),
}


def _device(d: Details, lang: Lang) -> str:
    """``宇视 IPC322LB-SF28-A 网络摄像机``; ``疑似 Iris ID 虹膜识别设备（仅依据 MAC 地址厂商
    前缀判断，待现场核实）`` when the class rests on a vendor prefix only."""
    cls = label(CLASSES, d.get("device_class", ""), lang)
    basis = BASIS.get(d.get("basis", ""))
    if lang == "zh":
        what = brand_model(d.get("vendor", ""), d.get("model", ""), lang)
        if basis:
            return sp("疑似", what, cls) + f"（{basis[1]}，待现场核实）"
        return sp(what, cls)
    what = d.get("label", "")
    if basis:
        return f"possibly a {cls} ({what + '; ' if what else ''}{basis[0]}, to be verified on site)"
    return f"{cls} ({what})" if what else cls


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _matched_by(d: Details, lang: Lang) -> str:
    parts = []
    for key in d.get("matched_by", "").split(","):
        if key:
            name, value = label(FIELDS, key, lang), d.get(key, "")
            parts.append(sp(name, value) if lang == "zh" else f"{name} {value}".strip())
    return ("、" if lang == "zh" else ", ").join(parts)


def _diffs(d: Details, lang: Lang) -> str:
    parts = []
    for key in d.get("differs", "").split(","):
        if not key:
            continue
        name, want, seen = label(FIELDS, key, lang), d.get(f"expected_{key}"), d.get(key)
        if lang == "zh":
            parts.append(f"{sp(name + '应为', want or '')}，{sp('实为', seen or '未知')}")
        else:
            parts.append(f"{name} expected {want}, seen {seen or 'unknown'}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _where(d: Details, lang: Lang) -> str:
    dep, loc = d.get("deployment", ""), d.get("location", "")
    if lang == "zh":
        return f"采集点 {dep}，{loc}" if loc else f"采集点 {dep}"
    return f"deployment {dep}, {loc}" if loc else f"deployment {dep}"


Text = Callable[[Details, Lang], str]

_EN: dict[str, Text] = {
    "unregistered": lambda d, lang: (
        f"{_cap(_device(d, lang))} at {d['address']} is not in the site registry. Every "
        "collector on this site must be registered with its processor, purpose, legal basis "
        "(such as separate consent) and filing: find out who installed it and what for."
    ),
    "registered": lambda d, lang: (
        f"Registered as {d['registry_id']} ({_where(d, lang)}), matched by {_matched_by(d, lang)}."
    ),
    "registered_ip_only": lambda d, lang: (
        f"Registered as {d['registry_id']} ({_where(d, lang)}), matched by IP address "
        f"{d['ip']} only: nothing seen contradicts it, but record the serial or MAC in the "
        "registry to make the match certain."
    ),
    "not_seen": lambda d, lang: (
        f"Registered device {d['registry_id']} ({_where(d, lang)}) was expected at "
        f"{d['expected_at']} but did not answer this sweep: it may be off, moved or removed. "
        "Check it on site."
    ),
    "swapped": lambda d, lang: (
        f"A different device answers at {d['ip']}, where registered device {d['registry_id']} "
        f"({_where(d, lang)}) should be: {_diffs(d, lang)}. The registered device may have "
        "been swapped."
    ),
    "identifiers_disagree": lambda d, lang: (
        f"Matches registered device {d['registry_id']} ({_where(d, lang)}) by "
        f"{_matched_by(d, lang)}, but {_diffs(d, lang)}. Identifiers that disagree suggest a "
        "copied identity or a replaced device."
    ),
    "firmware_changed": lambda d, lang: (
        f"Registered device {d['registry_id']} runs firmware {d['firmware']}; the registry "
        f"says {d['expected_firmware']}."
    ),
    "firmware_changed_since_last_run": lambda d, lang: (
        f"Registered device {d['registry_id']}: firmware changed since the last sweep, from "
        f"{d['expected_firmware']} to {d['firmware']}."
    ),
    "ports_changed": lambda d, lang: (
        f"Registered device {d['registry_id']} has open ports {d['ports']}; the registry lists "
        f"{d['expected_ports']}."
    ),
    "ports_changed_since_last_run": lambda d, lang: (
        f"Registered device {d['registry_id']}: open ports changed since the last sweep, from "
        f"{d['expected_ports']} to {d['ports']}."
    ),
    "ip_changed": lambda d, lang: (
        f"Registered device {d['registry_id']} answers at {d['ip']}, not at its registered "
        f"address {d['expected_ip']}."
    ),
    "filing_missing": lambda d, lang: (
        f"Deployment {d['deployment']} holds the face information of {d['enrolled']} people, "
        f"at or above the filing threshold of {d['threshold']}, and is not filed (registry: "
        f"{label(FILING, d['status'], lang)}). Facial Recognition Measures Art. 15: file with "
        "the cyberspace administration (provincial level or above) within 30 working days of "
        "reaching the threshold."
    ),
    "filing_overdue": lambda d, lang: (
        f"Deployment {d['deployment']} holds the face information of {d['enrolled']} people; "
        f"its filing was due by {d['due']} and is still pending."
    ),
    "filing_pending": lambda d, lang: (
        f"Deployment {d['deployment']} holds the face information of {d['enrolled']} people; "
        "its filing is pending. Follow it up before it falls due."
    ),
    "prohibited_space": lambda d, lang: (
        f"Deployment {d['deployment']} places collectors in a "
        f"{label(SPACES, d['space'], lang)} ({d['location']}): the Public Security Video "
        "Regulation forbids image capture equipment inside guest rooms, dormitory rooms and "
        "public bathrooms, toilets, changing, nursing and fitting rooms, and the Facial "
        "Recognition Measures (Art. 13) face recognition equipment inside hotel rooms, public "
        "bathrooms, changing rooms and toilets. Check on site at once."
    ),
    "missing_signage": lambda d, lang: (
        f"Deployment {d['deployment']} collects in a public place ({d['location']}) without "
        "signage; PIPL Art. 26 requires prominent signs."
    ),
    "no_alternative": lambda d, lang: (
        f"Deployment {d['deployment']} uses biometric {label(METHODS, d['method'], lang)} with "
        "no non-biometric alternative; the Facial Recognition Measures (Art. 10) do not allow "
        "face recognition as the only way where other means serve the purpose."
    ),
    "new": lambda d, lang: (
        f"{_cap(_device(d, lang))} at {d['address']} was not seen in the previous sweep "
        f"({d['previous']})."
    ),
}

_ZH: dict[str, Text] = {
    "unregistered": lambda d, lang: (
        f"在 {d['address']} {sp('发现', _device(d, lang))}，场所登记表中没有这台设备。"
        "本场所的采集设备均应在场所登记表中登记个人信息处理者、处理目的、处理依据（如个人单独同意）和备案情况，"
        "建议查明安装单位及用途。"
    ),
    "registered": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{_where(d, lang)}），{_matched_by(d, lang)} 与登记一致。"
    ),
    "registered_ip_only": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{_where(d, lang)}），但仅凭 IP 地址 {d['ip']} 对应。"
        "未发现矛盾之处；建议在场所登记表中补充序列号或 MAC 地址，以便准确核对。"
    ),
    "not_seen": lambda d, lang: (
        f"登记设备 {d['registry_id']}（{_where(d, lang)}）应位于 {d['expected_at']}，"
        "本次排查未发现。设备可能已关机、移位或被拆除，建议现场核实。"
    ),
    "swapped": lambda d, lang: (
        f"登记设备 {d['registry_id']}（{_where(d, lang)}）所在的 {d['ip']} 上出现了另一台设备："
        f"{_diffs(d, lang)}。登记设备可能已被调换。"
    ),
    "identifiers_disagree": lambda d, lang: (
        f"{sp('依据', _matched_by(d, lang))}，与登记设备 {d['registry_id']}"
        f"（{_where(d, lang)}）对应，"
        f"{sp('但', _diffs(d, lang))}。标识信息相互矛盾，设备身份可能被仿冒，或设备已被更换。"
    ),
    "firmware_changed": lambda d, lang: (
        f"登记设备 {d['registry_id']} 的固件版本为 {d['firmware']}，"
        f"与登记的 {d['expected_firmware']} 不一致。"
    ),
    "firmware_changed_since_last_run": lambda d, lang: (
        f"登记设备 {d['registry_id']} 的固件版本自上次排查以来由 {d['expected_firmware']} "
        f"变为 {d['firmware']}。"
    ),
    "ports_changed": lambda d, lang: (
        f"登记设备 {d['registry_id']} 当前开放端口为 {d['ports']}，登记的是 {d['expected_ports']}。"
    ),
    "ports_changed_since_last_run": lambda d, lang: (
        f"登记设备 {d['registry_id']} 的开放端口自上次排查以来由 {d['expected_ports']} "
        f"变为 {d['ports']}。"
    ),
    "ip_changed": lambda d, lang: (
        f"登记设备 {d['registry_id']} 出现在 {d['ip']}，而不是登记的地址 {d['expected_ip']}。"
    ),
    "filing_missing": lambda d, lang: (
        f"采集点 {d['deployment']} 存储人脸信息 {num(d['enrolled'])} 人，达到 "
        f"{num(d['threshold'])} 人的备案标准，但尚未备案（场所登记表："
        f"{label(FILING, d['status'], lang)}）。{quote('filing')}。"
    ),
    "filing_overdue": lambda d, lang: (
        f"采集点 {d['deployment']} 存储人脸信息 {num(d['enrolled'])} 人，备案应于"
        f"{date_zh(d['due'])}前完成，目前仍未办结（{cite('filing')}）。"
    ),
    "filing_pending": lambda d, lang: (
        f"采集点 {d['deployment']} 存储人脸信息 {num(d['enrolled'])} 人，备案正在办理，"
        f"建议在期限前跟进（{cite('filing')}）。"
    ),
    "prohibited_space": lambda d, lang: (
        f"场所登记表记载，采集点 {d['deployment']} 的采集设备安装在"
        f"{label(SPACES, d['space'], lang)}（{d['location']}）内部。"
        f"{paraphrase('private_spaces_video')}；{paraphrase('private_spaces_face')}。"
        "建议立即现场核实。"
    ),
    "missing_signage": lambda d, lang: (
        f"采集点 {d['deployment']} 在公共场所（{d['location']}）采集，但场所登记表记载未设置"
        f"提示标识。{quote('public_place_signs')}。"
    ),
    "no_alternative": lambda d, lang: (
        f"采集点 {d['deployment']} 采用{sp('生物特征', label(METHODS, d['method'], lang))}，"
        f"但未提供非生物特征识别的替代方式。{quote('not_only_way')}。"
    ),
    "new": lambda d, lang: (
        f"{d['address']} {sp('上的', _device(d, lang), '在上次排查')}"
        f"（{d['previous']}）中没有出现。"
    ),
}


def explain(finding: Finding, lang: Lang = "en") -> str:
    """The finding's "why" in ``lang``; falls back to the stored English text."""
    table = _ZH if lang == "zh" else _EN
    text = table.get(finding.reason)
    if text is None:
        return finding.why
    try:
        return text(dict(finding.details), lang)
    except KeyError:
        return finding.why
