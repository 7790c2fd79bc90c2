"""CSV: one row per device, RFC 4180 (CRLF, quotes doubled), safe to open in a spreadsheet.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
TAB or CR) get a leading ``'`` (OWASP ASVS 5.0 V1.2.10); NUL and other control characters are
removed. The file starts with a UTF-8 byte order mark so spreadsheet programs read Chinese
text correctly. Rows are produced one device at a time (bounded memory).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from scanner.compare.labels import CLASSES, KINDS, STATUS, label
from scanner.models import Finding, ScanRun
from scanner.normalize import clean_text
from scanner.reporters.base import Reporter, ReportOptions
from scanner.reporters.view import device_status

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = {
    "en": [
        "device id", "class", "class code", "collector", "vendor", "product", "model",
        "confidence", "IP addresses", "MAC addresses", "BLE addresses", "registry status",
        "findings", "evidence",
    ],
    "zh": [
        "设备标识", "类别", "类别代码", "是否采集设备", "厂商", "产品", "型号", "置信度",
        "IP 地址", "MAC 地址", "蓝牙地址", "登记状态", "问题", "识别依据",
    ],
}  # fmt: skip


def cell(value: object) -> str:
    """A value made inert for spreadsheets: controls removed, formula triggers neutralised."""
    text = clean_text(str(value).replace("\x00", ""), 2000)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class CsvReporter(Reporter):
    name = "csv"
    suffix = ".csv"
    media_type = "text/csv; charset=utf-8"

    def chunks(self, run: ScanRun, options: ReportOptions) -> Iterator[bytes]:
        lang = options.lang
        by_device: dict[str, list[Finding]] = {}
        for f in run.findings:
            by_device.setdefault(f.device_id or "", []).append(f)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS[lang])
        yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
        for d in run.devices:
            buffer.seek(0)
            buffer.truncate()
            findings = by_device.get(d.id, [])
            best = d.best
            code = best.device_class.value if best else ""
            status = device_status(findings, d.is_collector, run.registry is not None)
            evidence = "; ".join(f"{e.field}={e.value}" for e in (best.evidence if best else ()))
            row = [
                d.id, label(CLASSES, code, lang), code, "yes" if d.is_collector else "no",
                best.vendor if best else "", best.product if best else "",
                (best.attribute("model") or "") if best else "",
                f"{best.confidence:.1f}" if best else "",
                " ".join(d.ips), " ".join(d.macs), " ".join(d.ble),
                label(STATUS, status, lang),
                "; ".join(label(KINDS, f.kind.value, lang) for f in findings), evidence,
            ]  # fmt: skip
            writer.writerow([cell(v) for v in row])
            yield buffer.getvalue().encode("utf-8", "replace")
