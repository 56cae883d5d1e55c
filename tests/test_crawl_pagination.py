"""Pagination is followed at the listing's depth up to max_pagination; site selectors reach extraction."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from scraper.crawl import run_crawl
from scraper.models import Config, SiteConfig

from .sitesim import SiteServer, build_plain_site
from .test_crawl import CRAWL


def crawl_plain_site(tmp_path, *, articles: int, crawl, selectors=()):
    db = tmp_path / "articles.db"
    with SiteServer() as server:
        build_plain_site(server, articles=articles, per_page=4)
        site = SiteConfig(name="plain", start_urls=(server.url("/"),), selectors=selectors)
        summary = run_crawl(Config(crawl=crawl, sites=(site,)), db)
        paths = server.paths()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT canonical_url, headline FROM articles").fetchall()
    return summary, paths, rows


def test_numbered_pages_keep_the_listing_depth_up_to_max_pagination(tmp_path):
    crawl = replace(CRAWL, per_host_delay=0.02, max_depth=1, max_pagination=5)
    summary, paths, rows = crawl_plain_site(tmp_path, articles=40, crawl=crawl)
    assert summary.exit_code == 0
    # /news/ is one hop from the home page; pages 2..5 keep that depth, page 6+ is past the bound
    for n in range(2, 6):
        assert f"/news/page/{n}/" in paths
    assert "/news/page/6/" not in paths
    stored_urls = {url for url, _ in rows}
    assert len(stored_urls) == 20  # 5 listing pages x 4 stories
    assert any("story-number-19-" in url for url in stored_urls)
    assert not any("story-number-20-" in url for url in stored_urls)


def test_site_selectors_pin_fields_during_a_crawl(tmp_path):
    crawl = replace(CRAWL, per_host_delay=0.02)
    _, _, rows = crawl_plain_site(tmp_path, articles=4, crawl=crawl,
                                  selectors=(("headline", "footer p"),))
    assert len(rows) == 4
    assert {headline for _, headline in rows} == {"Test Gazette"}  # the footer, as pinned
