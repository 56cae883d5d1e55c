"""Stress (make stress): a generated two-host site full of traps and faults.

≥95 % of the reachable articles must be stored, with no robots violation, no two requests
to one host closer than per_host_delay (end to start, from the server's log), no duplicate
and no non-article rows.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

from scraper.crawl import run_crawl
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.urls import url_key

from .sitesim import (
    Route,
    SiteServer,
    article_html,
    listing_html,
    politeness_violations,
    rss,
    urlset,
)

DELAY = 0.02


def build_stress_site(main: SiteServer, other: SiteServer, articles: int = 160,
                      seed: int = 7) -> set[str]:
    """Sections on the main host, an 'amp/mobile' style second host with more articles, a
    sitemap, a feed; traps and faults sprinkled in. Returns the reachable canonical URLs."""
    rng = random.Random(seed)
    expected: set[str] = set()
    per_section: dict[str, list[tuple[str, str]]] = {f"s{i}": [] for i in range(5)}
    sitemap_rows = []
    for i in range(articles):
        server = main if i % 4 else other
        section = f"s{i % 5}"
        day = 1 + i % 28
        path = f"/{section}/2024/03/{day:02d}/generated-story-{i}-on-regional-matters/"
        url = server.url(path)
        title = f"Generated story {i} on regional matters"
        date = f"2024-03-{day:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00"
        canonical = None
        route = server.add_page(path, article_html(title, url, date, canonical=canonical))
        fault = rng.random()
        if fault < 0.06:
            route.fail_first, route.fail_status = 1, 503
        elif fault < 0.09:
            route.fail_first, route.fail_status = 1, 429
            route.fail_headers = {"Retry-After": "1"}
        elif fault < 0.12:
            route.delay = 0.3  # slow but within the timeout
        expected.add(url)
        link = url if server is other else path
        variants = [link]
        if rng.random() < 0.3:
            variants.append(link + "?utm_source=x&utm_campaign=y")
        if rng.random() < 0.3:
            variants.append(link + "#comments")
        per_section[section].append((rng.choice(variants), title))
        sitemap_rows.append((url, date))
        if rng.random() < 0.1:  # a duplicate page declaring the real one canonical
            dup = f"/copies/{i}/syndicated-version-of-story-{i}/"
            main.add_page(dup, article_html(title, main.url(dup), date, canonical=url))
            per_section[section].append((dup, title + " (copy)"))
    for section, links in per_section.items():
        pages = [links[j:j + 12] for j in range(0, len(links), 12)]
        for n, chunk in enumerate(pages, start=1):
            path = f"/{section}/" if n == 1 else f"/{section}/page/{n}/"
            nxt = f"/{section}/page/{n + 1}/" if n < len(pages) else None
            main.add_page(path, listing_html(f"{section} {n}", chunk, next_url=nxt))
    traps = [("/calendar/1/", "Calendar"), ("/loop/page/1/", "Loop"),
             ("/redirect/a/", "Moved"), ("/private/x-secret-story-here/", "Secret")]
    main.dynamic.append(("/calendar/", lambda p: Route(body=listing_html(
        "Calendar", [], next_url=f"/calendar/{int(p.strip('/').split('/')[-1]) + 1}/").encode())))
    main.dynamic.append(("/loop/page/", lambda p: Route(body=listing_html(
        "Loop", [], next_url=f"/loop/page/{int(p.strip('/').split('/')[-1]) % 3 + 1}/").encode())))
    main.add_redirect("/redirect/a/", "/redirect/b/")
    main.add_redirect("/redirect/b/", "/redirect/a/")
    home = [(f"/{s}/", s) for s in per_section] + traps
    main.add_page("/", listing_html("Stress Times", home))
    main.add_page("/feed.xml", rss([(u, "t", "Mon, 01 Apr 2024 00:00:00 GMT")
                                    for u, _ in sitemap_rows[:20]]),
                  content_type="application/rss+xml")
    main.add_page("/sitemap.xml", urlset(sitemap_rows[::2]), content_type="application/xml")
    robots = f"User-agent: *\nDisallow: /private/\nSitemap: {main.url('/sitemap.xml')}\n"
    main.add_page("/robots.txt", robots, content_type="text/plain")
    other.add_page("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                   content_type="text/plain")
    return expected


@pytest.mark.slow
def test_stress_site_with_traps_and_faults(tmp_path):
    with SiteServer() as main, SiteServer("127.0.0.2") as other:
        expected = build_stress_site(main, other)
        crawl = CrawlConfig(user_agent="testbot/1.0", per_host_delay=DELAY, concurrency=6,
                            timeout=2.0, retries=2, max_pages_per_site=600,
                            max_crawl_delay=5.0)
        config = Config(crawl=crawl, sites=(SiteConfig(
            name="stress", start_urls=(main.url("/"),), feeds=(main.url("/feed.xml"),),
            allowed_hosts=("127.0.0.2",)),))
        summary = run_crawl(config, tmp_path / "stress.db")
        log = main.requests() + other.requests()
    with sqlite3.connect(tmp_path / "stress.db") as conn:
        rows = [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]
    stored = set(rows)
    assert stored <= expected, f"non-article or duplicate rows: {sorted(stored - expected)[:5]}"
    assert len({url_key(u) for u in rows}) == len(rows)
    assert len(stored) >= 0.95 * len(expected), (len(stored), len(expected), summary.lines())
    assert politeness_violations(log, DELAY, ("/private/",)) == []
    assert sum(1 for r in log if r.path.startswith("/calendar/")) <= 3
    assert sum(1 for r in log if r.path.startswith("/loop/page/")) <= 3
