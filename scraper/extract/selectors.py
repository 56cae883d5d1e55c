"""Optional per-site CSS selectors (from a site's config entry) that override generic extraction.

Operators of a fixed site list may pin any field to a selector; the generic rules stay the
default and are what the benchmark measures. A selector that matches nothing falls back to them.
"""

from __future__ import annotations

from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser

from ..models import SELECTOR_FIELDS
from .document import Document, node_text

_BLOCKS = "p, h2, h3, h4, li, blockquote, pre"


def invalid_selector_fields(selectors: Mapping[str, str]) -> list[str]:
    return [name for name in selectors if name not in SELECTOR_FIELDS]


def _matches(doc: Document, css: str) -> list:
    try:
        return doc.tree.css(css)
    except Exception:  # selectolax raises a bare exception class for bad CSS; treat as no match
        return []


def select_text(doc: Document, css: str) -> str | None:
    """Text of the first match; for date fields the datetime/content attribute wins."""
    nodes = _matches(doc, css)
    if not nodes:
        return None
    node = nodes[0]
    for attr in ("datetime", "content"):
        if node.attributes.get(attr):
            return node.attributes[attr]
    return node_text(node) or None


def select_body(doc: Document, css: str) -> str | None:
    """Paragraphs inside every match, one blank line apart."""
    paragraphs: list[str] = []
    for node in _matches(doc, css):
        blocks = LexborHTMLParser(node.html).css(_BLOCKS) or [node]
        paragraphs += [t for t in (node_text(b) for b in blocks) if t]
    return "\n\n".join(paragraphs) or None
