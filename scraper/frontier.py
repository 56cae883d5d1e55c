"""The crawl frontier's record: one URL waiting to be fetched, and the order in which we want it.

`FrontierEntry` crosses the boundary between the crawler (crawl.py, politeness.py) and the
database (store.py persists it in the `frontier` table so a killed run resumes). No I/O here.

Order ("newest first", and so that traps cannot eat the page budget): robots.txt, then feeds
and sitemaps, then start pages, then articles: those linked from the site's pages without a
date first (being on the live site now is the best sign of news), then dated ones newest
first (feed/sitemap date, else the date in the URL), then undated ones from feeds and
sitemaps in discovery order; then listing pages by depth, then anything else by depth.
A big archive sitemap of old URLs therefore cannot crowd out today's stories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .urls import url_date

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
        return urlsplit(self.url).netloc.lower()

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @property
    def lane(self) -> int:
        """The host's queue this entry waits in: 0 for robots.txt, feeds, sitemaps, start
        pages and articles, 1 for listing and unknown pages (a host alternates between them)."""
        return 1 if self.kind in BROWSE_KINDS else 0

    def priority(self) -> tuple[int, float, int, int]:
        """Smaller sorts first."""
        klass = _CLASS.get(self.kind, _CLASS[UNKNOWN])
        if self.kind != ARTICLE:
            return (klass, 0.0, self.depth, self.seq)
        published = _timestamp(self.published) or _timestamp(url_date(self.url))
        if published is None and self.source in _LIVE_SOURCES:
            published = math.inf
        if published is None:
            klass = 4
        return (klass, -(published or 0.0), self.depth, self.seq)


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
