"""Discovery from feeds, sitemaps and HTML pages: bytes in, `Link` records out.

Pure and network-free. All XML goes through defusedxml (entity declarations, external
references and so billion-laughs/XXE documents are refused); gzip bodies are inflated
incrementally under a hard cap so a gzip bomb costs at most `max_uncompressed` bytes.
Bad input never raises: each result carries `error` ("xml_error: ...",
"xml_forbidden: ...", "too_large", "gzip_error: ...", "not_a_feed: ...",
"not_a_sitemap: ...") and whatever could be salvaged.
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.entities import html5 as HTML5_ENTITIES
from urllib.parse import urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.models import Link
from scraper.urls import classify_url, clean_url, page_number, same_site, url_key

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 50_000_000  # sitemaps protocol: at most 50 MB uncompressed
SUMMARY_CHARS = 500
TITLE_CHARS = 300
GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_CHUNK = 1 << 20

NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass(frozen=True)
class FeedResult:
    """Items of an RSS/Atom/RDF feed as Links (source="feed", kind="article").
    `format` is "rss", "atom" or "rdf" when recognised."""

    links: tuple[Link, ...] = ()
    error: str | None = None
    format: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class SitemapResult:
    """Pages of a <urlset> (or text/feed sitemap) in `links`; children of a
    <sitemapindex> in `sitemaps`, and the same children with their lastmod as
    `published` (kind="sitemap") in `sitemap_links`, so a crawler can skip old ones."""

    links: tuple[Link, ...] = ()
    sitemaps: tuple[str, ...] = ()
    error: str | None = None
    sitemap_links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class PageLinks:
    """What an HTML page points to (see `parse_page_links`)."""

    links: tuple[Link, ...] = ()
    next_pages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    canonical: str | None = None
    amphtml: str | None = None


@dataclass(frozen=True)
class _Inflated:
    data: bytes = b""
    error: str | None = None


@dataclass(frozen=True)
class _ParsedXml:
    root: Element | None = None
    error: str | None = None


# ---------------------------------------------------------------------------
# bytes -> XML tree


def inflate_capped(data: bytes, limit: int) -> _Inflated:
    """Gunzip `data` (all members) without ever holding more than `limit` + 1 MiB of
    output; more than `limit` bytes gives error "too_large"."""
    out = bytearray()
    pending = data
    try:
        while pending.startswith(GZIP_MAGIC):
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            chunk = pending
            while True:
                piece = inflater.decompress(chunk, min(_INFLATE_CHUNK, limit + 1 - len(out)))
                out += piece
                if len(out) > limit:
                    logger.debug("gzip body inflates past %d bytes", limit)
                    return _Inflated(error="too_large")
                chunk = inflater.unconsumed_tail
                if inflater.eof or (not chunk and not piece):
                    break
            if not inflater.eof:
                return _Inflated(error="gzip_error: truncated stream")
            pending = inflater.unused_data  # a further gzip member, or trailing junk
    except zlib.error as exc:
        logger.debug("gzip error: %s", exc)
        return _Inflated(error=f"gzip_error: {exc}")
    return _Inflated(data=bytes(out))


def _unwrap(content: bytes, limit: int) -> _Inflated:
    if content.startswith(GZIP_MAGIC):
        return inflate_capped(content, limit)
    if len(content) > limit:
        logger.debug("body of %d bytes exceeds %d", len(content), limit)
        return _Inflated(error="too_large")
    return _Inflated(data=content)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED_ENCODING_RE = re.compile(
    rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_BAD_XML_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED_ENTITY_RE = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})


def _sniff_encoding(content: bytes) -> str:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    if content.startswith(b"<\x00"):
        return "utf-16-le"
    if content.startswith(b"\x00<"):
        return "utf-16-be"
    match = _DECLARED_ENCODING_RE.match(content[:1024])
    if match:
        name = match.group(1).decode("ascii")
        try:
            return codecs.lookup(name).name
        except LookupError:
            logger.debug("unknown declared XML encoding %r, using UTF-8", name)
    return "utf-8"


def decode_xml(content: bytes) -> str:
    """XML bytes as text: BOM, then the declared encoding, then UTF-8 (with
    replacement). Expat only knows a few encodings, so we decode ourselves."""
    text = content.decode(_sniff_encoding(content), errors="replace")
    return text.removeprefix("\ufeff")


def _html_entity_to_ref(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    chars = HTML5_ENTITIES.get(name + ";")
    if chars is None:
        return match.group(0)  # unknown: expat will report it
    return "".join(f"&#{ord(c)};" for c in chars)


def _parse_xml(content: bytes | str, limit: int) -> _ParsedXml:
    if isinstance(content, str):  # already decoded by the caller
        return _parse_xml_text(content.removeprefix("\ufeff"))
    unwrapped = _unwrap(content, limit)
    if unwrapped.error:
        return _ParsedXml(error=unwrapped.error)
    return _parse_xml_text(decode_xml(unwrapped.data))


def _parse_xml_text(text: str) -> _ParsedXml:
    # Lenient on what real feeds get wrong: stray control characters and HTML entities.
    text = _XML_DECL_RE.sub("", text, count=1)
    text = _BAD_XML_CHARS_RE.sub("", text)
    text = _NAMED_ENTITY_RE.sub(_html_entity_to_ref, text)
    try:
        root = DefusedET.fromstring(
            text.encode("utf-8"), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        logger.debug("refused XML: %r", exc)
        return _ParsedXml(error=f"xml_forbidden: {type(exc).__name__}")
    except (ParseError, ValueError) as exc:
        logger.debug("malformed XML: %s", exc)
        return _ParsedXml(error=f"xml_error: {exc}")
    return _ParsedXml(root=root)


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element: Element, *names: str) -> str | None:
    """Text of the first direct child with one of `names` (in order of preference)."""
    for name in names:
        for child in _children(element, name):
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


# ---------------------------------------------------------------------------
# dates and text

# Zone names RFC 822 parsing does not know but news feeds use.
_EXTRA_ZONES = {
    "CET": 1, "CEST": 2, "BST": 1, "IST": 5.5, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1,
    "MSK": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "NZST": 12,
    "NZDT": 13, "UTC": 0, "Z": 0,
}  # fmt: skip
_ZONE_SUFFIX_RE = re.compile(r"\s([A-Z]{1,4})$")


def parse_date(text: str | None) -> str | None:
    """An ISO 8601 string from an RFC 822 or ISO/W3C date, keeping the time zone when
    one is given; a bare date stays a date ("2024-05-12"). None when unparsable."""
    if not text:
        return None
    text = " ".join(text.split())
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    return _parse_rfc822(text)


def _parse_rfc822(text: str) -> str | None:
    zone_offset = None
    match = _ZONE_SUFFIX_RE.search(text)
    if match and match.group(1) in _EXTRA_ZONES:
        zone_offset = _EXTRA_ZONES[match.group(1)]
        text = text[: match.start()] + " +0000"
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        logger.debug("unparsable date %r", text)
        return None
    if zone_offset is not None:
        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=zone_offset)))
    return parsed.isoformat()


def _collapse(text: str) -> str:
    return " ".join(text.split())


def plain_text(markup: str) -> str:
    """Visible text of an HTML fragment (or already plain text), whitespace collapsed."""
    if "<" not in markup and "&" not in markup:
        return _collapse(markup)
    tree = LexborHTMLParser(markup)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    return _collapse(root.text(separator=" ") if root is not None else "")


def truncate(text: str, limit: int) -> str:
    """Cut at a word boundary so the result, with its ellipsis, has at most `limit` chars."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def _plain_or_none(markup: str | None, limit: int) -> str | None:
    if not markup:
        return None
    text = truncate(plain_text(markup), limit)
    return text or None


# ---------------------------------------------------------------------------
# feeds

_FEED_ROOTS = {"rss": "rss", "channel": "rss", "RDF": "rdf", "feed": "atom"}
_SKIPPED_ATOM_RELS = frozenset({"edit", "edit-media", "replies", "enclosure", "license", "hub"})


def parse_feed(
    content: bytes | str, base_url: str, *, max_uncompressed: int = MAX_UNCOMPRESSED
) -> FeedResult:
    """Parse RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom into Links.

    Each item gives `Link(url, source="feed", referrer=base_url, title, published,
    summary, kind="article")`: the URL is feedburner:origLink, else the item link
    (Atom: rel="alternate" or no rel, preferring HTML; rel="self" only as a last
    resort; edit/replies/enclosure never), else a permalink guid/id, resolved against
    `base_url` (xml:base is not honoured). `published` prefers pubDate/published/
    dc:date/issued over updated. `summary` is the plain text of description/summary
    (else content), cut to ~500 chars. Items without a usable URL are skipped;
    duplicates (same url_key) keep the first.
    """
    parsed = _parse_xml(content, max_uncompressed)
    if parsed.root is None:
        return FeedResult(error=parsed.error)
    return _feed_from_root(parsed.root, base_url, source="feed")


def _feed_from_root(root: Element, base_url: str, source: str) -> FeedResult:
    feed_format = _FEED_ROOTS.get(_local(root.tag))
    if feed_format is None:
        logger.debug("not a feed: root <%s> at %s", _local(root.tag), base_url)
        return FeedResult(error=f"not_a_feed: root <{_local(root.tag)}>")
    item_name = "entry" if feed_format == "atom" else "item"
    links: list[Link] = []
    seen: set[str] = set()
    for item in root.iter():
        if _local(item.tag) != item_name:
            continue
        link = _feed_item_link(item, base_url, source)
        if link is None:
            continue
        key = url_key(link.url)
        if key in seen:
            logger.debug("duplicate feed item %s", link.url)
            continue
        seen.add(key)
        links.append(link)
    return FeedResult(links=tuple(links), format=feed_format, title=_feed_title(root))


def _feed_title(root: Element) -> str | None:
    holder = _children(root, "channel")
    title = _child_text(holder[0] if holder else root, "title")
    return _plain_or_none(title, TITLE_CHARS)


def _feed_item_link(item: Element, base_url: str, source: str) -> Link | None:
    url = _first_clean(_item_url_candidates(item), base_url)
    if url is None:
        logger.debug("feed item without a usable link in %s", base_url)
        return None
    published = None
    for name in ("pubDate", "published", "date", "issued", "created", "updated", "modified"):
        published = parse_date(_child_text(item, name))
        if published:
            break
    summary = _child_text(item, "description", "summary", "encoded", "content")
    return Link(
        url=url,
        source=source,
        referrer=base_url,
        title=_plain_or_none(_child_text(item, "title"), TITLE_CHARS),
        published=published,
        summary=_plain_or_none(summary, SUMMARY_CHARS),
        kind="article",
    )


def _item_url_candidates(item: Element) -> list[str]:
    candidates: list[str] = []
    orig = _child_text(item, "origLink")
    if orig:
        candidates.append(orig)
    link_elements = _children(item, "link")
    candidates += ["".join(el.itertext()).strip() for el in link_elements if not el.get("href")]
    candidates += _atom_hrefs(link_elements)
    for guid in _children(item, "guid"):
        if (guid.get("isPermaLink") or "true").strip().lower() != "false" and guid.text:
            candidates.append(guid.text.strip())
    about = item.get(f"{{{NS_RDF}}}about")
    if about:
        candidates.append(about)
    candidates += [el.text.strip() for el in _children(item, "id") if el.text]
    return [c for c in candidates if c]


def _atom_hrefs(link_elements: list[Element]) -> list[str]:
    """hrefs of Atom links, best first: alternate HTML, other alternate, others, self."""
    ranked: list[tuple[int, int, str]] = []
    for position, element in enumerate(link_elements):
        href = (element.get("href") or "").strip()
        rel = (element.get("rel") or "alternate").strip().lower()
        if not href or rel in _SKIPPED_ATOM_RELS:
            continue
        kind = (element.get("type") or "").strip().lower()
        if rel == "alternate":
            rank = 0 if kind in ("", "text/html", "application/xhtml+xml") else 1
        else:
            rank = 3 if rel == "self" else 2
        ranked.append((rank, position, href))
    return [href for _, _, href in sorted(ranked)]


def _first_clean(candidates: Iterable[str], base_url: str) -> str | None:
    for candidate in candidates:
        cleaned = clean_url(candidate, base_url)
        if cleaned is not None:
            return cleaned
        logger.debug("unusable link %r", candidate[:200])
    return None


# ---------------------------------------------------------------------------
# sitemaps


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


# ---------------------------------------------------------------------------
# HTML pages

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_NAV_TAGS = frozenset({"nav", "footer", "header"})
_NEXT_CLASS_RE = re.compile(
    r"(^|[-_])(next|older)([-_]+(page|pages|posts|entries|link|item))?$|^nextpostslink$"
)
_NEXT_WORDS = frozenset(
    (
        "next", "next page", "older", "older posts", "older entries", "older articles",
        "older stories", "more stories", "page suivante", "suivant", "suivante", "weiter",
        "nächste", "nächste seite", "siguiente", "página siguiente", "successivo", "volgende",
        "›", "»", "→", ">", ">>", "»»", "››",
    )
)  # fmt: skip
_ARROWS = "›»→>< \u00a0\t"


def _is_next_words(text: str) -> bool:
    text = _collapse(text).lower()
    return text in _NEXT_WORDS or text.strip(_ARROWS) in _NEXT_WORDS


def parse_page_links(
    html: str | bytes,
    base_url: str,
    site_hosts: Iterable[str],
    *,
    depth: int = 0,
) -> PageLinks:
    """Links, pagination, feeds, canonical and AMP URL of an HTML page.

    `links`: same-site <a href> targets (`site_hosts`, or the host of `base_url` when
    empty), cleaned, deduplicated by url_key (first anchor wins, a later anchor may
    fill a missing title), assets and links to the page itself dropped; rel=nofollow
    is kept (it is not a robots rule). `kind` comes from `classify_url`; an "unknown"
    link inside <nav>/<header>/<footer>/[role=navigation] becomes "listing". Each Link
    gets source="page", referrer=base_url, title=anchor text, and `depth`.
    `next_pages`: <link rel=next>, <a rel=next>, anchors whose class/aria-label/text
    say next/older/›/», then the next numeric page (/page/N, ?page=N) of this listing.
    `feeds`: <link rel=alternate> RSS/Atom/RDF URLs (any host). `canonical`:
    rel=canonical else og:url. <base href> is honoured for everything.
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    tree = LexborHTMLParser(html)
    base = _document_base(tree, base_url)
    hosts = list(site_hosts) or [base_url]
    page_key = url_key(base_url)
    links, anchors = _anchor_links(tree, base, base_url, hosts, page_key, depth)
    head_links = tree.css("link[href]")
    return PageLinks(
        links=links,
        next_pages=_next_pages(head_links, anchors, base, base_url, hosts, page_key),
        feeds=_feed_urls(head_links, base),
        canonical=_canonical(tree, head_links, base),
        amphtml=_first_rel(head_links, "amphtml", base),
    )


def _document_base(tree: LexborHTMLParser, base_url: str) -> str:
    node = tree.css_first("base[href]")
    if node is None:
        return base_url
    resolved = clean_url(node.attributes.get("href") or "", base_url)
    if resolved is None:
        logger.debug("ignoring unusable <base href> in %s", base_url)
        return base_url
    return resolved


def _rels(node: LexborNode) -> set[str]:
    return set((node.attributes.get("rel") or "").lower().split())


def _in_navigation(node: LexborNode) -> bool:
    parent = node.parent
    for _ in range(60):
        if parent is None:
            return False
        if parent.tag in _NAV_TAGS or (parent.attributes.get("role") or "") == "navigation":
            return True
        parent = parent.parent
    return False


def _anchor_text(node: LexborNode) -> str | None:
    text = _collapse(node.text(separator=" "))
    if not text:
        image = node.css_first("img[alt]")
        text = _collapse(
            node.attributes.get("title")
            or node.attributes.get("aria-label")
            or (image.attributes.get("alt") if image is not None else "")
            or ""
        )
    return truncate(text, TITLE_CHARS) if text else None


@dataclass(frozen=True)
class _Anchor:
    url: str
    node: LexborNode


def _anchor_links(
    tree: LexborHTMLParser,
    base: str,
    base_url: str,
    hosts: list[str],
    page_key: str,
    depth: int,
) -> tuple[tuple[Link, ...], list[_Anchor]]:
    by_key: dict[str, Link] = {}
    anchors: list[_Anchor] = []
    for node in tree.css("a[href], area[href]"):
        url = clean_url(node.attributes.get("href") or "", base)
        if url is None:
            continue
        if not same_site(url, hosts):
            logger.debug("off-site link %s", url)
            continue
        anchors.append(_Anchor(url, node))
        key = url_key(url)
        if key == page_key:
            continue
        kind = classify_url(url)
        if kind == "asset":
            logger.debug("asset link %s", url)
            continue
        title = _anchor_text(node)
        if key in by_key:
            if by_key[key].title is None and title:
                by_key[key] = _with_title(by_key[key], title)
            continue
        if kind == "unknown" and _in_navigation(node):
            kind = "listing"
        by_key[key] = Link(
            url=url, source="page", referrer=base_url, depth=depth, title=title, kind=kind
        )
    return tuple(by_key.values()), anchors


def _with_title(link: Link, title: str) -> Link:
    return Link(
        url=link.url,
        source=link.source,
        referrer=link.referrer,
        depth=link.depth,
        title=title,
        published=link.published,
        summary=link.summary,
        kind=link.kind,
    )


def _says_next(node: LexborNode) -> bool:
    attributes = node.attributes
    if "next" in _rels(node):
        return True
    classes = (attributes.get("class") or "").lower().split()
    if any(_NEXT_CLASS_RE.search(token) for token in classes):
        return True
    label = attributes.get("aria-label") or attributes.get("title") or ""
    return _is_next_words(label) or _is_next_words(node.text(separator=" "))


def _next_pages(
    head_links: list[LexborNode],
    anchors: list[_Anchor],
    base: str,
    base_url: str,
    hosts: list[str],
    page_key: str,
) -> tuple[str, ...]:
    found: list[str] = []
    for node in head_links:
        if "next" in _rels(node):
            url = clean_url(node.attributes.get("href") or "", base)
            if url is not None and same_site(url, hosts):
                found.append(url)
    found += [a.url for a in anchors if _says_next(a.node)]
    numeric = _next_numeric_page(anchors, base_url)
    if numeric is not None:
        found.append(numeric)
    result: list[str] = []
    keys = {page_key}
    for url in found:
        if url_key(url) not in keys:
            keys.add(url_key(url))
            result.append(url)
    return tuple(result)


def _without_page(url: str) -> str:
    """url_key of a listing URL with its page number removed (/page/N, ?page=N)."""
    parts = urlsplit(url_key(url))
    segments = parts.path.split("/")
    for i in range(len(segments) - 1):
        if segments[i] == "page" and segments[i + 1].isdigit():
            del segments[i : i + 2]
            break
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=")[0].lower() not in ("page", "paged", "pg")
    )
    return url_key(urlunsplit((parts.scheme, parts.netloc, "/".join(segments), query, "")))


def _next_numeric_page(anchors: list[_Anchor], base_url: str) -> str | None:
    current = page_number(base_url) or 1
    listing = _without_page(base_url)
    best: tuple[int, str] | None = None
    for anchor in anchors:
        number = page_number(anchor.url)
        if number is None or number <= current or _without_page(anchor.url) != listing:
            continue
        if best is None or number < best[0]:
            best = (number, anchor.url)
    return best[1] if best else None


def _feed_urls(head_links: list[LexborNode], base: str) -> tuple[str, ...]:
    feeds: list[str] = []
    for node in head_links:
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in _rels(node) or kind not in _FEED_TYPES:
            continue
        url = clean_url(node.attributes.get("href") or "", base)
        if url is not None and url not in feeds:
            feeds.append(url)
    return tuple(feeds)


def _first_rel(head_links: list[LexborNode], rel: str, base: str) -> str | None:
    for node in head_links:
        if rel in _rels(node):
            url = clean_url(node.attributes.get("href") or "", base)
            if url is not None:
                return url
    return None


def _canonical(tree: LexborHTMLParser, head_links: list[LexborNode], base: str) -> str | None:
    canonical = _first_rel(head_links, "canonical", base)
    if canonical is not None:
        return canonical
    for node in tree.css("meta[property], meta[name]"):
        attributes = node.attributes
        name = (attributes.get("property") or attributes.get("name") or "").strip().lower()
        if name == "og:url":
            url = clean_url(attributes.get("content") or "", base)
            if url is not None:
                return url
    return None


# ---------------------------------------------------------------------------
# ordering


def _timestamp(published: str | None) -> float | None:
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # naive dates are taken as UTC
    return moment.timestamp()


def newest_first(links: Iterable[Link]) -> list[Link]:
    """Links by `published`, newest first; undated (or unparsable) ones after, in their
    original order. Naive times count as UTC."""
    indexed = [(i, link, _timestamp(link.published)) for i, link in enumerate(links)]
    dated = sorted((x for x in indexed if x[2] is not None), key=lambda x: (-x[2], x[0]))
    undated = [x for x in indexed if x[2] is None]
    return [link for _, link, _ in dated + undated]
