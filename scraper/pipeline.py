"""One-off jobs behind the thin CLI: extract URLs or saved pages, re-extract a database.

Each function returns a frozen record; the CLI only prints it and picks the exit code.

`scraper extract` follows the crawler's rules end to end: fetching obeys robots.txt and the
per-host delay (`PoliteFetcher`), a page's identity is the crawler's (a trusted canonical
URL or the fetched one, cleaned of tracking parameters and fragments, `url_key` and the
per-site content key fold variants onto one row: `crawl/identity.py`, `urls/`), a site from
the config lends its name and its selectors, and only pages judged to be articles are saved.
Saved pages are checked first: gzip is undone, empty and binary input refused with a reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .crawl.extract_pool import TIMEOUT as EXTRACT_TIMEOUT_REASON
from .crawl.extract_pool import TimedWorker
from .crawl.identity import content_key, site_hosts, trusted_canonical
from .extract import extract_article, extract_from_document, parse_document
from .extract.decode import binary_kind
from .fetch import ACCEPT_ANY
from .models import Article, CrawlConfig, Page, SiteConfig
from .robots import DISALLOW_ALL, RobotsPolicy, robots_from_response, robots_url
from .store import Store, sniff_encoding, unzstd_bounded
from .urls import clean_url, same_site, url_key

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "")
MAX_PAGE_BYTES = 50_000_000  # a saved page, once decompressed (a gzip bomb stops here)


@dataclass(frozen=True)
class ExtractOutcome:
    """What `scraper extract` produced for one input: an article, or a reason it could not.
    `blocks` is the body's structure (`extract/structure.py`) when it was asked for."""

    source: str  # the URL or file asked for
    page: Page | None = None
    article: Article | None = None
    error: str | None = None
    error_detail: str | None = None
    blocks: tuple[Any, ...] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.article is not None


@dataclass(frozen=True)
class SaveResult:
    """What `save_outcome` did: "new", "updated" or "unchanged" for the row at
    `canonical_url`, or "not_article" (nothing written: the crawler stores articles only)."""

    outcome: str
    canonical_url: str
    reason: str | None = None

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


def checked_content(data: bytes, limit: int = MAX_PAGE_BYTES) -> tuple[bytes, str | None, str | None]:
    """A page's bytes made ready for extraction: (content, error, detail). Gzip (how pages
    are saved and shipped) and zstd (how the database keeps them: a page copied out of
    `pages.content`) are decompressed, within `limit`; empty input and binary files
    (images, PDFs, archives: anything that is no text) are refused with a reason."""
    encoding = sniff_encoding(data)
    if encoding == "gzip":
        try:
            data = _gunzip(data, limit)
        except zlib.error as exc:
            return data, "bad_gzip", f"gzip data that does not decompress ({exc})"
        except OverflowError:
            return data, "too_large", f"more than {limit:,} bytes once decompressed"
    elif encoding == "zstd":
        try:
            data = unzstd_bounded(data, limit)
        except ValueError as exc:
            return data, "bad_zstd", f"zstd data that does not decompress ({exc})"
        except OverflowError:
            return data, "too_large", f"more than {limit:,} bytes once decompressed"
    if not data.strip():
        return data, "empty", "no bytes" if not data else "nothing but whitespace"
    kind = binary_kind(data)
    if kind:
        return data, "not_html", f"{kind}, not an HTML page"
    return data, None, None


def _gunzip(data: bytes, limit: int) -> bytes:
    """Every gzip member of `data`, decompressed; OverflowError past `limit` bytes."""
    out: list[bytes] = []
    size = 0
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        chunk = inflater.decompress(data, limit + 1 - size)
        size += len(chunk)
        out.append(chunk)
        if size > limit or inflater.unconsumed_tail:
            raise OverflowError
        if not inflater.eof:
            raise zlib.error("truncated gzip data")
        data = inflater.unused_data.lstrip(b"\x00")  # padding after the last member
    return b"".join(out)


def site_for(url: str, sites: Iterable[SiteConfig]) -> SiteConfig | None:
    """The configured site a URL belongs to (its start URLs' hosts or `allowed_hosts`)."""
    return next((site for site in sites if same_site(url, site_hosts(site))), None)


def _nothing_known(_key: str) -> None:
    """No frontier to ask: no URL is known to be a listing page."""
    return None


def one_off_identity(article: Article, final_url: str, site: SiteConfig | None,
                     result_of: Callable[[str], str | None] = _nothing_known) -> Article:
    """The crawler's step 9 for a page fetched or read on its own: the canonical URL is the
    page's rel=canonical/og:url when `trusted_canonical` allows it (same site, not the home
    page, a start page or a listing), else the fetched URL; either way cleaned (`clean_url`:
    tracking parameters, fragments, session ids and default ports gone). A configured site
    lends its name, as in a crawl. The fold onto a stored row is `save_outcome`'s."""
    hosts = site_hosts(site) if site else (_host(final_url),)
    start_keys = {url_key(u) for u in site.start_urls} if site else set()
    candidate = article.canonical_url
    if not candidate or not trusted_canonical(candidate, final_url, hosts, start_keys, result_of):
        candidate = final_url
    canonical = clean_url(candidate) or final_url
    return replace(article, canonical_url=canonical, site=site.name if site else article.site)


def extract_page(page: Page, source: str, site: SiteConfig | None = None, *,
                 structure: bool = False, links: bool = False,
                 result_of: Callable[[str], str | None] = _nothing_known,
                 limit: TimedWorker | None = None) -> ExtractOutcome:
    """Extract a fetched (or saved) page, refusing failures, non-HTML responses, empty and
    binary bodies with a reason. `site` (from the config) pins its selectors and names the
    site; `structure` also renders the body's blocks (`links`: with link targets). With a
    `limit` the extraction runs in its worker process, under the crawl's per-page time
    limit: past it the page fails with "extract_timeout"."""
    if not page.ok:
        return ExtractOutcome(source, page, error=page.error, error_detail=page.error_detail)
    if page.content_type not in HTML_TYPES:
        return ExtractOutcome(source, page, error="not_html",
                              error_detail=f"content type is {page.content_type}")
    content, error, detail = checked_content(page.content)
    if error:
        return ExtractOutcome(source, page, error=error, error_detail=detail)
    page = replace(page, content=content)
    args = (content, page.final_url, dict(page.headers), dict(site.selectors) if site else None,
            structure, links)
    extracted = limit.run(_extracted, *args) if limit is not None else _extracted(*args)
    if isinstance(extracted, str):
        return ExtractOutcome(source, page, error=extracted,
                              error_detail=limit_detail(extracted, limit))
    article, blocks = extracted
    article = one_off_identity(article, page.final_url, site, result_of)
    return ExtractOutcome(source, page, article=article, blocks=blocks)


def _extracted(content: bytes, url: str, headers: dict[str, str],
               selectors: dict[str, str] | None, structure: bool,
               links: bool) -> tuple[Article, tuple[Any, ...] | None]:
    """The article of a page and, with `structure`, its body's blocks (in a worker process
    under a `TimedWorker`: a module-level function of picklable arguments)."""
    doc = parse_document(content, url, headers)
    article = extract_from_document(doc, selectors)
    if not structure:
        return article, None
    from .extract.structure import body_blocks

    return article, body_blocks(doc, article.body, links=links)


def limit_detail(reason: str, limit: TimedWorker | None) -> str:
    """What a TimedWorker's failure means, for the one line a user reads."""
    if reason == EXTRACT_TIMEOUT_REASON and limit is not None:
        return f"extraction ran past {limit.timeout:g} s, the per-page limit; given up"
    return "the extraction process died (a crash or out of memory)"


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
        self._robots_failures: dict[str, tuple[str, str]] = {}  # origin -> (reason, detail)
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
            if policy.status is None:  # nothing answered: the network's reason, no robots verdict
                reason, detail = self._robots_failures.get(_origin(url),
                                                           ("network_error", "no answer"))
                return reason, f"robots.txt unreachable: {detail}"
            return "robots_unavailable", f"robots.txt answered {policy.status}: not fetching"
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
            if page.error and not page.status:
                self._robots_failures[origin] = (page.error, page.error_detail or page.error)
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


def extract_url(url: str, config: CrawlConfig, fetcher: PoliteFetcher | None = None,
                site: SiteConfig | None = None, **options) -> ExtractOutcome:
    """Fetch one URL politely (robots.txt, per-host delay, redirects checked, total timeout,
    retries on transient errors) and extract it (`options`: those of `extract_page`)."""
    if not _valid_http_url(url):
        return ExtractOutcome(url, error="bad_url", error_detail="not an http(s) URL with a host")
    fetcher = fetcher or PoliteFetcher(config)
    return extract_page(fetcher.fetch(url), url, site, **options)


def extract_html(content: bytes, url: str, source: str, site: SiteConfig | None = None,
                 **options) -> ExtractOutcome:
    """Extract a saved page (bytes, gzip welcome) with no network. `url` is where the page
    lives (for links, identity and site); `source` names the input in messages."""
    if not _valid_http_url(url):
        return ExtractOutcome(source, error="bad_url", error_detail=f"--url {url!r} is not an http(s) URL")
    page = Page(url=url, final_url=url, status=200, headers=(("content-type", "text/html"),),
                content=content)
    return extract_page(page, source, site, **options)


def extract_file(path: Path, url: str, site: SiteConfig | None = None, **options) -> ExtractOutcome:
    """`extract_html` of a file."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        return ExtractOutcome(str(path), error="unreadable_file", error_detail=exc.strerror or str(exc))
    return extract_html(content, url, str(path), site, **options)


def save_outcome(store: Store, outcome: ExtractOutcome) -> SaveResult | None:
    """Keep the raw page and upsert the article under the crawler's identity, in one
    transaction: the row of its canonical URL's `url_key`, or of its content key (same
    headline and body on the same site), if one is stored already; every key recorded in
    `article_keys`. A page judged not an article writes nothing, as in a crawl."""
    if outcome.page is None or outcome.article is None:
        return None
    article, page = outcome.article, outcome.page
    if not article.is_article:
        return SaveResult("not_article", article.canonical_url, article.not_article_reason)
    site = article.site or _host(page.final_url)
    key = url_key(article.canonical_url)
    content = content_key(article, site)
    with store.transaction():
        known = store.article_key(key) or (content and store.article_key(content))
        canonical = known or article.canonical_url
        page_id = store.save_page(page, site)
        result = store.upsert_article(replace(article, canonical_url=canonical, site=site), page_id)
        keys = [key, url_key(page.url), url_key(page.final_url)] + ([content] if content else [])
        store.put_article_keys(list(dict.fromkeys(keys)), canonical)
    return SaveResult(result, canonical)


def frontier_result(store: Store) -> Callable[[str], str | None]:
    """What a crawl recorded for an identity key ("article", "html", ...), for
    `trusted_canonical`: a canonical link naming a known listing page is not trusted."""
    def result_of(key: str) -> str | None:
        row = store.frontier_states([key]).get(key)
        return row["result"] if row is not None else None
    return result_of


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
