"""Extraction in the crawler's process pool: a page whose extraction runs too long fails on
its own, and the pool goes on extracting the rest."""

from __future__ import annotations

import asyncio
import time

from scraper.crawl import Crawler
from scraper.lock import RunLock
from scraper.store import Store

from .conftest import (
    ALLOW_ALL,
    PUBLISHED,
    frontier_row,
    one_site_config,
    stored_urls,
)
from .sitesim import SiteServer, article_html, listing_html


def _stalls_on_slow_pages(extract_from_document):
    """extract_from_document that stalls on the pages of /news/slow-*: hostile markup that
    once took minutes (100,000 nested tags or attributes) is cut before parsing now, so the
    stall stands in for whatever may still be slow. The pool's workers are forked after it
    is in place, so they run it."""
    def extract(doc, selectors=None):
        if "/news/slow-" in doc.url:
            time.sleep(60)
        return extract_from_document(doc, selectors)
    return extract


def test_extraction_timeout_fails_the_entry_and_the_pool_keeps_working(tmp_path, monkeypatch):
    """Regression: an extraction that runs past the crawler's extract_timeout fails that
    entry alone ("extract_timeout", not left pending), and the other pages are still
    extracted and stored."""
    import scraper.analyse

    monkeypatch.setattr(scraper.analyse, "extract_from_document",
                        _stalls_on_slow_pages(scraper.analyse.extract_from_document))
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        links = [("/news/slow-1", "Slow")] + [(f"/news/story-{i}", "S") for i in range(1, 4)]
        server.add_page("/", listing_html("Home", links))
        slow = server.url("/news/slow-1")
        server.add_page("/news/slow-1", article_html("Deep", slow, PUBLISHED))
        for i in range(1, 4):
            url = server.url(f"/news/story-{i}")
            server.add_page(f"/news/story-{i}", article_html(f"Story {i} of the day", url,
                                                              PUBLISHED))
        config = one_site_config(server)
        with RunLock(db), Store(db) as store:
            crawler = Crawler(config.crawl, config.sites, store)
            crawler.extract_timeout = 2.0  # the slow page stalls for a minute; a story, ms
            # (2 s, not less: a story must finish in time on a loaded 2-core machine)
            summary = asyncio.run(crawler.run())
    site = summary.sites[0]
    assert dict(site.errors).get("extract_timeout") == 1
    assert frontier_row(db, slow) == ("failed", "extract_timeout")
    assert stored_urls(db) == {server.url(f"/news/story-{i}") for i in range(1, 4)}
    assert site.pending == 0
