"""Text for SVG drawings: XML-escaped, with the characters XML 1.0 forbids removed.

User text may hold control characters (pasted from a terminal, say). Escaping alone leaves
them in, and an SVG that carries one is not XML, so renderers refuse it.

    >>> escape("a < b\\x03")
    'a &lt; b'
    >>> quoteattr('say "hi"\\x00')
    '\\'say "hi"\\''
"""

from __future__ import annotations

import re
from xml.sax import saxutils

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Escape text for an XML element, dropping characters XML cannot carry."""
    return saxutils.escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    """Quote text as an XML attribute value, dropping characters XML cannot carry."""
    return saxutils.quoteattr(_NOT_XML.sub("", text))
