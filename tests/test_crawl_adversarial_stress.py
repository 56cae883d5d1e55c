"""Stress (make stress): the adversarial two-host site at full size, with an archive sitemap
far bigger than the page budget. The acceptance numbers of issue 3, measured from the
database and from the servers' own request logs:

* >= 95 % of the reachable stories stored, no duplicate and no non-article rows;
* no request robots.txt disallows, no two requests to one host closer than per_host_delay;
* a second run finds the newly published stories and downloads no known story again.
"""

from __future__ import annotations

import sqlite3

import pytest

from scraper.crawl import run_crawl
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.urls import url_key

from .adversary_site import UA, build_adversary_site
from .sitesim import SiteServer, politeness_violations, quick_thread_switches

DELAY = 0.05


_quick_thread_switches = pytest.fixture(autouse=True, scope="module")(quick_thread_switches)


def canonical_urls(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]


@pytest.mark.slow
def test_adversary_site_full_size_with_an_archive_bigger_than_the_budget(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as www, SiteServer("127.0.0.2") as news:
        site = build_adversary_site(www, news, stories=90, archive_urls=3000)
        crawl = CrawlConfig(user_agent=UA, per_host_delay=DELAY, concurrency=6, timeout=1.0,
                            retries=2, max_crawl_delay=5.0, max_pages_per_site=500,
                            max_article_age=0)  # the 2024 archive is walked on purpose
        config = Config(crawl=crawl, sites=(SiteConfig(
            name="adversary", start_urls=(www.url("/"),), feeds=(www.url("/rss/"),),
            allowed_hosts=("127.0.0.2",)),))
        first = run_crawl(config, db)
        log = www.requests() + news.requests()
        rows = canonical_urls(db)
        assert set(rows) <= site.expected, sorted(set(rows) - site.expected)[:5]
        assert len({url_key(u) for u in rows}) == len(rows)
        assert len(set(rows)) >= 0.95 * len(site.expected), (len(rows), len(site.expected),
                                                              first.lines())
        assert politeness_violations(log, DELAY) == []
        assert site.robots_violations(log) == []
        assert first.sites[0].pending > 1000  # the archive waits; the stories did not

        www.clear_log()
        news.clear_log()
        new = [site.publish(www, "/politics/2024/06/30/night-buses-return-to-the-harbour/",
                            "Night buses return to the harbour", "2024-06-30T22:00:00+00:00"),
               site.publish(news, "/live/harbour-wall-repairs-finish-early-700001",
                            "Harbour wall repairs finish early", "2024-06-30T23:00:00+00:00"),
               site.publish(www, "/culture/2024/07/01/folk-festival-sells-out/",
                            "Folk festival sells out", "2024-07-01T08:00:00+00:00")]
        second = run_crawl(config, db)
        log = www.requests() + news.requests()
    stored = set(canonical_urls(db))
    assert set(new) <= stored and second.sites[0].new_articles == 3
    known_paths = {u.split("/", 3)[3] for u in set(rows)}
    refetched = [r.path for r in log if r.status == 200 and r.path.lstrip("/") in known_paths]
    assert refetched == []
    assert politeness_violations(log, DELAY, robots_first=False) == []
    assert site.robots_violations(log) == []
