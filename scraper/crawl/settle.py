"""Steps 7, 9 and 10, settling an entry: one transaction for the raw response, the article,
its links and its validators, so a kill at any point loses and duplicates nothing. The
validators are read back here too, for step 5's conditional GET and a 304's stored copy.

An entry not settled is fetched in full again by the next run: its validators are recorded
only here, with the article, so no 304 can be earned before the article is stored. Only
pages extraction judged to be articles become rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from ..analyse import Analysis
from ..frontier import FrontierEntry
from ..models import Article, Link, Page
from ..store import PackedContent, Store
from ..urls import clean_url, is_amp_url, same_site, url_key
from .identity import content_key, feed_hints, trusted_canonical
from .linkqueue import LinkQueue
from .summary import Counts

log = logging.getLogger(__name__)


class Settler:
    """Writes what one entry gave: the article row, its identity keys, the page's links,
    the response's validators and the entry's frontier state."""

    def __init__(self, store: Store, counts: dict[str, Counts], queue: LinkQueue,
                 hosts: dict[str, tuple[str, ...]], start_keys: dict[str, set[str]],
                 run_id: int) -> None:
        self.store = store
        self.counts = counts
        self.queue = queue
        self.hosts = hosts
        self.start_keys = start_keys
        self.run_id = run_id

    def settle(self, entry: FrontierEntry, page: Page, analysis: Analysis,
               page_id: int | None = None, result: str | None = None,
               packed: PackedContent | None = None) -> None:
        """Steps 7 and 9-10 in one transaction: the raw response (when `packed` is given, its
        compressed copy), article row, new links, entry done. `page_id`: the response
        kept already."""
        counts = self.counts[entry.site]
        keys = [entry.key]
        with self.store.transaction():
            if packed is not None:
                page_id = self.store.save_page(page, entry.site, packed)
            if page_id is not None:  # step 7's validators, only now the page is settled
                self._keep_validators(entry, page, page_id)
            if analysis.article is not None and analysis.article.is_article:
                outcome, canonical = self._store_article(entry, page, analysis.article, page_id)
                keys += [url_key(canonical), url_key(page.final_url)]
                result = "article"
                counts.article(outcome)
            elif analysis.article is not None:
                counts.not_articles += 1
                log.debug("%s is not an article: %s", page.final_url,
                          analysis.article.not_article_reason)
            if analysis.error:
                log.info("%s: %s", page.final_url, analysis.error)
            self.queue.queue_page_links(entry.site, analysis.links, depth=entry.depth,
                                        referrer=page.final_url)
            self.queue.add_bulk(entry.site, analysis.rows, analysis.hosts, analysis.added)
            counts.traps_skipped += dict(analysis.left_out).get("trap", 0)
            result = result or analysis.kind
            self.store.frontier_done(list(dict.fromkeys(keys)), result, time.time(), self.run_id)
        self.queue.settled(keys, entry.depth)

    def done(self, entry: FrontierEntry, result: str, state: str = "done") -> None:
        """Settle an entry that gave nothing to store (a 304 of a known page, ...)."""
        self.store.frontier_done([entry.key], result, time.time(), self.run_id, state=state)

    def failed(self, entry: FrontierEntry, reason: str) -> None:
        """Count a failure and settle the entry as failed: revisited like any failure
        after `revisit_after`, not retried by every run."""
        self.counts[entry.site].errors[reason] += 1
        self.done(entry, reason, state="failed")

    def swap_amp(self, entry: FrontierEntry, page: Page, analysis: Analysis) -> bool:
        """An AMP copy names its canonical page: fetch and store that one instead (under the
        same identity key when url_key folds the AMP form). True if it was queued."""
        article = analysis.article
        if article is None or not article.is_article or not is_amp_url(page.final_url):
            return False
        canonical = clean_url(article.canonical_url or "")
        if canonical is None or is_amp_url(canonical) \
                or not self.trusted(canonical, page.final_url, entry.site):
            return False
        key = url_key(canonical)
        if self.store.article_key(key) is not None or key in self.queue.done_depth:
            return False  # the canonical page is stored already: the AMP copy just folds in
        log.info("%s is an AMP copy: fetching its canonical page %s", page.final_url, canonical)
        swapped = replace(entry, key=key, url=canonical, source="canonical", attempts=0,
                          seq=self.queue.next_seq())
        with self.store.transaction():
            self.store.frontier_queue([swapped])
            if key != entry.key:
                self.done(entry, "amp")
        self.queue.enqueue(swapped)  # robots.txt of its host first, like any other link
        return True

    def follow_elsewhere(self, entry: FrontierEntry, page: Page) -> bool:
        """A redirect to another host or origin: queue the target (politeness and robots.txt
        of that host and origin apply) if it belongs to the site. True if it does."""
        if not same_site(page.final_url, self.hosts[entry.site]):
            return False
        link = Link(url=page.final_url, source="redirect", kind=entry.kind, title=entry.title,
                    published=entry.published, summary=entry.summary)
        with self.store.transaction():
            self.queue.queue_links(entry.site, [link], depth=entry.depth, referrer=entry.url)
            self.done(entry, "redirected")
        log.info("%s redirects to %s (another host or origin of the site): queued", entry.url,
                 page.final_url)
        return True

    def validators_of(self, url: str) -> tuple[str | None, str | None]:
        """The ETag / Last-Modified of the response stored for exactly this URL, for a
        conditional GET. url_key folds variants (an AMP copy and its canonical page share a
        key): another URL's validators could earn a 304 for a page we never stored."""
        row = self.store.validators_get(url_key(url))
        if row is None or row["url"] != url:
            return None, None
        return row["etag"], row["last_modified"]

    def stored_copy(self, entry: FrontierEntry, page: Page) -> Page | None:
        """The stored response a 304 for `entry` stands for, if we kept it."""
        validators = self.store.validators_get(url_key(page.final_url)) \
            or self.store.validators_get(entry.key) or {}
        return self.store.load_page(validators["page_id"]) if validators.get("page_id") else None

    def trusted(self, canonical: str, final_url: str, site: str) -> bool:
        """Step 9's canonical rule (see identity.trusted_canonical) for this run's sites."""
        return trusted_canonical(canonical, final_url, self.hosts[site], self.start_keys[site],
                                 self._frontier_result)

    def _frontier_result(self, key: str) -> str | None:
        row = self.store.frontier_states([key]).get(key)
        return row["result"] if row is not None else None

    def _keep_validators(self, entry: FrontierEntry, page: Page, page_id: int) -> None:
        for key, url in {entry.key: entry.url, url_key(page.final_url): page.final_url}.items():
            self.store.validators_put(key, url, page.header("etag"),
                                      page.header("last-modified"), page_id)

    def _store_article(self, entry: FrontierEntry, page: Page, article: Article,
                       page_id: int | None) -> tuple[str, str]:
        """Upsert the article under its identity; (outcome, canonical URL of its row)."""
        candidate = article.canonical_url
        if not candidate or not self.trusted(candidate, page.final_url, entry.site):
            candidate = page.final_url
        canonical = clean_url(candidate) or page.final_url
        key = url_key(canonical)
        content = content_key(article, entry.site)
        # this very URL stored before? If not, a row it folds onto is a `folded` article
        seen = any(self.store.article_key(k) for k in {entry.key, url_key(page.final_url)})
        known = self.store.article_key(key) or (content and self.store.article_key(content))
        canonical = known or canonical  # step 9
        hints = feed_hints(article, entry)
        if "published" in hints:  # provenance: the date came from the feed or sitemap
            hints["published_source"] = "feed"
        article = replace(article, canonical_url=canonical, site=entry.site, **hints)
        outcome = self.store.upsert_article(article, page_id)
        if known and not seen and outcome != "new":
            outcome = "folded"  # another URL of a stored article, on its first sighting
        keys = [key, entry.key, url_key(page.final_url)] + ([content] if content else [])
        self.store.put_article_keys(list(dict.fromkeys(keys)), canonical)
        log.debug("article %s: %s", outcome, canonical)
        return outcome, canonical
