"""XML sitemaps, sitemap indexes, Google News sitemaps, plain-text sitemaps and feeds used
as sitemaps -> `Link` records (`parse_sitemap`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from scraper.models import Link
from scraper.urls import clean_url, url_key

from .feeds import _FEED_ROOTS, _feed_from_root, _first_clean
from .text import TITLE_CHARS, _plain_or_none, parse_date
from .xmlsafe import (
    MAX_UNCOMPRESSED,
    _child_text,
    _children,
    _local,
    _namespace,
    _parse_xml_text,
    _unwrap,
    decode_xml,
)

logger = logging.getLogger(__name__)

NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


@dataclass(frozen=True)
class SitemapResult:
    """Pages of a <urlset> (or text/feed sitemap) in `links`; children of a
    <sitemapindex> in `sitemaps`, and the same children with their lastmod as
    `published` (kind="sitemap") in `sitemap_links`, so a crawler can skip old ones."""

    links: tuple[Link, ...] = ()
    sitemaps: tuple[str, ...] = ()
    error: str | None = None
    sitemap_links: tuple[Link, ...] = ()


def parse_sitemap(
    content: bytes | str, base_url: str, max_uncompressed: int = MAX_UNCOMPRESSED
) -> SitemapResult:
    """Parse an XML sitemap, sitemap index, Google News sitemap, plain-text sitemap
    (one URL per line) or an RSS/Atom feed used as a sitemap; gzip is detected by its
    magic bytes and inflated under `max_uncompressed` (else error "too_large").

    <urlset> pages give `Link(source="sitemap", published=news:publication_date else
    lastmod, title=news:title, kind="article" if a news:news element is present else
    "unknown")`; <sitemapindex> children go to `sitemaps` and `sitemap_links`.
    """
    if isinstance(content, str):  # already decoded by the caller
        text = content.removeprefix("\ufeff")
    else:
        unwrapped = _unwrap(content, max_uncompressed)
        if unwrapped.error:
            return SitemapResult(error=unwrapped.error)
        text = decode_xml(unwrapped.data)
    if not text.lstrip().startswith("<"):
        return _text_sitemap(text, base_url)
    parsed = _parse_xml_text(text)
    if parsed.root is None:
        return SitemapResult(error=parsed.error)
    root = parsed.root
    name = _local(root.tag)
    if name == "urlset":
        return SitemapResult(links=_urlset_links(root, base_url))
    if name == "sitemapindex":
        children = _index_links(root, base_url)
        return SitemapResult(sitemaps=tuple(c.url for c in children), sitemap_links=children)
    if name in _FEED_ROOTS:
        feed = _feed_from_root(root, base_url, source="sitemap")
        return SitemapResult(links=feed.links, error=feed.error)
    logger.debug("not a sitemap: root <%s> at %s", name, base_url)
    return SitemapResult(error=f"not_a_sitemap: root <{name}>")


def _text_sitemap(text: str, base_url: str) -> SitemapResult:
    links: list[Link] = []
    seen: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line.lower().startswith(("http://", "https://")):
            if line:
                logger.debug("text sitemap: skipping line %r", line[:200])
            continue
        url = clean_url(line)
        if url is None or url_key(url) in seen:
            continue
        seen.add(url_key(url))
        links.append(Link(url=url, source="sitemap", referrer=base_url))
    return SitemapResult(links=tuple(links))


def _urlset_links(root: Element, base_url: str) -> tuple[Link, ...]:
    links: list[Link] = []
    seen: set[str] = set()
    for entry in _children(root, "url"):
        url = _first_clean([_child_text(entry, "loc") or ""], base_url)
        if url is None or url_key(url) in seen:
            continue
        seen.add(url_key(url))
        news = _news_element(entry)
        published = parse_date(_child_text(news, "publication_date")) if news is not None else None
        title = _child_text(news, "title") if news is not None else None
        links.append(
            Link(
                url=url,
                source="sitemap",
                referrer=base_url,
                title=_plain_or_none(title, TITLE_CHARS),
                published=published or parse_date(_child_text(entry, "lastmod")),
                kind="article" if news is not None else "unknown",
            )
        )
    return tuple(links)


def _news_element(entry: Element) -> Element | None:
    # Some generators get the namespace URI wrong, so the local name decides.
    for child in _children(entry, "news"):
        if _namespace(child.tag) in (NS_NEWS, "") or "news" in _namespace(child.tag):
            return child
    return None


def _index_links(root: Element, base_url: str) -> tuple[Link, ...]:
    links: list[Link] = []
    seen: set[str] = set()
    for entry in _children(root, "sitemap"):
        url = _first_clean([_child_text(entry, "loc") or ""], base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        lastmod = parse_date(_child_text(entry, "lastmod"))
        links.append(
            Link(url=url, source="sitemap", referrer=base_url, published=lastmod, kind="sitemap")
        )
    return tuple(links)
