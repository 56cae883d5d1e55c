"""One-off jobs behind the thin CLI: extract a URL or a saved file, re-extract a database.

Each function returns a frozen record; the CLI only prints it and picks the exit code.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .extract import extract_article
from .fetch import ACCEPT_ANY
from .models import Article, CrawlConfig, Page
from .robots import DISALLOW_ALL, RobotsPolicy, robots_from_response, robots_url
from .store import Store

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True)
class ExtractOutcome:
    """What `scraper extract` produced for one input: an article, or a reason it could not."""

    source: str  # the URL or file asked for
    page: Page | None = None
    article: Article | None = None
    error: str | None = None
    error_detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.article is not None


@dataclass(frozen=True)
class ReextractSummary:
    pages: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    not_articles: int
    failed: int

    @property
    def changed(self) -> int:
        return self.articles_new + self.articles_updated


def _valid_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def extract_page(page: Page, source: str) -> ExtractOutcome:
    """Extract a fetched page, refusing failures and non-HTML responses with a reason."""
    if not page.ok:
        return ExtractOutcome(source, page, error=page.error, error_detail=page.error_detail)
    if page.content_type not in HTML_TYPES:
        return ExtractOutcome(source, page, error="not_html",
                              error_detail=f"content type is {page.content_type}")
    article = extract_article(page.content, page.final_url, dict(page.headers))
    return ExtractOutcome(source, page, article=article)


class PoliteFetcher:
    """Fetching for one-off commands under the crawler's hard rules: robots.txt is asked
    before anything else on an origin, and requests to one host are `per_host_delay` apart
    (or the robots Crawl-delay, capped). Redirect hops are checked the same way."""

    def __init__(self, config: CrawlConfig,
                 fetch: Callable[..., Page] | None = None) -> None:
        if fetch is None:
            from .fetch import fetch_url as fetch
        self.config = config
        self._fetch = fetch
        self._robots: dict[str, RobotsPolicy] = {}
        self._last_end: dict[str, float] = {}

    def fetch(self, url: str) -> Page:
        for _ in range(self.config.max_redirects + 1):
            refusal = self._refusal(url)
            if refusal:
                return Page(url=url, final_url=url, error=refusal[0], error_detail=refusal[1])
            offsite: list[str] = []
            self._wait_for(url)
            page = self._fetch(url, self.config, on_redirect=self._hop_checker(url, offsite))
            self._last_end[_host(page.final_url)] = time.monotonic()
            if not offsite:
                return page
            url = offsite[0]  # a hop to another origin: ask its robots.txt first, then go on
        return Page(url=url, final_url=url, error="too_many_redirects",
                    error_detail="redirects across origins did not end")

    def _hop_checker(self, start: str, offsite: list[str]):
        async def check(next_url: str) -> str | None:
            if _origin(next_url) != _origin(start):
                offsite.append(next_url)
                return "redirect_offsite"
            if not self._policy(next_url).allowed(next_url, self.config.user_agent):
                return "robots_disallowed"
            await asyncio.sleep(self._delay(next_url))
            return None
        return check

    def _refusal(self, url: str) -> tuple[str, str] | None:
        policy = self._policy(url)
        if policy.rule == DISALLOW_ALL:
            return "robots_unavailable", f"robots.txt answered {policy.status or 'nothing'}: not fetching"
        if not policy.allowed(url, self.config.user_agent):
            return "robots_disallowed", "robots.txt disallows this URL for our user agent"
        return None

    def _policy(self, url: str) -> RobotsPolicy:
        origin = _origin(url)
        if origin not in self._robots:
            address = robots_url(url) or url
            self._wait_for(address)
            page = self._fetch(address, self.config, accept=ACCEPT_ANY)
            self._last_end[_host(address)] = time.monotonic()
            self._robots[origin] = robots_from_response(
                page.status if page.error is None or page.status else None,
                page.content, time.time(), url=address)
        return self._robots[origin]

    def _delay(self, url: str) -> float:
        policy = self._robots.get(_origin(url))
        asked = policy.crawl_delay(self.config.user_agent) if policy else None
        return max(self.config.per_host_delay, min(asked or 0.0, self.config.max_crawl_delay))

    def _wait_for(self, url: str) -> None:
        last = self._last_end.get(_host(url))
        if last is not None:
            time.sleep(max(0.0, last + self._delay(url) - time.monotonic()))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def extract_url(url: str, config: CrawlConfig, fetcher: PoliteFetcher | None = None) -> ExtractOutcome:
    """Fetch one URL politely (robots.txt, per-host delay, redirects checked, total timeout,
    retries on transient errors) and extract it."""
    if not _valid_http_url(url):
        return ExtractOutcome(url, error="bad_url", error_detail="not an http(s) URL with a host")
    fetcher = fetcher or PoliteFetcher(config)
    return extract_page(fetcher.fetch(url), url)


def extract_file(path: Path, url: str) -> ExtractOutcome:
    """Extract a saved page with no network. `url` is where the page lives (for links and site)."""
    if not _valid_http_url(url):
        return ExtractOutcome(str(path), error="bad_url", error_detail=f"--url {url!r} is not an http(s) URL")
    try:
        content = path.read_bytes()
    except OSError as exc:
        return ExtractOutcome(str(path), error="unreadable_file", error_detail=str(exc))
    page = Page(url=url, final_url=url, status=200, headers=(("content-type", "text/html"),),
                content=content)
    return extract_page(page, str(path))


def save_outcome(store: Store, outcome: ExtractOutcome, site: str | None = None) -> str | None:
    """Keep the raw page and upsert the article. Returns "new"/"updated"/"unchanged"/None."""
    if outcome.page is None or outcome.article is None:
        return None
    site = site or outcome.article.site
    with store.transaction():
        page_id = store.save_page(outcome.page, site)
        return store.upsert_article(outcome.article, page_id)


def reextract(store: Store, site: str | None = None, since: str | None = None,
              selectors: Mapping[str, Mapping[str, str]] | None = None) -> ReextractSummary:
    """Rebuild article rows from their stored raw pages with the current extractor. No network.

    Identity stays as the crawler (or `extract --save`) decided it: each row keeps its canonical
    URL and site, so re-extraction refreshes content and never moves or duplicates a row.
    `selectors` maps a site name to its optional per-field CSS selectors (from the config).
    """
    counts = {"new": 0, "updated": 0, "unchanged": 0, "not_article": 0, "failed": 0, "pages": 0}
    for stored_article, stored in store.iter_article_pages(site=site, since=since):
        counts["pages"] += 1
        page = stored.page
        if page.content_type not in HTML_TYPES:
            counts["failed"] += 1
            continue
        pinned = (selectors or {}).get(stored_article.site or "")
        fresh = extract_article(page.content, page.final_url, dict(page.headers), pinned)
        if not fresh.is_article:
            counts["not_article"] += 1  # the row stays: a rule change is no reason to lose data
            continue
        fresh = replace(fresh, canonical_url=stored_article.canonical_url, site=stored_article.site)
        counts[store.upsert_article(fresh, stored.id)] += 1
    return ReextractSummary(counts["pages"], counts["new"], counts["updated"], counts["unchanged"],
                            counts["not_article"], counts["failed"])
