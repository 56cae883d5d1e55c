"""The standfirst (dek): the summary shown between the headline and the body, or None."""

from __future__ import annotations

from .document import Document, node_text

_CLASS_WORDS = ("standfirst", "dek", "subtitle", "subheadline", "sub-headline", "summary", "excerpt", "lede", "intro")


def extract_standfirst(doc: Document, headline: str | None, body: str) -> str | None:
    for word in _CLASS_WORDS:
        for node in doc.tree.css(f'[class*="{word}"]'):
            text = node_text(node)
            if 20 <= len(text) <= 600:
                return text
    return None
