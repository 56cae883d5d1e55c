"""politeness.py's Scheduler: robots.txt is scoped to an origin (RFC 9309: scheme, host and
port), so http://h and https://h each wait for their own robots.txt, while the per-host rules
(one request in flight, the delay) span both."""

from __future__ import annotations

import asyncio

from scraper.frontier import ARTICLE, ROBOTS, FrontierEntry
from scraper.models import CrawlConfig
from scraper.politeness import Scheduler
from scraper.robots import robots_from_response


def entry(url: str, kind: str = ARTICLE, key: str | None = None) -> FrontierEntry:
    return FrontierEntry(key=key or url, url=url, site="s", kind=kind, source="page")


def test_an_origin_waits_for_its_own_robots_txt_not_another_schemes():
    """Regression: robots.txt known for http://h does not release https://h's entries; only
    https://h's own robots.txt is handed out until it is known."""
    async def run() -> list[str | None]:
        scheduler = Scheduler(CrawlConfig(per_host_delay=0.0), lambda site: True)
        allow = robots_from_response(404, b"", 0.0)
        scheduler.set_robots("h", allow, "http://h")  # known for http://h only
        scheduler.push(entry("https://h/secure-story"))
        handed: list[str | None] = []
        nothing = await scheduler.next()  # https://h has no policy: not handed out
        handed.append(nothing.url if nothing else None)
        scheduler.push(entry("https://h/robots.txt", ROBOTS, key="robots:https://h"))
        robots = await scheduler.next()
        handed.append(robots.url)
        scheduler.set_robots("h", allow, "https://h")
        scheduler.release(robots)
        story = await scheduler.next()
        handed.append(story.url)
        scheduler.release(story)
        return handed

    assert asyncio.run(run()) == [None, "https://h/robots.txt", "https://h/secure-story"]


def test_crawl_delay_of_either_origin_applies_to_the_host():
    """Regression: a Crawl-delay in either origin's robots.txt sets the whole host's delay,
    even when the other origin's robots.txt (set after it) has none."""
    scheduler = Scheduler(CrawlConfig(per_host_delay=0.1, max_crawl_delay=10.0),
                          lambda site: True)
    scheduler.set_robots("h", robots_from_response(200, b"User-agent: *\nCrawl-delay: 3\n",
                                                   0.0), "https://h")
    scheduler.set_robots("h", robots_from_response(404, b"", 0.0), "http://h")
    assert scheduler.host("h").delay == 3.0
