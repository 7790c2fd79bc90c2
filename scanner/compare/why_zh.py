"""The findings' explanations in Chinese, written for a site's 个人信息保护负责人 and a
national-security case handler (not translated from :mod:`scanner.compare.why`).

Terms are docs/GLOSSARY.zh.md's (场所登记表, 采集点, 个人信息处理者, 处理依据 …), typesetting
is :mod:`scanner.compare.zhtext`'s, and every statute is cited or quoted through
:mod:`scanner.compare.statutes`, never typed here. Recommendations say 建议…, not 请….
"""

from __future__ import annotations

from scanner.compare.labels import FILING, METHODS, SPACES, STORAGE, label
from scanner.compare.phrases import (
    Details,
    Text,
    device,
    diffs,
    due_basis,
    matched_by,
    modalities,
    where,
)
from scanner.compare.statutes import cite, paraphrase, quote
from scanner.compare.zhtext import date_zh, num, sp


def _stored(d: Details) -> str:
    return f"采集点 {d['deployment']} 存储人脸信息 {num(d['enrolled'])} 人"


def _due(d: Details) -> str:
    return f"{date_zh(d['due'])}{due_basis(d, 'zh')}"


def _filing_missing(d: Details) -> str:
    due = f"，备案应于{_due(d)}前完成" if d.get("due") else ""
    return (
        f"{_stored(d)}，达到 {num(d['threshold'])} 人的备案标准，但尚未备案（场所登记表："
        f"{label(FILING, d['status'], 'zh')}）{due}。{quote('filing')}。"
    )


ZH: dict[str, Text] = {
    "unregistered": lambda d, lang: (
        f"在 {d['address']} {sp('发现', device(d, lang))}，场所登记表中没有这台设备。"
        "本场所的采集设备均应在场所登记表中登记个人信息处理者、处理目的、处理依据"
        "（如个人单独同意）和备案情况，建议查明安装单位及用途。"
    ),
    "registered": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{where(d, lang)}），{matched_by(d, lang)} 与登记一致。"
    ),
    "registered_ip_only": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{where(d, lang)}），但仅凭 IP 地址 {d['ip']} 对应。"
        "未发现矛盾之处；建议在场所登记表中补充序列号或 MAC 地址，以便准确核对。"
    ),
    "not_seen": lambda d, lang: (
        f"登记设备 {d['registry_id']}（{where(d, lang)}）应位于 {d['expected_at']}，"
        "本次排查未发现。设备可能已关机、移位或被拆除，建议现场核实。"
    ),
    "swapped": lambda d, lang: (
        f"登记设备 {d['registry_id']}（{where(d, lang)}）所在的 {d['ip']} 上出现了另一台设备："
        f"{diffs(d, lang)}。登记设备可能已被调换。"
    ),
    "identifiers_disagree": lambda d, lang: (
        f"{sp('依据', matched_by(d, lang))}，与登记设备 {d['registry_id']}"
        f"（{where(d, lang)}）对应，{sp('但', diffs(d, lang))}。标识信息相互矛盾，"
        "设备身份可能被仿冒，或者设备已被更换。"
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
    "filing_missing": lambda d, lang: _filing_missing(d),
    "filing_due": lambda d, lang: (
        f"{_stored(d)}，达到 {num(d['threshold'])} 人的备案标准，尚未备案，应于{_due(d)}前"
        f"完成备案（{cite('filing')}）。"
    ),
    "filing_overdue": lambda d, lang: (
        f"{_stored(d)}，备案应于{_due(d)}前完成，目前仍未办结（{cite('filing')}）。"
    ),
    "filing_pending": lambda d, lang: (
        f"{_stored(d)}，备案正在办理，应于{_due(d)}前完成，建议及时跟进（{cite('filing')}）。"
    ),
    "filing_pending_undated": lambda d, lang: (
        f"{_stored(d)}，备案正在办理，但场所登记表未记录存储数量达到 {num(d['threshold'])} 人的"
        f"日期（filing.reached），无法核对备案期限。{quote('filing')}。"
    ),
    "prohibited_space": lambda d, lang: (
        f"场所登记表记载，采集点 {d['deployment']} 的采集设备安装在"
        f"{label(SPACES, d['space'], lang)}（{d['location']}）内部。"
        f"{paraphrase('private_spaces_video')}；{paraphrase('private_spaces_face')}。"
        "建议立即现场核实。"
    ),
    "private_space_named": lambda d, lang: (
        f"采集点 {d['deployment']} 在场所登记表中登记为{label(SPACES, d['space'], lang)}，"
        f"但其位置描述指向私密空间（“{d['word']}”：{d['location']}；{d['area']}）。"
        f"{paraphrase('private_spaces_face')}；{paraphrase('private_spaces_video')}。"
        "建议现场核实，并更正场所登记表中的场所类型或位置。"
    ),
    "missing_signage": lambda d, lang: (
        f"采集点 {d['deployment']} 在公共场所（{d['location']}）采集，但场所登记表记载未设置"
        f"提示标识。{quote('public_place_signs')}。"
    ),
    "no_alternative": lambda d, lang: (
        f"采集点 {d['deployment']} 采用{sp('生物特征', label(METHODS, d['method'], lang))}，"
        f"但未提供非生物特征识别的替代方式。{quote('not_only_way')}。"
    ),
    "separate_consent_missing": lambda d, lang: (
        f"采集点 {d['deployment']} 以个人同意为处理依据处理生物识别信息"
        f"（{modalities(d, lang)}），场所登记表记载未取得个人单独同意。"
        f"{quote('separate_consent')}；人脸信息另见{cite('face_separate_consent')}。"
    ),
    "separate_consent_not_recorded": lambda d, lang: (
        f"采集点 {d['deployment']} 以个人同意为处理依据处理生物识别信息"
        f"（{modalities(d, lang)}），场所登记表未记录是否取得个人单独同意（separate_consent）。"
        f"{quote('separate_consent')}；人脸信息另见{cite('face_separate_consent')}。建议予以记录。"
    ),
    "pia_not_recorded": lambda d, lang: (
        f"采集点 {d['deployment']} 处理生物识别信息（{modalities(d, lang)}），场所登记表未记录"
        f"个人信息保护影响评估（pia：日期、编号）。{quote('impact_assessment')}；"
        f"人脸信息另见{cite('face_impact_assessment')}。"
    ),
    "face_crosses_internet": lambda d, lang: (
        f"采集点 {d['deployment']} 的人脸信息存储于{label(STORAGE, d['storage'], lang)}或者经"
        "互联网传输，但场所登记表未记录个人单独同意，处理依据也不是法律、行政法规的规定。"
        f"{paraphrase('face_on_device')}。"
    ),
    "face_off_device": lambda d, lang: (
        f"采集点 {d['deployment']} 的人脸信息存储于{label(STORAGE, d['storage'], lang)}，"
        "不在人脸识别设备内，且场所登记表未记录个人单独同意，处理依据也不是法律、行政法规的"
        f"规定（{cite('face_on_device')}）。"
    ),
    "retention_beyond_purpose": lambda d, lang: (
        f"采集点 {d['deployment']} 的保存期限为 {d['retention_days']} 天，超出实现处理目的所"
        f"必需的 {d['needed_days']} 天（purpose_retention_days）。{quote('retention')}"
        + (f"；人脸信息另见{cite('face_on_device')}。" if d.get("face") else "。")
    ),
    "not_a_collector": lambda d, lang: (
        f"已登记为采集设备 {d['registry_id']}（{where(d, lang)}），但实际应答的是"
        f"{device(d, lang)}，不是采集设备。可能是登记有误，或者采集设备已被更换，"
        "建议现场核实并更正场所登记表。"
    ),
    "modality_mismatch": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{where(d, lang)}，采集方式：{modalities(d, lang)}），"
        f"但该设备是{device(d, lang)}，可采集该采集点未登记的信息。建议补充登记该采集方式"
        "（及其处理依据、个人单独同意和个人信息保护影响评估），或者撤除该设备。"
    ),
    "new": lambda d, lang: (
        f"{d['address']} {sp('上的', device(d, lang), '在上次排查')}（{d['previous']}）中没有出现。"
    ),
    "gone_registered": lambda d, lang: (
        f"{sp('已登记的', device(d, lang))} {d['registry_id']}（{where(d, lang)}）在上次排查"
        f"（{d['previous']}，{date_zh(d['last_seen'])}）中位于 {d['address']}，本次未发现。"
        "设备可能已关机、移位或被拆除，建议现场核实。"
    ),
    "gone_unregistered": lambda d, lang: (
        f"上次排查（{d['previous']}，{date_zh(d['last_seen'])}）在 {d['address']} 发现的"
        f"{sp('未登记', device(d, lang))}本次未发现。建议现场确认该设备已被拆除，而不是被移位"
        "或者隐藏。"
    ),
}
