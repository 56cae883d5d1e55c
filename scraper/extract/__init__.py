"""Extraction: a news page (HTML bytes or text) -> a clean `Article`. Pure, no network.

This package owns trafilatura and selectolax. Each field has its own module; they all read
one parsed `Document`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from ..models import Article
from .body import extract_body
from .byline import extract_authors, names_from_text
from .dates import extract_dates, iso, parse_date
from .decode import decode_html
from .document import Document
from .headline import extract_headline
from .meta import (
    article_verdict,
    canonical_url,
    description,
    image,
    language,
    section,
    site_name,
    tags,
)
from .selectors import select_body, select_text
from .standfirst import extract_standfirst

__all__ = ["extract_article", "extractor_version"]


@lru_cache(maxsize=1)
def extractor_version() -> str:
    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "?"
    return f"scraper {v('scraper')} (trafilatura {v('trafilatura')}, selectolax {v('selectolax')})"


def extract_article(html: str | bytes, url: str, headers: Mapping[str, str] | None = None,
                    selectors: Mapping[str, str] | None = None) -> Article:
    """Extract one article record from a page. Never raises on bad markup or bad bytes.

    `selectors` optionally pins fields (see `selectors.SELECTOR_FIELDS`) to CSS selectors,
    from a site's config entry; generic extraction is used where they match nothing.
    """
    text, _encoding = decode_html(html, headers)
    doc = Document(text, url)
    pinned = dict(selectors or {})
    body = (pinned.get("body") and select_body(doc, pinned["body"])) or extract_body(doc)
    headline = (pinned.get("headline") and select_text(doc, pinned["headline"])) or extract_headline(doc)
    standfirst = (pinned.get("standfirst") and select_text(doc, pinned["standfirst"])) or \
        extract_standfirst(doc, headline, body)
    pinned_byline = pinned.get("byline") and select_text(doc, pinned["byline"])
    authors = names_from_text(pinned_byline) if pinned_byline else extract_authors(doc)
    published, modified = extract_dates(doc)
    if pinned.get("published"):
        published = iso(parse_date(select_text(doc, pinned["published"]))) or published
    if pinned.get("modified"):
        modified = iso(parse_date(select_text(doc, pinned["modified"]))) or modified
    is_article, reason = article_verdict(doc, body, headline)
    return Article(
        url=url,
        canonical_url=canonical_url(doc),
        site=site_name(doc),
        headline=headline,
        standfirst=standfirst,
        body=body,
        byline=", ".join(authors) or None,
        authors=tuple(authors),
        published=published,
        modified=modified,
        language=language(doc),
        description=description(doc),
        image=image(doc),
        section=section(doc),
        tags=tags(doc),
        word_count=len(body.split()),
        extractor=extractor_version(),
        is_article=is_article,
        not_article_reason=reason,
    )
