"""The crawl engine: discover -> fetch politely -> extract -> store, resumable and incremental.

The path of one URL, each step naming the module that does it (the code of `engine.py` is in
this order):

 1. open (`run_crawl` below): take the lock on the database (`lock.py`; a second run gets
    `LockedError`, exit code 3), open the store (`store/`, migrations applied), mark
    `killed` the runs a SIGKILL left `running`, record a run; SIGINT and SIGTERM stop it
    gracefully from here on (`interrupts.py`);
 2. seed (`engine.py`, `linkqueue.py`): re-queue each site's start pages, feeds and sitemaps
    (fetched every run), and load what a killed or budget-limited run left pending in the
    `frontier` table;
 3. schedule (`politeness.py`): a fixed pool of workers asks the per-host `Scheduler` for
    the next entry: robots.txt first for every origin, one request in flight per host, the
    per-host delay from the end of one response to the start of the next, Retry-After and
    backoff honoured there, a page budget per site, newest articles first, a host
    alternating between articles and listing pages (an archive backlog cannot starve
    discovery, nor a trap the articles);
 4. robots (`robots_gate.py`, `robots.py`): a URL robots.txt disallows is never requested
    (counted as robots_blocked); a robots.txt redirect to another host is fetched in that
    host's turn;
 5. fetch (`fetch/`, hops in `redirects.py`) with If-None-Match / If-Modified-Since (only
    the validators stored for that very URL) -> `Page` (success, 304 or a failure reason; a
    same-host redirect hop waits for the host's delay, outside the fetch deadline);
 6. retry (`engine.py`) transient failures (tenacity backoff with jitter, Retry-After) via
    the scheduler, within a per-run retry budget; other failures are counted by reason;
 7. keep (`store/`) the raw response in `pages`, compressed by the worker that analyses it
    and written in step 10's transaction (a page that failed analysis is kept on its own),
    unless its first KBs show binary data (`analyse.refused_binary`: an image or random bytes
    served as a page), which fails the entry as not_html (not_xml for feeds and sitemaps)
    with neither keeping nor analysis;
 8. analyse (`extract_pool.py` -> `analyse.py`, `discover/`, `extract/`) in worker processes
    read by the event loop (which never stalls), each holding its document and the next,
    within EXTRACT_TIMEOUT from the start of the work (past it, the worker is killed and
    replaced and the entry fails; a worker that dies has its document tried once more):
    feeds and sitemaps -> links; HTML -> an `Article` (extraction decides whether it is one)
    and the page's links;
 9. identity (`identity.py`): the canonical URL (rel=canonical / og:url on the same site
    unless it names the home, a start or a listing page; else the final URL), folded
    through `url_key` and a per-site content key onto the first canonical URL stored for
    it: one row per article; an AMP copy sends us to its canonical page instead (queued like
    any link, `settle.py`);
10. store (`settle.py`, `linkqueue.py`): keep the raw response (step 7), upsert the article
    (only `is_article` pages become rows), queue the new links (same site, not traps,
    bounded depth, not known or due for a revisit), record the response's validators for the
    next conditional GET and mark the entry done, all in one transaction, so a kill at any
    point loses and duplicates nothing (an entry not settled is fetched in full again: no
    304 can be earned before its article is stored);
11. finish (`summary.py`): the run summary per site, stored in `runs` and returned, a
    `site failed` line (ERROR) for each site of which not one page answered; `exit_code`
    says how it went (0 ok, 1 every site failed, 4 some did, 130/143 SIGINT/SIGTERM;
    robots.txt answers do not count).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ..lock import LockedError, RunLock
from ..models import Config, SiteConfig
from ..store import Store
from .engine import Crawler
from .extract_pool import EXTRACT_TIMEOUT
from .interrupts import Interrupts
from .summary import CrawlSummary, SiteSummary

__all__ = ["EXTRACT_TIMEOUT", "CrawlSummary", "Crawler", "Interrupts", "LockedError",
           "SiteSummary", "run_crawl"]

log = logging.getLogger(__name__)


def run_crawl(config: Config, db_path: Path, sites: list[str] | None = None,
              max_pages: int | None = None, max_duration: float | None = None,
              progress: bool = False, interrupts: Interrupts | None = None) -> CrawlSummary:
    """Crawl the configured sites (or those named in `sites`) into the database at `db_path`.

    `max_pages` caps the requests of the whole run, `max_duration` (seconds; default
    `config.crawl.max_duration`) bounds it; what is left stays in the frontier for the next
    run. Raises `LockedError` if another run holds the database, `ValueError` for an unknown
    site name. Network failures never raise: they are counted in the summary. With
    `interrupts` (entered by the caller, in the main thread), SIGINT and SIGTERM stop the
    run gracefully: the summary says so and its exit code is 128 + the signal.
    """
    chosen = _choose_sites(config, sites)
    duration = max_duration if max_duration is not None else config.crawl.max_duration
    with RunLock(Path(db_path)), Store(db_path) as store:  # step 1
        for run_id in store.close_stale_runs("crawl"):
            log.warning("run %d never finished (the process was killed): marked killed",
                        run_id)
        _report_orphans(store, config)
        crawler = Crawler(config.crawl, chosen, store, max_pages=max_pages,
                          max_duration=duration, progress=progress, interrupts=interrupts)
        return asyncio.run(crawler.run())


def _report_orphans(store: Store, config: Config) -> dict[str, int]:
    """Pending frontier entries of sites no longer in the config (renamed or removed): no
    run takes them, so say so every run instead of leaving them silently."""
    known = {site.name for site in config.sites}
    orphans = {name: n for name, n in store.status_pending().items() if name not in known}
    for name, count in sorted(orphans.items()):
        log.warning("%d pending URL(s) belong to site %r, which is not in the config (renamed "
                    "or removed?): no run will crawl them; rename the site back, or delete "
                    "them: DELETE FROM frontier WHERE site = '%s'", count, name, name)
    return orphans


def _choose_sites(config: Config, names: list[str] | None) -> tuple[SiteConfig, ...]:
    if not names:
        return config.sites
    known = {s.name: s for s in config.sites}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return tuple(known[n] for n in names)
