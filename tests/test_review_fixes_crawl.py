"""Review fixes in the crawler, each against a real SiteServer and a real SQLite file:
a kill between keeping a page and storing its article, a 304 for an entry that never
settled, AMP validators, a bad Location, a redirect wait above the timeout, an extraction
timeout, and the exit code when only robots.txt answered."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scraper.crawl import Crawler, run_crawl
from scraper.lock import RunLock
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.store import Store

from .sitesim import Route, SiteServer, article_html, listing_html, politeness_violations

ROOT = Path(__file__).resolve().parent.parent
CRAWL = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.05, concurrency=4, timeout=2.0,
                    retries=0, max_crawl_delay=5.0)
ROBOTS = "User-agent: *\nAllow: /\n"
PUBLISHED = "2026-11-28T10:00:00Z"


def config_for(server: SiteServer, crawl: CrawlConfig = CRAWL, **site) -> Config:
    return Config(crawl=crawl, sites=(SiteConfig(name="t", start_urls=(server.url("/"),),
                                                 **site),))


def articles(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT canonical_url FROM articles")}


def frontier(db: Path, url: str) -> tuple[str, str | None]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT state, result FROM frontier WHERE url = ?", [url]).fetchone()


def slow_article(title: str, url: str, nesting: int) -> str:
    """An article inside `nesting` unclosed <div>s: parsing time grows with the square of it
    (20,000 take about a second and a half; 40,000 several)."""
    return article_html(title, url, PUBLISHED).replace("<body>", "<body>" + "<div>" * nesting, 1)


def one_story_site(server: SiteServer, html: str) -> str:
    server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
    server.add_page("/", listing_html("Home", [("/news/story-1", "Story")]))
    server.add_page("/news/story-1", html)
    return server.url("/news/story-1")


# -- 1. a kill after the page is kept and before the article is stored


def _toml(server: SiteServer, path: Path) -> Path:
    path.write_text(f"""
[crawl]
user_agent = "testbot/1.0"
per_host_delay = 0.05

[[sites]]
name = "t"
start_urls = ["{server.url('/')}"]
""")
    return path


def _page_kept(db: Path, url: str) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT 1 FROM pages WHERE final_url = ?", [url]).fetchone() \
                is not None
    except sqlite3.Error:
        return False


def test_sigkill_between_keeping_the_page_and_storing_the_article_loses_nothing(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        story = one_story_site(server, "")
        server.routes["/news/story-1"].body = slow_article(
            "Bridge reopens", story, 25_000).encode()  # seconds of parsing: the kill window
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper.commands_crawl", "crawl", "--config",
             str(_toml(server, tmp_path / "s.toml")), "--db", str(db), "-q"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not _page_kept(db, story):
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.01)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        # killed in the window: the raw page is kept, the article is not stored yet
        assert articles(db) == set() and frontier(db, story)[0] == "pending"
        run_crawl(config_for(server), db)
        second = [r.status for r in server.requests() if r.path == "/news/story-1"][1:]
    assert articles(db) == {story}
    assert second == [200]  # no 304 earned by validators of a page never settled
    assert frontier(db, story) == ("done", "article")


def test_304_for_an_entry_whose_fetch_never_settled_is_extracted(tmp_path):
    """A database written before the fix: validators kept, the entry never settled."""
    db = tmp_path / "a.db"
    with SiteServer() as server:
        story = one_story_site(server, "")
        server.routes["/news/story-1"].body = article_html("Bridge reopens", story,
                                                           PUBLISHED).encode()
        run_crawl(config_for(server), db)
        assert articles(db) == {story}
        with sqlite3.connect(db) as conn:  # as a kill right after step 7 used to leave it
            conn.execute("DELETE FROM articles")
            conn.execute("DELETE FROM article_keys")
            conn.execute("UPDATE frontier SET state = 'pending', result = NULL, "
                         "fetched_at = NULL, fetched_run = NULL WHERE url = ?", [story])
        server.clear_log()
        summary = run_crawl(config_for(server), db)
        statuses = [r.status for r in server.requests() if r.path == "/news/story-1"]
    assert statuses == [304]
    assert articles(db) == {story} and summary.sites[0].new_articles == 1
    assert frontier(db, story) == ("done", "article")


# -- 3. AMP: the canonical page is not sent the AMP page's validators


def test_amp_swap_sends_no_validators_of_the_amp_copy_to_its_canonical_page(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.honour_if_modified_since = True  # one Last-Modified for the whole site
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/story-1/amp", "AMP link")]))
        canonical = server.url("/news/story-1")
        server.add_page("/news/story-1/amp", article_html(
            "Bridge reopens", server.url("/news/story-1/amp"), PUBLISHED, canonical=canonical))
        server.add_page("/news/story-1", article_html("Bridge reopens", canonical, PUBLISHED))
        run_crawl(config_for(server), db)
        sent = [r.headers.get("If-Modified-Since") for r in server.requests()
                if r.path == "/news/story-1"]
    assert sent == [None]
    assert articles(db) == {canonical}


def test_amp_canonical_on_another_host_waits_for_that_hosts_robots_txt(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as amp, SiteServer("127.0.0.2") as www:
        amp.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        www.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        amp.add_page("/", listing_html("Home", [("/news/story-1/amp", "AMP link")]))
        canonical = www.url("/news/story-1")
        amp.add_page("/news/story-1/amp", article_html(
            "Bridge reopens", amp.url("/news/story-1/amp"), PUBLISHED, canonical=canonical))
        www.add_page("/news/story-1", article_html("Bridge reopens", canonical, PUBLISHED))
        run_crawl(config_for(amp, allowed_hosts=("127.0.0.2",)), db)
        paths = www.paths()
    assert paths[0] == "/robots.txt" and "/news/story-1" in paths
    assert articles(db) == {canonical}


# -- 2. a Location that is no URL: a counted failure, the per-host delay still holds


def test_unparsable_location_is_a_failure_and_the_delay_holds(tmp_path):
    db = tmp_path / "a.db"
    delay = 0.3
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/a-1", "A"), ("/news/b-2", "B"),
                                                   ("/news/c-3", "C")]))
        server.add("/news/a-1", Route(status=301, headers={"Location": "http://[oops/x"}))
        server.add("/news/b-2", Route(status=301, headers={"Location": "http://[oops/y"}))
        server.add_page("/news/c-3", "<html><body><p>x</p></body></html>")
        crawl = CrawlConfig(user_agent="testbot/1.0", per_host_delay=delay, concurrency=4,
                            retries=1)
        summary = run_crawl(config_for(server, crawl), db)
        log = server.requests()
    assert politeness_violations(log, delay) == []
    assert dict(summary.sites[0].errors).get("bad_redirect") == 2
    assert "internal_error" not in dict(summary.sites[0].errors)
    assert frontier(db, server.url("/news/a-1")) == ("failed", "bad_redirect")
    assert summary.sites[0].pending == 0


# -- 4. a same-host redirect whose politeness wait is longer than the timeout


def test_redirect_wait_longer_than_the_timeout_does_not_time_out(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/old-story-1", "A")]))
        server.add_redirect("/news/old-story-1", "/news/new-story-1")
        target = server.url("/news/new-story-1")
        server.add_page("/news/new-story-1", article_html("New story", target, PUBLISHED))
        crawl = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.6, timeout=0.5,
                            retries=1)
        summary = run_crawl(config_for(server, crawl), db)
        log = server.requests()
    assert articles(db) == {target}
    assert "timeout" not in dict(summary.sites[0].errors)
    assert politeness_violations(log, 0.6) == []


# -- 5. extraction that takes too long


def test_extraction_timeout_fails_the_entry_and_the_pool_keeps_working(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        links = [("/news/slow-1", "Slow")] + [(f"/news/story-{i}", "S") for i in range(1, 4)]
        server.add_page("/", listing_html("Home", links))
        slow = server.url("/news/slow-1")
        server.add_page("/news/slow-1", slow_article("Deep", slow, 40_000))
        for i in range(1, 4):
            url = server.url(f"/news/story-{i}")
            server.add_page(f"/news/story-{i}", article_html(f"Story {i} of the day", url,
                                                              PUBLISHED))
        config = config_for(server)
        with RunLock(db), Store(db) as store:
            crawler = Crawler(config.crawl, config.sites, store)
            crawler.extract_timeout = 0.5  # the slow page needs several seconds
            summary = asyncio.run(crawler.run())
    site = summary.sites[0]
    assert dict(site.errors).get("extract_timeout") == 1
    assert frontier(db, slow) == ("failed", "extract_timeout")
    assert articles(db) == {server.url(f"/news/story-{i}") for i in range(1, 4)}
    assert site.pending == 0


# -- 6. exit code: robots.txt alone is not an answered page


def test_only_robots_txt_answered_exits_1(tmp_path):
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        server.add("/", Route(status=500))
        server.add("/feed.xml", Route(status=500))
        summary = run_crawl(config_for(server, feeds=(server.url("/feed.xml"),)),
                            tmp_path / "a.db")
    assert summary.exit_code == 1
    assert summary.sites[0].fetched == 0  # pages downloaded (2xx): robots.txt is not one
    assert summary.sites[0].robots_fetched == 1
