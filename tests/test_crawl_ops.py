"""Crawler operations: robots.txt variants, Crawl-delay, budgets and traps, --max-pages,
--max-duration, the run lock, a SIGKILLed run resumed, exit codes, and the demo."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.commands import EXIT_LOCKED, EXIT_USAGE
from scraper.commands.crawl import crawl
from scraper.crawl import LockedError, run_crawl
from scraper.lock import RunLock
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.store import Store
from scraper.urls import url_key

from .conftest import ALLOW_ALL, frontier_row, one_story_site, slow_article
from .sitesim import Route, SiteServer, build_plain_site, politeness_violations

ROOT = Path(__file__).resolve().parent.parent
CRAWL = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.05, concurrency=4, timeout=2.0,
                    retries=1, max_crawl_delay=5.0)


def config_for(server: SiteServer, crawl: CrawlConfig = CRAWL, **site) -> Config:
    return Config(crawl=crawl, sites=(SiteConfig(
        name="plain", start_urls=(server.url("/"),), feeds=(server.url("/feed.xml"),), **site),))


def articles(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT canonical_url FROM articles")}


def toml_for(server: SiteServer, path: Path, delay: float) -> Path:
    path.write_text(f"""
[crawl]
user_agent = "testbot/1.0"
per_host_delay = {delay}
timeout = 5.0

[[sites]]
name = "plain"
start_urls = ["{server.url('/')}"]
feeds = ["{server.url('/feed.xml')}"]
""")
    return path


def test_robots_404_allows_everything(tmp_path):
    with SiteServer() as server:
        site = build_plain_site(server, articles=5, robots=None)
        summary = run_crawl(config_for(server), tmp_path / "a.db")
        log = server.requests()
    assert articles(tmp_path / "a.db") == site.expected
    assert log[0].path == "/robots.txt" and log[0].status == 404
    assert summary.exit_code == 0 and summary.sites[0].robots_blocked == 0


def test_robots_503_means_nothing_else_is_requested(tmp_path):
    with SiteServer() as server:
        build_plain_site(server, articles=5, robots=None)
        server.add_page("/robots.txt", "down", status=503, content_type="text/plain")
        summary = run_crawl(config_for(server), tmp_path / "a.db")
        paths = server.paths()
    assert paths == ["/robots.txt"]
    assert summary.exit_code == 1  # nothing was reachable
    s = summary.sites[0]
    assert dict(s.errors) == {"robots_unavailable": 1}
    assert s.pending == 2  # start page and feed wait for the next run


def test_robots_disallow_and_crawl_delay_honoured(tmp_path):
    robots = "User-agent: testbot\nDisallow: /news/page/\nCrawl-delay: 0.3\n"
    with SiteServer() as server:
        site = build_plain_site(server, articles=6, per_page=3, robots=robots)
        summary = run_crawl(config_for(server), tmp_path / "a.db")
        log = server.requests()
    assert politeness_violations(log, 0.3, ("/news/page/",)) == []
    assert summary.sites[0].robots_blocked == 1  # /news/page/2/
    assert articles(tmp_path / "a.db") <= site.expected


def test_crawl_delay_above_the_cap_is_capped_and_logged(tmp_path, caplog):
    robots = "User-agent: *\nCrawl-delay: 120\n"
    capped = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.05, timeout=2.0,
                         max_crawl_delay=0.25)
    with SiteServer() as server, caplog.at_level(logging.WARNING, logger="scraper.politeness"):
        site = build_plain_site(server, articles=3, robots=robots)
        run_crawl(config_for(server, capped), tmp_path / "a.db")
        log = server.requests()
    assert politeness_violations(log, 0.25) == []
    assert any("capped at max_crawl_delay" in r.getMessage() for r in caplog.records)
    assert articles(tmp_path / "a.db") == site.expected


def test_traps_do_not_eat_the_budget(tmp_path):
    with SiteServer() as server:
        site = build_plain_site(server, articles=12, traps=True)
        config = config_for(server, CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.02,
                                                timeout=2.0, max_depth=3, max_pagination=4,
                                                max_pages_per_site=60))
        summary = run_crawl(config, tmp_path / "a.db")
        paths = server.paths()
    assert articles(tmp_path / "a.db") == site.expected
    calendar = [p for p in paths if p.startswith("/events/")]
    archive = [p for p in paths if p.startswith("/archive")]
    assert 0 < len(calendar) <= 3  # an endless day-by-day chain: bounded by max_depth
    assert sorted(archive) == [f"/archive?page={n}" for n in range(1, 5)]  # by max_pagination
    assert summary.exit_code == 0


def test_max_pages_stops_and_the_next_run_continues(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        site = build_plain_site(server, articles=8)
        first = run_crawl(config_for(server), db, max_pages=4)
        assert len(server.paths()) == 4
        assert first.stopped == "max_pages reached" and first.sites[0].pending > 0
        second = run_crawl(config_for(server), db)
    assert articles(db) == site.expected
    assert second.sites[0].pending == 0
    assert first.sites[0].new_articles + second.sites[0].new_articles == len(site.expected)


def test_max_duration_stops_gracefully(tmp_path):
    db = tmp_path / "a.db"
    slow = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.4, timeout=2.0)
    with SiteServer() as server:
        site = build_plain_site(server, articles=8)
        first = run_crawl(config_for(server, slow), db, max_duration=1.0)
        assert first.stopped == "max_duration reached" and first.sites[0].pending > 0
        run_crawl(config_for(server), db)
    assert articles(db) == site.expected
    with Store(db) as store:
        assert store.frontier_counts().get("pending", 0) == 0


def test_lock_stops_a_concurrent_run(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=3)
        with RunLock(db):  # a run in progress holds the lock
            with pytest.raises(LockedError, match="another crawl"):
                run_crawl(config_for(server), db)
            result = CliRunner().invoke(crawl, ["--config", str(toml_for(
                server, tmp_path / "s.toml", 0.05)), "--db", str(db)])
        assert server.paths() == []
    assert result.exit_code == EXIT_LOCKED
    assert "another crawl" in result.output


def _spawn_crawl(config_path: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(config_path),
         "--db", str(db), "-q"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(condition, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def _count_articles(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_two_concurrent_processes_second_exits_with_code_3(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=10)
        config_path = toml_for(server, tmp_path / "s.toml", 0.3)
        first = _spawn_crawl(config_path, db)
        try:
            _wait_for(lambda: len(server.paths()) >= 2)
            second = subprocess.run(
                [sys.executable, "-m", "scraper.cli", "crawl", "--config",
                 str(config_path), "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
        finally:
            first.kill()
            first.wait()
    assert second.returncode == EXIT_LOCKED
    assert "another crawl" in second.stderr


def test_sigkilled_run_resumes_without_loss_or_duplicates(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        site = build_plain_site(server, articles=12)  # 3 listing pages: within max_depth
        config_path = toml_for(server, tmp_path / "s.toml", 0.15)
        proc = _spawn_crawl(config_path, db)
        try:
            _wait_for(lambda: _count_articles(db) >= 3)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        killed_at = _count_articles(db)
        assert 3 <= killed_at < len(site.expected)  # it really was killed mid-run
        fetched_before = [p for p in server.paths() if "/story-number-" in p]
        summary = run_crawl(config_for(server), db)  # the lock died with the process
        fetched_after = [p for p in server.paths() if "/story-number-" in p][len(fetched_before):]
    stored = articles(db)
    assert stored == site.expected  # nothing lost
    assert len({url_key(u) for u in stored}) == len(stored)  # no duplicates
    assert summary.sites[0].new_articles == len(site.expected) - killed_at
    # articles stored before the kill are not fetched again (at most the in-flight one)
    assert len(set(fetched_before) & set(fetched_after)) <= 1
    with Store(db) as store:
        assert store.integrity_ok()
        assert store.frontier_counts().get("pending", 0) == 0
        statuses = [r["status"] for r in store.db.query("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["killed", "ok"]  # the next run marked the killed one


def _page_kept(db: Path, url: str) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT 1 FROM pages WHERE final_url = ?", [url]).fetchone() \
                is not None
    except sqlite3.Error:
        return False


def test_sigkill_between_fetching_the_page_and_storing_the_article_loses_nothing(tmp_path):
    """Regression: a SIGKILL after the page is fetched and before its article is stored (it
    is in analysis) loses nothing: the raw page, its validators and the article are written
    in one transaction, so none of them is kept, and the next run fetches the page again
    with a plain GET (no 304 earned by validators of an entry that never settled) and
    stores the article."""
    db = tmp_path / "a.db"
    with SiteServer() as server:
        story = one_story_site(server, "")
        server.routes["/news/story-1"].body = slow_article(
            "Bridge reopens", story, 100_000).encode()  # a second or more: the kill window

        def served() -> bool:
            return any(r.path == "/news/story-1" for r in server.requests()) \
                or proc.poll() is not None

        proc = _spawn_crawl(toml_for(server, tmp_path / "s.toml", 0.05), db)
        try:
            _wait_for(served, limit=60.0)
            time.sleep(0.3)  # the response read, its analysis under way
            assert proc.poll() is None, "the crawl ended before the kill"
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        # killed in the window: neither the raw page nor the article is kept
        assert articles(db) == set() and frontier_row(db, story)[0] == "pending"
        assert not _page_kept(db, story)
        run_crawl(config_for(server), db)
        second = [r.status for r in server.requests() if r.path == "/news/story-1"][1:]
    assert articles(db) == {story}
    assert second == [200]  # no 304 earned by validators of a page never settled
    assert frontier_row(db, story) == ("done", "article")
    assert _page_kept(db, story)


def test_bad_config_exits_2_with_every_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[crawl]\nconcurrency = 0\n[[sites]]\nname = "x"\nstart_urls = ["ftp://x"]\n')
    result = CliRunner().invoke(crawl, ["--config", str(bad), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == EXIT_USAGE
    assert "crawl.concurrency" in result.output and "sites[0].start_urls[0]" in result.output


def test_unreachable_site_exits_1(tmp_path):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = Config(crawl=CRAWL, sites=(SiteConfig(name="gone", start_urls=(
        f"http://127.0.0.1:{port}/",)),))
    summary = run_crawl(config, tmp_path / "a.db")
    assert summary.exit_code == 1
    assert dict(summary.sites[0].errors) == {"connect_refused": 1}  # not a robots verdict
    assert "0 new articles" in "\n".join(summary.lines())
    assert "robots.txt unreachable: connect_refused" in "\n".join(summary.lines())


def test_only_robots_txt_answered_exits_1(tmp_path):
    """Regression: robots.txt alone is not an answered page: a run in which only robots.txt
    answered (home page and feed 500) exits 1."""
    with SiteServer() as server:
        server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        server.add("/", Route(status=500))
        server.add("/feed.xml", Route(status=500))
        summary = run_crawl(config_for(server, replace(CRAWL, retries=0)), tmp_path / "a.db")
    assert summary.exit_code == 1
    assert summary.sites[0].fetched == 0  # pages downloaded (2xx): robots.txt is not one
    assert summary.sites[0].robots_fetched == 1


def test_demo_crawls_the_bundled_site_offline(tmp_path):
    from scraper.demo import run_demo

    db = tmp_path / "demo.db"
    first = run_demo(db)
    assert first.exit_code == 0 and first.sites[0].new_articles == 10
    assert first.sites[0].errors == () and first.sites[0].robots_blocked == 1
    second = run_demo(db)
    s = second.sites[0]
    assert s.new_articles == 0 and s.fetched == 0 and s.not_modified > 0
    with Store(db) as store:
        assert store.count_articles() == 10


def test_long_retry_after_parks_the_host_until_the_next_run(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        site = build_plain_site(server, articles=4)
        first_path = sorted(p for p in server.routes if "/story-number-" in p)[0]
        route = server.routes[first_path]
        route.fail_first, route.fail_status = 1, 429
        route.fail_headers = {"Retry-After": "3600"}  # far above max_crawl_delay
        summary = run_crawl(config_for(server), db)
        log = server.requests()
        limited = next(i for i, r in enumerate(log) if r.status == 429)
        assert log[limited + 1:] == []  # nothing more was sent to that host this run
        assert dict(summary.sites[0].errors).get("http_429") == 1
        assert summary.sites[0].pending > 0
        run_crawl(config_for(server), db)  # the next run picks up what was left
    assert articles(db) == site.expected
