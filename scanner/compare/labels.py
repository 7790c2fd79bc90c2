"""Names of classes, finding kinds, severities and registry values in English and Chinese.

One table per vocabulary, ``{code: (english, chinese)}``. The Chinese is written for a site
security officer and a national-security case handler: the terms are the ones the Facial
Recognition Measures, the PIPL and the 12339 reporting guidance use.
"""

from __future__ import annotations

import re
from typing import Literal

from scanner.models import DeviceClass, FindingKind, Severity

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

CLASSES: dict[str, tuple[str, str]] = {
    DeviceClass.IP_CAMERA: ("IP camera", "网络摄像机"),
    DeviceClass.NVR_DVR: ("video recorder (NVR/DVR)", "网络/硬盘录像机（NVR/DVR）"),
    DeviceClass.VIDEO_DOORBELL: ("video doorbell", "可视门铃"),
    DeviceClass.FACE_TERMINAL: ("face recognition terminal", "人脸识别终端"),
    DeviceClass.FINGERPRINT_READER: ("fingerprint terminal", "指纹识别设备"),
    DeviceClass.PALM_VEIN: ("palm vein reader", "掌静脉识别设备"),
    DeviceClass.IRIS_SCANNER: ("iris scanner", "虹膜识别设备"),
    DeviceClass.ACCESS_CONTROL: (
        "access control panel (may carry a biometric reader)",
        "门禁设备（可能带生物识别模块）",
    ),
    DeviceClass.BIOMETRIC_UNKNOWN: (
        "biometric device (modality unknown)",
        "生物特征识别设备（识别方式不明）",
    ),
    DeviceClass.VMS_SERVER: ("video management or attendance server", "视频管理或考勤服务器"),
    DeviceClass.PRINTER: ("printer", "打印机"),
    DeviceClass.NETWORK_GEAR: ("network equipment", "网络设备"),
    DeviceClass.NAS: ("network storage", "网络存储设备"),
    DeviceClass.MEDIA: ("media device", "影音设备"),
    DeviceClass.PHONE_PC: ("phone or computer", "手机或电脑"),
    DeviceClass.OTHER_IOT: ("other connected device", "其他联网设备"),
    "": ("unidentified device", "未识别设备"),
}

KINDS: dict[str, tuple[str, str]] = {
    FindingKind.UNREGISTERED_COLLECTOR: ("Unregistered collector", "未登记的采集设备"),
    FindingKind.REGISTERED: ("Registered", "已登记"),
    FindingKind.REGISTERED_NOT_SEEN: ("Registered, not seen", "已登记但未发现"),
    FindingKind.IDENTITY_MISMATCH: ("Identity mismatch (possible swap)", "身份不符（疑似被调换）"),
    FindingKind.CHANGED: ("Registered, changed", "已登记但有变化"),
    FindingKind.FILING_OVERDUE: ("Filing overdue or missing", "备案逾期或缺失"),
    FindingKind.PROHIBITED_SPACE: (
        "Collector inside a private space",
        "在私密空间内部安装采集设备",
    ),
    FindingKind.NEW_SINCE_LAST_RUN: ("New since the last sweep", "较上次排查新出现"),
    FindingKind.MISSING_SIGNAGE: ("No signage in a public place", "公共场所未设提示标识"),
    FindingKind.NO_ALTERNATIVE: ("No non-biometric alternative", "未提供非生物识别替代方式"),
    FindingKind.CLASS_MISMATCH: (
        "Registered device is not the collector recorded",
        "登记设备与采集点登记的采集方式不符",
    ),
    FindingKind.SPACE_INCONSISTENT: (
        "Location names a private space",
        "位置描述指向私密空间",
    ),
    FindingKind.GONE_SINCE_LAST_RUN: ("Gone since the last sweep", "较上次排查消失"),
    FindingKind.NO_SEPARATE_CONSENT: ("No separate consent", "未取得单独同意"),
    FindingKind.NO_IMPACT_ASSESSMENT: (
        "No impact assessment recorded",
        "未记录个人信息保护影响评估",
    ),
    FindingKind.FACE_DATA_OFF_DEVICE: (
        "Face information leaves the device",
        "人脸信息未存储于设备内",
    ),
    FindingKind.RETENTION_BEYOND_PURPOSE: (
        "Retention beyond the purpose",
        "保存期限超过处理目的所需",
    ),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    Severity.INFO: ("info", "提示"),
    Severity.LOW: ("low", "低"),
    Severity.MEDIUM: ("medium", "中"),
    Severity.HIGH: ("high", "高"),
    Severity.CRITICAL: ("critical", "严重"),
}
SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}

#: Identifier and attribute names as they appear in explanations.
FIELDS: dict[str, tuple[str, str]] = {
    "serial": ("serial", "序列号"),
    "uuid": ("UUID", "UUID"),
    "mac": ("MAC address", "MAC 地址"),
    "ble_address": ("Bluetooth address", "蓝牙地址"),
    "ip": ("IP address", "IP 地址"),
    "model": ("model", "型号"),
    "vendor": ("vendor", "厂商"),
    "firmware": ("firmware", "固件版本"),
    "ports": ("open ports", "开放端口"),
}

MODALITIES: dict[str, tuple[str, str]] = {
    "video": ("video", "视频图像"),
    "face": ("face", "人脸"),
    "fingerprint": ("fingerprint", "指纹"),
    "palm_vein": ("palm vein", "掌静脉"),
    "iris": ("iris", "虹膜"),
}

CERTAINTY: dict[str, tuple[str, str]] = {
    "high": ("high", "高"),
    "medium": ("medium", "中"),
    "low": ("low", "低"),
}

#: PIPL Art. 13 grounds (and Art. 26, public security in public places), as the registry's
#: ``legal_basis`` names them.
LEGAL_BASIS: dict[str, tuple[str, str]] = {
    "consent": ("consent", "个人同意"),
    "contract": ("contract", "订立、履行合同所必需"),
    "hr_management": ("human resources management", "实施人力资源管理所必需"),
    "legal_duty": ("legal duty", "履行法定职责或者法定义务所必需"),
    "public_health": ("public health emergency", "应对突发公共卫生事件或者紧急情况所必需"),
    "public_interest": (
        "news reporting in the public interest",
        "为公共利益实施新闻报道、舆论监督",
    ),
    "public_security": ("public security", "维护公共安全所必需"),
    "other_law": ("other law", "法律、行政法规规定的其他情形"),
}

SKIP_REASONS: dict[str, tuple[str, str]] = {
    "needs_root": ("needs root", "需要管理员权限"),
    "no_adapter": ("no adapter", "没有可用的网卡或蓝牙适配器"),
    "missing_dependency": ("missing dependency", "缺少依赖组件"),
    "not_in_scope": ("not in scope", "不在排查范围内"),
    "disabled": ("disabled", "未启用"),
    "timed_out": ("timed out", "超时"),
    "error": ("error", "出错"),
}

SPACES: dict[str, tuple[str, str]] = {
    "public_place": ("public place", "公共场所"),
    "internal_management": ("internal management area", "内部管理区域"),
    "hotel_room": ("hotel room", "宾馆客房"),
    "public_bathroom": ("public bathroom", "公共浴室"),
    "changing_room": ("changing room", "公共更衣室"),
    "toilet": ("toilet", "公共卫生间"),
    "dormitory": ("dormitory room", "宿舍房间"),
    "nursing_room": ("nursing room", "哺乳室"),
    "fitting_room": ("fitting room", "试衣间"),
}

FILING: dict[str, tuple[str, str]] = {
    "filed": ("filed", "已备案"),
    "pending": ("pending", "备案办理中"),
    "not_filed": ("not filed", "未备案"),
    "not_required": ("marked not required", "登记为无需备案"),
}

STORAGE: dict[str, tuple[str, str]] = {
    "on_device": ("on the device", "设备本地"),
    "local_server": ("on a local server", "本地服务器"),
    "cloud": ("in the cloud", "云端"),
}

METHODS: dict[str, tuple[str, str]] = {
    "none": ("recording only", "仅录像"),
    "1:1": ("1:1 verification", "1:1 核验"),
    "1:N": ("1:N identification", "1:N 辨识"),
}

STATUS: dict[str, tuple[str, str]] = {
    "registered": ("registered", "已登记"),
    "unregistered": ("NOT registered", "未登记"),
    "mismatch": ("identity mismatch", "身份不符"),
    "changed": ("registered, changed", "已登记，有变化"),
    "not_compared": ("not compared", "未与登记表比对"),
    "not_collector": ("—", "—"),
}

#: Chinese makers by their Chinese name (key: the first word of a signature's vendor,
#: casefolded). Chinese text names them so, without the Latin name; other makers keep their
#: brand. docs/GLOSSARY.zh.md lists the same names.
VENDORS_ZH = {
    "hikvision": "海康威视",
    "dahua": "大华",
    "uniview": "宇视",
    "zkteco": "熵基科技（原中控智慧）",
    "ezviz": "萤石",
    "imou": "乐橙",
    "tiandy": "天地伟业",
    "huawei": "华为",
    "xiongmai": "雄迈",
    "hanvon": "汉王",
    "kedacom": "科达",
    "jovision": "中维世纪",
    "tvt": "同为",
    "sunell": "景阳",
    "milesight": "星纵物联",
    "megvii": "旷视",
    "sensetime": "商汤",
    "xiaomi": "小米",
}
#: Signature vendors that are not a brand, in Chinese.
VENDOR_TEXT_ZH = {
    "unknown vendor": "厂商不明",
    "consumer gadgets": "消费类电子产品",
    "hisilicon-based dvr (oem)": "海思方案贴牌录像机",
}
_EXPLANATION = re.compile(r"\s*\([^)]*\)")


def label(table: dict[str, tuple[str, str]], code: str, lang: Lang) -> str:
    """The ``lang`` name of ``code`` in ``table``; an unknown code is shown as itself."""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[1] if lang == "zh" else pair[0]


def vendor_name(vendor: str, lang: Lang) -> str:
    """``Hikvision`` in English; in Chinese the maker's Chinese name (``海康威视``), else the
    brand without the signature's explanatory parenthesis (``DoorBird (Bird Home Automation)``
    is ``DoorBird``): Chinese sentences carry brand and model only."""
    if lang != "zh" or not vendor:
        return vendor
    known = VENDOR_TEXT_ZH.get(vendor.casefold())
    if known:
        return known
    chinese = VENDORS_ZH.get(vendor.split(maxsplit=1)[0].casefold())
    return chinese or _EXPLANATION.sub("", vendor).strip() or vendor


def brand_model(vendor: str, model: str, lang: Lang) -> str:
    """Brand and model as one phrase (``宇视 IPC322LB-SF28-A``); a model that already starts
    with the brand (``AXIS P3245-LVE``) is not prefixed twice."""
    brand = vendor_name(vendor, lang)
    first = _EXPLANATION.sub("", vendor).split(maxsplit=1)[:1]
    if model and first and model.casefold().startswith(first[0].casefold()):
        brand = ""
    if not (brand and model):
        return brand or model
    return f"{brand}{'' if brand.endswith('）') else ' '}{model}"


#: An aside in brackets, ASCII or full-width, one level of nesting inside.
_ASIDE = re.compile(r"\s*[(（](?:[^()（）]|[(（][^()（）]*[)）])*[)）]")


def plain_name(text: str) -> str:
    """A vendor or product in plain words: the signature's asides in brackets, which say how it
    was recognised or which lines it covers ("(MAC block of an iris-only vendor)",
    "(DS-2CD/2DE/…)"), are left to the evidence (``--why``, the report's evidence table)."""
    plain = _ASIDE.sub("", text).strip()
    return plain or text.strip()


def device_name(vendor: str, product: str) -> str:
    """The plain product ("Iris ID iris reader or controller"), led by the vendor's name unless
    the product already says it."""
    maker, thing = plain_name(vendor), plain_name(product)
    if not maker or thing.casefold().startswith(maker.casefold().split()[0]):
        return thing
    return f"{maker} {thing}".strip()
