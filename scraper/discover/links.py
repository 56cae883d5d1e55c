"""HTML pages -> what they point to (`parse_page_links`): same-site links, next pages of a
listing, feeds and the canonical/AMP URL declared in the head."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.models import Link
from scraper.urls import classify_url, clean_url, page_number, same_site, url_key

from .text import TITLE_CHARS, _collapse, truncate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageLinks:
    """What an HTML page points to (see `parse_page_links`)."""

    links: tuple[Link, ...] = ()
    next_pages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    canonical: str | None = None
    amphtml: str | None = None


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
_INVISIBLE = re.compile(r"[\t\n\r]")  # what clean_url removes from an href before joining it
# An absolute http(s) href whose authority is a plain name or IPv4 address, maybe with a port:
# its host is urlsplit's `hostname` (lowercased), read at a fraction of urlsplit's cost. Any
# other authority (user info, IPv6, non-ASCII, percent signs) goes through urlsplit.
_PLAIN_AUTHORITY = re.compile(r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|$)")


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
    """Parse an HTML page and find what it points to (see `links_from_tree`)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    return links_from_tree(LexborHTMLParser(html), base_url, site_hosts, depth=depth)


def links_from_tree(
    tree: LexborHTMLParser,
    base_url: str,
    site_hosts: Iterable[str],
    *,
    depth: int = 0,
) -> PageLinks:
    """Links, pagination, feeds, canonical and AMP URL of an HTML page, from its parsed tree
    (only read, so the tree extraction parsed can be passed: the page is parsed once).

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


class _PageHrefs:
    """The hrefs of one page -> same-site clean URLs: `clean_url` then `same_site`, as before,
    with the work done once per distinct href and URL, and off-site hrefs dropped uncleaned.

    `same_site` reads only the host of the cleaned URL, and `clean_url` derives that host from
    the host of the joined href alone. So the joined href's host (urljoin and urlsplit, the
    first steps of `clean_url`) decides: an href to a host already found off-site is dropped
    without being cleaned (news pages carry hundreds of such links), and an on-site host is not
    tested again. An href whose host cannot be read this way takes the full path.
    """

    def __init__(self, base: str, hosts: list[str]) -> None:
        self._base = base
        self._joined_base = _INVISIBLE.sub("", base.strip())  # as clean_url joins it
        self._hosts = hosts
        self._on_site: dict[str, bool] = {}  # joined host -> same_site verdict
        self._urls: dict[str, str | None] = {}  # href -> same-site clean URL
        # A path, query or fragment (no scheme, no "//") joins to the base's host, whatever it is.
        self._relative_host = self._joined_host("x")

    def url(self, href: str) -> str | None:
        """clean_url(href, base) when that is a same-site URL, else None."""
        if href not in self._urls:
            self._urls[href] = self._resolve(href)
        return self._urls[href]

    def _resolve(self, href: str) -> str | None:
        host = self._host(href)
        if host is not None and self._on_site.get(host) is False:
            logger.debug("off-site link %s", href)
            return None
        url = clean_url(href, self._base)
        if url is None:
            return None
        verdict = self._on_site.get(host) if host is not None else None
        if verdict is None:
            verdict = same_site(url, self._hosts)
            if host is not None:
                self._on_site[host] = verdict
        if not verdict:
            logger.debug("off-site link %s", url)
            return None
        return url

    def _host(self, href: str) -> str | None:
        """The host `clean_url(href, base)` starts from, or None when unknown."""
        raw = _INVISIBLE.sub("", href.strip())
        if raw[:1] > " " and ":" not in raw and not raw.startswith("//"):
            return self._relative_host  # urlsplit finds no scheme and no netloc in it
        if raw.startswith(("https://", "http://")):
            plain = _PLAIN_AUTHORITY.match(raw)
            if plain:
                return plain.group(1).lower()
            try:
                parts = urlsplit(raw)
            except ValueError:
                return None
            if parts.netloc:  # urljoin keeps a URL's own scheme and netloc
                return parts.hostname
        return self._joined_host(raw)

    def _joined_host(self, raw: str) -> str | None:
        base = self._joined_base
        try:
            return urlsplit(urljoin(base, raw) if base else raw).hostname
        except ValueError:
            return None


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
    hrefs = _PageHrefs(base, hosts)
    known: dict[str, tuple[str, str]] = {}  # url -> (url_key, classify_url): a page repeats links
    for node in tree.css("a[href], area[href]"):
        url = hrefs.url(node.attributes.get("href") or "")
        if url is None:
            continue
        anchors.append(_Anchor(url, node))
        if url not in known:
            known[url] = (url_key(url), classify_url(url))
        key, kind = known[url]
        if key == page_key:
            continue
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
    for url in dict.fromkeys(anchor.url for anchor in anchors):  # each URL once, in page order
        number = page_number(url)
        if number is None or number <= current or _without_page(url) != listing:
            continue
        if best is None or number < best[0]:
            best = (number, url)
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
