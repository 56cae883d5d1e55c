"""The run: seeds, a fixed pool of workers, and the path of one URL (steps 2-11 of
`scraper/crawl/__init__.py`), readable top to bottom. What can be tested without starting a
crawl lives beside this module: identity, settle, linkqueue, robots_gate, extract_pool,
redirects and summary.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import replace

from ..analyse import REFUSED, Analysis, refused_binary
from ..fetch import ACCEPT_HTML, ACCEPT_XML, Fetcher, is_transient
from ..frontier import ARTICLE, FEED, LISTING, SITEMAP, START, FrontierEntry, admit_link
from ..logs import set_run_id
from ..models import CrawlConfig, Link, Page, SiteConfig
from ..politeness import Scheduler
from ..progress import Progress
from ..store import Checkpointer, PackedContent, Store, StoreError, pack_content
from ..urls import url_key
from .budget import Budget, newest_sitemaps
from .extract_pool import EXTRACT_TIMEOUT, SITEMAP_TIMEOUT, ExtractPool, analyse_and_pack
from .frontier_sink import FrontierSink
from .identity import site_hosts
from .interrupts import GRACE, GracefulStop, Interrupts
from .linkqueue import LinkQueue
from .redirects import redirect_hook
from .robots_gate import RobotsGate
from .settle import Settler
from .summary import Counts, CrawlSummary

log = logging.getLogger(__name__)

_XML_KINDS = (FEED, SITEMAP)


class Crawler:
    """One run over some sites. Create, then `await crawler.run()` once."""

    def __init__(self, config: CrawlConfig, sites: Iterable[SiteConfig], store: Store, *,
                 max_pages: int | None = None, max_duration: float | None = None,
                 progress: bool = False, interrupts: Interrupts | None = None) -> None:
        self.config = config
        self.sites = {s.name: s for s in sites}
        self.hosts = {s.name: site_hosts(s) for s in self.sites.values()}
        self.start_keys = {s.name: {url_key(u) for u in s.start_urls} for s in self.sites.values()}
        self.store = store
        self.max_pages = max_pages
        self.max_duration = max_duration
        self.counts = {name: Counts() for name in self.sites}
        self.budget = Budget(config, self.sites, self.counts, max_pages)
        self.run_id = 0
        self.progress = Progress(enabled=progress, counts=self.counts)
        self.extract_timeout = EXTRACT_TIMEOUT
        self.interrupts = interrupts
        self.grace = GRACE
        self.stopping: GracefulStop
        self.store_failure: str | None = None  # a write the database refused
        self.scheduler: Scheduler
        self.queue: LinkQueue
        self.robots: RobotsGate
        self.settler: Settler
        self.fetcher: Fetcher
        self.pool: ExtractPool

    async def run(self) -> CrawlSummary:
        started = time.time()
        self.run_id = self.store.start_run("crawl " + " ".join(self.sites))
        set_run_id(self.run_id)
        deadline = time.monotonic() + self.max_duration if self.max_duration else None
        self.scheduler = Scheduler(self.config, lambda e: self.budget.left(e.site, e.kind),
                                   deadline, load=self._load_window)
        self.budget.on_run_spent = self.scheduler.stop
        self.queue = LinkQueue(self.config, self.hosts, self.counts, self.store, self.scheduler,
                               self.run_id)
        self.robots = RobotsGate(self.config, self.store, self.scheduler, self.counts,
                                 self.queue)
        self.queue.admit = self.robots.admit
        self.settler = Settler(self.store, self.counts, self.queue, self.hosts,
                               self.start_keys, self.run_id)
        # the pool's processes are forked before anything big is in memory
        self.pool = ExtractPool(self.extract_timeout, pages=self.budget.page_ceiling())
        self.stopping = GracefulStop(self.interrupts, self.scheduler.stop, self.grace)
        self.stopping.listen()
        # commits never wait on a checkpoint's fsync: a thread does them (store.Checkpointer)
        self.store.defer_checkpoints()
        try:
            self._seed()  # step 2
            with self.progress, Checkpointer(self.store.path):
                async with Fetcher(self.config) as self.fetcher:
                    workers = max(1, self.config.concurrency)
                    tasks = [asyncio.create_task(self._worker()) for _ in range(workers)]
                    ticker = asyncio.create_task(self._tick())
                    try:
                        await self.stopping.join(tasks)
                    finally:
                        ticker.cancel()
                    self.progress.update(self.scheduler.pending(), self.budget.total_requests)
        finally:
            self.stopping.forget()
            if self.interrupted:
                self.pool.kill()  # a document still in analysis is not waited for
            else:
                self.pool.shutdown()  # the pool may have been rebuilt
        return self._finish(started)  # step 11

    @property
    def interrupted(self) -> int | None:
        """The signal that stopped the run, if one did."""
        return self.stopping.signum

    # -- step 2: seeds and what a previous run left

    def _seed(self) -> None:
        seeds = self.queue.seed(self.sites.values())
        log.info("run %d: %d seed URLs, %d pending in the frontier", self.run_id, len(seeds),
                 self.store.frontier_counts().get("pending", 0))

    def _load_window(self, host: str, lane: int, limit: int, skip) -> list[FrontierEntry]:
        """The scheduler's refill, for the sites whose budget is not spent."""
        sites = [name for name in self.sites if self.budget.left(name)]
        return self.queue.window(host, lane, sites, limit, skip)

    # -- step 3: workers

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
            except StoreError as exc:  # disk full, corrupt, read-only: nothing more can be kept
                release(requested=True)
                self._store_failed(exc)
            except Exception:  # a bug in one URL must not end the run
                # a request may have been sent: the host's delay applies (conservative)
                release(requested=True)
                self._internal_error(entry)
            finally:
                release(requested=False)

    def _store_failed(self, exc: StoreError) -> None:
        """The database refused a write: stop at once, so nothing is fetched in vain."""
        if self.store_failure is None:
            self.store_failure = str(exc)
            log.error("%s; stopping the crawl (nothing more can be kept)", exc)
            self.scheduler.stop("the database cannot be written")

    def _internal_error(self, entry: FrontierEntry) -> None:
        """Count it and settle the entry as failed, so a URL that trips a bug is not
        retried by every run forever."""
        log.exception("internal error while crawling %s", entry.url)
        self.counts[entry.site].errors["internal_error"] += 1
        try:
            self.settler.done(entry, "internal_error", state="failed")
        except Exception:  # the store itself may be what failed; the entry stays pending
            log.exception("could not record the internal error of %s", entry.url)

    async def _process(self, entry: FrontierEntry, release) -> None:
        if entry.kind == "robots":
            self.budget.count(entry.site)
            hook = redirect_hook(self.scheduler.host(entry.host), entry,
                                 self.config.user_agent, robots=True)
            await self.robots.fetch(entry, release, self.fetcher, hook)
            return
        if self.queue.is_settled(entry):
            release(requested=False)
            return
        if entry.kind == SITEMAP and not self.budget.left(entry.site, SITEMAP):
            release(requested=False)  # max_sitemaps_per_site spent: left for the next run
            return
        if not self.robots.allows(entry):  # step 4
            release(requested=False)
            self.robots.blocked(entry, self.run_id)
            return
        page = await self._fetch(entry)  # step 5
        release(retry_after=page.retry_after)
        self._note_host(entry, page)
        if self._maybe_retry(entry, page):  # step 6
            return
        await self._handle(entry, page)

    # -- step 5: fetch

    async def _fetch(self, entry: FrontierEntry) -> Page:
        self.budget.count(entry.site, entry.kind, entry.key)
        etag, last_modified = self.settler.validators_of(entry.url)
        accept = ACCEPT_XML if entry.kind in _XML_KINDS else ACCEPT_HTML
        hook = redirect_hook(self.scheduler.host(entry.host), entry, self.config.user_agent)
        limit = self.config.max_sitemap_bytes if entry.kind == SITEMAP else None
        return await self.fetcher.fetch(entry.url, accept=accept, etag=etag,
                                        last_modified=last_modified, on_redirect=hook,
                                        validators=self.settler.validators_of, max_bytes=limit)

    def _note_host(self, entry: FrontierEntry, page: Page) -> None:
        """An HTTP answer (even a 404) shows the host is up; no answer, a 5xx or a 429 is
        a host failure, kept with its reason and detail for the summary and `status`."""
        counts = self.counts[entry.site]
        if page.status is not None and page.status < 500 and page.status != 429:
            counts.host_answered(entry.host)
        elif page.error:
            detail = f" ({page.error_detail})" if page.error_detail else ""
            counts.host_failed(entry.host, f"{page.error}{detail}")

    # -- step 6: retries

    def _maybe_retry(self, entry: FrontierEntry, page: Page) -> bool:
        """True when the entry is taken care of: scheduled again, or left pending."""
        if not is_transient(page):
            return False
        if self.scheduler.host(entry.host).parked:
            log.info("%s: %s; host parked, left for the next run", entry.url, page.error)
            self.counts[entry.site].errors[page.error or "error"] += 1
            return True  # stays pending in the frontier
        retry = self.budget.retry(entry, page)
        if retry is None:
            return False
        self.store.frontier_retry(entry.key, retry.attempts, retry.not_before)
        self.scheduler.push(retry)
        return True

    # -- steps 7-10: keep, analyse, identify, store

    async def _handle(self, entry: FrontierEntry, page: Page) -> None:
        if page.error == "redirect_offsite" and self.settler.follow_elsewhere(entry, page):
            return
        if page.error == "robots_disallowed":
            self.robots.blocked(entry, self.run_id)
            return
        if not page.ok:
            log.info("%s: %s (%s)", entry.url, page.error, page.error_detail)
            self.settler.failed(entry, page.error or "error")
            return
        if page.not_modified:
            self.counts[entry.site].not_modified += 1
            await self._handle_not_modified(entry, page)
            return
        self.counts[entry.site].fetched += 1
        refused = refused_binary(entry.kind, page.content)  # the first KBs: cheap on the loop
        if refused is not None:  # binary data: neither kept nor analysed
            self._refused(entry, *refused)
            return
        if entry.kind in (START, FEED):  # step 10: its links rank as front-page links
            self.queue.front(page.final_url)
        extract = entry.kind not in (START, LISTING)
        analysis, packed = await self._analyse(entry, page, extract=extract, pack=True)
        # step 7: the raw response, compressed by the analysing worker (CPU off the loop),
        # kept in the transaction that settles the entry; its validators are recorded with
        # the article, so a kill before that makes the next run fetch it in full
        if analysis is None:  # failed, and settled so: the response is kept all the same
            self.store.save_page(page, entry.site, packed or await asyncio.to_thread(
                pack_content, page.content))
            return
        if self.settler.swap_amp(entry, page, analysis):
            self.store.save_page(page, entry.site, packed)
            return
        self.settler.settle(entry, page, analysis, packed=packed)  # steps 9-10

    async def _analyse(self, entry: FrontierEntry, page: Page, *, extract: bool,
                       pack: bool = False) -> tuple[Analysis | None, PackedContent | None]:
        """Step 8 in the process pool, and with `pack` the response compressed there for
        step 7. No Analysis when it failed: the entry is then settled as failed
        ("extract_timeout", "extract_crashed")."""
        want_links = entry.depth <= self.config.max_depth and entry.kind != ARTICLE \
            or entry.depth < self.config.max_depth
        # a sitemap's URLs are admitted in the worker (thousands at a time, off the loop)
        # and written to the database there, a chunk at a time (crawl/frontier_sink.py)
        sitemap = entry.kind == SITEMAP
        admission = self.queue.rule(entry.site, entry.depth + 1, page.final_url) \
            if sitemap else None
        sink = FrontierSink(str(self.store.path), self.run_id, self.config.revisit_after) \
            if sitemap else None
        outcome = await self.pool.run(
            page.final_url, analyse_and_pack, pack, entry.kind, page.content, page.final_url,
            dict(page.headers), self.hosts[entry.site], extract, want_links,
            dict(self.sites[entry.site].selectors), admission, sink,
            timeout=SITEMAP_TIMEOUT if sitemap else None)
        if isinstance(outcome, str):
            log.warning("%s: %s; not analysed", entry.url, outcome)
            self.settler.failed(entry, outcome)
            return None, None
        analysis, packed = outcome
        if analysis.kind in REFUSED:  # a stored copy that is binary data
            self._refused(entry, analysis.kind, analysis.error or "")
            return None, packed
        if sitemap:
            analysis = self._children_within_budget(entry, page, analysis)
        return analysis, packed

    def _children_within_budget(self, entry: FrontierEntry, page: Page,
                                analysis: Analysis) -> Analysis:
        """A sitemap index's children, cut to what max_sitemaps_per_site can still fetch this
        run (`Budget.sitemap_room`): of those due (admitted, and wanted by the same rule as
        any link), the newest first (`newest_sitemaps`). The rest are not queued at all: the
        index is read again next run. Once the room is spent, children cost nothing."""
        children = [link for link in analysis.links if link.kind == SITEMAP]
        if not children:
            return analysis
        room = self.budget.sitemap_room(entry.site)
        due: list[tuple[FrontierEntry, bool]] = []
        links: list[Link] = []
        if room:
            rule = self.queue.rule(entry.site, entry.depth + 1, page.final_url)
            admitted: dict[str, tuple[FrontierEntry, Link]] = {}
            for link in children:
                child = admit_link(link, rule)
                if isinstance(child, FrontierEntry) and child.key not in admitted:
                    admitted[child.key] = (child, link)
            rows = self.store.frontier_states(list(admitted))
            now = time.time()
            for key, (child, link) in admitted.items():
                if self.queue._wanted(child, rows.get(key), now):  # queue_links' own rule
                    due.append((child, rows.get(key) is None))
                    links.append(link)
        chosen = newest_sitemaps(due, room) if len(due) > room else range(len(due))
        beyond = len(due) - len(chosen) if room else len(children)
        if beyond:
            log.info("%s: %d of its %d child sitemaps not queued: beyond max_sitemaps_per_site "
                     "(%d) this run", page.final_url, beyond, len(children),
                     self.config.max_sitemaps_per_site)
        self.budget.grant_sitemaps(entry.site, [due[i][0].key for i in chosen])
        others = tuple(link for link in analysis.links if link.kind != SITEMAP)
        return replace(analysis, links=others + tuple(links[i] for i in chosen))

    def _refused(self, entry: FrontierEntry, reason: str, detail: str) -> None:
        log.info("%s: %s (%s)", entry.url, reason, detail)
        self.settler.failed(entry, reason)

    async def _handle_not_modified(self, entry: FrontierEntry, page: Page) -> None:
        """A 304: nothing changed. A listing's links are read again from the stored copy,
        so sections behind an unchanged home page are still visited. An entry whose earlier
        fetch never settled (a kill between keeping the page and storing the article, in a
        database written before validators moved into settling) has its stored copy
        analysed in full: the article must not be lost to the 304."""
        previous = self.store.frontier_states([entry.key]).get(entry.key) or {}
        unsettled = previous.get("result") is None
        result = previous.get("result") or "not_modified"
        if self.store.article_key(url_key(page.final_url)) is not None:
            result = "article"  # a redirect to a stored story: known, revisited like one
        extract = unsettled and result != "article" and entry.kind not in (START, LISTING)
        stored = None
        if extract or (result != "article" and entry.depth < self.config.max_depth + 1):
            stored = self.settler.stored_copy(entry, page)
        if stored is None:
            self.settler.done(entry, result)
            return
        if entry.kind in (START, FEED):
            self.queue.front(stored.final_url)
        analysis, _ = await self._analyse(entry, stored, extract=extract)
        if analysis is not None:
            self.settler.settle(entry, stored, analysis, None,
                                result=None if extract else result)

    # -- step 11: summary

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.progress.update(self.scheduler.pending(), self.budget.total_requests)

    def _finish(self, started: float) -> CrawlSummary:
        sites = tuple(counts.freeze(name, self._pending(name), self._parked(counts))
                      for name, counts in self.counts.items())
        stopped = None if self.interrupted else self.scheduler.stopped
        summary = CrawlSummary(run_id=self.run_id, started_at=started,
                               duration=time.time() - started, sites=sites,
                               stopped=stopped, interrupted=self.interrupted,
                               store_failed=self.store_failure)
        for site in summary.failed_sites:  # a monitor's line: one per failed site
            log.error("site %s failed: no page answered (%d requests): %s", site.name,
                      site.requests, site.why_failed())
        try:
            self.store.finish_run(self.run_id, summary.status, summary.exit_code,
                                  summary.totals(), summary.as_dict())
        except StoreError as exc:  # the run stays `running`: the next run marks it killed
            log.error("could not record the end of run %d: %s", self.run_id, exc)
        return summary

    def _pending(self, site: str) -> int:
        try:
            return self.store.frontier_counts(site).get("pending", 0)
        except Exception:  # a corrupt database: the summary goes on without this count
            log.exception("could not count the pending entries of %s", site)
            return 0

    def _parked(self, counts) -> dict[str, str]:
        """The hosts this site asked that got no more requests this run, and why."""
        hosts = set(counts.answered) | set(counts.failures)
        states = {name: self.scheduler.hosts.get(name) for name in hosts}
        return {name: state.parked for name, state in states.items()
                if state is not None and state.parked}
