"""Step 3's budgets: what a run may still request, per site and in all, and the run's
retry budget (step 6). Sitemaps have a budget of their own, so a site's page budget buys
articles, not index pages; a sitemap index queues no more children than that budget can
still fetch in the run (`sitemap_room`, `newest_sitemaps`), so an index of 50,000 indexes
costs 20 fetches under a budget of 20, not a million queued entries."""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from ..fetch import backoff_delay
from ..frontier import SITEMAP, FrontierEntry, timestamp
from ..models import CrawlConfig, Page, SiteConfig
from .summary import Counts

log = logging.getLogger(__name__)


class Budget:
    """Request counts of one run against `max_pages_per_site` (or a site's `max_pages`),
    `max_sitemaps_per_site`, `--max-pages` (pages of all sites; sitemaps not counted) and
    the retry budget."""

    def __init__(self, config: CrawlConfig, sites: dict[str, SiteConfig],
                 counts: dict[str, Counts], max_pages: int | None) -> None:
        self.config = config
        self.sites = sites
        self.counts = counts
        self.max_pages = max_pages
        self.total_requests = 0
        self.page_requests = 0
        self.retries_left = config.retry_budget
        self.on_run_spent: Callable[[str], None] = lambda reason: None
        # site -> keys of the index children queued this run and not fetched yet
        self.granted: dict[str, set[str]] = {}

    def page_ceiling(self) -> int:
        """The most pages this run may fetch: `--max-pages`, or the sites' budgets summed."""
        per_site = sum(site.max_pages or self.config.max_pages_per_site
                       for site in self.sites.values())
        return per_site if self.max_pages is None else min(self.max_pages, per_site)

    def left(self, site: str, kind: str | None = None) -> bool:
        """May `site` fetch one more page (or, for kind "sitemap", one more sitemap)?"""
        counts = self.counts[site]
        if kind == SITEMAP:
            return counts.sitemap_requests < self.config.max_sitemaps_per_site
        if self.max_pages is not None and self.page_requests >= self.max_pages:
            self.on_run_spent("max_pages reached")
            return False
        limit = self.sites[site].max_pages or self.config.max_pages_per_site
        if counts.requests - counts.sitemap_requests < limit:
            return True
        counts.budget_reached = True
        return False

    def count(self, site: str, kind: str | None = None, key: str | None = None) -> None:
        """One request made for `site` (robots.txt and retries included); `key` is the
        entry's, so a granted index child is no longer waiting once it is fetched."""
        self.counts[site].requests += 1
        self.total_requests += 1
        if kind == SITEMAP:
            self.counts[site].sitemap_requests += 1
            self.granted.get(site, set()).discard(key or "")
        else:
            self.page_requests += 1

    def sitemap_room(self, site: str) -> int:
        """How many more index children `site` may queue this run: its sitemap budget less
        the sitemaps fetched and the children queued but not fetched yet."""
        spent = self.counts[site].sitemap_requests + len(self.granted.get(site, ()))
        return max(0, self.config.max_sitemaps_per_site - spent)

    def grant_sitemaps(self, site: str, keys: Iterable[str]) -> None:
        """These index children are queued: they take room until they are fetched."""
        self.granted.setdefault(site, set()).update(keys)

    def retry(self, entry: FrontierEntry, page: Page) -> FrontierEntry | None:
        """The entry again with its backoff (`not_before`), or None when a transient
        failure gets no more tries (the URL's retries or the run's retry budget spent)."""
        if entry.attempts >= self.config.retries or self.retries_left <= 0:
            why = "retries exhausted" if self.retries_left > 0 else "retry budget spent"
            log.info("%s: %s; giving up (%s)", entry.url, page.error, why)
            return None
        self.retries_left -= 1
        attempts = entry.attempts + 1
        wait = backoff_delay(attempts, page.retry_after,
                             initial=max(0.1, self.config.per_host_delay),
                             maximum=self.config.max_crawl_delay)
        self.counts[entry.site].retries += 1
        log.info("%s: %s; retry %d in %.1fs", entry.url, page.error, attempts, wait)
        return replace(entry, attempts=attempts, not_before=time.time() + wait)


def newest_sitemaps(children: Sequence[tuple[FrontierEntry, bool]],
                    room: int) -> list[int]:
    """Which of an index's due children (entry, never read before) to queue when only `room`
    fit, as positions in `children`: the newest lastmod first (a news site's current sitemap
    before its archive), then those never read before those read already (an archive
    without lastmods is walked over the runs), then in the index's order."""
    def rank(position: int) -> tuple:
        entry, new = children[position]
        when = timestamp(entry.published)
        return (when is None, -(when or 0.0), not new, position)
    return sorted(heapq.nsmallest(room, range(len(children)), key=rank), key=rank)
