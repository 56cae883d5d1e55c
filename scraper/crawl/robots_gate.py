"""Step 4, robots.txt before anything else of an origin, fetched politely and cached.

RFC 9309 scopes robots.txt to an origin (scheme, host, port). The first time an origin is
seen its policy comes from the `robots` table when still fresh (`robots_cache_ttl`), else a
robots entry is scheduled ahead of the origin's pages. A robots.txt redirect to another
host is fetched in that host's turn (at most five hops, RFC 9309 2.3.1.2); one that cannot
be had (5xx, unreachable) means disallow-all and parks the host for this run. The sitemaps
it names are queued like any sitemap.

The reason shown is the real one, kept apart from robots verdicts: a host that cannot be
reached is counted under its network reason (dns_error, connect_refused, tls_error, ...)
and parked as `robots.txt unreachable: dns_error (Name or service not known)`; only a
robots.txt that answered 5xx or 429 counts as `robots_unavailable`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from ..fetch import ACCEPT_ANY, Fetcher
from ..frontier import ROBOTS, SITEMAP, FrontierEntry
from ..models import CrawlConfig, Link
from ..politeness import Scheduler
from ..robots import DISALLOW_ALL, RobotsPolicy, robots_from_response, robots_url
from ..store import Store
from .linkqueue import LinkQueue
from .summary import Counts

log = logging.getLogger(__name__)

ROBOTS_HOPS = 5  # RFC 9309 2.3.1.2: follow at least five redirects for robots.txt


class RobotsGate:
    """Knows which origins' robots.txt is known or queued; fetches and applies it."""

    def __init__(self, config: CrawlConfig, store: Store, scheduler: Scheduler,
                 counts: dict[str, Counts], queue: LinkQueue) -> None:
        self.config = config
        self.store = store
        self.scheduler = scheduler
        self.counts = counts
        self.queue = queue
        self.asked: set[str] = set()  # origins whose robots.txt is known or queued

    def admit(self, entry: FrontierEntry) -> None:
        """Called before `entry` is scheduled: the first time its origin is seen, apply the
        cached robots.txt or schedule a robots entry (which sorts before everything)."""
        if entry.origin in self.asked:
            return
        self.asked.add(entry.origin)
        policy = self._cached(entry.origin)
        if policy is not None:
            self.scheduler.set_robots(entry.host, policy, entry.origin)
            self._queue_sitemaps(policy, entry.site)
        else:
            self.scheduler.push(FrontierEntry(
                key=f"robots:{entry.origin}", url=robots_url(entry.url) or entry.url,
                site=entry.site, kind=ROBOTS, source="robots"))

    def allows(self, entry: FrontierEntry) -> bool:
        policy = self.scheduler.host(entry.host).policy(entry.origin)
        return policy is not None and policy.allowed(entry.url, self.config.user_agent)

    async def fetch(self, entry: FrontierEntry, release: Callable[[], None], fetcher: Fetcher,
                    on_redirect) -> None:
        """robots.txt for the origin named in the entry's key. Redirect hops on the same
        host wait for its delay (`on_redirect`); a hop to another host is queued on that
        host, so its delay holds too (entry.depth counts those hops)."""
        host, origin = _robots_origin(entry)
        page = await fetcher.fetch(entry.url, accept=ACCEPT_ANY, on_redirect=on_redirect)
        if page.error == "redirect_offsite" and entry.depth < ROBOTS_HOPS:
            release()
            log.info("robots.txt of %s redirects to %s: queued on that host", origin,
                     page.final_url)
            self.scheduler.push(replace(entry, url=page.final_url, depth=entry.depth + 1,
                                        seq=self.queue.next_seq()))
            return
        status = page.status if page.status is not None and (
            page.ok or (page.error or "").startswith("http_")) else None
        policy = robots_from_response(status, page.content, time.time(), url=page.final_url)
        self.scheduler.set_robots(host, policy, origin)
        release()  # after set_robots: a Crawl-delay counts from this response already
        counts = self.counts[entry.site]
        if policy.rule == DISALLOW_ALL:
            reason, why = unavailable(status, page.error, page.error_detail)
            counts.errors[reason] += 1
            counts.host_failed(host, why)
            self.scheduler.park(host, why)
            return
        counts.host_answered(host)
        if page.ok:
            self.counts[entry.site].robots_fetched += 1
        self.store.robots_put(origin, page.final_url, status, page.content, policy.fetched_at)
        self._queue_sitemaps(policy, entry.site)

    def blocked(self, entry: FrontierEntry, run_id: int) -> None:
        """Settle an entry robots.txt disallows: counted, never requested."""
        log.info("robots.txt disallows %s", entry.url)
        self.counts[entry.site].robots_blocked += 1
        self.store.frontier_done([entry.key], "robots_blocked", time.time(), run_id)

    def _cached(self, origin: str) -> RobotsPolicy | None:
        row = self.store.robots_get(origin)
        if row is None:
            return None
        policy = robots_from_response(row["status"], row["body"] or b"", row["fetched_at"],
                                      url=row["url"])
        return policy if policy.is_fresh(time.time(), self.config.robots_cache_ttl) else None

    def _queue_sitemaps(self, policy: RobotsPolicy, site: str) -> None:
        links = [Link(url=u, source="robots", kind=SITEMAP) for u in policy.sitemaps]
        if links:
            self.queue.queue_links(site, links, depth=0, referrer=None)


def unavailable(status: int | None, error: str | None,
                detail: str | None) -> tuple[str, str]:
    """(the reason counted, the sentence shown) for a robots.txt that disallows all because
    it could not be had: the network reason when nothing answered, else the status."""
    if status is None:
        reason = error or "network_error"
        return reason, f"robots.txt unreachable: {reason}" + (f" ({detail})" if detail else "")
    return "robots_unavailable", (f"robots.txt answered {status}: the host is off limits "
                                  "until it answers (RFC 9309)")


def _robots_origin(entry: FrontierEntry) -> tuple[str, str]:
    """(host, origin) a robots entry is for: its key names them, its URL may have moved
    to another host through a redirect."""
    origin = entry.key.removeprefix("robots:")
    return urlsplit(origin).netloc, origin
