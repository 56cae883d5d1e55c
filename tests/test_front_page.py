"""Front page first (issue 9, point 7): a fresh crawl with a page budget stores the stories
linked from the start page and the feed before links found deeper, whether the deeper
links come from one article page or from a sitemap that listed the front stories first."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from scraper.crawl import run_crawl
from scraper.frontier import ARTICLE, FrontierEntry
from scraper.models import Config, SiteConfig

from .conftest import ALLOW_ALL, CRAWL, stored_urls
from .sitesim import SiteServer, article_html, listing_html, rss, urlset

FRONT = 6
DEEP = 40


def dated(n: int, day: int) -> str:
    return f"/2026/04/{day:02d}/front-story-number-{n}/"


def front_site(server: SiteServer, *, sitemap: bool = False) -> tuple[set[str], set[str]]:
    """A home page linking FRONT dated stories, the newest of which links DEEP undated
    related stories (no date: the old rule put those first); a feed lists two of the
    front stories. With `sitemap`, a sitemap lists the front stories and DEEP newer
    archive stories, and is read before the home page."""
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    front = [dated(n, 10 + n) for n in range(FRONT)]
    deep = [f"/related/story-{n}" for n in range(DEEP)]
    for n, path in enumerate(front):
        links = [server.url(p) for p in deep] if n == FRONT - 1 else []
        server.add_page(path, article_html(f"Front story {n}", server.url(path),
                                           f"2026-04-{10 + n:02d}T08:00:00Z", links=links))
    for n, path in enumerate(deep):
        server.add_page(path, article_html(f"Related story {n}", server.url(path),
                                           "2026-04-01T08:00:00Z"))
    server.add_page("/", listing_html("Home", [(p, f"Front {n}") for n, p in enumerate(front)]))
    server.add_page("/feed.xml", rss([(server.url(p), f"Front {n}", "Fri, 10 Apr 2026 08:00:00 GMT")
                                      for n, p in enumerate(front[:2])]),
                    content_type="application/rss+xml")
    archive = []
    if sitemap:
        archive = [f"/2026/04/28/archive-story-{n}/" for n in range(DEEP)]
        for n, path in enumerate(archive):
            server.add_page(path, article_html(f"Archive story {n}", server.url(path),
                                               "2026-04-28T08:00:00Z"))
        server.add_page("/sitemap.xml", urlset(
            [(server.url(p), "2026-04-28T08:00:00Z") for p in archive]
            + [(server.url(p), f"2026-04-{10 + n:02d}T08:00:00Z") for n, p in enumerate(front)]),
            content_type="application/xml")
    return {server.url(p) for p in front}, {server.url(p) for p in deep + archive}


def config(server: SiteServer, budget: int, sitemap: bool = False) -> Config:
    crawl = replace(CRAWL, max_pages_per_site=budget, max_article_age=0.0, concurrency=2)
    return Config(crawl=crawl, sites=(SiteConfig(
        name="t", start_urls=(server.url("/"),), feeds=(server.url("/feed.xml"),),
        sitemaps=(server.url("/sitemap.xml"),) if sitemap else ()),))


def test_front_page_stories_come_before_a_deep_page_s_many_links(tmp_path):
    with SiteServer() as server:
        front, deep = front_site(server)
        # robots.txt, home, feed, the six front stories, and room for two more
        summary = run_crawl(config(server, budget=11), tmp_path / "a.db")
        fetched = [p for p in server.paths() if "story" in p]
    rows = stored_urls(tmp_path / "a.db")
    assert front <= rows  # every front-page story
    assert len(rows - front) <= 2  # the budget's remainder went deeper
    assert all("front-story" in p for p in fetched[:FRONT])
    site = summary.sites[0]
    assert site.budget_reached and site.pending >= DEEP - 2
    assert f"budget reached: {site.pending} pending" in "\n".join(summary.lines())


def test_a_link_first_seen_in_a_sitemap_is_re_ranked_when_the_home_page_links_it(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        front, archive = front_site(server, sitemap=True)
        summary = run_crawl(config(server, budget=12, sitemap=True), db)
        log = server.paths()
    assert log.index("/sitemap.xml") < log.index("/")  # the sitemap found them first
    rows = stored_urls(db)
    assert front <= rows
    assert summary.sites[0].budget_reached
    with sqlite3.connect(db) as conn:  # re-ranked on disk too: source and order columns
        sources = {r[0] for r in conn.execute(
            "SELECT DISTINCT source FROM frontier WHERE url LIKE '%front-story%'")}
    assert sources <= {"start", "feed"}


def test_the_rank_of_a_front_page_story():
    def entry(source: str, **kw) -> FrontierEntry:
        return FrontierEntry(key=source, url="http://h/2026/04/01/x/", site="t", kind=ARTICLE,
                             source=source, depth=1, **kw)

    start = FrontierEntry(key="s", url="http://h/", site="t", kind="start", source="start")
    assert entry("start").front and entry("feed").front and not entry("sitemap").front
    assert start.priority() < entry("start").priority() < entry("page").priority()
    assert entry("feed").priority() < entry("sitemap", published="2026-04-30").priority()
