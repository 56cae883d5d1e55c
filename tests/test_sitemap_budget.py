"""max_sitemaps_per_site holds against a sitemap index that fans out (the stress case
sitemap_index_fanout of issue 11: an index of 50,000 indexes of 50,000 more hung the crawl
and broke the budget), against a real local server: an index queues no more children than
the budget can still fetch in the run, the newest first; the others are not queued at all
(the index is read again next run), so an archive without lastmods is walked over the runs."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace

from scraper.crawl import run_crawl
from scraper.crawl.budget import Budget, newest_sitemaps
from scraper.crawl.summary import Counts
from scraper.frontier import FrontierEntry
from scraper.models import SiteConfig

from .conftest import ALLOW_ALL, CRAWL, one_site_config
from .sitesim import Route, listing_html, sitemap_index

XML = "application/xml"


def test_an_index_of_indexes_fanning_out_keeps_to_the_sitemap_budget(server, tmp_path):
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    fan = 5_000

    def child(path: str) -> Route:  # every child is an index of 5,000 more
        name = path.rsplit("/", 1)[-1].removesuffix(".xml")
        return Route(body=sitemap_index([server.url(f"/c/{name}-{i}.xml")
                                         for i in range(fan)]).encode(), content_type=XML)

    server.dynamic.append(("/c/", child))
    server.add_page("/index.xml", sitemap_index([server.url(f"/c/{i}.xml") for i in range(fan)]),
                    content_type=XML)
    crawl = replace(CRAWL, max_sitemaps_per_site=5)
    db = tmp_path / "a.db"
    started = time.monotonic()
    summary = run_crawl(one_site_config(server, crawl, sitemaps=(server.url("/index.xml"),)), db)
    fetched = [p for p in server.paths() if p == "/index.xml" or p.startswith("/c/")]
    assert len(fetched) == 5 and summary.sites[0].sitemap_requests == 5
    assert time.monotonic() - started < 30
    with sqlite3.connect(db) as conn:  # 4 children queued (and read), not 5,000 or 20,000
        assert conn.execute("SELECT count(*) FROM frontier WHERE kind = 'sitemap'").fetchone() \
            == (5,)


def _children(server, n: int, lastmods: list[str | None]) -> None:
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    rows = "".join(f"<sitemap><loc>{server.url(f'/child-{i}.xml')}</loc>"
                   + (f"<lastmod>{lastmods[i]}</lastmod>" if lastmods[i] else "")
                   + "</sitemap>" for i in range(n))
    server.add_page("/index.xml", '<?xml version="1.0"?><sitemapindex xmlns="http://www.'
                    f'sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>', content_type=XML)
    for i in range(n):
        server.add_page(f"/child-{i}.xml", '<?xml version="1.0"?><urlset xmlns="http://www.'
                        'sitemaps.org/schemas/sitemap/0.9"></urlset>', content_type=XML)


def test_the_newest_children_go_first_and_an_archive_is_walked_over_the_runs(server, tmp_path):
    lastmods = [None] * 6
    lastmods[4] = "2026-11-30"  # the current sitemap, listed late
    _children(server, 6, lastmods)
    crawl = replace(CRAWL, max_sitemaps_per_site=3, max_article_age=0)
    config = one_site_config(server, crawl, sitemaps=(server.url("/index.xml"),))
    runs = []
    for _ in range(3):
        before = len(server.paths())
        run_crawl(config, tmp_path / "a.db")
        runs.append([p for p in server.paths()[before:] if p.startswith("/child-")])
    assert runs[0] == ["/child-4.xml", "/child-0.xml"]  # the dated one, then in order
    assert sorted(runs[1]) == ["/child-1.xml", "/child-2.xml"]  # never read before first
    assert "/child-3.xml" in runs[2] and "/child-5.xml" in runs[2]


def _entry(n: int, published: str | None) -> FrontierEntry:
    return FrontierEntry(key=f"k{n}", url=f"https://n.example/s{n}.xml", site="n",
                         kind="sitemap", source="sitemap", depth=1, published=published)


def test_newest_sitemaps_ranks_by_lastmod_then_novelty_then_order():
    children = [(_entry(0, None), False), (_entry(1, "2026-01-01"), False),
                (_entry(2, None), True), (_entry(3, "2026-03-01"), True),
                (_entry(4, "2026-03-01"), False)]
    assert newest_sitemaps(children, 3) == [3, 4, 1]
    assert newest_sitemaps(children, 5) == [3, 4, 1, 2, 0]
    assert newest_sitemaps(children, 0) == []


def test_room_counts_fetches_and_children_queued_but_not_fetched():
    site = SiteConfig(name="n", start_urls=("https://n.example/",))
    budget = Budget(replace(CRAWL, max_sitemaps_per_site=4), {"n": site}, {"n": Counts()}, None)
    budget.count("n", "sitemap", "index")
    assert budget.sitemap_room("n") == 3
    budget.grant_sitemaps("n", ["a", "b"])
    assert budget.sitemap_room("n") == 1
    budget.count("n", "sitemap", "a")  # a granted child fetched: it moves from one to the other
    assert budget.sitemap_room("n") == 1
    budget.count("n", "sitemap", "c")  # a sitemap from elsewhere (a seed, robots.txt)
    assert budget.sitemap_room("n") == 0 and budget.left("n", "sitemap")  # b may be fetched
    budget.count("n", "sitemap", "b")
    assert budget.sitemap_room("n") == 0 and not budget.left("n", "sitemap")
