"""Steps 2 and 10, admission to the frontier: which URLs become entries, and when again.

A link is queued when it is on the site, not an asset or a likely trap, within
`max_depth` (articles are taken at any depth) and new, or known but due again: articles and
failures after `revisit_after`, other pages (listings, feeds) once per run. A link on a
start page (or a feed's item) is a front-page story (source "start" or "feed"): when it is
pending already, found first in a sitemap or deeper, it is queued again with that rank
("front page first", frontier.py). Queued entries are
persisted in the `frontier` table (so a killed run resumes) and pushed to the scheduler,
robots.txt of a new origin first (`admit`, set by the engine).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from ..analyse import PAGINATION
from ..frontier import (
    ARTICLE,
    FEED,
    SITEMAP,
    START,
    Admission,
    FrontierEntry,
    admit_link,
    front_row,
    timestamp,
)
from ..models import CrawlConfig, Link, SiteConfig
from ..politeness import Scheduler
from ..store import Store
from ..urls import clean_url, page_number, url_key, without_session_ids
from .summary import Counts

log = logging.getLogger(__name__)

DAY = 86_400.0


class LinkQueue:
    """The run's view of the frontier: entries made, admitted, persisted and scheduled."""

    def __init__(self, config: CrawlConfig, hosts: dict[str, tuple[str, ...]],
                 counts: dict[str, Counts], store: Store, scheduler: Scheduler,
                 run_id: int) -> None:
        self.config = config
        self.hosts = hosts
        self.counts = counts
        self.store = store
        self.scheduler = scheduler
        self.run_id = run_id
        self.done_depth: dict[str, int] = {}  # identities settled this run -> at what depth
        self.admit: Callable[[FrontierEntry], None] = lambda entry: None
        self.front_pages: set[str] = set()  # keys of this run's start pages and feeds
        self._seq = 0

    def entry(self, url: str, site: str, kind: str, *, source: str, depth: int,
              link: Link | None = None, referrer: str | None = None) -> FrontierEntry | None:
        """A frontier entry for `url`, or None when the URL cannot be cleaned."""
        cleaned = clean_url(url)
        if cleaned is None:
            return None
        cleaned = without_session_ids(cleaned)
        return FrontierEntry(
            key=url_key(cleaned), url=cleaned, site=site, kind=kind, source=source, depth=depth,
            referrer=referrer, title=link.title if link else None,
            published=link.published if link else None,
            summary=link.summary if link else None, seq=self.next_seq())

    def seed(self, sites: Iterable[SiteConfig]) -> list[FrontierEntry]:
        """Step 2: each site's start pages, feeds and sitemaps (read every run) queued; the
        hosts with pending entries from earlier runs are read in windows, in order."""
        seeds = []
        for site in sites:
            for kind, urls in ((START, site.start_urls), (FEED, site.feeds),
                               (SITEMAP, site.sitemaps)):
                for url in urls:
                    entry = self.entry(url, site.name, kind, source=kind, depth=0)
                    if entry is not None:
                        seeds.append(entry)
        new = self.new_keys([e.key for e in seeds])
        self.store.frontier_queue(seeds)
        for entry in seeds:
            if entry.key in new:
                self.counts[entry.site].discovered += 1
        for entry in seeds:
            self.enqueue(entry)
        for host in self.store.frontier_hosts(sorted(self.hosts)):  # this run's sites
            self.scheduler.more_on_disk(host)
        return seeds

    def window(self, host: str, lane: int, sites: list[str], limit: int,
               skip) -> list[FrontierEntry]:
        """The next pending entries of a host lane from the frontier table (the scheduler's
        refill); robots.txt of a new origin goes first, as for any entry."""
        entries = [replace(entry, seq=self.next_seq()) for entry in
                   self.store.frontier_window(host, lane, sites, limit, skip)]
        for entry in entries:
            self.admit(entry)
        return entries

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def new_keys(self, keys: list[str]) -> set[str]:
        known = self.store.frontier_states(keys)
        return {k for k in keys if k not in known}

    def enqueue(self, entry: FrontierEntry) -> None:
        """Schedule an entry (already persisted); its origin's robots.txt goes first."""
        self.admit(entry)
        self.scheduler.push(entry)

    def settled(self, keys: Iterable[str], depth: int) -> None:
        """These identities were settled this run at `depth`."""
        for key in keys:
            self.done_depth[key] = min(depth, self.done_depth.get(key, depth))

    def is_settled(self, entry: FrontierEntry) -> bool:
        return self.done_depth.get(entry.key, 1 << 30) <= entry.depth

    def rule(self, site: str, depth: int, referrer: str | None = None) -> Admission:
        """The admission rule for links of `site` found at `depth` (see frontier.admit_link)."""
        return Admission(site=site, hosts=self.hosts[site], depth=depth,
                         max_depth=self.config.max_depth, referrer=referrer,
                         max_age=self.config.max_article_age * DAY, now=time.time(),
                         max_bytes=self.config.max_sitemap_bytes)

    def queue_links(self, site: str, links: Iterable[Link], *, depth: int,
                    referrer: str | None) -> None:
        """Same site, not a trap, within depth, and new or due again."""
        rule = self.rule(site, depth, referrer)
        candidates: dict[str, FrontierEntry] = {}
        for link in links:
            entry = admit_link(link, rule, seq=self.next_seq())
            if entry == "trap":
                self.counts[site].traps_skipped += 1
                log.debug("skipping likely trap %s", link.url)
            if isinstance(entry, FrontierEntry) and entry.key not in candidates:
                candidates[entry.key] = entry
        if not candidates:
            return
        rows = self.store.frontier_states(list(candidates))
        now = time.time()
        chosen = [e for k, e in candidates.items() if self._wanted(e, rows.get(k), now)]
        if not chosen:
            return
        self.store.frontier_queue(chosen)
        self.counts[site].discovered += sum(1 for e in chosen if e.key not in rows)
        for entry in chosen:
            self.enqueue(entry)

    def add_bulk(self, site: str, rows: tuple[tuple, ...], hosts: Iterable[str],
                 added: int = 0) -> None:
        """A sitemap's URLs, admitted by the analysis worker: `added` new keys it wrote
        itself (crawl/frontier_sink.py), and any `rows` it returned, inserted here in one
        statement. None is held in memory: the scheduler reads its windows again."""
        if rows:
            added += self.store.frontier_add(list(rows), run_id=self.run_id, now=time.time(),
                                             revisit_after=self.config.revisit_after)
        self.counts[site].discovered += added
        for host in hosts:
            self.scheduler.on_disk(host)

    def front(self, url: str) -> None:
        """`url` is a start page or a feed fetched this run: its links are front-page links."""
        self.front_pages.add(url_key(url))

    def queue_page_links(self, site: str, links: Iterable[Link], *, depth: int,
                         referrer: str) -> None:
        """A page's links: its numbered next pages keep its depth, the rest go one deeper;
        those of a start page are marked as found there (source "start")."""
        pages, others = split_pagination(links, self.config.max_pagination)
        if url_key(referrer) in self.front_pages:
            others = [replace(link, source="start") if link.source == "page" else link
                      for link in others]
        self.queue_links(site, pages, depth=depth, referrer=referrer)
        self.queue_links(site, others, depth=depth + 1, referrer=referrer)

    def _wanted(self, entry: FrontierEntry, row: dict | None, now: float) -> bool:
        queued = self.scheduler.queued(entry.key)
        return wanted(entry, row, now, queued_depth=queued.depth if queued else None,
                      done_depth=self.done_depth.get(entry.key), run_id=self.run_id,
                      revisit_after=self.config.revisit_after,
                      queued_front=queued.front if queued else False)


def wanted(entry: FrontierEntry, row: dict | None, now: float, *, queued_depth: int | None,
           done_depth: int | None, run_id: int, revisit_after: float,
           queued_front: bool = False) -> bool:
    """Queue this URL? New ones yes; queued ones (in memory or on disk) only if found at a
    smaller depth, or found on a start page or in a feed (a front-page story) when they
    were not ranked as one; known ones: articles and failures after revisit_after, other
    pages (listings, feeds) once per run, with a conditional GET, except a sitemap index
    child whose lastmod is not newer than our last read of it. `row` is its frontier row,
    if any."""
    if queued_depth is not None:
        return entry.depth < queued_depth or (entry.front and not queued_front)
    if done_depth is not None:  # done this run: again only if found shallower
        return entry.depth < done_depth and entry.kind != ARTICLE
    if row is None:
        return True
    if entry.kind == SITEMAP and row["state"] == "failed":
        return True  # a sitemap that could not be read is not read: try it again
    if entry.kind == SITEMAP and row["result"] == "sitemap" and entry.published:
        changed = timestamp(entry.published)  # an index child's lastmod
        if changed is not None and changed <= (row["fetched_at"] or 0.0):
            return False  # unchanged since our last read of it
    if row["fetched_run"] == run_id:
        return False
    if row["state"] == "pending":  # waiting on disk: again if found shallower or on the front
        return entry.depth < (row["depth"] or 0) or (entry.front and not front_row(row))
    fetched_at = row["fetched_at"] or 0.0
    if row["result"] == "article" or row["state"] == "failed":
        return now - fetched_at >= revisit_after
    return True


def split_pagination(links: Iterable[Link], max_pagination: int) -> tuple[list[Link], list[Link]]:
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
