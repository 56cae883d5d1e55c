"""Byline: people's names as displayed; organisations, roles and dates removed."""

from __future__ import annotations

import re

from .document import Document, clean_text, node_text

_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.I)
_BY = re.compile(r"^\s*(by|von|par|por|di)\s+", re.I)


def split_names(raw: str) -> list[str]:
    raw = _BY.sub("", clean_text(raw))
    return [name for name in (n.strip() for n in _SPLIT.split(raw)) if name]


def _ld_authors(doc: Document) -> list[str]:
    authors = (doc.ld_article or {}).get("author") or []
    if isinstance(authors, (dict, str)):
        authors = [authors]
    names = []
    for author in authors:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and clean_text(name):
            names.append(clean_text(name))
    return names


def extract_authors(doc: Document) -> list[str]:
    names = _ld_authors(doc)
    if names:
        return names
    for selector in ('[rel="author"]', '[itemprop="author"]', '[class*="byline"]', '[class*="author"]'):
        node = doc.tree.css_first(selector)
        if node is not None and node_text(node):
            return split_names(node_text(node))
    meta = doc.meta_first("author", "article:author")
    return split_names(meta) if meta and not meta.startswith("http") else []
