"""Page-level metadata: canonical URL, site, language, description, image, section, tags, kind."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from .document import Document, clean_text

_LISTING_TYPES = {"collectionpage", "profilepage", "searchresultspage", "itemlist", "website"}


def canonical_url(doc: Document) -> str:
    node = doc.tree.css_first('link[rel="canonical"]')
    href = node.attributes.get("href") if node else None
    href = href or doc.meta_first("og:url")
    if href:
        absolute = urljoin(doc.url, href.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            return absolute
    return doc.url


def site_name(doc: Document) -> str | None:
    name = doc.meta_first("og:site_name", "application-name")
    if name:
        return name
    publisher = (doc.ld_article or {}).get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return clean_text(publisher["name"]) or None
    host = urlsplit(doc.url).hostname or ""
    return host.removeprefix("www.") or None


def language(doc: Document) -> str | None:
    node = doc.tree.css_first("html")
    lang = node.attributes.get("lang") if node else None
    lang = lang or doc.meta_first("og:locale", "content-language", "language")
    return lang.replace("_", "-").split("-")[0].lower() if lang else None


def description(doc: Document) -> str | None:
    return doc.meta_first("description", "og:description", "twitter:description")


def image(doc: Document) -> str | None:
    src = doc.meta_first("og:image", "twitter:image")
    return urljoin(doc.url, src) if src else None


def section(doc: Document) -> str | None:
    ld_section = (doc.ld_article or {}).get("articleSection")
    if isinstance(ld_section, list):
        ld_section = ld_section[0] if ld_section else None
    return clean_text(str(ld_section)) if ld_section else doc.meta_first("article:section")


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


def article_verdict(doc: Document, body: str, headline: str | None) -> tuple[bool, str | None]:
    """Is this an article page? Home, section, tag and author pages are not."""
    path = urlsplit(doc.url).path.strip("/")
    og_type = (doc.meta_first("og:type") or "").lower()
    words = len(body.split())
    if not path:
        return False, "home page"
    if doc.ld_article is None and og_type not in ("article", "") and words < 150:
        return False, f"og:type is {og_type}"
    if words < 40:
        return False, f"too little text ({words} words)"
    if headline is None:
        return False, "no headline"
    return True, None
