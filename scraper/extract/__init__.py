"""Extraction: a news page (HTML bytes or text) -> a clean `Article`. Pure, no network.

This package owns trafilatura and selectolax. Each field has its own module; they all read
one parsed `Document`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar

from ..models import Article
from .access import access_verdict
from .body import extract_body
from .byline import extract_authors_with_source, names_from_text
from .dates import extract_dates_with_source, iso, parse_date
from .decode import decode_html
from .document import Document, word_count
from .fieldtext import similarity
from .headline import extract_headline
from .meta import (
    article_verdict,
    canonical_url,
    description,
    image,
    language_with_source,
    section,
    site_name,
    tags,
)
from .selectors import select_body, select_text
from .standfirst import extract_standfirst

__all__ = ["Document", "extract_article", "extract_from_document", "extractor_version",
           "parse_document"]

T = TypeVar("T")
_log = logging.getLogger(__name__)
_SAME_TEXT = 0.9  # similarity at which the body's opening paragraph is the standfirst


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
    return extract_from_document(parse_document(html, url, headers), selectors)


def parse_document(html: str | bytes, url: str,
                   headers: Mapping[str, str] | None = None) -> Document:
    """The page decoded (see `decode_html`) and parsed once. Its `tree` is never modified by
    extraction, so the caller may also read it, e.g. for links (`links_from_tree`)."""
    text, _encoding = decode_html(html, headers)
    return Document(text, url)


def extract_from_document(doc: Document, selectors: Mapping[str, str] | None = None) -> Article:
    """`extract_article` on a page already parsed by `parse_document`."""
    url = doc.url
    pinned = dict(selectors or {})
    body = _guarded(_body, "", doc, pinned)
    headline = _guarded(_headline, None, doc, pinned)
    standfirst = _guarded(_standfirst, None, doc, pinned, headline, body)
    body = _without_standfirst(body, standfirst)
    authors, byline_source = _guarded(_authors, ([], None), doc, pinned)
    text = body or " ".join(filter(None, (headline, standfirst)))
    language, language_source = _guarded(language_with_source, (None, None), doc, text)
    published, modified, published_source = _guarded(_dates, (None, None, None), doc, pinned,
                                                     language)
    access, access_reason = _guarded(access_verdict, ("full", None), doc, body, headline)
    is_article, reason = _guarded(article_verdict, (False, "extraction failed"), doc, body, headline,
                                  published, authors)
    return Article(
        url=url,
        canonical_url=_guarded(canonical_url, url, doc),
        site=_guarded(site_name, None, doc),
        headline=headline,
        standfirst=standfirst,
        body=body,
        byline=", ".join(authors) or None,
        authors=tuple(authors),
        published=published,
        modified=modified,
        language=language,
        description=_guarded(description, None, doc),
        image=_guarded(image, None, doc),
        section=_guarded(section, None, doc),
        tags=_guarded(tags, (), doc),
        word_count=word_count(body),
        extractor=extractor_version(),
        is_article=is_article,
        not_article_reason=reason,
        published_source=published_source if published else None,
        byline_source=byline_source if authors else None,
        language_source=language_source,
        access=access,
        access_reason=access_reason,
    )


def _guarded(stage: Callable[..., T], fallback: T, *args) -> T:
    """Run one field's stage; a bug meeting an unforeseen page costs that field, not the page."""
    try:
        return stage(*args)
    except Exception:
        _log.exception("extraction stage %s failed on %s", stage.__name__, args[0].url)
        return fallback


def _without_standfirst(body: str, standfirst: str | None) -> str:
    """The dek is no part of the body: drop it when the body stage took it in as its opening."""
    opening, _, rest = body.partition("\n\n")
    if standfirst and rest and similarity(opening, standfirst) >= _SAME_TEXT:
        return rest
    return body


def _body(doc: Document, pinned: dict[str, str]) -> str:
    return (pinned.get("body") and select_body(doc, pinned["body"])) or extract_body(doc)


def _headline(doc: Document, pinned: dict[str, str]) -> str | None:
    return (pinned.get("headline") and select_text(doc, pinned["headline"])) or extract_headline(doc)


def _standfirst(doc: Document, pinned: dict[str, str], headline: str | None, body: str) -> str | None:
    return (pinned.get("standfirst") and select_text(doc, pinned["standfirst"])) or \
        extract_standfirst(doc, headline, body)


def _authors(doc: Document, pinned: dict[str, str]) -> tuple[list[str], str | None]:
    """The byline's names and their source (text, jsonld, meta or selector)."""
    pinned_byline = pinned.get("byline") and select_text(doc, pinned["byline"])
    if pinned_byline:
        return names_from_text(pinned_byline), "selector"
    return extract_authors_with_source(doc)


def _dates(doc: Document, pinned: dict[str, str],
           language: str | None) -> tuple[str | None, str | None, str | None]:
    """(published, modified, the source of published)."""
    published, modified, source = extract_dates_with_source(doc, language)
    if pinned.get("published"):
        chosen = iso(parse_date(select_text(doc, pinned["published"])))
        published, source = (chosen, "selector") if chosen else (published, source)
    if pinned.get("modified"):
        modified = iso(parse_date(select_text(doc, pinned["modified"]))) or modified
    return published, modified, source
