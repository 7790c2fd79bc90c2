"""JSON from devices, parsed within a size cap and a nesting cap.

Python's ``json`` decoder recurses once per nested array or object (CPython ``Modules/_json.c``
guards each level with ``_Py_EnterRecursiveCall``), so a few thousand ``[`` in one small
datagram raise ``RecursionError`` from inside ``json.loads``, not a ``ValueError`` (github
simplejson/simplejson #28 and #334 show the same for its decoder). The nesting is measured
first (:func:`scanner.inputs.bracket_depth`, the check files get too), and a document deeper
than the cap is a parse error before the decoder sees it. Shared by DHIP (unicast and
multicast) and the passive extractor.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.errors import ParseError
from scanner.inputs import bracket_depth

#: Arrays and objects nested in one document. A DHIP answer nests four deep; 32 leaves room
#: for any real device and is far below the decoder's recursion limit (files: 100).
MAX_DEPTH = 32


class JsonParseError(ParseError):
    """A JSON document from a device that is malformed, too large or nested too deep."""


def parse_json(data: bytes, limit: int) -> Any:
    """The decoded document; a ParseError if it is over ``limit`` bytes, nested deeper than
    :data:`MAX_DEPTH`, not UTF-8 or not JSON."""
    if len(data) > limit:
        raise JsonParseError("JSON document larger than the cap")
    if bracket_depth(data) > MAX_DEPTH:  # linear, and it never recurses
        raise JsonParseError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as exc:  # not UTF-8, not JSON, or a number past int()'s digit limit
        raise JsonParseError(f"not JSON ({str(exc)[:60]})") from exc
