"""
GeoReport v2 XML, written with the standard library (``xml.etree``).

The XML form is the JSON form element by element (the specification's "Spark
convention"): an object becomes child elements, a list repeats the singular element
(``<values><value>..</value></values>``), ``None`` an empty element, a boolean
``true``/``false``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

__all__ = ["XML_DECLARATION", "to_xml"]

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# the element a list's items are written as, by the list's element name
_ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "agencies": "agency",
    "service_request_updates": "request_update",
}
# characters XML 1.0 cannot carry, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: object) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ET.SubElement(element, str(key)), item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        tag = _ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: object) -> str:
    """The XML document of *value* under the element *root*, with its declaration."""
    element = ET.Element(root)
    _fill(element, value)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")
