"""The findings' explanations in Chinese, written for a site's 个人信息保护负责人 and a
national-security case handler (not translated from :mod:`scanner.wording.why`).

Terms are docs/GLOSSARY.zh.md's (场所登记表, 采集点, 个人信息处理者, 处理依据 …), typesetting
is :mod:`scanner.wording.zhtext`'s, and every statute is cited or quoted through
:mod:`scanner.wording.statutes`, never typed here. Recommendations say 建议…, not 请….
"""

from __future__ import annotations

from scanner.models import Reason
from scanner.wording.labels import FILING, METHODS, SPACES, STORAGE, label
from scanner.wording.phrases import (
    Details,
    Text,
    device,
    diffs,
    due_basis,
    matched_by,
    modalities,
    where,
)
from scanner.wording.statutes import cite, paraphrase, quote
from scanner.wording.zhtext import date_zh, num, sp


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


ZH: dict[Reason, Text] = {
    Reason.UNREGISTERED: lambda d, lang: (
        f"在 {d['address']} {sp('发现', device(d, lang))}，场所登记表中没有这台设备。"
        "本场所的采集设备均应在场所登记表中登记个人信息处理者、处理目的、处理依据"
        "（如个人单独同意）和备案情况，建议查明安装单位及用途。"
    ),
    Reason.REGISTERED: lambda d, lang: (
        f"已登记为 {d['registry_id']}（{where(d, lang)}），{matched_by(d, lang)} 与登记一致。"
    ),
    Reason.REGISTERED_IP_ONLY: lambda d, lang: (
        f"已登记为 {d['registry_id']}（{where(d, lang)}），但仅凭 IP 地址 {d['ip']} 对应。"
        "未发现矛盾之处；建议在场所登记表中补充序列号或 MAC 地址，以便准确核对。"
    ),
    Reason.NOT_SEEN: lambda d, lang: (
        f"登记设备 {d['registry_id']}（{where(d, lang)}）应位于 {d['expected_at']}，"
        "本次排查未发现。设备可能已关机、移位或被拆除，建议现场核实。"
    ),
    Reason.SWAPPED: lambda d, lang: (
        f"登记设备 {d['registry_id']}（{where(d, lang)}）所在的 {d['ip']} 上出现了另一台设备："
        f"{diffs(d, lang)}。登记设备可能已被调换。"
    ),
    Reason.IDENTIFIERS_DISAGREE: lambda d, lang: (
        f"{sp('依据', matched_by(d, lang))}，与登记设备 {d['registry_id']}"
        f"（{where(d, lang)}）对应，{sp('但', diffs(d, lang))}。标识信息相互矛盾，"
        "设备身份可能被仿冒，或者设备已被更换。"
    ),
    Reason.FIRMWARE_CHANGED: lambda d, lang: (
        f"登记设备 {d['registry_id']} 的固件版本为 {d['firmware']}，"
        f"与登记的 {d['expected_firmware']} 不一致。"
    ),
    Reason.FIRMWARE_CHANGED_SINCE_LAST_RUN: lambda d, lang: (
        f"登记设备 {d['registry_id']} 的固件版本自上次排查以来由 {d['expected_firmware']} "
        f"变为 {d['firmware']}。"
    ),
    Reason.PORTS_CHANGED: lambda d, lang: (
        f"登记设备 {d['registry_id']} 当前开放端口为 {d['ports']}，登记的是 {d['expected_ports']}。"
    ),
    Reason.PORTS_CHANGED_SINCE_LAST_RUN: lambda d, lang: (
        f"登记设备 {d['registry_id']} 的开放端口自上次排查以来由 {d['expected_ports']} "
        f"变为 {d['ports']}。"
    ),
    Reason.IP_CHANGED: lambda d, lang: (
        f"登记设备 {d['registry_id']} 出现在 {d['ip']}，而不是登记的地址 {d['expected_ip']}。"
    ),
    Reason.FILING_MISSING: lambda d, lang: _filing_missing(d),
    Reason.FILING_DUE: lambda d, lang: (
        f"{_stored(d)}，达到 {num(d['threshold'])} 人的备案标准，尚未备案，应于{_due(d)}前"
        f"完成备案（{cite('filing')}）。"
    ),
    Reason.FILING_OVERDUE: lambda d, lang: (
        f"{_stored(d)}，备案应于{_due(d)}前完成，目前仍未办结（{cite('filing')}）。"
    ),
    Reason.FILING_PENDING: lambda d, lang: (
        f"{_stored(d)}，备案正在办理，应于{_due(d)}前完成，建议及时跟进（{cite('filing')}）。"
    ),
    Reason.FILING_PENDING_UNDATED: lambda d, lang: (
        f"{_stored(d)}，备案正在办理，但场所登记表未记录存储数量达到 {num(d['threshold'])} 人的"
        f"日期（filing.reached），无法核对备案期限。{quote('filing')}。"
    ),
    Reason.PROHIBITED_SPACE: lambda d, lang: (
        f"场所登记表记载，采集点 {d['deployment']} 的采集设备安装在"
        f"{label(SPACES, d['space'], lang)}（{d['location']}）内部。"
        f"{paraphrase('private_spaces_video')}；{paraphrase('private_spaces_face')}。"
        "建议立即现场核实。"
    ),
    Reason.PRIVATE_SPACE_NAMED: lambda d, lang: (
        f"采集点 {d['deployment']} 在场所登记表中登记为{label(SPACES, d['space'], lang)}，"
        f"但其位置描述指向私密空间（“{d['word']}”：{d['location']}；{d['area']}）。"
        f"{paraphrase('private_spaces_face')}；{paraphrase('private_spaces_video')}。"
        "建议现场核实，并更正场所登记表中的场所类型或位置。"
    ),
    Reason.MISSING_SIGNAGE: lambda d, lang: (
        f"采集点 {d['deployment']} 在公共场所（{d['location']}）采集，但场所登记表记载未设置"
        f"提示标识。{quote('public_place_signs')}。"
    ),
    Reason.NO_ALTERNATIVE: lambda d, lang: (
        f"采集点 {d['deployment']} 采用{sp('生物特征', label(METHODS, d['method'], lang))}，"
        f"但未提供非生物特征识别的替代方式。{quote('not_only_way')}。"
    ),
    Reason.SEPARATE_CONSENT_MISSING: lambda d, lang: (
        f"采集点 {d['deployment']} 以个人同意为处理依据处理生物识别信息"
        f"（{modalities(d, lang)}），场所登记表记载未取得个人单独同意。"
        f"{quote('separate_consent')}；人脸信息另见{cite('face_separate_consent')}。"
    ),
    Reason.SEPARATE_CONSENT_NOT_RECORDED: lambda d, lang: (
        f"采集点 {d['deployment']} 以个人同意为处理依据处理生物识别信息"
        f"（{modalities(d, lang)}），场所登记表未记录是否取得个人单独同意（separate_consent）。"
        f"{quote('separate_consent')}；人脸信息另见{cite('face_separate_consent')}。建议予以记录。"
    ),
    Reason.PIA_NOT_RECORDED: lambda d, lang: (
        f"采集点 {d['deployment']} 处理生物识别信息（{modalities(d, lang)}），场所登记表未记录"
        f"个人信息保护影响评估（pia：日期、编号）。{quote('impact_assessment')}；"
        f"人脸信息另见{cite('face_impact_assessment')}。"
    ),
    Reason.FACE_CROSSES_INTERNET: lambda d, lang: (
        f"采集点 {d['deployment']} 的人脸信息存储于{label(STORAGE, d['storage'], lang)}或者经"
        "互联网传输，但场所登记表未记录个人单独同意，处理依据也不是法律、行政法规的规定。"
        f"{paraphrase('face_on_device')}。"
    ),
    Reason.FACE_OFF_DEVICE: lambda d, lang: (
        f"采集点 {d['deployment']} 的人脸信息存储于{label(STORAGE, d['storage'], lang)}，"
        "不在人脸识别设备内，且场所登记表未记录个人单独同意，处理依据也不是法律、行政法规的"
        f"规定（{cite('face_on_device')}）。"
    ),
    Reason.RETENTION_BEYOND_PURPOSE: lambda d, lang: (
        f"采集点 {d['deployment']} 的保存期限为 {d['retention_days']} 天，超出实现处理目的所"
        f"必需的 {d['needed_days']} 天（purpose_retention_days）。{quote('retention')}"
        + (f"；人脸信息另见{cite('face_on_device')}。" if d.get("face") else "。")
    ),
    Reason.NOT_A_COLLECTOR: lambda d, lang: (
        f"已登记为采集设备 {d['registry_id']}（{where(d, lang)}），但实际应答的是"
        f"{device(d, lang)}，不是采集设备。可能是登记有误，或者采集设备已被更换，"
        "建议现场核实并更正场所登记表。"
    ),
    Reason.MODALITY_MISMATCH: lambda d, lang: (
        f"已登记为 {d['registry_id']}（{where(d, lang)}，采集方式：{modalities(d, lang)}），"
        f"但该设备是{device(d, lang)}，可采集该采集点未登记的信息。建议补充登记该采集方式"
        "（及其处理依据、个人单独同意和个人信息保护影响评估），或者撤除该设备。"
    ),
    Reason.NEW: lambda d, lang: (
        f"{d['address']} {sp('上的', device(d, lang), '在上次排查')}（{d['previous']}）中没有出现。"
    ),
    Reason.GONE_REGISTERED: lambda d, lang: (
        f"{sp('已登记的', device(d, lang))} {d['registry_id']}（{where(d, lang)}）在上次排查"
        f"（{d['previous']}，{date_zh(d['last_seen'])}）中位于 {d['address']}，本次未发现。"
        "设备可能已关机、移位或被拆除，建议现场核实。"
    ),
    Reason.GONE_UNREGISTERED: lambda d, lang: (
        f"上次排查（{d['previous']}，{date_zh(d['last_seen'])}）在 {d['address']} 发现的"
        f"{sp('未登记', device(d, lang))}本次未发现。建议现场确认该设备已被拆除，而不是被移位"
        "或者隐藏。"
    ),
}
