"""XML from devices, parsed safely: defusedxml with DTDs forbidden and a size cap.

Billion laughs, quadratic blowup, external entities and external DTDs are all refused before
any expansion (defusedxml; Python's XML vulnerability table), and documents over the cap are
refused unread (catalogue cases 21-23). Shared by ONVIF, SADP and (later) UPnP/WS-Discovery.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.errors import ParseError


class XmlParseError(ParseError):
    """An XML document from a device that is malformed, too large or uses DTDs/entities."""


def parse_xml(data: bytes, limit: int) -> Element:
    """A defused parse: DTDs, entities and external references are refused."""
    if len(data) > limit:
        raise XmlParseError("XML document larger than the cap")
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
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
