"""Report wording in English and Chinese: headings, table columns and the 12339 cover page.

Vocabularies shared with compare's explanations (classes, finding kinds, severities, spaces)
live in :mod:`scanner.compare.labels`; this module holds what only reports say. The Chinese
is written, not glossed: it uses the terms of the Facial Recognition Measures, the PIPL and
the national-security reporting guidance.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.compare.labels import Lang

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Biometric collector sweep report", "生物特征采集设备排查报告"),
    "title_12339": (
        "Evidence on biometric collection devices, for reporting to the national security "
        "authorities",
        "生物特征采集设备排查情况材料（供向国家安全机关举报使用）",
    ),
    "summary": ("Summary", "概况"),
    "site": ("Site", "场所"),
    "address": ("Address", "地址"),
    "officer": ("Responsible officer", "安全负责人"),
    "operator": ("Sweep carried out by", "排查人员"),
    "started": ("Sweep started", "开始时间"),
    "finished": ("Sweep finished", "结束时间"),
    "scope": ("Scope (networks swept)", "排查范围（网段）"),
    "excluded": ("excluded", "排除"),
    "complete": ("Complete", "是否完整"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "incomplete_note": (
        "Incomplete sweep — not an all-clear: part of what was asked for could not be checked "
        "(why below). Devices may be missing from this report.",
        "排查不完整——不能视为未发现：部分要求的检查未能进行（原因见下）。本报告可能遗漏设备。",
    ),
    "tool": ("Tool and signature versions", "工具及特征库版本"),
    "registry": ("Site registry compared", "比对的登记表"),
    "no_registry": (
        "none: devices were not compared with a site registry",
        "无：未与场所登记表比对",
    ),
    "run_id": ("Run", "排查编号"),
    "devices_found": ("Devices found", "发现设备"),
    "collectors_found": (
        "Collectors (can capture images or biometrics)",
        "采集设备（可采集图像或生物特征）",
    ),
    "unregistered_count": ("Unregistered collectors", "未登记的采集设备"),
    "findings": ("Findings", "发现的问题"),
    "no_findings": ("No findings.", "未发现问题。"),
    "chart_classes": ("Devices by class", "设备类别分布"),
    "chart_findings": ("Findings by severity", "问题严重程度分布"),
    "chart_kinds": ("Findings by kind", "问题类型分布"),
    "severity": ("Severity", "严重程度"),
    "kind": ("Finding", "问题"),
    "device": ("Device", "设备"),
    "why": ("Why it matters", "说明"),
    "registry_ref": ("Registry entry", "登记项"),
    "deployments": ("Registered deployments", "登记的部署"),
    "dep_operator": ("Operator (processor)", "运营者（个人信息处理者）"),
    "dep_credit": ("Unified social credit code", "统一社会信用代码"),
    "dep_location": ("Location / area", "位置 / 采集区域"),
    "dep_space": ("Space type", "场所类型"),
    "dep_purpose": ("Purpose / method", "处理目的 / 方式"),
    "dep_storage": ("Storage / crosses the internet", "存储位置 / 是否经互联网传输"),
    "dep_filing": ("Filing", "备案"),
    "dep_consent": ("Separate consent", "单独同意"),
    "dep_pia": ("Impact assessment (PIA)", "个人信息保护影响评估"),
    "dep_retention": (
        "Retention, days (needed by the purpose)",
        "保存期限（天）（处理目的所需）",
    ),
    "not_recorded": ("not recorded", "未记录"),
    "dep_enrolled": ("People enrolled", "登记人数"),
    "dep_devices": ("Devices", "设备"),
    "devices": ("Devices and evidence", "设备及识别依据"),
    "class": ("Class", "类别"),
    "vendor": ("Vendor", "厂商"),
    "product": ("Product", "产品"),
    "model": ("Model", "型号"),
    "serial": ("Serial", "序列号"),
    "confidence": ("Confidence", "置信度"),
    "addresses": ("Addresses", "地址"),
    "status": ("Registry status", "登记状态"),
    "evidence": ("How it was identified", "识别依据"),
    "ev_field": ("Observed", "观测项"),
    "ev_value": ("Value", "观测值"),
    "ev_source": ("Source", "来源"),
    "ev_rule": ("Signature", "特征规则"),
    "more_evidence": ("{n} more pieces of evidence in the JSON", "另有 {n} 条依据见 JSON 文件"),
    "other_idents": ("Also matched", "其他匹配"),
    "omitted": (
        "{n} more devices are not shown here; the JSON file lists every device.",
        "另有 {n} 台设备未在此列出，完整清单见 JSON 文件。",
    ),
    "omitted_findings": (
        "{n} more findings are not shown here; see the JSON file.",
        "另有 {n} 条问题未在此列出，详见 JSON 文件。",
    ),
    "skipped": ("What could not be checked", "未能完成的检查"),
    "skipped_more": ("{n} more in the JSON", "另有 {n} 条见 JSON 文件"),
    "notes": ("Notes", "备注"),
    "method": ("How devices were identified", "识别方法"),
    "method_text": (
        "biosweep only observes and asks read-only questions: it connects to common ports, "
        "reads banners and login pages, and listens to discovery answers. It never logs in, "
        "never fetches pictures or streams and collects no biometric data. Each "
        "identification names the signature that matched and the observation that satisfied "
        "it; confidence 0.9 means a model string or a vendor protocol answer, 0.7 a "
        "vendor-specific banner, 0.4 a vendor prefix only.",
        "biosweep 只做观测和只读查询：连接常用端口、读取服务标识和登录页面、接收设备发现协议"
        "的应答；不登录设备，不获取图像或视频流，也不采集任何生物特征数据。每项识别结果都列出"
        "所匹配的特征规则及其依据的观测值；置信度 0.9 表示有型号字符串或厂商协议应答，0.7 表示"
        "有厂商特有的服务标识，0.4 表示仅有厂商地址前缀。",
    ),
    "generated": ("Report generated", "报告生成时间"),
    "page": ("Page", "第"),
    "utc": ("UTC", "UTC"),
    "beijing": ("Beijing time", "北京时间"),
    "none": ("none", "无"),
    "on_device": ("on the device", "设备本地"),
    "local_server": ("local server", "本地服务器"),
    "cloud": ("cloud", "云端"),
}


def t(key: str, lang: Lang, **values: object) -> str:
    """The ``lang`` text for ``key`` with ``{name}`` placeholders filled."""
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


@dataclass(frozen=True, slots=True)
class Cover:
    heading: str
    law: str
    channels: tuple[str, ...]
    include_heading: str
    include: tuple[str, ...]
    caution_heading: str
    caution: tuple[str, ...]


#: The 12339 cover page (Chinese): channels, what to include, what not to do.
COVER_12339 = Cover(
    heading="向国家安全机关举报的渠道",
    law=(
        "依据《中华人民共和国反间谍法》，任何个人和组织发现间谍行为，应当及时向国家安全机关举报。"
        "发现来历不明、未经登记或被调换的采集设备，可能危害国家安全的，可通过以下渠道举报："
    ),
    channels=(
        "国家安全机关举报受理电话：12339",
        "国家安全机关互联网举报受理平台：www.12339.gov.cn",
        "国家安全部微信公众号（“国家安全部”）举报受理渠道",
        "也可以到当地国家安全机关当面举报，或者通过信函举报。",
    ),
    include_heading="举报时建议说明以下内容",
    include=(
        "发现的时间和地点：场所名称、详细地址、设备的具体安装位置；",
        "设备情况：设备类型、品牌型号、网络地址（IP、MAC）、序列号，以及识别依据（见本材料）；",
        "登记情况：设备是否在本单位登记表中，登记的运营者和用途，是否疑似被调换；",
        "发现经过：排查人员、排查范围、使用的工具及版本（见本材料的清单文件）；",
        "可疑之处：例如无人认领的人脸、指纹、虹膜采集设备，设备被调换，或数据可能传往境外；",
        "举报人的联系方式（可自愿提供），以便国家安全机关核实情况。",
    ),
    caution_heading="注意事项",
    caution=(
        "请勿自行拆卸、断电、登录或改动可疑设备，以免破坏证据、打草惊蛇；",
        "请勿在网络上公开传播本材料或设备信息；",
        "本材料是技术排查结果，说明设备的存在、识别依据和登记情况，不是对任何单位或个人的定性结论；",
        "按照最小必要原则，本材料只包含采集类设备及其登记比对结果，不含个人设备名称和无关人员的蓝牙地址；",
        "材料完整性：manifest.json 列出每个文件的 SHA-256 校验值，可用 “biosweep report verify” "
        "或 “sha256sum -c SHA256SUMS” 核验。",
    ),
)
