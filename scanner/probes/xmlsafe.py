"""XML from devices, parsed safely: defusedxml with DTDs forbidden, a size cap and a depth cap.

Billion laughs, quadratic blowup, external entities and external DTDs are all refused before
any expansion (defusedxml; Python's XML vulnerability table), documents over the cap are
refused unread (catalogue cases 21-23), and elements nested deeper than :data:`MAX_DEPTH` end
the parse as it reaches them (a tree a few thousand levels deep is no device description, and
whatever walks it next must not have to care). Shared by ONVIF, SADP, UPnP and WS-Discovery.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.errors import ParseError

#: Elements nested in one document. SOAP answers and UPnP descriptions nest under 12 deep.
MAX_DEPTH = 64


class XmlParseError(ParseError):
    """An XML document from a device that is malformed, too large, nested too deep or uses
    DTDs/entities."""


class _TooDeep(Exception):
    """Raised inside the parser's callback; turned into an XmlParseError by parse_xml."""


class _BoundedBuilder:
    """A TreeBuilder target that counts open elements and stops past ``limit``."""

    def __init__(self, limit: int) -> None:
        self._tree = TreeBuilder()
        self._depth = 0
        self._limit = limit

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        if self._depth > self._limit:
            raise _TooDeep
        return self._tree.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._tree.end(tag)

    def data(self, text: str) -> None:
        self._tree.data(text)

    def close(self) -> Any:
        return self._tree.close()


def parse_xml(data: bytes, limit: int, max_depth: int = MAX_DEPTH) -> Element:
    """A defused parse: DTDs, entities and external references are refused, and so is any
    element nested deeper than ``max_depth``."""
    if len(data) > limit:
        raise XmlParseError("XML document larger than the cap")
    parser = SafeET.XMLParser(target=_BoundedBuilder(max_depth), forbid_dtd=True)
    try:
        parser.feed(data)
        root: Element = parser.close()
    except _TooDeep:
        raise XmlParseError(f"XML nested deeper than {max_depth} elements") from None
    except DefusedXmlException as exc:
        raise XmlParseError(f"forbidden XML construct: {type(exc).__name__}") from None
    except SafeET.ParseError as exc:
        raise XmlParseError(f"malformed XML: {exc}") from None
    except (LookupError, ValueError) as exc:  # expat on an unknown or multi-byte encoding=
        raise XmlParseError(f"malformed XML: {str(exc)[:80]}") from None
    return root


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find_local(root: Element, name: str) -> Element | None:
    return next((e for e in root.iter() if local(e.tag) == name), None)
