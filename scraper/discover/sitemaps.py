"""XML sitemaps, sitemap indexes, Google News sitemaps, plain-text sitemaps and feeds used
as sitemaps -> `Link` records (`parse_sitemap`)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from scraper.models import Link
from scraper.urls import clean_url, url_key

from .feeds import _FEED_ROOTS, _feed_from_root, _first_clean
from .text import TITLE_CHARS, _plain_or_none, parse_date
from .xmlsafe import (
    MAX_UNCOMPRESSED,
    _child_text,
    _children,
    _clean_xml_text,
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
    stream = SitemapStream(content, base_url, max_uncompressed)
    links = tuple(stream)
    if stream.index:
        return SitemapResult(sitemaps=tuple(c.url for c in links), sitemap_links=links,
                             error=stream.error)
    return SitemapResult(links=links, error=stream.error)


class SitemapStream:
    """The links of a sitemap one at a time, so a 50,000-URL sitemap is never a tree nor a
    list in memory: iterate it, then read `index` (the links were a sitemap index's
    children) and `error` (None, or why parsing stopped; links before it were yielded)."""

    def __init__(self, content: bytes | str, base_url: str,
                 max_uncompressed: int = MAX_UNCOMPRESSED, dedupe: bool = True) -> None:
        """`dedupe`: leave out a URL listed twice (a set of the keys seen); a caller whose
        sink ignores known keys anyway passes False, so a huge sitemap holds no such set."""
        self.content = content
        self.dedupe = dedupe
        self.base_url = base_url
        self.max_uncompressed = max_uncompressed
        self.index = False
        self.error: str | None = None

    def __iter__(self) -> Iterator[Link]:
        if isinstance(self.content, str):  # already decoded by the caller
            text = self.content.removeprefix("\ufeff")
        else:
            unwrapped = _unwrap(self.content, self.max_uncompressed)
            if unwrapped.error:
                self.error = unwrapped.error
                return
            text = decode_xml(unwrapped.data)
        self.content = b""  # the text below is all that is kept
        if not text.lstrip().startswith("<"):
            yield from _text_sitemap(text, self.base_url).links
            return
        yield from self._xml(_clean_xml_text(text).encode("utf-8"))

    def _xml(self, data: bytes) -> Iterator[Link]:
        seen: set[str] = set()
        root: Element | None = None
        kind = ""
        try:
            events = DefusedET.iterparse(io.BytesIO(data), events=("start", "end"),
                                         forbid_dtd=False, forbid_entities=True,
                                         forbid_external=True)
            for event, element in events:
                if root is None:
                    root, kind = element, _local(element.tag)
                    if kind not in ("urlset", "sitemapindex"):
                        break  # a feed or not a sitemap: parsed whole below
                    self.index = kind == "sitemapindex"
                    continue
                if event != "end" or _local(element.tag) not in ("url", "sitemap"):
                    continue
                link = (_index_link if self.index else _urlset_link)(element, self.base_url)
                root.clear()  # what was read is never needed again
                if link is None:
                    continue
                if self.dedupe or self.index:
                    if (key := url_key(link.url)) in seen:
                        continue
                    seen.add(key)
                yield link
        except DefusedXmlException as exc:
            logger.debug("refused XML: %r", exc)
            self.error = f"xml_forbidden: {type(exc).__name__}"
            return
        except (ParseError, ValueError, LookupError) as exc:  # LookupError: a bad encoding name
            logger.debug("malformed XML: %s", exc)
            self.error = f"xml_error: {exc}"
            return
        if root is None or kind in ("urlset", "sitemapindex"):
            if root is None:
                self.error = "xml_error: no element found"
            return
        yield from self._whole(data, kind)

    def _whole(self, data: bytes, name: str) -> Iterator[Link]:
        parsed = _parse_xml_text(data.decode("utf-8"))
        if parsed.root is None:
            self.error = parsed.error
            return
        if name in _FEED_ROOTS:
            feed = _feed_from_root(parsed.root, self.base_url, source="sitemap")
            self.error = feed.error
            yield from feed.links
            return
        logger.debug("not a sitemap: root <%s> at %s", name, self.base_url)
        self.error = f"not_a_sitemap: root <{name}>"


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


def _urlset_link(entry: Element, base_url: str) -> Link | None:
    url = _first_clean([_child_text(entry, "loc") or ""], base_url)
    if url is None:
        return None
    news = _news_element(entry)
    published = parse_date(_child_text(news, "publication_date")) if news is not None else None
    title = _child_text(news, "title") if news is not None else None
    return Link(
        url=url,
        source="sitemap",
        referrer=base_url,
        title=_plain_or_none(title, TITLE_CHARS),
        published=published or parse_date(_child_text(entry, "lastmod")),
        kind="article" if news is not None else "unknown",
    )


def _news_element(entry: Element) -> Element | None:
    # Some generators get the namespace URI wrong, so the local name decides.
    for child in _children(entry, "news"):
        if _namespace(child.tag) in (NS_NEWS, "") or "news" in _namespace(child.tag):
            return child
    return None


def _index_link(entry: Element, base_url: str) -> Link | None:
    url = _first_clean([_child_text(entry, "loc") or ""], base_url)
    if url is None:
        return None
    lastmod = parse_date(_child_text(entry, "lastmod"))
    return Link(url=url, source="sitemap", referrer=base_url, published=lastmod, kind="sitemap")
