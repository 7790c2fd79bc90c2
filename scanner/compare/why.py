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
    STORAGE,
    Lang,
    label,
    vendor_name,
)
from scanner.models import Finding

Details = dict[str, str]


def _device(d: Details, lang: Lang) -> str:
    cls = label(CLASSES, d.get("device_class", ""), lang)
    what = vendor_name(d.get("label", ""), lang)
    if lang == "zh":
        return f"{cls}（{what}）" if what else cls
    return f"{cls} ({what})" if what else cls


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _matched_by(d: Details, lang: Lang) -> str:
    parts = []
    for key in d.get("matched_by", "").split(","):
        if key:
            parts.append(f"{label(FIELDS, key, lang)} {d.get(key, '')}".strip())
    return ("、" if lang == "zh" else ", ").join(parts)


def _diffs(d: Details, lang: Lang) -> str:
    parts = []
    for key in d.get("differs", "").split(","):
        if not key:
            continue
        name, want, seen = label(FIELDS, key, lang), d.get(f"expected_{key}"), d.get(key)
        if lang == "zh":
            parts.append(f"{name}应为 {want}，实为 {seen or '未知'}")
        else:
            parts.append(f"{name} expected {want}, seen {seen or 'unknown'}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _where(d: Details, lang: Lang) -> str:
    dep, loc = d.get("deployment", ""), d.get("location", "")
    if lang == "zh":
        return f"部署 {dep}，{loc}" if loc else f"部署 {dep}"
    return f"deployment {dep}, {loc}" if loc else f"deployment {dep}"


def _due_basis(d: Details, lang: Lang) -> str:
    """How the filing deadline was found, and a note when the holiday table ran out."""
    text = ""
    if d.get("due_basis") == "computed":
        text = (
            f"（自 {d['reached']} 存储数量达到备案标准之日起 30 个工作日）"
            if lang == "zh"
            else f" (30 working days from {d['reached']}, when the count reached the threshold)"
        )
    if d.get("calendar"):
        text += (
            f"。节假日表仅覆盖 {d['calendar']}，此后按周末计算工作日，"
            "请对照当年国务院办公厅节假日安排通知核实"
            if lang == "zh"
            else f"; the holiday table covers {d['calendar']} only, so later days were counted "
            "with weekends alone: check that year's State Council holiday notice"
        )
    return text


Text = Callable[[Details, Lang], str]

_EN: dict[str, Text] = {
    "unregistered": lambda d, lang: (
        f"{_cap(_device(d, lang))} at {d['address']} is not in the site registry. Every "
        "collector on this site must be registered with its operator, purpose, legal basis and "
        "filing: find out who installed it and why."
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
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people, "
        f"at or above the filing threshold of {d['threshold']}, and is not filed (registry: "
        f"{label(FILING, d['status'], lang)})"
        + (f"; filing was due by {d['due']}{_due_basis(d, lang)}" if d.get("due") else "")
        + ". Facial Recognition Measures Art. 15: file with the cyberspace administration "
        "(provincial level or above) within 30 working days of reaching the threshold."
    ),
    "filing_due": lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people, "
        f"at or above the filing threshold of {d['threshold']}, and is not filed yet: it must "
        f"be filed by {d['due']}{_due_basis(d, lang)} (Facial Recognition Measures Art. 15)."
    ),
    "filing_overdue": lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people; "
        f"its filing was due by {d['due']}{_due_basis(d, lang)} and is still pending "
        "(Facial Recognition Measures Art. 15)."
    ),
    "filing_pending": lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people; "
        f"its filing is pending and due by {d['due']}{_due_basis(d, lang)}. Follow it up "
        "before then (Facial Recognition Measures Art. 15)."
    ),
    "filing_pending_undated": lambda d, lang: (
        f"Deployment {d['deployment']} stores the face information of {d['enrolled']} people; "
        "its filing is pending, but the registry does not record when the count reached the "
        f"threshold of {d['threshold']} (filing.reached), so no deadline can be checked. "
        "Facial Recognition Measures Art. 15 allows 30 working days from that day."
    ),
    "prohibited_space": lambda d, lang: (
        f"Deployment {d['deployment']} places collectors in a "
        f"{label(SPACES, d['space'], lang)} ({d['location']}): a private space where "
        "collection equipment must not be installed (Facial Recognition Measures Art. 13)."
    ),
    "private_space_named": lambda d, lang: (
        f"Deployment {d['deployment']} is recorded as a {label(SPACES, d['space'], lang)}, but "
        f'its location names a private space ("{d["word"]}": {d["location"]}; '
        f"{d['area']}). Check on site: no collection equipment may be installed inside hotel "
        "rooms, public bathrooms, changing rooms, toilets and like private spaces (Facial "
        "Recognition Measures Art. 13); correct the registry's space or location."
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
    "separate_consent_missing": lambda d, lang: (
        f"Deployment {d['deployment']} processes biometric information ({d['modalities']}) on "
        "the basis of consent, and the registry says separate consent was not obtained. "
        "Sensitive personal information needs the person's separate consent (PIPL Art. 29; "
        "for faces, Facial Recognition Measures Art. 6)."
    ),
    "separate_consent_not_recorded": lambda d, lang: (
        f"Deployment {d['deployment']} processes biometric information ({d['modalities']}) on "
        "the basis of consent; whether separate consent was obtained is not recorded "
        "(separate_consent). PIPL Art. 29 (and for faces Facial Recognition Measures Art. 6) "
        "requires it: record it, or the missing consent."
    ),
    "pia_not_recorded": lambda d, lang: (
        f"Deployment {d['deployment']} processes biometric information ({d['modalities']}); no "
        "personal-information protection impact assessment is recorded (pia: date, "
        "reference). One is required before processing (PIPL Art. 55-56; for faces, Facial "
        "Recognition Measures Art. 9)."
    ),
    "face_crosses_internet": lambda d, lang: (
        f"Deployment {d['deployment']} stores face information "
        f"({label(STORAGE, d['storage'], lang)}) or sends it across the internet without the "
        "persons' separate consent recorded and without a legal duty as its basis. Facial "
        "Recognition Measures Art. 8: face information stays in the recognition device and is "
        "not transmitted over the internet unless a law or separate consent allows it."
    ),
    "face_off_device": lambda d, lang: (
        f"Deployment {d['deployment']} stores face information "
        f"({label(STORAGE, d['storage'], lang)}) outside the recognition device without the "
        "persons' separate consent recorded and without a legal duty as its basis (Facial "
        "Recognition Measures Art. 8)."
    ),
    "retention_beyond_purpose": lambda d, lang: (
        f"Deployment {d['deployment']} keeps data for {d['retention_days']} days, longer than "
        f"the {d['needed_days']} days its purpose needs (purpose_retention_days). Data may be "
        "kept only as long as the purpose requires (PIPL Art. 19"
        + ("; Facial Recognition Measures Art. 8)." if d.get("face") else ").")
    ),
    "not_a_collector": lambda d, lang: (
        f"Registered as collector {d['registry_id']} ({_where(d, lang)}), but what answers "
        f"there is a {_device(d, lang)}, not a collector. The registry row is wrong, or the "
        "collector was replaced: check on site and correct the registry."
    ),
    "modality_mismatch": lambda d, lang: (
        f"Registered as {d['registry_id']} ({_where(d, lang)}, modalities {d['modalities']}), "
        f"but the device is a {_device(d, lang)}: it can collect what the deployment does "
        "not declare. Record the modality (with its legal basis, consent and assessment) or "
        "remove the device."
    ),
    "new": lambda d, lang: (
        f"{_cap(_device(d, lang))} at {d['address']} was not seen in the previous sweep "
        f"({d['previous']})."
    ),
    "gone_registered": lambda d, lang: (
        f"Registered {_device(d, lang)} {d['registry_id']} ({_where(d, lang)}) answered at "
        f"{d['address']} in the previous sweep ({d['previous']}, {d['last_seen']}) and is gone "
        "now: it may be off, moved or removed. Check it on site."
    ),
    "gone_unregistered": lambda d, lang: (
        f"Unregistered {_device(d, lang)} at {d['address']}, seen in the previous sweep "
        f"({d['previous']}, {d['last_seen']}), is gone now. Confirm on site that it was "
        "removed, not moved or hidden."
    ),
}

_ZH: dict[str, Text] = {
    "unregistered": lambda d, lang: (
        f"在 {d['address']} 发现{_device(d, lang)}，站点登记表中没有这台设备。本场所的采集设备"
        "都应登记运营者、处理目的、合法性基础和备案情况，请查明由谁安装、用于何种目的。"
    ),
    "registered": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{_where(d, lang)}），依据{_matched_by(d, lang)}核对一致。"
    ),
    "registered_ip_only": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{_where(d, lang)}），但仅凭 IP 地址 {d['ip']} 对应。"
        "未发现矛盾之处；建议在登记表中补充序列号或 MAC 地址，以便准确核对。"
    ),
    "not_seen": lambda d, lang: (
        f"登记设备 {d['registry_id']}（{_where(d, lang)}）应位于 {d['expected_at']}，"
        "本次排查未发现。设备可能已关机、移位或被拆除，请现场核实。"
    ),
    "swapped": lambda d, lang: (
        f"登记设备 {d['registry_id']}（{_where(d, lang)}）所在的 {d['ip']} 上出现了另一台设备："
        f"{_diffs(d, lang)}。登记设备可能已被调换。"
    ),
    "identifiers_disagree": lambda d, lang: (
        f"依据{_matched_by(d, lang)}与登记设备 {d['registry_id']}（{_where(d, lang)}）对应，"
        f"但{_diffs(d, lang)}。标识信息相互矛盾，设备身份可能被仿冒，或设备已被更换。"
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
        f"采集点 {d['deployment']} 存储的人脸信息已达 {d['enrolled']} 人，"
        f"达到 {d['threshold']} 人的备案标准，但尚未备案"
        f"（场所登记表：{label(FILING, d['status'], lang)}）"
        + (f"，备案应于 {d['due']} 前完成{_due_basis(d, lang)}" if d.get("due") else "")
        + "。依据《人脸识别技术应用安全管理办法》第十五条，个人信息处理者应当自存储数量达到之日起"
        "30 个工作日内向所在地省级以上网信部门备案。"
    ),
    "filing_due": lambda d, lang: (
        f"采集点 {d['deployment']} 存储的人脸信息已达 {d['enrolled']} 人，"
        f"达到 {d['threshold']} 人的备案标准，尚未备案，应于 {d['due']} 前完成{_due_basis(d, lang)}"
        "（《人脸识别技术应用安全管理办法》第十五条）。"
    ),
    "filing_overdue": lambda d, lang: (
        f"采集点 {d['deployment']} 存储的人脸信息已达 {d['enrolled']} 人，"
        f"备案应于 {d['due']} 前完成{_due_basis(d, lang)}，目前仍未办结"
        "（《人脸识别技术应用安全管理办法》第十五条）。"
    ),
    "filing_pending": lambda d, lang: (
        f"采集点 {d['deployment']} 存储的人脸信息已达 {d['enrolled']} 人，备案正在办理，"
        f"应于 {d['due']} 前完成{_due_basis(d, lang)}，请及时跟进"
        "（《人脸识别技术应用安全管理办法》第十五条）。"
    ),
    "filing_pending_undated": lambda d, lang: (
        f"采集点 {d['deployment']} 存储的人脸信息已达 {d['enrolled']} 人，备案正在办理，"
        f"但场所登记表未记录存储数量达到 {d['threshold']} 人的日期（filing.reached），"
        "无法核对备案期限。"
        "《人脸识别技术应用安全管理办法》第十五条规定自该日起 30 个工作日内备案。"
    ),
    "prohibited_space": lambda d, lang: (
        f"部署 {d['deployment']} 在{label(SPACES, d['space'], lang)}（{d['location']}）安装了采集"
        "设备。此类私密空间不得安装采集设备（《人脸识别技术应用安全管理办法》第十三条）。"
    ),
    "missing_signage": lambda d, lang: (
        f"部署 {d['deployment']} 在公共场所（{d['location']}）采集，但未设置提示标识。"
        "《个人信息保护法》第二十六条要求设置显著的提示标识。"
    ),
    "no_alternative": lambda d, lang: (
        f"部署 {d['deployment']} 采用生物特征{label(METHODS, d['method'], lang)}，但未提供"
        "非生物识别的替代方式。依据《人脸识别技术应用安全管理办法》第十条，存在其他方式可以实现"
        "相同目的时，不得将人脸识别作为唯一的验证方式。"
    ),
    "private_space_named": lambda d, lang: (
        f"采集点 {d['deployment']} 登记为{label(SPACES, d['space'], lang)}，"
        f"但其位置描述指向私密空间（“{d['word']}”：{d['location']}；{d['area']}）。请现场核实：不得在宾馆客房、公共浴室、"
        "公共更衣室、公共卫生间等私密空间内部安装人脸识别设备（《人脸识别技术应用安全管理办法》"
        "第十三条）；并更正场所登记表中的场所类型或位置。"
    ),
    "separate_consent_missing": lambda d, lang: (
        f"采集点 {d['deployment']} 以个人同意为处理依据处理生物识别信息（{d['modalities']}），"
        "场所登记表记载未取得个人单独同意。处理敏感个人信息应当取得个人的单独同意（《个人信息"
        "保护法》第二十九条；人脸信息另见《人脸识别技术应用安全管理办法》第六条）。"
    ),
    "separate_consent_not_recorded": lambda d, lang: (
        f"采集点 {d['deployment']} 以个人同意为处理依据处理生物识别信息（{d['modalities']}），"
        "场所登记表未记录是否取得个人单独同意（separate_consent）。《个人信息保护法》第二十九条"
        "（人脸信息另见《人脸识别技术应用安全管理办法》第六条）要求取得单独同意，请予记录。"
    ),
    "pia_not_recorded": lambda d, lang: (
        f"采集点 {d['deployment']} 处理生物识别信息（{d['modalities']}），场所登记表未记录个人信息"
        "保护影响评估（pia：日期、编号）。处理前应当事前进行个人信息保护影响评估（《个人信息保护法》"
        "第五十五条、第五十六条；人脸信息另见《人脸识别技术应用安全管理办法》第九条）。"
    ),
    "face_crosses_internet": lambda d, lang: (
        f"采集点 {d['deployment']} 的人脸信息存储于{label(STORAGE, d['storage'], lang)}或经互联网"
        "传输，但未记录个人单独同意，处理依据也不是法律、行政法规的规定。依据《人脸识别技术应用"
        "安全管理办法》第八条，除法律、行政法规另有规定或者取得个人单独同意外，人脸信息应当"
        "存储于人脸识别设备内，不得通过互联网对外传输。"
    ),
    "face_off_device": lambda d, lang: (
        f"采集点 {d['deployment']} 的人脸信息存储于{label(STORAGE, d['storage'], lang)}，不在人脸"
        "识别设备内，且未记录个人单独同意，处理依据也不是法律、行政法规的规定（《人脸识别技术"
        "应用安全管理办法》第八条）。"
    ),
    "retention_beyond_purpose": lambda d, lang: (
        f"采集点 {d['deployment']} 的保存期限为 {d['retention_days']} 天，超过实现处理目的所必需的"
        f" {d['needed_days']} 天（purpose_retention_days）。保存期限应当为实现处理目的所必要的"
        "最短时间（《个人信息保护法》第十九条"
        + ("；《人脸识别技术应用安全管理办法》第八条）。" if d.get("face") else "）。")
    ),
    "not_a_collector": lambda d, lang: (
        f"已登记为采集设备 {d['registry_id']}（{_where(d, lang)}），但实际应答的是"
        f"{_device(d, lang)}，不是采集设备。可能是登记有误，或采集设备已被更换，请现场核实并"
        "更正场所登记表。"
    ),
    "modality_mismatch": lambda d, lang: (
        f"已登记为 {d['registry_id']}（{_where(d, lang)}，采集方式 {d['modalities']}），"
        f"但该设备是{_device(d, lang)}，可采集采集点未登记的信息。请补充登记该采集方式（及其处理"
        "依据、同意和影响评估），或撤除该设备。"
    ),
    "new": lambda d, lang: (
        f"{d['address']} 上的{_device(d, lang)}在上次排查（{d['previous']}）中没有出现。"
    ),
    "gone_registered": lambda d, lang: (
        f"已登记的{_device(d, lang)} {d['registry_id']}（{_where(d, lang)}）在上次排查"
        f"（{d['previous']}，{d['last_seen']}）中位于 {d['address']}，本次未发现。设备可能已关机、"
        "移位或被拆除，请现场核实。"
    ),
    "gone_unregistered": lambda d, lang: (
        f"上次排查（{d['previous']}，{d['last_seen']}）在 {d['address']} 发现的未登记"
        f"{_device(d, lang)}本次未发现。请现场确认该设备已被拆除，而不是被移位或隐藏。"
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
