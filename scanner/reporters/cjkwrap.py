"""Line breaking for Chinese text in the PDF, by the rules Chinese typesetting follows.

ReportLab's CJK wrapping (``wordWrap="CJK"``) breaks anywhere, lets a line start with a
closing mark when two come together (``），``), knows only the Japanese set of marks that
cannot start a line, and cuts Latin tokens (serials, MAC addresses) in the middle when they
are longer than half a line. :func:`break_lines` breaks before measuring with the font's own
widths instead:

- between Chinese characters, and at spaces;
- never before a mark that cannot start a line (``，。：；）”》`` …: the character before it
  moves down with it, or where nothing can, the mark hangs past the line's end) nor after one
  that cannot end a line (``（“《``);
- inside a Latin token only after ``/`` (``entrance-video/`` + ``cam-lobby``), or, for a token
  wider than the whole line, where it must.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Marks no line may start with, and marks no line may end with (GB/T 15834 usage).
CANNOT_START = "，。、：；？！）》」』〕】”’…—%％‰°℃·"
CANNOT_END = "（《「『〔【“‘"

_TOKENS = re.compile(r"[!-~]+?/(?=[A-Za-z])|[!-~]+| +|.", re.S)

Measure = Callable[[str], float]


def _tokens(text: str) -> list[str]:
    """Latin runs (split after ``/``), runs of spaces, and single other characters."""
    return _TOKENS.findall(text)


def _hard_split(token: str, width: float, measure: Measure) -> list[str]:
    """A token wider than a line, in pieces that fit (nothing better is possible)."""
    pieces, piece = [], ""
    for ch in token:
        if piece and measure(piece + ch) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece] if piece else pieces


def _starts_closed(token: str) -> bool:
    return bool(token) and token[0] in CANNOT_START


def _carry(line: list[str], head: str) -> list[str]:
    """What moves down to the next line when it would start with ``head``: the last token
    when ``head`` cannot start a line (repeatedly, through closing marks), and any opening
    mark left at the end of this one."""
    moved: list[str] = []
    if _starts_closed(head):
        while len(line) > 1 and _starts_closed(line[-1]):
            moved.insert(0, line.pop())
        if len(line) > 1:
            moved.insert(0, line.pop())
    while len(line) > 1 and line[-1] and line[-1][-1] in CANNOT_END:
        moved.insert(0, line.pop())
    return moved


def break_lines(text: str, width: float, measure: Measure) -> list[str]:
    """``text`` as lines no wider than ``width`` (by ``measure``), broken as Chinese
    typesetting does; explicit newlines are kept."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        for token in _tokens(paragraph):
            wide = measure(token) > width and not token.isspace()
            for piece in _hard_split(token, width, measure) if wide else [token]:
                if line and not piece.isspace() and measure("".join(line) + piece) > width:
                    moved = _carry(line, piece)
                    if _starts_closed(piece) and not moved:  # nothing can go down: it hangs
                        line.append(piece)
                        continue
                    out.append("".join(line).rstrip())
                    while moved and moved[0].isspace():
                        moved.pop(0)
                    line = moved
                if piece.isspace() and not line:
                    continue
                line.append(piece)
        out.append("".join(line).rstrip())
    return out
