"""Report wording in English and Chinese: headings, table columns and the 12339 cover page.

Vocabularies shared with compare's explanations (classes, finding kinds, severities, spaces)
live in :mod:`scanner.compare.labels`; this module holds what only reports say. The Chinese
is written, not glossed: it uses the terms of the Facial Recognition Measures, the PIPL and
the national-security reporting guidance.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.compare.labels import Lang
from scanner.compare.statutes import quote

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
    "officer": ("Personal information protection officer", "个人信息保护负责人"),
    "operator": ("Sweep carried out by", "排查人员"),
    "sweep_time": ("Sweep time", "排查时间"),
    "to": ("to", "至"),
    "utc_note": (
        "Times are UTC.",
        "注：文中时间均为北京时间（UTC+8），排查时间即协调世界时 {utc}。",
    ),
    "scope": ("Scope (networks swept)", "排查范围（网段）"),
    "excluded": ("excluding", "不含"),
    "complete": ("Sweep complete", "排查是否完整"),
    "colon": (": ", "："),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "incomplete_note": (
        "Incomplete sweep — not an all-clear: part of what was asked for could not be checked "
        "(why below). Devices may be missing from this report.",
        "排查不完整——不能视为未发现：部分要求的检查未能进行（原因见下）。本报告可能遗漏设备。",
    ),
    "tool": ("Tool and signature versions", "工具及特征库版本"),
    "registry": ("Site registry compared", "比对的场所登记表"),
    "no_registry": (
        "none: devices were not compared with a site registry",
        "无：未与场所登记表比对",
    ),
    "run_id": ("Run", "排查编号"),
    "devices_found": ("Devices found", "排查发现设备（台）"),
    "collectors_found": (
        "Collectors (can capture images or biometrics)",
        "采集设备（可采集图像或生物特征信息，台）",
    ),
    "unregistered_count": (
        "Unregistered or mismatched collectors",
        "未登记或身份不符的采集设备（台）",
    ),
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
    "deployments": ("Registered collection points", "登记的采集点"),
    "dep_operator": ("Processor", "个人信息处理者"),
    "dep_credit": ("Unified social credit code", "统一社会信用代码"),
    "dep_location": ("Location; area", "安装位置；采集区域"),
    "dep_space": ("Space type", "场所类型"),
    "dep_purpose": ("Purpose; method", "处理目的；处理方式"),
    "dep_basis": ("Legal basis", "处理依据"),
    "dep_storage": ("Storage", "存储位置"),
    "dep_internet": ("Crosses the internet", "是否经互联网传输"),
    "dep_filing": ("Filing", "备案"),
    "dep_consent": ("Separate consent", "个人单独同意"),
    "dep_pia": ("Impact assessment (PIA)", "个人信息保护影响评估"),
    "dep_retention": ("Retention (needed by the purpose)", "保存期限（处理目的所需期限）"),
    "not_recorded": ("not recorded", "未记录"),
    "dep_enrolled": ("Face information stored (people)", "存储人脸信息数量（人）"),
    "dep_devices": ("Registered devices", "登记设备"),
    "devices": ("Devices and evidence", "设备及识别依据"),
    "class": ("Class", "类别"),
    "vendor": ("Vendor", "品牌"),
    "product": ("Product", "产品"),
    "model": ("Model", "型号"),
    "brand_model": ("Brand and model", "品牌型号"),
    "tool_value": ("biosweep {tool}, signatures {sig}", "biosweep {tool}，特征库 {sig}"),
    "serial": ("Serial", "序列号"),
    "confidence": ("Confidence", "置信度"),
    "addresses": ("Addresses", "网络地址"),
    "status": ("Registry status", "登记状态"),
    "evidence": ("How it was identified", "识别依据"),
    "ev_field": ("Observed", "观测项"),
    "ev_value": ("Value", "观测值"),
    "ev_source": ("Source", "来源"),
    "ev_rule": ("Signature", "特征规则"),
    "more_evidence": ("{n} more pieces of evidence in the JSON", "另有 {n} 条依据见 JSON 文件"),
    "other_idents": ("Also matched", "其他匹配的特征规则"),
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
    "skipped_detail": ("", "各项检查未能完成的具体原因见 JSON 文件。"),
    "notes": ("Sweep log", "排查记录（程序输出原文）"),
    "method": ("How devices were identified", "识别方法"),
    "method_text": (
        "biosweep only observes and asks read-only questions: it connects to common ports, "
        "reads banners and login pages, and listens to discovery answers. It never logs in, "
        "never fetches pictures or streams and collects no biometric data. Each "
        "identification names the signature that matched and the observation that satisfied "
        "it. Confidence: 0.9 (high) a model string or a vendor protocol answer; 0.7 (medium) "
        "a vendor-specific banner; 0.4 (low) a vendor prefix or a generic keyword only. One "
        "exception: the MAC block of a vendor whose published catalogue shows only biometric "
        "devices claims that modality at 0.7 (medium); such a device is reported as possible "
        "(from the MAC address vendor prefix only, to be verified on site) and its findings are "
        "high at most, never critical. Evidence from Bluetooth advertisements alone is 0.7 "
        "(medium) at most.",
        "biosweep 只做观测和只读查询：连接常用端口，读取服务标识和登录页面，接收设备发现协议"
        "的应答；不登录设备，不获取图像或视频流，也不采集任何生物特征信息。每项识别结果都列出"
        "所匹配的特征规则及其依据的观测值。置信度取值：0.9（高），有型号字符串或厂商协议应答；"
        "0.7（中），有厂商特有的服务标识；0.4（低），仅有厂商地址前缀或通用关键词。例外："
        "公开产品目录表明只生产生物识别设备的厂商，仅凭其 MAC 地址段即判定相应的生物识别类别，"
        "置信度为 0.7（中）；此类设备在报告中标为“疑似”，注明仅依据 MAC 地址厂商前缀判断、"
        "待现场核实，相关问题的严重程度最高为“高”。仅有蓝牙广播依据的识别，置信度最高为 0.7"
        "（中）。",
    ),
    "generated": ("Report generated", "报告生成时间"),
    "page": ("Page", "第"),
    "utc": ("UTC", "UTC"),
    "beijing": ("Beijing time", "北京时间"),
    "none": ("none", "无"),
    "on_device": ("on the device", "设备本地"),
    "local_server": ("local server", "本地服务器"),
    "cloud": ("cloud", "云端"),
    # Where a device is, the other devices, and the sign-off (an officer files on paper).
    "location": ("Location", "位置"),
    "location_fill": ("found at", "实际位置"),
    "segment": ("segment", "网段"),
    "others": ("Other devices", "其他设备"),
    "others_note": (
        "Devices that are not collectors and that no finding is about, one line each.",
        "不属于采集设备、且无相关问题的设备，每台一行。",
    ),
    "mac": ("MAC", "MAC 地址"),
    "name": ("Vendor and product", "厂商及产品"),
    "rule": ("Signature's wording", "特征规则描述"),
    "signoff": ("Sign-off", "签字确认"),
    "signoff_role": ("Role", "职责"),
    "signoff_name": ("Name", "姓名"),
    "signoff_operator": ("Sweep carried out by", "排查人"),
    "signoff_reviewer": ("Reviewed by", "复核人"),
    "signature": ("Signature", "签名"),
    "date": ("Date", "日期"),
    # How the sweep ran (scanner.reporters.notes): the run's notes retold.
    "how_ran": ("How the sweep ran", "排查过程"),
    "limits": ("What limits these findings", "影响结果完整性的情况"),
    "how_arp": (
        "ARP on {iface} ({net}): {n} hosts answered.",
        "在 {iface}（{net}）上进行 ARP 探测：{n} 台主机应答。",
    ),
    "how_nd": (
        "IPv6 all-nodes echo on {iface}: {n} hosts answered.",
        "在 {iface} 上向 IPv6 全节点地址发送回显请求：{n} 台主机应答。",
    ),
    "how_multicast": (
        "Multicast discovery ({probes}) on {iface} ({net}).",
        "在 {iface}（{net}）上进行组播发现（“{probes}”）。",
    ),
    "how_tcp": (
        "Hosts were found by TCP connections to a few common ports.",
        "通过向若干常用端口发起 TCP 连接发现主机。",
    ),
    "how_tcp_after_arp": (
        "Hosts were found by ARP, then by TCP connections where ARP could not look.",
        "先通过 ARP 发现主机，ARP 无法覆盖的地址再通过 TCP 连接发现。",
    ),
    "how_passive_first": (
        "Listened without sending for {s} s on {ifaces} first: {n} packets.",
        "探测前先在 {ifaces} 上静默监听 {s} 秒：收到 {n} 个数据包。",
    ),
    "how_connections": (
        "{n} connection attempts in all; {m} probes reused their port check's connection.",
        "共发起 {n} 次连接；{m} 次探测复用了端口检查时建立的连接。",
    ),
    "how_passive": (
        "Listened to {what}: {n} packets read, nothing sent.",
        "监听 {what}：读取 {n} 个数据包，未发送任何数据。",
    ),
    "how_unparsed": ("{n} packets could not be parsed.", "{n} 个数据包无法解析。"),
    "how_dropped": (
        "{n} packets could not be decoded and were dropped ({kinds}); the rest were read.",
        "{n} 个数据包无法解码，已略去（{kinds}），其余数据包照常读取。",
    ),
    "how_resolvers": (
        "DNS queries of {n} sources were left out (each asked for over {m} names: a resolver "
        "or a computer, not a device).",
        "已略去 {n} 个来源的 DNS 查询（每个查询了超过 {m} 个域名，"
        "属于解析服务器或电脑，而非设备）。",
    ),
    "warn_stopped_reading": (
        "The capture was not read to its end ({why}): packets after that point were not used.",
        "抓包文件未能读完（{why}），此后的数据包未被使用。",
    ),
    "how_import": (
        "Imported from nmap results {file}: {n} observations.",
        "从 nmap 结果 {file} 导入：{n} 条观测记录。",
    ),
    "how_ble": (
        "Bluetooth LE ({backend}): {n} devices from {r} advertisements, {a} addresses "
        "({rot} devices with rotating private addresses, grouped by payload).",
        "蓝牙低功耗（{backend}）：从 {r} 条广播中发现 {n} 台设备、{a} 个地址（其中 {rot} 台使用"
        "轮换的私有地址，已按广播内容归并）。",
    ),
    "warn_ble_full": (
        "Bluetooth LE: the device table was full; the {n} least recently heard devices were "
        "dropped.",
        "蓝牙低功耗：设备表已满，最近最少出现的 {n} 台设备未被记录。",
    ),
    "warn_tarpit": (
        "{host} accepted connections on {n} of {m} ports and on unused control port {c} (a "
        "tarpit, or a firewall answering for every port): its open ports were not used as "
        "evidence.",
        "{host} 在 {m} 个端口中的 {n} 个及无服务使用的控制端口 {c} 上均接受连接（疑似蜜罐或代答"
        "所有端口的防火墙），其开放端口未作为识别依据。",
    ),
    "warn_early_stop": (
        "{n} hosts were not asked every question (--early-stop): serials and firmware the "
        "registry comparison uses may be missing.",
        "有 {n} 台主机未完成全部探测（--early-stop），登记比对所用的序列号和固件版本可能缺失。",
    ),
    "warn_no_arp": (
        "ARP could not run ({detail}): devices known only by their MAC address, such as some "
        "iris and fingerprint readers, may be missing.",
        "未能进行 ARP 探测（{detail}）："
        "仅能通过 MAC 地址识别的设备（如部分虹膜识别设备、指纹识别设备）可能未被发现。",
    ),
    # What to do about a finding (scanner.reporters.actions); 12339 channels named in full.
    "action": ("Recommended action", "建议处置"),
    "act_confirm_or_report": (
        "Confirm with the owner today who installed it and why. If nobody claims it, do not "
        "touch, unplug or log in to it: report it through 12339 (hotline 12339, "
        "www.12339.gov.cn or the Ministry of State Security's official account).",
        "当日向设备所属部门核实安装人和用途；如无人认领，请勿触碰、断电或登录设备，"
        "通过 12339 举报（举报电话 12339、网站 www.12339.gov.cn 或“国家安全部”微信公众号）。",
    ),
    "act_confirm_register": (
        "Confirm with the owner who installed it and why. If it is authorised, register the "
        "deployment (biosweep registry add); if nobody claims it, report it through 12339 "
        "(hotline 12339 or www.12339.gov.cn).",
        "向设备所属部门核实安装人和用途；属合法安装的，补办登记（“biosweep registry add”）；"
        "无人认领的，通过 12339 举报（举报电话 12339 或网站 www.12339.gov.cn）。",
    ),
    "act_report_swap": (
        "Leave the device as it is and report it through 12339 (hotline 12339 or "
        "www.12339.gov.cn): a registered collector may have been swapped. Tell the operator "
        "only after reporting.",
        "保持设备现状，通过 12339 举报（举报电话 12339 或网站 www.12339.gov.cn）："
        "已登记的采集设备可能被调换。举报后再告知个人信息处理者。",
    ),
    "act_confirm_fix_registry": (
        "Confirm with the owner what is installed at this point; correct the registry or "
        "the device.",
        "向所属部门核实该点位实际安装的设备，更正登记表或设备。",
    ),
    "act_none": ("None: registered as recorded.", "无需处置：与登记一致。"),
    "act_confirm_change": (
        "Confirm the change with the operator and update the registry.",
        "向个人信息处理者核实变化情况，并更新登记表。",
    ),
    "act_confirm_not_seen": (
        "Confirm with the operator whether it was removed, moved or switched off; update the "
        "registry.",
        "向个人信息处理者核实设备是否已拆除、移位或关闭，并更新登记表。",
    ),
    "act_file": (
        "Have the operator file the deployment with the provincial cyberspace administration "
        "(Measures Art. 15) and record the filing in the registry.",
        "督促个人信息处理者向所在地省级以上网信部门办理备案（《人脸识别技术应用安全管理办法》第十五条），并在登记表中记录备案情况。",
    ),
    "act_disconnect": (
        "Have the operator disconnect and remove it: collectors are prohibited in this space "
        "(Measures Art. 13). Record who removed it and when.",
        "督促个人信息处理者断开并拆除该设备：此类场所禁止安装采集设备（《人脸识别技术应用安全管理办法》第十三条）。记录拆除人和时间。",
    ),
    "act_check_space": (
        "Check the location on site: if it is a private space, have the operator remove the "
        "collector; otherwise correct the registry.",
        "到现场核实安装位置：属私密空间的，督促个人信息处理者拆除；否则更正登记表。",
    ),
    "act_signage": (
        "Have the operator put up a notice at the collection point (PIPL Art. 26).",
        "督促个人信息处理者在采集区域设置显著提示标识（《中华人民共和国个人信息保护法》第二十六条）。",
    ),
    "act_alternative": (
        "Have the operator offer a non-biometric alternative (Measures Art. 10).",
        "督促个人信息处理者提供非生物识别的替代方式（《人脸识别技术应用安全管理办法》第十条）。",
    ),
    "act_consent": (
        "Have the operator obtain and record separate consent, or stop the biometric "
        "processing (PIPL Art. 29).",
        "督促个人信息处理者取得并记录个人的单独同意，否则停止生物识别处理（《中华人民共和国个人信息保护法》第二十九条）。",
    ),
    "act_pia": (
        "Have the operator carry out and record a personal information protection impact "
        "assessment (PIPL Art. 55-56).",
        "督促个人信息处理者开展并记录个人信息保护影响评估（《中华人民共和国个人信息保护法》第五十五、五十六条）。",
    ),
    "act_keep_on_device": (
        "Have the operator keep face information on the device, or record separate consent "
        "(Measures Art. 8).",
        "督促个人信息处理者将人脸信息存储于采集设备内，或取得单独同意（《人脸识别技术应用安全管理办法》第八条）。",
    ),
    "act_retention": (
        "Have the operator shorten retention to what the purpose needs (PIPL Art. 19).",
        "督促个人信息处理者将保存期限缩短至处理目的所需（《中华人民共和国个人信息保护法》第十九条）。",
    ),
    "act_gone_unregistered": (
        "Find out who removed or hid it; mention it in any 12339 report (hotline 12339 or "
        "www.12339.gov.cn).",
        "查明是谁拆除或隐藏了该设备；如举报，请在 12339 举报中一并说明（举报电话 12339 或网站 "
        "www.12339.gov.cn）。",
    ),
    "act_confirm_owner": (
        "Confirm with the owner and record the outcome.",
        "向所属部门核实并记录结果。",
    ),
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


#: The 12339 cover page (Chinese): channels, what to include, what not to do. Sections are
#: numbered 一、二、 and items （一）（二） as official documents are (scanner/compare/zhtext.py).
COVER_12339 = Cover(
    heading="向国家安全机关举报的渠道",
    law=(
        f"{quote('report_espionage')}。发现来历不明、未经登记或者疑似被调换的采集设备，"
        "认为可能危害国家安全的，可以通过以下渠道举报："
    ),
    channels=(
        "国家安全机关举报受理电话：12339",
        "国家安全机关互联网举报受理平台：www.12339.gov.cn",
        "国家安全部微信公众号（“国家安全部”）举报受理渠道",
        "到当地国家安全机关当面举报，或者通过信函举报",
    ),
    include_heading="举报时建议说明以下内容",
    include=(
        "发现的时间和地点：场所名称、详细地址、设备的具体安装位置；",
        "设备情况：设备类别、品牌型号、网络地址（IP 地址、MAC 地址）、序列号，以及识别依据"
        "（见本材料）；",
        "登记情况：设备是否在场所登记表中，登记的个人信息处理者和处理目的，是否疑似被调换；",
        "发现经过：排查人员、排查范围、使用的工具及版本（见本材料的清单文件）；",
        "可疑之处：例如无人认领的人脸、指纹、虹膜采集设备，设备被调换，或者数据可能传往境外；",
        "举报人的联系方式（可自愿提供），以便国家安全机关核实情况。",
    ),
    caution_heading="注意事项",
    caution=(
        "请勿自行拆卸、断电、登录或者改动可疑设备，以免破坏证据、惊动相关人员；",
        "请勿在网络上公开传播本材料或者设备信息；",
        "本材料是技术排查结果，说明设备的存在、识别依据和登记情况，不是对任何单位或者个人的"
        "定性结论；",
        "按照最小必要原则，本材料只包含采集设备及其登记比对结果，不含个人设备名称和无关人员的"
        "蓝牙地址；",
        "材料完整性：manifest.json 列出每个文件的 SHA-256 校验值，可用“biosweep report verify”"
        "或者“sha256sum -c SHA256SUMS”核验。",
    ),
)
