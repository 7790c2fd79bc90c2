"""Phrases the findings' explanations share (:mod:`scanner.wording.why` in English,
:mod:`scanner.wording.why_zh` in Chinese): the device, the registry row, identifiers that
matched or disagree, the filing deadline's basis. Details are device data (untrusted)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.wording.labels import CLASSES, FIELDS, MODALITIES, Lang, brand_model, label
from scanner.wording.zhtext import date_zh, sp

Details = dict[str, str]


#: What a suspected identification rests on (scanner/compare/certainty.py).
BASIS = {
    "mac_prefix": ("from the MAC address vendor prefix only", "仅依据 MAC 地址厂商前缀判断"),
    "ble_company": ("from the Bluetooth company id only", "仅依据蓝牙厂商编号判断"),
}


def device(d: Details, lang: Lang) -> str:
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
        article = "an" if cls[:1] in "aeiou" else "a"
        why = f"{what}; {basis[0]}" if what else basis[0]
        return f"possibly {article} {cls} ({why}, to be verified on site)"
    return f"{cls} ({what})" if what else cls


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def matched_by(d: Details, lang: Lang) -> str:
    parts = []
    for key in d.get("matched_by", "").split(","):
        if key:
            name, value = label(FIELDS, key, lang), d.get(key, "")
            parts.append(sp(name, value) if lang == "zh" else f"{name} {value}".strip())
    return ("、" if lang == "zh" else ", ").join(parts)


def diffs(d: Details, lang: Lang) -> str:
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


def where(d: Details, lang: Lang) -> str:
    dep, loc = d.get("deployment", ""), d.get("location", "")
    if lang == "zh":
        return f"采集点 {dep}，{loc}" if loc else f"采集点 {dep}"
    return f"deployment {dep}, {loc}" if loc else f"deployment {dep}"


def _period(text: str) -> str:
    """``2025-01-01..2026-12-31`` as ``2025年1月1日至2026年12月31日``."""
    first, _, last = text.partition("..")
    return f"{date_zh(first)}至{date_zh(last)}" if last else text


def due_basis(d: Details, lang: Lang) -> str:
    """How the filing deadline was found, and a note when the holiday table ran out."""
    text = ""
    if d.get("due_basis") == "computed":
        text = (
            f"（自{date_zh(d['reached'])}存储数量达到备案标准之日起 30 个工作日）"
            if lang == "zh"
            else f" (30 working days from {d['reached']}, when the count reached the threshold)"
        )
    if d.get("calendar"):
        text += (
            f"。{sp('节假日表仅覆盖', _period(d['calendar']))}，此后仅按周末计算工作日，"
            "建议对照当年国务院办公厅关于部分节假日安排的通知核实"
            if lang == "zh"
            else f"; the holiday table covers {d['calendar']} only, so later days were counted "
            "with weekends alone: check that year's State Council holiday notice"
        )
    return text


Text = Callable[[Details, Lang], str]


def modalities(d: Details, lang: Lang) -> str:
    """The deployment's modalities (``face, iris``) as ``人脸、虹膜`` in Chinese."""
    codes = [m.strip() for m in d.get("modalities", "").split(",") if m.strip()]
    return ("、" if lang == "zh" else ", ").join(label(MODALITIES, m, lang) for m in codes)
