"""Chinese typesetting rules every Chinese text of biosweep follows (docs/GLOSSARY.zh.md).

- Full-width punctuation in Chinese text: ``：（）“”，；。``; half-width only inside Latin
  tokens (``1:1``, ``IPC-HFW2431S-S-S2``, ``10.77.0.0/24``).
- One space between Chinese characters and Latin letters or Arabic numerals (``发现设备 31
  台``, ``MAC 地址``), none next to full-width punctuation; dates are written
  ``2026年12月7日`` with no spaces, as are addresses and statute quotations, which keep their
  official form.
- Numbers of five or more digits carry thousands separators (``100,000 人``).
"""

from __future__ import annotations

import datetime as dt
import re

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _kind(ch: str) -> str:
    if _HAN.match(ch):
        return "han"
    return "latin" if _LATIN.match(ch) else "other"


def sp(*parts: str) -> str:
    """``parts`` joined, with one space where Chinese meets Latin letters or digits."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and {_kind(out[-1]), _kind(part[0])} == {"han", "latin"}:
            out += " "
        out += part
    return out


def date_zh(value: str | dt.date | dt.datetime) -> str:
    """``2026-12-07`` as ``2026年12月7日``; text that is not an ISO date is returned as is."""
    if not isinstance(value, str):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{day.year}年{day.month}月{day.day}日"


def num(value: str | int) -> str:
    """``100000`` as ``100,000``; anything that is not a whole number is returned as is."""
    text = str(value)
    return f"{int(text):,}" if text.isascii() and text.isdigit() else text


_DIGITS = "〇一二三四五六七八九"


def numeral(n: int) -> str:
    """1..99 in Chinese numerals, as headings and list items count (``十二``)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return head + (_DIGITS[ones] if ones else "")


def item(n: int) -> str:
    """The n-th item of a list in official documents: ``（一）``, ``（二）`` …"""
    return f"（{numeral(n)}）"
