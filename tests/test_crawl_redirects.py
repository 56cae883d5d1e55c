"""Redirects in a crawl: followed to another host of the site, a Location that is no URL is
a counted failure, and the per-host delay holds across every hop."""

from __future__ import annotations

from scraper.crawl import run_crawl
from scraper.models import CrawlConfig

from .conftest import (
    ALLOW_ALL,
    CRAWL,
    PUBLISHED,
    frontier_row,
    one_site_config,
    stored_urls,
)
from .sitesim import (
    Route,
    SiteServer,
    article_html,
    build_plain_site,
    listing_html,
    politeness_violations,
)


def test_start_page_redirecting_to_another_host_of_the_site(tmp_path):
    """A start page redirecting to another allowed host is followed, not an offsite error,
    after that host's robots.txt and within both hosts' delays."""
    with SiteServer() as entry, SiteServer("127.0.0.2") as www:
        site = build_plain_site(www, articles=4)
        entry.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        entry.add_redirect("/", www.url("/"))
        config = one_site_config(entry, allowed_hosts=("127.0.0.2",))
        summary = run_crawl(config, tmp_path / "a.db")
        entry_log, www_log = entry.requests(), www.requests()
    assert stored_urls(tmp_path / "a.db") == site.expected
    assert "redirect_offsite" not in dict(summary.sites[0].errors)  # followed, not an error
    assert [r.path for r in entry_log] == ["/robots.txt", "/"]
    assert www_log[0].path == "/robots.txt" and www_log[1].path == "/"
    assert politeness_violations(entry_log + www_log, CRAWL.per_host_delay) == []


def test_unparsable_location_is_a_failure_and_the_delay_holds(tmp_path):
    """Regression: a Location that is no URL fails the entry as "bad_redirect" (not an
    internal error, nothing left pending), and the per-host delay still holds."""
    db = tmp_path / "a.db"
    delay = 0.3
    with SiteServer() as server:
        server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/a-1", "A"), ("/news/b-2", "B"),
                                                   ("/news/c-3", "C")]))
        server.add("/news/a-1", Route(status=301, headers={"Location": "http://[oops/x"}))
        server.add("/news/b-2", Route(status=301, headers={"Location": "http://[oops/y"}))
        server.add_page("/news/c-3", "<html><body><p>x</p></body></html>")
        crawl = CrawlConfig(user_agent="testbot/1.0", per_host_delay=delay, concurrency=4,
                            retries=1)
        summary = run_crawl(one_site_config(server, crawl), db)
        log = server.requests()
    assert politeness_violations(log, delay) == []
    assert dict(summary.sites[0].errors).get("bad_redirect") == 2
    assert "internal_error" not in dict(summary.sites[0].errors)
    assert frontier_row(db, server.url("/news/a-1")) == ("failed", "bad_redirect")
    assert summary.sites[0].pending == 0


def test_redirect_wait_longer_than_the_timeout_does_not_time_out(tmp_path):
    """Regression: a same-host redirect whose politeness wait is longer than the timeout is
    not a timeout: the wait before the hop does not count against the fetch deadline."""
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/old-story-1", "A")]))
        server.add_redirect("/news/old-story-1", "/news/new-story-1")
        target = server.url("/news/new-story-1")
        server.add_page("/news/new-story-1", article_html("New story", target, PUBLISHED))
        crawl = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.6, timeout=0.5,
                            retries=1)
        summary = run_crawl(one_site_config(server, crawl), db)
        log = server.requests()
    assert stored_urls(db) == {target}
    assert not any(r.endswith("timeout") for r in dict(summary.sites[0].errors))
    assert politeness_violations(log, 0.6) == []
