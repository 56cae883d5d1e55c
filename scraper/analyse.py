"""Analyse one fetched document: feed, sitemap or HTML page -> links (and an Article for HTML).

Runs in a worker process (crawl.py submits `analyse_document` to a ProcessPoolExecutor), so
it is a pure top-level function of picklable arguments returning a picklable record.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .discover import parse_feed, parse_sitemap
from .discover.links import links_from_tree
from .discover.sitemaps import SitemapStream
from .extract import extract_from_document, parse_document
from .extract.decode import binary_kind
from .frontier import FEED, SITEMAP, Admission, admit_link
from .models import Article, Link

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
# `sniff_kind` reads the first SNIFF_BYTES; past a long XML prolog (a declaration, comments, a
# DOCTYPE with a 100 KB internal subset), what follows it, the prolog read PROLOG_LIMIT far
# at most. The prolog is only skipped over, never interpreted: no entity is resolved here.
SNIFF_BYTES = 4096
PROLOG_LIMIT = 1 << 20
_PROLOG = re.compile(
    rb"""(?:\s++|<\?.*?\?>|<!--.*?-->"""
    rb"""|<!DOCTYPE(?:[^\[>"']++|"[^"]*+"|'[^']*+')*+"""
    rb"""(?:\[(?:[^\]"'<]++|"[^"]*+"|'[^']*+'|<!--.*?-->|<(?:[^>"']++|"[^"]*+"|'[^']*+')*+>)*+\])?+"""
    rb"""\s*+>)*+""", re.I | re.S)
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex|rss|feed|rdf)[\s>/]", re.I)
# Analysis.kind of content refused before parsing: binary data (an image, random bytes)
# fetched as a page ("not_html") or as a feed or sitemap ("not_xml")
NOT_HTML, NOT_XML = "not_html", "not_xml"
REFUSED = (NOT_HTML, NOT_XML)
# A page that does not declare itself an article, links to this many stories and has less
# prose than this is a hub or section front with an intro, not a story.
PAGINATION = "pagination"  # Link.source of a listing's "next page" links


@dataclass(frozen=True)
class Analysis:
    """What one document gave: its kind ("feed", "sitemap", "html", or "not_html"/"not_xml"
    for binary content refused unread, `error` saying what it is), an Article when
    extraction was asked for, the links to consider, and a parse error if any."""

    kind: str
    article: Article | None = None
    links: tuple[Link, ...] = ()
    error: str | None = None
    # a sitemap's URLs admitted here, as frontier rows (FrontierEntry.row), their hosts and
    # what was left out by reason: a 50,000-URL sitemap crosses the process boundary once
    rows: tuple[tuple, ...] = ()
    hosts: tuple[str, ...] = ()
    left_out: tuple[tuple[str, int], ...] = ()
    # or, when the worker wrote the rows itself (a RowSink), how many keys were new
    added: int = 0


class RowWriter(Protocol):
    def add(self, rows: list[tuple]) -> None: ...
    def finish(self) -> int: ...
    def abandon(self) -> None: ...


class RowSink(Protocol):
    """Takes a sitemap's admitted frontier rows in the worker, `chunk` at a time, and says
    at the end how many were new (crawl.frontier_sink.FrontierSink writes them to the crawl's
    database)."""

    chunk: int

    def open(self) -> RowWriter: ...


def sniff_kind(content: bytes, content_type: str = "") -> str:
    """"sitemap", "feed" or "html", from the first bytes (gzip counts as a sitemap), or from
    those after a long XML prolog."""
    if content[:2] == GZIP_MAGIC:
        return "sitemap"
    head = content[:SNIFF_BYTES].lower()
    kind = _xml_kind(head)
    if kind is None and len(content) > SNIFF_BYTES:
        start = _PROLOG.match(content, 3 if content.startswith(b"\xef\xbb\xbf") else 0,
                              PROLOG_LIMIT).end()
        root = _ROOT.match(content, start) if start > SNIFF_BYTES // 2 else None
        if root is not None:  # a prolog hid the root element
            kind = "sitemap" if root.group(1).lower() in (b"urlset", b"sitemapindex") else "feed"
    if kind is not None:
        return kind
    if content_type.startswith("text/plain") and b"<html" not in head:
        return "sitemap"  # a text sitemap: one URL per line
    return "html"


def _xml_kind(head: bytes) -> str | None:
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    return None


def refused_binary(entry_kind: str, content: bytes) -> tuple[str, str] | None:
    """(NOT_HTML or NOT_XML, what the bytes are) when `content` is binary data rather than a
    page, feed or sitemap (`binary_kind`: file signatures, control bytes where UTF-8 fails,
    in the first KBs), else None. Cheap: checked before anything is decoded or parsed (3 MB of
    random bytes cost 15 s and 450 MB in extraction). A gzip body is a compressed sitemap."""
    if content[:2] == GZIP_MAGIC:
        return None
    what = binary_kind(content)
    if what is None:
        return None
    if entry_kind in (FEED, SITEMAP):
        return NOT_XML, f"{what}, not a feed or sitemap"
    return NOT_HTML, f"{what}, not an HTML page"


def analyse_document(entry_kind: str, content: bytes, url: str, headers: Mapping[str, str],
                     site_hosts: tuple[str, ...], extract: bool, want_links: bool,
                     selectors: Mapping[str, str] | None = None,
                     admission: Admission | None = None,
                     sink: RowSink | None = None) -> Analysis:
    """Never raises for bad input: parsers report errors in the result. `selectors` are the
    site's optional per-field CSS selectors from its config entry. A sitemap's URLs are
    admitted here when an `admission` rule is given, and written through `sink` if any."""
    refused = refused_binary(entry_kind, content)
    if refused is not None:
        return Analysis(refused[0], error=refused[1])
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    kind = sniff_kind(content, content_type.lower())
    if kind == "feed":
        feed = parse_feed(content, url)
        return Analysis("feed", links=feed.links, error=feed.error)
    if kind == "sitemap" and admission is not None:
        return _sitemap_rows(content, url, admission, sink)
    if kind == "sitemap":
        sitemap = parse_sitemap(content, url)
        children = sitemap.sitemap_links or tuple(
            Link(url=u, source="sitemap", referrer=url, kind="sitemap") for u in sitemap.sitemaps)
        return Analysis("sitemap", links=tuple(sitemap.links) + tuple(children),
                        error=sitemap.error)
    if not (extract or want_links):
        return Analysis("html")
    doc = parse_document(content, url, headers)  # parsed once, for the links and the article
    links: tuple[Link, ...] = ()
    if want_links:  # before extraction, which leaves doc.tree as served anyway
        found = links_from_tree(doc.tree, url, site_hosts)
        extra = [Link(url=u, source=PAGINATION, referrer=url, kind="listing") for u in found.next_pages]
        extra += [Link(url=u, source="page", referrer=url, kind="feed") for u in found.feeds]
        links = tuple(extra) + tuple(found.links)
    article = extract_from_document(doc, selectors) if extract else None
    return Analysis("article" if article is not None and article.is_article else "html",
                    article=article, links=links)


def _sitemap_rows(content: bytes, url: str, admission: Admission,
                  sink: RowSink | None = None) -> Analysis:
    """A sitemap streamed: its pages admitted here (`admit_link`), as rows for a bulk insert,
    written through `sink` a chunk at a time (so memory stays flat however long the sitemap)
    or else returned; an index's children returned as links, for the crawler's revisit rule."""
    stream = SitemapStream(content, url, admission.max_bytes, dedupe=sink is None)
    children: list[Link] = []
    rows: list[tuple] = []
    hosts: set[str] = set()
    left_out: Counter[str] = Counter()
    writer = sink.open() if sink is not None else None
    try:
        for link in stream:
            if stream.index:
                children.append(link)
                continue
            entry = admit_link(link, admission)
            if isinstance(entry, str):
                left_out[entry] += 1
                continue
            rows.append(entry.row())
            hosts.add(entry.host)
            if writer is not None and len(rows) >= sink.chunk:
                writer.add(rows)
                rows = []
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    added = 0
    if writer is not None:
        if rows:
            writer.add(rows)
            rows = []
        added = writer.finish()
    return Analysis("sitemap", links=tuple(children), error=stream.error, rows=tuple(rows),
                    hosts=tuple(sorted(hosts)), left_out=tuple(left_out.most_common()),
                    added=added)
