"""XML from devices and files, parsed safely: defusedxml with DTDs forbidden, a size cap and
a depth cap.

Billion laughs, quadratic blowup, external entities and external DTDs are all refused before
any expansion (defusedxml; Python's XML vulnerability table), and documents over the cap are
refused unread (catalogue cases 21-23). Elements nested deeper than
:data:`~scanner.inputs.MAX_DEPTH` stop the parse at the first one too deep. Shared by ONVIF,
SADP, UPnP, WS-Discovery and the nmap importer.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, TreeBuilder

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.errors import ParseError
from scanner.inputs import MAX_DEPTH


class XmlParseError(ParseError):
    """An XML document from a device that is malformed, too large or uses DTDs/entities."""


class _DepthBuilder(TreeBuilder):
    """The standard tree builder, refusing an element nested deeper than ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._depth = 0
        self._limit = limit

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        if self._depth > self._limit:
            raise XmlParseError(f"XML nested deeper than {self._limit} elements")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return super().end(tag)


def parse_xml(data: bytes, limit: int, max_depth: int = MAX_DEPTH) -> Element:
    """A defused parse: DTDs, entities and external references are refused."""
    if len(data) > limit:
        raise XmlParseError("XML document larger than the cap")
    try:
        parser = SafeET.DefusedXMLParser(target=_DepthBuilder(max_depth), forbid_dtd=True)
        parser.feed(data)
        root: Element = parser.close()
    except DefusedXmlException as exc:
        raise XmlParseError(f"forbidden XML construct: {type(exc).__name__}") from exc
    except SafeET.ParseError as exc:
        raise XmlParseError(f"malformed XML: {exc}") from exc
    except (LookupError, ValueError) as exc:  # expat on an unknown or multi-byte encoding=
        raise XmlParseError(f"malformed XML: {str(exc)[:80]}") from exc
    return root


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find_local(root: Element, name: str) -> Element | None:
    return next((e for e in root.iter() if local(e.tag) == name), None)
