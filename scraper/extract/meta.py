"""Page-level metadata: canonical URL, site, language, description, image, section, tags, kind."""

from __future__ import annotations

import re
from functools import lru_cache

from ..urls import classify_url
from .document import Document, absolute_url, clean_text, ld_types, url_parts, word_count

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Characters of text needed to detect a language: to fill in a missing one, and to overrule
# the markup (a longer text: a wrong guess would replace a right declaration).
_GUESS_MIN_CHARS = 20
_DETECT_MIN_CHARS = 200
_DETECT_SAMPLE = 2000
_GUESS_CONFIDENCE = 0.5  # filling a gap: a likely language is better than none
_OVERRULE_CONFIDENCE = 0.9
# Languages the detector confuses with each other: the markup's choice among them stands.
_CLOSE_LANGUAGES = ({"id", "ms"}, {"no", "nb", "nn", "da"}, {"hr", "bs", "sr"}, {"cs", "sk"},
                    {"zh", "ja"}, {"gl", "pt"}, {"ca", "es"})

_MIN_WORDS = 120  # without declared article type or structure, less prose is no article
_MIN_BRIEF_WORDS = 50  # a brief with an article's structure
_FEW_TEASERS = 4

_LISTING_TYPES = {"collectionpage", "profilepage", "searchresultspage", "itemlist", "website"}


def canonical_url(doc: Document) -> str:
    node = doc.tree.css_first('link[rel="canonical"]')
    href = node.attributes.get("href") if node else None
    href = href or doc.meta_first("og:url")
    if href:
        absolute = absolute_url(doc.url, href)
        if absolute and url_parts(absolute).scheme in ("http", "https"):
            return absolute
    return doc.url


def site_name(doc: Document) -> str | None:
    name = doc.meta_first("og:site_name", "application-name")
    if name:
        return name
    publisher = (doc.ld_article or {}).get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return clean_text(publisher["name"]) or None
    host = url_parts(doc.url).hostname or ""
    return host.removeprefix("www.") or None


def language(doc: Document) -> str | None:
    """What the markup declares: <html lang>, else og:locale / Content-Language (primary tag)."""
    node = doc.tree.css_first("html")
    lang = node.attributes.get("lang") if node else None
    lang = lang or doc.meta_first("og:locale", "content-language", "language")
    if not lang:
        http_equiv = doc.tree.css_first('meta[http-equiv="content-language" i]')
        lang = http_equiv.attributes.get("content") if http_equiv is not None else None
    code = (lang or "").strip().replace("_", "-").split("-")[0].lower()
    return code if _LANGUAGE_CODE.match(code) else None


def language_with_source(doc: Document, text: str) -> tuple[str | None, str | None]:
    """The language of the page and where it came from: "markup" (<html lang>, og:locale,
    Content-Language) or "text" (detected from the article's text by py3langid, when the
    markup gives none, or contradicts a text long enough to be sure: templates keep
    `lang="en"` on pages written in other languages)."""
    declared = language(doc)
    if declared:
        detected = detect_language(text, _DETECT_MIN_CHARS, _OVERRULE_CONFIDENCE)
    else:
        detected = detect_language(text, _GUESS_MIN_CHARS, _GUESS_CONFIDENCE)
    if detected and detected != declared and not _same_family(detected, declared):
        return detected, "text"
    if declared:
        return declared, "markup"
    return None, None


def _same_family(a: str, b: str | None) -> bool:
    return b is not None and any(a in group and b in group for group in _CLOSE_LANGUAGES)


@lru_cache(maxsize=1)
def _identifier():
    from .langmodel import load_identifier

    return load_identifier(norm_probs=True)


def load_fallback_stoplist() -> None:
    """Load the stop words trafilatura's jusText fallback reads (all languages at once),
    which it otherwise loads on the first page that falls back to it (for a crawl's
    warm-up before its workers fork)."""
    from justext.core import define_stoplist
    from trafilatura import external

    if external.JT_STOPLIST is None:
        external.jt_stoplist_init()
    define_stoplist(external.JT_STOPLIST)  # jusText keeps it lowercased, as a frozenset


def detect_language(text: str, min_chars: int = _GUESS_MIN_CHARS,
                    confidence: float = _GUESS_CONFIDENCE) -> str | None:
    """ISO 639-1 code of the text's language, when py3langid is that sure of it."""
    sample = clean_text(text[:2 * _DETECT_SAMPLE])[:_DETECT_SAMPLE]
    if len(sample) < min_chars:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= confidence else None


def description(doc: Document) -> str | None:
    return doc.meta_first("description", "og:description", "twitter:description")


def image(doc: Document) -> str | None:
    src = doc.meta_first("og:image", "twitter:image")
    return absolute_url(doc.url, src) if src else None


def section(doc: Document) -> str | None:
    ld_section = (doc.ld_article or {}).get("articleSection")
    if isinstance(ld_section, list):
        ld_section = ld_section[0] if ld_section else None
    if isinstance(ld_section, str) and clean_text(ld_section):
        return clean_text(ld_section)
    return doc.meta_first("article:section")


def tags(doc: Document) -> tuple[str, ...]:
    values = list(doc.meta.get("article:tag", []))
    keywords = (doc.ld_article or {}).get("keywords")
    if isinstance(keywords, str):
        values += keywords.split(",")
    elif isinstance(keywords, list):
        values += [str(k) for k in keywords]
    seen: dict[str, None] = {}
    for value in values:
        value = clean_text(value)
        if value and value.lower() not in {s.lower() for s in seen}:
            seen[value] = None
    return tuple(seen)


def _teaser_count(doc: Document) -> int:
    """Linked headings and <article> cards: a listing shows many, an article few."""
    linked_headings = len(doc.tree.css("h2 a[href], h3 a[href], h4 a[href]"))
    cards = len(doc.tree.css("article"))
    return max(linked_headings, cards)


def _story_link_count(doc: Document) -> int:
    """Distinct same-host links whose URL looks like a story: a hub or topic page is a river
    of them under a short intro, even as plain <li><a> lists without headings or cards."""
    if "story_links" not in doc.memo:
        doc.memo["story_links"] = _count_story_links(doc)
    return doc.memo["story_links"]


def _count_story_links(doc: Document) -> int:
    host = url_parts(doc.url).hostname
    stories = set()
    for node in doc.tree.css("a[href]"):
        href = (absolute_url(doc.url, node.attributes.get("href") or "") or "").split("#")[0]
        if href and href != doc.url and url_parts(href).hostname == host \
                and classify_url(href) == "article":
            stories.add(href)
    return len(stories)


def _listing_ld_type(doc: Document) -> str | None:
    for obj in doc.jsonld:
        types = ld_types(obj) & _LISTING_TYPES
        if types and types != {"website"}:  # WebSite describes the publisher on article pages too
            return sorted(types)[0]
    return None


def _looks_like_one_story(doc: Document, published: str | None,
                          authors: tuple[str, ...] | list[str]) -> bool:
    """The page shows a single story's structure: few teasers, and two of one <h1>, a date
    (a <time>, a dated URL, a publication date found) and a byline."""
    if _teaser_count(doc) > _FEW_TEASERS or _story_link_count(doc) > _FEW_TEASERS:
        return False
    signs = (len(doc.tree.css("h1")) == 1,
             bool(published) or doc.tree.css_first("time") is not None,
             bool(authors))
    return sum(signs) >= 2


def article_verdict(doc: Document, body: str, headline: str | None, published: str | None = None,
                    authors: tuple[str, ...] | list[str] = ()) -> tuple[bool, str | None]:
    """Is this an article page? Home, section, tag, author and archive pages are not.

    Strong evidence of an article (JSON-LD Article types, og:type article) lets short
    bodies (paywalled teasers) through; without it we want real prose and no listing signals,
    and the page's structure decides how much: a news brief with one headline, a date and a
    byline is an article at fewer words than a page that shows none of these.
    """
    words = word_count(body)
    og_type = (doc.meta_first("og:type") or "").lower()
    declared_article = doc.ld_article is not None or og_type == "article"
    url_kind = classify_url(doc.url)
    if url_parts(doc.url).path.strip("/") == "":
        return False, "home page"
    if headline is None:
        return False, "no headline"
    if not declared_article:
        listing_type = _listing_ld_type(doc)
        if listing_type:
            return False, f"listing page (JSON-LD {listing_type})"
        if og_type in ("website", "profile", "blog"):
            teasers = _teaser_count(doc)
            if url_kind == "listing" or teasers >= 6:
                return False, f"listing page (og:type {og_type}, {teasers} teasers)"
        if url_kind == "listing":
            return False, "listing URL (tag, section, author, archive or pagination)"
        if _teaser_count(doc) >= 8 and words < 400:
            return False, "listing page (many linked headlines, little prose)"
        if _story_link_count(doc) >= 8 and words < 400:
            return False, "hub page (links to many stories, little prose)"
        if words < _MIN_WORDS and not (words >= _MIN_BRIEF_WORDS and
                                        _looks_like_one_story(doc, published, authors)):
            return False, f"too little text ({words} words)"
    elif words < 25:
        return False, f"too little text ({words} words)"
    return True, None
