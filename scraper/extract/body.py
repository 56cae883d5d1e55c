"""Article body: boilerplate removed, paragraphs separated by one blank line."""

from __future__ import annotations

import trafilatura

from .document import Document


def extract_body(doc: Document) -> str:
    text = trafilatura.extract(
        doc.html, url=doc.url, include_comments=False, include_tables=True,
        favor_precision=True, output_format="txt", deduplicate=False,
    ) or ""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n\n".join(paragraphs)
