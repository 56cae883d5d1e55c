"""The crawl frontier's record: one URL waiting to be fetched, and the order in which we want it.

`FrontierEntry` crosses the boundary between the crawler (crawl.py, politeness.py) and the
database (scraper/store/ persists it in the `frontier` table so a killed run resumes). No I/O here.

Order ("front page first, then newest first", and so that traps cannot eat the page budget):
robots.txt, then feeds and sitemaps, then start pages, then the front-page stories: articles
linked from a start page or listed in a feed (source "start" or "feed"), in the order found;
then other articles: those linked from the site's pages without a date first (being on the
live site now is the best sign of news), then dated ones newest first (feed/sitemap date,
else the date in the URL), then undated ones from sitemaps in discovery order; then listing
pages by depth, then anything else by depth. A big archive sitemap of old URLs, or the
hundred links of one article page, therefore cannot crowd out today's front page.

Front-page stories share the start pages' class (2: not alternated with listing pages, see
politeness.py) with a `prio_time` of 1 where start pages have 0; the stored `prio_class` and
`prio_time` columns (migration 003) keep that order on disk. A pending entry found again on
a start page or in a feed takes that rank, whichever source found it first
(`linkqueue.wanted`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from .models import Link
from .urls import (
    classify_url,
    clean_url,
    looks_like_trap,
    same_site,
    url_date,
    url_key,
    without_session_ids,
)

# Kinds of entry. Link kinds from urls.classify_url plus our own "start" and "robots".
ROBOTS = "robots"
START = "start"
FEED = "feed"
SITEMAP = "sitemap"
ARTICLE = "article"
LISTING = "listing"
UNKNOWN = "unknown"

BROWSE_KINDS = frozenset({LISTING, UNKNOWN})
_CLASS = {ROBOTS: 0, FEED: 1, SITEMAP: 1, START: 2, ARTICLE: 3, LISTING: 5, UNKNOWN: 6}
_LIVE_SOURCES = frozenset({"page", "start", "redirect"})  # found on the site's own pages
FRONT_SOURCES = frozenset({"start", "feed"})  # linked from a start page, listed in a feed
FRONT_TIME = 1.0  # front-page stories sort after the start pages of their class (0.0)


def front_row(row: dict) -> bool:
    """Is this frontier row (a dict of its columns) ranked as a front-page story?"""
    return row.get("kind") == ARTICLE and row.get("prio_class") == _CLASS[START]


@dataclass(frozen=True)
class FrontierEntry:
    """A URL to fetch for a site. `key` is its identity (urls.url_key); `not_before` is a
    wall-clock time (epoch seconds) before which it must not be fetched (retry backoff)."""

    key: str
    url: str
    site: str
    kind: str = UNKNOWN
    source: str = "page"  # start, feed, sitemap, robots, page, redirect
    depth: int = 0
    referrer: str | None = None
    title: str | None = None
    published: str | None = None
    summary: str | None = None
    attempts: int = 0
    not_before: float = 0.0
    seq: int = 0  # discovery order within a run, for stable ordering

    @property
    def host(self) -> str:
        """The politeness key: scheme-less host:port (two ports are two servers)."""
        if self.url.startswith(("http://", "https://")):  # what clean_url gives: no urlsplit
            netloc = self.url.split("/", 3)[2]
            if "?" not in netloc and "#" not in netloc:
                return netloc.lower()
        return urlsplit(self.url).netloc.lower()

    @functools.cached_property  # read at every scheduling pass over the hosts
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @property
    def lane(self) -> int:
        """The host's queue this entry waits in: 0 for robots.txt, feeds, sitemaps, start
        pages and articles, 1 for listing and unknown pages (a host alternates between them)."""
        return 1 if self.kind in BROWSE_KINDS else 0

    def row(self) -> tuple:
        """This entry as a bulk frontier row (store.Store.BULK_FIELDS, in that order)."""
        klass, when, _, _ = self.priority()
        return (self.key, self.url, self.site, self.kind, self.source, self.depth,
                self.referrer, self.title, self.published, self.summary, self.host, self.lane,
                klass, when, timestamp(self.published))

    @property
    def front(self) -> bool:
        """A story linked from a start page or listed in a feed."""
        return self.kind == ARTICLE and self.source in FRONT_SOURCES

    def priority(self) -> tuple[int, float, int, int]:
        """Smaller sorts first."""
        klass = _CLASS.get(self.kind, _CLASS[UNKNOWN])
        if self.kind != ARTICLE:
            return (klass, 0.0, self.depth, self.seq)
        if self.front:
            return (_CLASS[START], FRONT_TIME, self.depth, self.seq)
        published = timestamp(self.published) or timestamp(url_date(self.url))
        if published is None and self.source in _LIVE_SOURCES:
            published = math.inf
        if published is None:
            klass = 4
        return (klass, -(published or 0.0), self.depth, self.seq)


@dataclass(frozen=True)
class Admission:
    """What decides whether a discovered link becomes a frontier entry. Pure and picklable:
    the crawler applies it to a page's links, the analysis workers to a sitemap's URLs."""

    site: str
    hosts: tuple[str, ...]  # the site's hosts (same_site)
    depth: int  # the depth the links get
    max_depth: int
    referrer: str | None = None
    max_age: float = 0.0  # seconds; sitemap URLs dated before now - max_age are left out
    now: float = 0.0
    max_bytes: int = 50_000_000  # a sitemap's size once decoded (crawl.max_sitemap_bytes)


def admit_link(link: Link, rule: Admission, seq: int = 0) -> FrontierEntry | str:
    """The entry for `link`, or why it is left out: "bad_url", "offsite", "asset",
    "trap", "too_deep" (a non-article past max_depth) or "too_old"."""
    url = clean_url(link.url)
    if url is None:
        return "bad_url"
    if not same_site(url, rule.hosts):
        return "offsite"
    url = without_session_ids(url)
    kind = link.kind if link.kind and link.kind != UNKNOWN else classify_url(url)
    if kind == "asset":
        return "asset"
    if looks_like_trap(url):
        return "trap"
    if kind != ARTICLE and rule.depth > rule.max_depth:
        return "too_deep"
    if rule.max_age and link.source == "sitemap" and link.published:
        dated = timestamp(link.published)
        if dated is not None and dated < rule.now - rule.max_age:
            return "too_old"
    if kind not in (ARTICLE, LISTING, FEED, SITEMAP):
        kind = UNKNOWN
    return FrontierEntry(key=url_key(url), url=url, site=rule.site, kind=kind,
                         source=link.source, depth=rule.depth, referrer=rule.referrer,
                         title=link.title, published=link.published, summary=link.summary,
                         seq=seq)


def timestamp(value: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 date or time, or None."""
    if not value:
        return None
    return _timestamp(value)


@lru_cache(maxsize=4096)  # a sitemap's 50,000 dates are a few hundred distinct days
def _timestamp(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
