"""The crawl engine: discover -> fetch politely -> extract -> store, resumable and incremental.

The path of one URL, in the order of the code below:

 1. open: take the lock on the database (a second run gets `LockedError`, exit code 3), open
    the store (migrations applied), record a run;
 2. seed: re-queue each site's start pages, feeds and sitemaps (fetched every run), and load
    what a killed or budget-limited run left pending in the `frontier` table;
 3. schedule: a fixed pool of workers asks the per-host `Scheduler` for the next entry:
    robots.txt first for every host, one request in flight per host, the per-host delay from
    the end of one response to the start of the next, Retry-After and backoff honoured there,
    a page budget per site, newest articles first, a host alternating between articles and
    listing pages (an archive backlog cannot starve discovery, nor a trap the articles);
 4. robots: a URL robots.txt disallows is never requested (counted as robots_blocked); a
    robots.txt redirect to another host is fetched in that host's turn;
 5. fetch with If-None-Match / If-Modified-Since (only the validators stored for that very
    URL) -> `Page` (success, 304 or a failure reason; a same-host redirect hop waits for the
    host's delay, outside the fetch deadline);
 6. retry transient failures (tenacity backoff with jitter, Retry-After) via the scheduler,
    within a per-run retry budget; other failures are counted by reason;
 7. keep the raw response in `pages` (its validators wait for step 10);
 8. analyse in a process pool (the event loop never stalls), within EXTRACT_TIMEOUT (past
    it, or when the pool breaks, the pool is rebuilt and the entry fails): feeds and
    sitemaps -> links; HTML -> an `Article` (extraction decides whether it is one) and the
    page's links;
 9. identity: the canonical URL (rel=canonical / og:url on the same site unless it names the
    home, a start or a listing page; else the final URL), folded through `url_key` and a
    per-site content key onto the first canonical URL stored for it: one row per article;
    an AMP copy sends us to its canonical page instead (queued like any link);
10. store: upsert the article (only `is_article` pages become rows), queue the new links
    (same site, not traps, bounded depth, not known or due for a revisit), record the
    response's validators for the next conditional GET and mark the entry done, all in one
    transaction, so a kill at any point loses and duplicates nothing (a page kept but not
    settled is fetched in full again: no 304 can be earned before its article is stored);
11. finish: the run summary per site, stored in `runs` and returned; `exit_code` says how it
    went (0 ok, 1 nothing reachable / every fetch failed; robots.txt answers do not count).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from .analyse import PAGINATION, analyse_document
from .fetch import ACCEPT_ANY, ACCEPT_HTML, ACCEPT_XML, Fetcher, backoff_delay, is_transient
from .frontier import (
    ARTICLE,
    FEED,
    LISTING,
    ROBOTS,
    SITEMAP,
    START,
    UNKNOWN,
    FrontierEntry,
)
from .lock import LockedError, RunLock
from .models import Config, CrawlConfig, Link, Page, SiteConfig
from .politeness import MARGIN, Scheduler
from .progress import Progress
from .robots import DISALLOW_ALL, RobotsPolicy, robots_from_response, robots_url
from .store import Store
from .urls import (
    classify_url,
    clean_url,
    is_amp_url,
    looks_like_trap,
    page_number,
    same_site,
    url_key,
    without_session_ids,
)

log = logging.getLogger(__name__)

__all__ = ["CrawlSummary", "LockedError", "SiteSummary", "run_crawl"]

EXIT_OK, EXIT_FAILED = 0, 1
_XML_KINDS = (FEED, SITEMAP)
_CONTENT_KEY_WORDS = 50
_ROBOTS_HOPS = 5  # RFC 9309 2.3.1.2: follow at least five redirects for robots.txt
_NOT_ARTICLE_RESULTS = frozenset({"html", "feed", "sitemap"})  # frontier results of pages
# Seconds one document may spend in the analysis pool (parsing, extraction). A pathological
# page (say 1 MB of deeply nested tags) can keep lexbor busy for minutes, and a running task
# in a ProcessPoolExecutor cannot be cancelled: past this the pool is killed and rebuilt and
# the entry fails with "extract_timeout". Ordinary pages take milliseconds.
EXTRACT_TIMEOUT = 60.0


# ----------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class SiteSummary:
    """What one run did for one site."""

    name: str
    discovered: int = 0  # URLs new to the frontier
    requests: int = 0  # HTTP requests made (robots.txt and retries included)
    fetched: int = 0  # pages downloaded (2xx); robots.txt is counted in robots_fetched
    not_modified: int = 0  # 304s
    robots_fetched: int = 0  # robots.txt files downloaded (2xx)
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    not_articles: int = 0  # HTML pages extraction judged not to be articles
    robots_blocked: int = 0
    retries: int = 0
    traps_skipped: int = 0
    errors: tuple[tuple[str, int], ...] = ()  # (reason, count), most frequent first
    pending: int = 0  # left in the frontier for the next run

    @property
    def error_count(self) -> int:
        return sum(n for _, n in self.errors)

    @property
    def ok_responses(self) -> int:
        """Pages answered (downloaded or 304); robots.txt does not count."""
        return self.fetched + self.not_modified


@dataclass(frozen=True)
class CrawlSummary:
    """The outcome of one `run_crawl`; stored in `runs.summary` and printed."""

    run_id: int
    started_at: float
    duration: float
    sites: tuple[SiteSummary, ...]
    stopped: str | None = None  # "max_duration reached", "max_pages reached", or None

    def total(self, name: str) -> int:
        if name == "errors":
            return sum(s.error_count for s in self.sites)
        return sum(getattr(s, name) for s in self.sites)

    @property
    def exit_code(self) -> int:
        """0 ok; 1 when the run reached nothing: no page answered (every fetch failed,
        every host unreachable or disallowed; an answered robots.txt alone is not enough)
        although there was work to do."""
        tried = self.total("requests") + self.total("robots_blocked") + self.total("errors")
        if tried and self.total("ok_responses") == 0:
            return EXIT_FAILED
        return EXIT_OK

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "duration": round(self.duration, 2), "stopped": self.stopped,
            "exit_code": self.exit_code,
            "sites": {s.name: {**{k: v for k, v in s.__dict__.items() if k != "name"},
                               "errors": dict(s.errors)} for s in self.sites},
        }

    def lines(self) -> list[str]:
        """Human summary, one line per site; '0 new articles' is always spelled out."""
        out = [f"run {self.run_id}: {len(self.sites)} site(s) in {self.duration:.1f}s"
               + (f" (stopped: {self.stopped})" if self.stopped else "")]
        for s in self.sites:
            errors = ", ".join(f"{r}={n}" for r, n in s.errors) or "none"
            out.append(
                f"  {s.name}: {s.new_articles} new articles, {s.updated_articles} updated, "
                f"{s.unchanged_articles} unchanged; discovered {s.discovered}, fetched "
                f"{s.fetched}, 304s {s.not_modified}, robots-blocked {s.robots_blocked}, "
                f"retries {s.retries}, pending {s.pending}; errors: {errors}")
        out.append(f"exit code {self.exit_code}")
        return out


@dataclass
class _Counts:
    """Mutable counters for one site during a run; frozen into a SiteSummary at the end."""

    discovered: int = 0
    requests: int = 0
    fetched: int = 0
    not_modified: int = 0
    robots_fetched: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    not_articles: int = 0
    robots_blocked: int = 0
    retries: int = 0
    traps_skipped: int = 0
    errors: Counter = field(default_factory=Counter)

    def freeze(self, name: str, pending: int) -> SiteSummary:
        values = {k: v for k, v in self.__dict__.items() if k != "errors"}
        return SiteSummary(name=name, errors=tuple(self.errors.most_common()), pending=pending,
                           **values)


# ----------------------------------------------------------------------------- entry point


def run_crawl(config: Config, db_path: Path, sites: list[str] | None = None,
              max_pages: int | None = None, max_duration: float | None = None,
              progress: bool = False) -> CrawlSummary:
    """Crawl the configured sites (or those named in `sites`) into the database at `db_path`.

    `max_pages` caps the requests of the whole run, `max_duration` (seconds; default
    `config.crawl.max_duration`) bounds it; what is left stays in the frontier for the next
    run. Raises `LockedError` if another run holds the database, `ValueError` for an unknown
    site name. Network failures never raise: they are counted in the summary.
    """
    chosen = _choose_sites(config, sites)
    duration = max_duration if max_duration is not None else config.crawl.max_duration
    with RunLock(Path(db_path)), Store(db_path) as store:  # step 1
        crawler = Crawler(config.crawl, chosen, store, max_pages=max_pages,
                          max_duration=duration, progress=progress)
        return asyncio.run(crawler.run())


def _choose_sites(config: Config, names: list[str] | None) -> tuple[SiteConfig, ...]:
    if not names:
        return config.sites
    known = {s.name: s for s in config.sites}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return tuple(known[n] for n in names)


def _site_hosts(site: SiteConfig) -> tuple[str, ...]:
    hosts = [urlsplit(u).hostname or "" for u in site.start_urls] + list(site.allowed_hosts)
    return tuple(dict.fromkeys(h.lower() for h in hosts if h))


# ----------------------------------------------------------------------------- the crawler


class Crawler:
    """One run over some sites. Create, then `await crawler.run()` once."""

    def __init__(self, config: CrawlConfig, sites: Iterable[SiteConfig], store: Store, *,
                 max_pages: int | None = None, max_duration: float | None = None,
                 progress: bool = False) -> None:
        self.config = config
        self.sites = {s.name: s for s in sites}
        self.hosts = {s.name: _site_hosts(s) for s in self.sites.values()}
        self.start_keys = {s.name: {url_key(u) for u in s.start_urls} for s in self.sites.values()}
        self.store = store
        self.max_pages = max_pages
        self.max_duration = max_duration
        self.counts = {name: _Counts() for name in self.sites}
        self.retry_budget = config.retry_budget
        self.total_requests = 0
        self.run_id = 0
        self.done_depth: dict[str, int] = {}  # identities settled this run -> at what depth
        self.robots_asked: set[str] = set()  # origins whose robots.txt is known or queued
        self.seq = 0
        self.progress = Progress(enabled=progress, counts=self.counts)
        self.extract_timeout = EXTRACT_TIMEOUT
        self.scheduler: Scheduler
        self.fetcher: Fetcher
        self.pool: ProcessPoolExecutor

    async def run(self) -> CrawlSummary:
        started = time.time()
        self.run_id = self.store.start_run("crawl " + " ".join(self.sites))
        deadline = time.monotonic() + self.max_duration if self.max_duration else None
        self.scheduler = Scheduler(self.config, self._budget_left, deadline)
        self._seed()  # step 2
        workers = max(1, self.config.concurrency)
        self.pool = _process_pool()
        try:
            with self.progress:
                async with Fetcher(self.config) as self.fetcher:
                    tasks = [asyncio.create_task(self._worker()) for _ in range(workers)]
                    ticker = asyncio.create_task(self._tick())
                    await asyncio.gather(*tasks)
                    ticker.cancel()
                    self.progress.update(self.scheduler.pending(), self.total_requests)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)  # the pool may have been rebuilt
        return self._finish(started)  # step 11

    # -- step 2: seeds and what a previous run left

    def _seed(self) -> None:
        seeds = []
        for site in self.sites.values():
            for kind, urls in ((START, site.start_urls), (FEED, site.feeds),
                               (SITEMAP, site.sitemaps)):
                for url in urls:
                    entry = self._entry(url, site.name, kind, source=kind, depth=0)
                    if entry is not None:
                        seeds.append(entry)
        new = self._new_keys([e.key for e in seeds])
        self.store.frontier_queue(seeds)
        for entry in seeds:
            if entry.key in new:
                self.counts[entry.site].discovered += 1
        pending = self.store.frontier_pending(list(self.sites))
        log.info("run %d: %d seed URLs, %d pending in the frontier", self.run_id, len(seeds),
                 len(pending))
        for entry in pending:
            self._enqueue(replace(entry, seq=self._next_seq()))

    def _entry(self, url: str, site: str, kind: str, *, source: str, depth: int,
               link: Link | None = None, referrer: str | None = None) -> FrontierEntry | None:
        cleaned = clean_url(url)
        if cleaned is None:
            return None
        cleaned = without_session_ids(cleaned)
        return FrontierEntry(
            key=url_key(cleaned), url=cleaned, site=site, kind=kind, source=source, depth=depth,
            referrer=referrer, title=link.title if link else None,
            published=link.published if link else None,
            summary=link.summary if link else None, seq=self._next_seq())

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _new_keys(self, keys: list[str]) -> set[str]:
        known = self.store.frontier_states(keys)
        return {k for k in keys if k not in known}

    def _enqueue(self, entry: FrontierEntry) -> None:
        """Queue in memory; the first time an origin (scheme, host, port: RFC 9309) is seen,
        its robots.txt goes first."""
        if entry.origin not in self.robots_asked:
            self.robots_asked.add(entry.origin)
            policy = self._cached_robots(entry.origin)
            if policy is not None:
                self.scheduler.set_robots(entry.host, policy, entry.origin)
                self._queue_robots_sitemaps(policy, entry.site)
            else:
                self.scheduler.push(FrontierEntry(
                    key=f"robots:{entry.origin}", url=robots_url(entry.url) or entry.url,
                    site=entry.site, kind=ROBOTS, source="robots"))
        self.scheduler.push(entry)

    def _cached_robots(self, origin: str) -> RobotsPolicy | None:
        row = self.store.robots_get(origin)
        if row is None:
            return None
        policy = robots_from_response(row["status"], row["body"] or b"", row["fetched_at"],
                                      url=row["url"])
        return policy if policy.is_fresh(time.time(), self.config.robots_cache_ttl) else None

    # -- step 3: workers

    def _budget_left(self, site: str) -> bool:
        if self.max_pages is not None and self.total_requests >= self.max_pages:
            self.scheduler.stop("max_pages reached")
            return False
        site_cfg = self.sites[site]
        limit = site_cfg.max_pages or self.config.max_pages_per_site
        return self.counts[site].requests < limit

    async def _worker(self) -> None:
        while (entry := await self.scheduler.next()) is not None:
            released = False

            def release(requested: bool = True, retry_after: float | None = None,
                        _entry: FrontierEntry = entry) -> None:
                nonlocal released
                if not released:
                    released = True
                    self.scheduler.release(_entry, requested=requested, retry_after=retry_after)

            try:
                await self._process(entry, release)
            except Exception:  # a bug in one URL must not end the run
                # a request may have been sent: the host's delay applies (conservative)
                release(requested=True)
                self._internal_error(entry)
            finally:
                release(requested=False)

    def _internal_error(self, entry: FrontierEntry) -> None:
        """Count it and settle the entry as failed (revisited like any failure after
        `revisit_after`), so a URL that trips a bug is not retried by every run forever."""
        log.exception("internal error while crawling %s", entry.url)
        self.counts[entry.site].errors["internal_error"] += 1
        try:
            self.store.frontier_done([entry.key], "internal_error", time.time(), self.run_id,
                                     state="failed")
        except Exception:  # the store itself may be what failed; the entry stays pending
            log.exception("could not record the internal error of %s", entry.url)

    async def _process(self, entry: FrontierEntry, release) -> None:
        if entry.kind == ROBOTS:
            await self._fetch_robots(entry, release)
            return
        policy = self.scheduler.host(entry.host).policy(entry.origin)
        if self.done_depth.get(entry.key, 1 << 30) <= entry.depth:  # settled already
            release(requested=False)
            return
        if policy is None or not policy.allowed(entry.url, self.config.user_agent):  # step 4
            release(requested=False)
            self._robots_blocked(entry)
            return
        page = await self._fetch(entry)  # step 5
        release(retry_after=page.retry_after)
        if self._maybe_retry(entry, page):  # step 6
            return
        await self._handle(entry, page)

    # -- robots.txt

    async def _fetch_robots(self, entry: FrontierEntry, release) -> None:
        """robots.txt for the host named in the entry's key. Redirect hops on the same host
        wait for its delay; a hop to another host is queued on that host, so its delay
        holds too (entry.depth counts those hops, RFC 9309 allows five)."""
        self._count_request(entry.site)
        host, origin = _robots_origin(entry)
        page = await self.fetcher.fetch(entry.url, accept=ACCEPT_ANY,
                                        on_redirect=self._redirect_hook(entry, robots=True))
        if page.error == "redirect_offsite" and entry.depth < _ROBOTS_HOPS:
            release()
            log.info("robots.txt of %s redirects to %s: queued on that host", origin,
                     page.final_url)
            self.scheduler.push(replace(entry, url=page.final_url, depth=entry.depth + 1,
                                        seq=self._next_seq()))
            return
        status = page.status if page.status is not None and (
            page.ok or (page.error or "").startswith("http_")) else None
        policy = robots_from_response(status, page.content, time.time(), url=page.final_url)
        self.scheduler.set_robots(host, policy, origin)
        release()  # after set_robots: a Crawl-delay counts from this response already
        if policy.rule == DISALLOW_ALL:
            reason = f"robots.txt unavailable ({page.error or status})"
            self.counts[entry.site].errors["robots_unavailable"] += 1
            self.scheduler.park(host, reason)
            return
        if page.ok:
            self.counts[entry.site].robots_fetched += 1
        self.store.robots_put(origin, page.final_url, status, page.content, policy.fetched_at)
        self._queue_robots_sitemaps(policy, entry.site)

    def _queue_robots_sitemaps(self, policy: RobotsPolicy, site: str) -> None:
        links = [Link(url=u, source="robots", kind=SITEMAP) for u in policy.sitemaps]
        if links:
            self._queue_links(site, links, depth=0, referrer=None)

    def _robots_blocked(self, entry: FrontierEntry) -> None:
        log.info("robots.txt disallows %s", entry.url)
        self.counts[entry.site].robots_blocked += 1
        self.store.frontier_done([entry.key], "robots_blocked", time.time(), self.run_id)

    # -- step 5: fetch

    def _count_request(self, site: str) -> None:
        self.counts[site].requests += 1
        self.total_requests += 1

    async def _fetch(self, entry: FrontierEntry) -> Page:
        self._count_request(entry.site)
        etag, last_modified = self._validators_of(entry.url)
        accept = ACCEPT_XML if entry.kind in _XML_KINDS else ACCEPT_HTML
        return await self.fetcher.fetch(
            entry.url, accept=accept, etag=etag, last_modified=last_modified,
            on_redirect=self._redirect_hook(entry), validators=self._validators_of)

    def _validators_of(self, url: str) -> tuple[str | None, str | None]:
        """The ETag / Last-Modified of the response stored for exactly this URL. url_key
        folds variants (an AMP copy and its canonical page share a key): another URL's
        validators could earn a 304 for a page we never stored."""
        row = self.store.validators_get(url_key(url))
        if row is None or row["url"] != url:
            return None, None
        return row["etag"], row["last_modified"]

    def _redirect_hook(self, entry: FrontierEntry, robots: bool = False):
        state = self.scheduler.host(entry.host)

        async def hook(target: str) -> str | None:
            parts = urlsplit(target)
            if parts.netloc.lower() != entry.host:
                return "redirect_offsite"  # the target is queued as a link of its own
            policy = state.policy(f"{parts.scheme}://{parts.netloc.lower()}")
            if not robots and policy is None:
                return "redirect_offsite"  # another origin (http -> https): queued, its
                # robots.txt asked first
            if not robots and not policy.allowed(target, self.config.user_agent):
                return "robots_disallowed"
            await asyncio.sleep(state.delay + MARGIN)  # same host: the delay between hops
            return None

        return hook

    # -- step 6: retries

    def _maybe_retry(self, entry: FrontierEntry, page: Page) -> bool:
        if not is_transient(page):
            return False
        if self.scheduler.host(entry.host).parked:
            log.info("%s: %s; host parked, left for the next run", entry.url, page.error)
            self.counts[entry.site].errors[page.error or "error"] += 1
            return True  # stays pending in the frontier
        if entry.attempts >= self.config.retries or self.retry_budget <= 0:
            why = "retries exhausted" if self.retry_budget > 0 else "retry budget spent"
            log.info("%s: %s; giving up (%s)", entry.url, page.error, why)
            return False
        self.retry_budget -= 1
        attempts = entry.attempts + 1
        wait = backoff_delay(attempts, page.retry_after, initial=max(0.1, self.config.per_host_delay),
                             maximum=self.config.max_crawl_delay)
        retry = replace(entry, attempts=attempts, not_before=time.time() + wait)
        self.counts[entry.site].retries += 1
        log.info("%s: %s; retry %d in %.1fs", entry.url, page.error, attempts, wait)
        self.store.frontier_retry(entry.key, attempts, retry.not_before)
        self.scheduler.push(retry)
        return True

    # -- steps 7-10: keep, analyse, identify, store

    async def _handle(self, entry: FrontierEntry, page: Page) -> None:
        counts = self.counts[entry.site]
        if page.error == "redirect_offsite" and self._follow_elsewhere(entry, page):
            return
        if page.error == "robots_disallowed":
            self._robots_blocked(entry)
            return
        if not page.ok:
            log.info("%s: %s (%s)", entry.url, page.error, page.error_detail)
            counts.errors[page.error or "error"] += 1
            self.store.frontier_done([entry.key], page.error or "error", time.time(),
                                     self.run_id, state="failed")
            return
        if page.not_modified:
            counts.not_modified += 1
            await self._handle_not_modified(entry, page)
            return
        counts.fetched += 1
        # step 7: the raw response (idempotent); its validators are recorded only by
        # _settle, with the article: a kill before that makes the next run fetch it in full
        page_id = self.store.save_page(page, entry.site)
        analysis = await self._analyse(entry, page, extract=entry.kind not in (START, LISTING))
        if analysis is None or self._swap_amp(entry, page, analysis):
            return
        self._settle(entry, page, analysis, page_id)

    def _swap_amp(self, entry: FrontierEntry, page: Page, analysis) -> bool:
        """An AMP copy names its canonical page: fetch and store that one instead (under the
        same identity key when url_key folds the AMP form). True if it was queued."""
        article = analysis.article
        if article is None or not article.is_article or not is_amp_url(page.final_url):
            return False
        canonical = clean_url(article.canonical_url or "")
        if canonical is None or is_amp_url(canonical) \
                or not self._trusted_canonical(canonical, page.final_url, entry.site):
            return False
        key = url_key(canonical)
        if self.store.article_key(key) is not None or key in self.done_depth:
            return False  # the canonical page is stored already: the AMP copy just folds in
        log.info("%s is an AMP copy: fetching its canonical page %s", page.final_url, canonical)
        swapped = replace(entry, key=key, url=canonical, source="canonical", attempts=0,
                          seq=self._next_seq())
        with self.store.transaction():
            self.store.frontier_queue([swapped])
            if key != entry.key:
                self.store.frontier_done([entry.key], "amp", time.time(), self.run_id)
        self._enqueue(swapped)  # robots.txt of its host first, like any other link
        return True

    def _follow_elsewhere(self, entry: FrontierEntry, page: Page) -> bool:
        """A redirect to another host or origin: queue the target (politeness and robots.txt
        of that host and origin apply) if it belongs to the site. True if it does."""
        if not same_site(page.final_url, self.hosts[entry.site]):
            return False
        link = Link(url=page.final_url, source="redirect", kind=entry.kind, title=entry.title,
                    published=entry.published, summary=entry.summary)
        with self.store.transaction():
            self._queue_links(entry.site, [link], depth=entry.depth, referrer=entry.url)
            self.store.frontier_done([entry.key], "redirected", time.time(), self.run_id)
        log.info("%s redirects to %s (another host or origin of the site): queued", entry.url,
                 page.final_url)
        return True

    async def _handle_not_modified(self, entry: FrontierEntry, page: Page) -> None:
        """A 304: nothing changed. A listing's links are read again from the stored copy,
        so sections behind an unchanged home page are still visited. An entry whose earlier
        fetch never settled (a kill between keeping the page and storing the article, in a
        database written before validators moved into _settle) has its stored copy
        analysed in full: the article must not be lost to the 304."""
        previous = self.store.frontier_states([entry.key]).get(entry.key) or {}
        unsettled = previous.get("result") is None
        result = previous.get("result") or "not_modified"
        if self.store.article_key(url_key(page.final_url)) is not None:
            result = "article"  # a redirect to a stored story: known, revisited like one
        extract = unsettled and result != "article" and entry.kind not in (START, LISTING)
        stored = None
        if extract or (result != "article" and entry.depth < self.config.max_depth + 1):
            stored = self._stored_copy(entry, page)
        if stored is None:
            self.store.frontier_done([entry.key], result, time.time(), self.run_id)
            return
        analysis = await self._analyse(entry, stored, extract=extract)
        if analysis is not None:
            self._settle(entry, stored, analysis, None, result=None if extract else result)

    def _stored_copy(self, entry: FrontierEntry, page: Page) -> Page | None:
        validators = self.store.validators_get(url_key(page.final_url)) \
            or self.store.validators_get(entry.key) or {}
        return self.store.load_page(validators["page_id"]) if validators.get("page_id") else None

    async def _analyse(self, entry: FrontierEntry, page: Page, *, extract: bool):
        """Step 8 in the process pool, within `extract_timeout`. None when it failed: the
        entry is then settled as failed ("extract_timeout", "extract_crashed")."""
        want_links = entry.depth <= self.config.max_depth and entry.kind != ARTICLE \
            or entry.depth < self.config.max_depth
        args = (entry.kind, page.content, page.final_url, dict(page.headers),
                self.hosts[entry.site], extract, want_links,
                dict(self.sites[entry.site].selectors))
        for attempt in (1, 2):  # a second try only when another task broke the pool
            pool = self.pool
            outcome = await self._in_pool(pool, args)
            if not isinstance(outcome, str):
                return outcome
            if outcome == "extract_timeout":
                self._rebuild_pool(pool, f"{page.final_url}: analysis exceeded "
                                         f"{self.extract_timeout:.0f}s")
                break
            if pool is self.pool:  # this pool broke while it had our document
                self._rebuild_pool(pool, f"{page.final_url}: analysis pool broke")
                if attempt == 2:
                    break
        self._analysis_failed(entry, outcome)
        return None

    async def _in_pool(self, pool: ProcessPoolExecutor, args: tuple):
        """The Analysis, or "extract_timeout", or "extract_crashed" (the pool broke or was
        shut down while this task waited in it)."""
        try:
            future = pool.submit(analyse_document, *args)
        except (BrokenProcessPool, RuntimeError):
            return "extract_crashed"
        waiter = asyncio.wrap_future(future)
        waiter.add_done_callback(_consume)
        done, _ = await asyncio.wait({waiter}, timeout=self.extract_timeout)
        if not done:
            return "extract_timeout"
        if future.cancelled() or isinstance(future.exception(), BrokenProcessPool):
            return "extract_crashed"
        return future.result()

    def _rebuild_pool(self, broken: ProcessPoolExecutor, why: str) -> None:
        """A running task cannot be cancelled: kill the pool's processes and start a new
        pool. Documents other workers had in the old pool are resubmitted by them."""
        if broken is not self.pool:
            return  # rebuilt already
        log.warning("%s; restarting the analysis pool", why)
        self.pool = _process_pool()
        # ProcessPoolExecutor has no public way to end its workers before Python 3.14
        # (kill_workers); its private `_processes` maps pid -> Process
        processes = list((getattr(broken, "_processes", None) or {}).values())
        broken.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()

    def _analysis_failed(self, entry: FrontierEntry, reason: str) -> None:
        log.warning("%s: %s; not analysed", entry.url, reason)
        self.counts[entry.site].errors[reason] += 1
        self.store.frontier_done([entry.key], reason, time.time(), self.run_id, state="failed")

    def _settle(self, entry: FrontierEntry, page: Page, analysis, page_id: int | None,
                result: str | None = None) -> None:
        """Steps 9-10 in one transaction: article row, new links, entry done."""
        counts = self.counts[entry.site]
        keys = [entry.key]
        with self.store.transaction():
            if page_id is not None:  # step 7's validators, only now the page is settled
                self._keep_validators(entry, page, page_id)
            if analysis.article is not None and analysis.article.is_article:
                outcome, canonical = self._store_article(entry, page, analysis.article, page_id)
                keys += [url_key(canonical), url_key(page.final_url)]
                result = "article"
                setattr(counts, f"{outcome}_articles", getattr(counts, f"{outcome}_articles") + 1)
            elif analysis.article is not None:
                counts.not_articles += 1
                log.debug("%s is not an article: %s", page.final_url,
                          analysis.article.not_article_reason)
            if analysis.error:
                log.info("%s: %s", page.final_url, analysis.error)
            pages, others = _split_pagination(analysis.links, self.config.max_pagination)
            self._queue_links(entry.site, pages, depth=entry.depth, referrer=page.final_url)
            self._queue_links(entry.site, others, depth=entry.depth + 1, referrer=page.final_url)
            result = result or analysis.kind
            self.store.frontier_done(list(dict.fromkeys(keys)), result, time.time(), self.run_id)
        for key in keys:
            self.done_depth[key] = min(entry.depth, self.done_depth.get(key, entry.depth))

    def _keep_validators(self, entry: FrontierEntry, page: Page, page_id: int) -> None:
        for key, url in {entry.key: entry.url, url_key(page.final_url): page.final_url}.items():
            self.store.validators_put(key, url, page.header("etag"),
                                      page.header("last-modified"), page_id)

    def _store_article(self, entry: FrontierEntry, page: Page, article, page_id):
        candidate = article.canonical_url
        if not candidate or not self._trusted_canonical(candidate, page.final_url, entry.site):
            candidate = page.final_url
        canonical = clean_url(candidate) or page.final_url
        key = url_key(canonical)
        content = _content_key(article, entry.site)
        known = self.store.article_key(key) or (content and self.store.article_key(content))
        canonical = known or canonical  # step 9
        article = replace(article, canonical_url=canonical, site=entry.site,
                          **_hints(article, entry))
        outcome = self.store.upsert_article(article, page_id)
        keys = [key, entry.key, url_key(page.final_url)] + ([content] if content else [])
        self.store.put_article_keys(list(dict.fromkeys(keys)), canonical)
        log.debug("article %s: %s", outcome, canonical)
        return {"unchanged": "unchanged", "new": "new", "updated": "updated"}[outcome], canonical

    def _trusted_canonical(self, canonical: str, final_url: str, site: str) -> bool:
        """rel=canonical / og:url is followed only when it stays on the site and does not
        name a page that is not an article: CMSs that set og:url (or the canonical) to the
        home page or a section would otherwise fold every story into one row."""
        if not same_site(canonical, self.hosts[site]):
            return False
        key = url_key(canonical)
        if key == url_key(final_url):
            return True
        if urlsplit(key).path == "/" or key in self.start_keys[site]:
            log.info("%s: canonical %s is the home or a start page; ignored", final_url,
                     canonical)
            return False
        row = self.store.frontier_states([key]).get(key)
        if row is not None and row["result"] in _NOT_ARTICLE_RESULTS:
            log.info("%s: canonical %s is a listing page; ignored", final_url, canonical)
            return False
        return True

    def _queue_links(self, site: str, links: Iterable[Link], *, depth: int,
                     referrer: str | None) -> None:
        """Step 10: same site, not a trap, within depth, and new or due again."""
        counts = self.counts[site]
        candidates: dict[str, FrontierEntry] = {}
        for link in links:
            entry = self._link_entry(site, link, depth, referrer)
            if entry is not None and entry.key not in candidates:
                candidates[entry.key] = entry
        if not candidates:
            return
        rows = self.store.frontier_states(list(candidates))
        now = time.time()
        chosen = [e for k, e in candidates.items() if self._wanted(e, rows.get(k), now)]
        if not chosen:
            return
        self.store.frontier_queue(chosen)
        counts.discovered += sum(1 for e in chosen if e.key not in rows)
        for entry in chosen:
            self._enqueue(entry)

    def _link_entry(self, site: str, link: Link, depth: int,
                    referrer: str | None) -> FrontierEntry | None:
        url = clean_url(link.url)
        if url is None or not same_site(url, self.hosts[site]):
            return None
        url = without_session_ids(url)
        kind = link.kind if link.kind and link.kind != UNKNOWN else classify_url(url)
        if kind == "asset":
            return None
        if looks_like_trap(url):
            self.counts[site].traps_skipped += 1
            log.debug("skipping likely trap %s", url)
            return None
        if kind != ARTICLE and depth > self.config.max_depth:
            return None
        if kind not in (ARTICLE, LISTING, FEED, SITEMAP):
            kind = UNKNOWN
        return self._entry(url, site, kind, source=link.source, depth=depth, link=link,
                           referrer=referrer)

    def _wanted(self, entry: FrontierEntry, row: dict | None, now: float) -> bool:
        """Queue this URL? New ones yes; queued ones only if found at a smaller depth;
        known ones: articles and failures after revisit_after, other pages (listings,
        feeds) once per run, with a conditional GET."""
        queued = self.scheduler.queued(entry.key)
        if queued is not None:
            return entry.depth < queued.depth
        if entry.key in self.done_depth:  # done this run: again only if found shallower
            return entry.depth < self.done_depth[entry.key] and entry.kind != ARTICLE
        if row is None:
            return True
        if row["state"] == "pending" or row["fetched_run"] == self.run_id:
            return False
        fetched_at = row["fetched_at"] or 0.0
        if row["result"] == "article" or row["state"] == "failed":
            return now - fetched_at >= self.config.revisit_after
        return True

    # -- step 11: summary

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.progress.update(self.scheduler.pending(), self.total_requests)

    def _finish(self, started: float) -> CrawlSummary:
        sites = []
        for name, counts in self.counts.items():
            pending = self.store.frontier_counts(name).get("pending", 0)
            sites.append(counts.freeze(name, pending))
        summary = CrawlSummary(run_id=self.run_id, started_at=started,
                               duration=time.time() - started, sites=tuple(sites),
                               stopped=self.scheduler.stopped)
        for site in sites:
            if site.new_articles == 0:
                log.warning("%s: 0 new articles this run (fetched %d, 304s %d, errors %d)",
                            site.name, site.fetched, site.not_modified, site.error_count)
        totals = {k: summary.total(k) for k in ("discovered", "fetched", "not_modified",
                                               "robots_blocked", "errors")}
        totals["new_articles"] = summary.total("new_articles")
        totals["updated_articles"] = summary.total("updated_articles")
        status = "failed" if summary.exit_code else ("stopped" if summary.stopped else "ok")
        self.store.finish_run(self.run_id, status, summary.exit_code, totals, summary.as_dict())
        return summary


def _robots_origin(entry: FrontierEntry) -> tuple[str, str]:
    """(host, origin) a robots entry is for: its key names them, its URL may have moved
    to another host through a redirect."""
    origin = entry.key.removeprefix("robots:")
    return urlsplit(origin).netloc, origin


def _content_key(article, site: str) -> str | None:
    """An identity from the text itself, for copies no URL rule or canonical link folds
    (share/print/session variants of a page without rel=canonical). Per site: two sites
    running the same wire story keep a row each. Short bodies are left out: paywall
    teasers and stubs look alike across different stories."""
    if len(article.body.split()) < _CONTENT_KEY_WORDS:
        return None
    text = " ".join(f"{article.headline or ''}\n{article.body}".split())
    return f"content:{site}:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _hints(article, entry: FrontierEntry) -> dict[str, str]:
    """What a feed or sitemap said about the page fills fields extraction left empty."""
    filled = {}
    if not article.published and entry.published:
        filled["published"] = entry.published
    if not article.description and entry.summary:
        filled["description"] = entry.summary
    return filled


def _consume(future: asyncio.Future) -> None:
    """Read a pool future's outcome, so one nobody waits for any more logs nothing."""
    if not future.cancelled():
        future.exception()


def _process_pool() -> ProcessPoolExecutor:
    """Extraction workers. Each one exits on its own if the crawl process dies (SIGKILL from
    cron or a user), so a killed run leaves no orphans behind."""
    workers = max(1, min(4, os.cpu_count() or 1))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_watch_parent, initargs=(os.getpid(),))


def _watch_parent(parent_pid: int) -> None:
    """Pool initializer: a daemon thread ends this worker once its parent is gone."""
    import threading

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _split_pagination(links: Iterable[Link], max_pagination: int) -> tuple[list[Link], list[Link]]:
    """Numbered next pages of a listing (page 2..max_pagination) keep the listing's depth, so
    a deep archive is followed without eating the depth budget; pages past max_pagination are
    dropped; every other link, cursor-style next links included, is one hop deeper, which
    bounds endless pagination by max_depth."""
    pages: list[Link] = []
    others: list[Link] = []
    beyond: set[str] = set()
    for link in links:
        number = page_number(link.url) if link.source == PAGINATION else None
        if number is None:
            others.append(link)
        elif number <= max_pagination:
            pages.append(link)
        else:
            beyond.add(link.url)
            log.debug("pagination past max_pagination (%d): %s", max_pagination, link.url)
    # the same "next" anchor is usually also an ordinary link: it must not sneak in that way
    others = [link for link in others if link.url not in beyond]
    return pages, others
