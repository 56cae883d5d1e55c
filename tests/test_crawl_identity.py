"""Which URL a crawled article is stored under: an AMP copy gives way to its canonical page,
which is fetched as a page of its own (its own validators, its own host's robots.txt)."""

from __future__ import annotations

from scraper.crawl import run_crawl

from .conftest import ALLOW_ALL, PUBLISHED, one_site_config, stored_urls
from .sitesim import SiteServer, article_html, listing_html


def test_amp_swap_sends_no_validators_of_the_amp_copy_to_its_canonical_page(tmp_path):
    """Regression: when an AMP copy names its canonical page, the canonical page is not sent
    the AMP copy's validators (with one Last-Modified for the whole site they would earn a
    304 for a page never fetched)."""
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.honour_if_modified_since = True  # one Last-Modified for the whole site
        server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/story-1/amp", "AMP link")]))
        canonical = server.url("/news/story-1")
        server.add_page("/news/story-1/amp", article_html(
            "Bridge reopens", server.url("/news/story-1/amp"), PUBLISHED, canonical=canonical))
        server.add_page("/news/story-1", article_html("Bridge reopens", canonical, PUBLISHED))
        run_crawl(one_site_config(server), db)
        sent = [r.headers.get("If-Modified-Since") for r in server.requests()
                if r.path == "/news/story-1"]
    assert sent == [None]
    assert stored_urls(db) == {canonical}


def test_amp_canonical_on_another_host_waits_for_that_hosts_robots_txt(tmp_path):
    """Regression: the canonical page of an AMP copy on another (allowed) host is fetched only
    after that host's robots.txt."""
    db = tmp_path / "a.db"
    with SiteServer() as amp, SiteServer("127.0.0.2") as www:
        amp.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        www.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        amp.add_page("/", listing_html("Home", [("/news/story-1/amp", "AMP link")]))
        canonical = www.url("/news/story-1")
        amp.add_page("/news/story-1/amp", article_html(
            "Bridge reopens", amp.url("/news/story-1/amp"), PUBLISHED, canonical=canonical))
        www.add_page("/news/story-1", article_html("Bridge reopens", canonical, PUBLISHED))
        run_crawl(one_site_config(amp, allowed_hosts=("127.0.0.2",)), db)
        paths = www.paths()
    assert paths[0] == "/robots.txt" and "/news/story-1" in paths
    assert stored_urls(db) == {canonical}
