"""Frozen records that cross module boundaries. No I/O here.

`Page` is what fetching produced (success or failure: failures are data, with a reason),
`Article` is what extraction produced from a page, `Link` is a discovered URL with its hints.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Article:
    """One clean article record. Text fields are plain text; dates are ISO 8601 strings."""

    url: str
    canonical_url: str
    site: str | None = None
    headline: str | None = None
    standfirst: str | None = None
    body: str = ""
    byline: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    word_count: int = 0
    extractor: str = ""
    is_article: bool = True
    not_article_reason: str | None = None
    # provenance: which source gave `published` and `byline` ("jsonld", "meta", "markup",
    # "text", "url", "htmldate", "selector", "feed"), and whether the page shows the whole
    # article: access "full", or "paywalled" / "truncated" / "blocked" with a reason
    published_source: str | None = None
    byline_source: str | None = None
    access: str = "full"
    access_reason: str | None = None
    # where `language` came from: "markup" (<html lang>, og:locale) or "text" (detected from
    # the article's text when the markup gives none or contradicts it); not stored yet
    language_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields by name, tuples as lists. Every field is a str, a number, a bool, None
        or a tuple of str, so this equals `asdict` (and what was hashed with it,
        `store.records._record_hash`) without its recursive copy: 2 us instead of 33."""
        data = {name: getattr(self, name) for name in _article_field_names()}
        data["authors"] = list(self.authors)
        data["tags"] = list(self.tags)
        return data


@dataclass(frozen=True)
class Page:
    """The outcome of fetching one URL.

    `ok` is True for a usable 2xx response and for a 304 (`not_modified`). On failure
    `error` holds a short machine-friendly reason (e.g. "http_404", "read_timeout",
    "too_large", "not_html", "redirect_loop", "robots_disallowed", "connect_refused"; see scraper/fetch/)
    and `error_detail` a human sentence.
    """

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None = None  # None when no response arrived
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""
    fetched_at: str = ""  # ISO 8601 UTC
    elapsed_ms: float = 0.0
    redirects: tuple[str, ...] = ()
    error: str | None = None
    error_detail: str | None = None
    retry_after: float | None = None  # seconds, from a 429/503 Retry-After header

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Link:
    """A discovered URL with what the source told us about it."""

    url: str
    source: str  # "feed", "sitemap", "page", "start", "robots"
    referrer: str | None = None
    depth: int = 0
    title: str | None = None
    published: str | None = None  # ISO 8601 when the feed/sitemap gave one
    summary: str | None = None
    kind: str = "unknown"  # "article", "listing", "feed", "sitemap", "unknown"


# Fields a site's config entry may pin to a CSS selector (`[sites.selectors]`).
SELECTOR_FIELDS = ("headline", "standfirst", "body", "byline", "published", "modified")


@dataclass(frozen=True)
class SiteConfig:
    name: str
    start_urls: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()  # extra hosts beyond those of start_urls
    selectors: tuple[tuple[str, str], ...] = ()  # optional per-site CSS selectors: (field, css)
    max_pages: int | None = None  # overrides crawl.max_pages_per_site


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = "scraper/0.1 (+https://example.org/contact)"
    per_host_delay: float = 1.0
    concurrency: int = 8
    timeout: float = 20.0
    max_pages_per_site: int = 500
    max_sitemaps_per_site: int = 100
    max_article_age: float = 30.0  # days; 0: no limit (walk the archive)
    max_sitemap_bytes: int = 50_000_000  # the sitemaps protocol's maximum, uncompressed
    max_depth: int = 3
    max_pagination: int = 10  # "next page" links followed from one listing, at the listing's depth
    max_body_bytes: int = 5_000_000
    max_redirects: int = 10
    max_crawl_delay: float = 30.0
    retries: int = 3
    retry_budget: int = 100
    revisit_after: float = 86_400.0  # seconds before a known article page is fetched again
    robots_cache_ttl: float = 86_400.0
    max_duration: float | None = None


@dataclass(frozen=True)
class Config:
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    sites: tuple[SiteConfig, ...] = ()


@functools.cache
def _article_field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Article))
