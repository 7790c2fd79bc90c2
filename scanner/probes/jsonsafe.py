"""JSON from devices, parsed within a size cap and a nesting cap.

Python's ``json`` decoder recurses once per nested array or object (CPython ``Modules/_json.c``
guards each level with ``_Py_EnterRecursiveCall``), so a few thousand ``[`` in one small
datagram raise ``RecursionError`` from inside ``json.loads``, not a ``ValueError`` (github
simplejson/simplejson #28 and #334 show the same for its decoder). The nesting is
measured first, by a scan that does not recurse, and a document deeper than the cap is a
parse error before the decoder sees it. Shared by DHIP (unicast and multicast) and the passive
extractor.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.errors import ParseError

#: Arrays and objects nested in one document. A DHIP answer nests four deep; 32 leaves room
#: for any real device and is far below the decoder's recursion limit.
MAX_DEPTH = 32
_OPEN, _CLOSE, _QUOTE, _ESCAPE = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


class JsonParseError(ParseError):
    """A JSON document from a device that is malformed, too large or nested too deep."""


def depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data`` (brackets inside strings are
    text), found without recursion; stops counting once past :data:`MAX_DEPTH`."""
    level = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            level += 1
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                break
        elif byte in _CLOSE:
            level -= 1
    return deepest


def parse_json(data: bytes, limit: int) -> Any:
    """The decoded document; a ParseError if it is over ``limit`` bytes, nested deeper than
    :data:`MAX_DEPTH`, not UTF-8 or not JSON."""
    if len(data) > limit:
        raise JsonParseError("JSON document larger than the cap")
    if depth(data) > MAX_DEPTH:
        raise JsonParseError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as exc:  # not UTF-8, not JSON, or a number past int()'s digit limit
        raise JsonParseError(f"not JSON ({str(exc)[:60]})") from None
