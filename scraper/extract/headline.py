"""The displayed headline: visible <h1> reconciled with og:title and JSON-LD headline."""

from __future__ import annotations

import re

from .document import Document, clean_text, node_text

_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")


def strip_site_affixes(title: str, site_name: str | None = None) -> str:
    """Drop " | Site" / " - Site" suffixes and "Opinion |" prefixes."""
    parts = _SEPARATORS.split(title)
    if len(parts) > 1:
        longest = max(parts, key=len)
        if len(longest) >= 0.5 * len(title) or (site_name and site_name.lower() in title.lower()):
            return longest.strip()
    return title.strip()


def extract_headline(doc: Document) -> str | None:
    candidates = [node_text(n) for n in doc.tree.css("h1")]
    candidates = [c for c in candidates if 3 <= len(c) <= 300]
    if candidates:
        return candidates[0]
    ld = doc.ld_article or {}
    title = clean_text(str(ld.get("headline") or "")) or doc.meta_first("og:title", "twitter:title")
    if not title:
        title = node_text(doc.tree.css_first("title"))
    return strip_site_affixes(title, doc.meta_first("og:site_name")) if title else None
