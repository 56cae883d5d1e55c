"""One-off jobs behind the thin CLI: extract a URL or a saved file, re-extract a database.

Each function returns a frozen record; the CLI only prints it and picks the exit code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .extract import extract_article
from .models import Article, CrawlConfig, Page
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


def extract_url(url: str, config: CrawlConfig,
                fetch: Callable[[str, CrawlConfig], Page] | None = None) -> ExtractOutcome:
    """Fetch one URL (redirects, total timeout, retries on transient errors) and extract it."""
    if not _valid_http_url(url):
        return ExtractOutcome(url, error="bad_url", error_detail="not an http(s) URL with a host")
    if fetch is None:
        from .fetch import fetch_url as fetch
    return extract_page(fetch(url, config), url)


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
