"""Graceful stops (issue 9, point 1): real SIGINT and SIGTERM sent to a crawl subprocess
mid-crawl against a local site. The summary is logged, the run is recorded `interrupted`,
the exit code is 130 / 143, the database passes `PRAGMA integrity_check`, and the next run
resumes with nothing lost or duplicated. A second signal stops it at once; a request that
outlasts the grace is abandoned (and stays pending)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scraper.crawl import run_crawl
from scraper.crawl.interrupts import GRACE
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.store import Store
from scraper.urls import url_key

from .sitesim import Route, SiteServer, build_plain_site

ROOT = Path(__file__).resolve().parent.parent
CRAWL = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.15, concurrency=4, timeout=5.0,
                    retries=1, max_crawl_delay=5.0)


def toml_for(server: SiteServer, path: Path, delay: float = 0.15, timeout: float = 5.0) -> Path:
    path.write_text(f"""
[crawl]
user_agent = "testbot/1.0"
per_host_delay = {delay}
timeout = {timeout}

[[sites]]
name = "plain"
start_urls = ["{server.url('/')}"]
feeds = ["{server.url('/feed.xml')}"]
""")
    return path


def config_for(server: SiteServer) -> Config:
    return Config(crawl=CRAWL, sites=(SiteConfig(
        name="plain", start_urls=(server.url("/"),), feeds=(server.url("/feed.xml"),)),))


def spawn(config_path: Path, db: Path, *extra: str) -> subprocess.Popen:
    """`scraper crawl` in its own session (a process group, as a shell gives a job)."""
    return subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(config_path),
         "--db", str(db), "-q", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def wait_for(condition, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def count_articles(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def stored(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT canonical_url FROM articles")}


def runs(db: Path) -> list[dict]:
    with Store(db) as store:
        return list(store.db.query("SELECT * FROM runs ORDER BY id"))


def finish(proc: subprocess.Popen, limit: float) -> tuple[int, str, float]:
    started = time.monotonic()
    _, err = proc.communicate(timeout=limit)
    return proc.returncode, err, time.monotonic() - started


def interrupt_mid_crawl(tmp_path: Path, signum: int, to_group: bool) -> None:
    db = tmp_path / "a.db"
    with SiteServer() as server:
        site = build_plain_site(server, articles=12)
        proc = spawn(toml_for(server, tmp_path / "s.toml"), db)
        try:
            wait_for(lambda: count_articles(db) >= 3)
            if to_group:  # Ctrl-C in a terminal: the whole job, analysis workers included
                os.killpg(proc.pid, signum)
            else:  # systemd, timeout, docker stop: the main process
                os.kill(proc.pid, signum)
            code, err, took = finish(proc, 30)
        finally:
            if proc.poll() is None:
                proc.kill()
        at_stop = stored(db)
        assert 3 <= len(at_stop) < len(site.expected)  # it really stopped mid-run
        fetched_before = [p for p in server.paths() if "/story-number-" in p]
        second = run_crawl(config_for(server), db)  # the next run resumes
        fetched_after = [p for p in server.paths() if "/story-number-" in p][len(fetched_before):]

    name = signal.Signals(signum).name
    assert code == 128 + signum, err
    assert took < GRACE + 5
    assert f"interrupted by {name}" in err
    assert f"exit code {128 + signum} (interrupted by {name})" in err
    assert "Traceback" not in err and "Aborted" not in err
    first = runs(db)[0]
    assert first["status"] == "interrupted" and first["exit_code"] == 128 + signum
    assert first["finished_at"] is not None
    summary = json.loads(first["summary"])
    assert summary["interrupted"] == name and summary["sites"]["plain"]["pending"] > 0
    with Store(db) as store:
        assert store.integrity_ok()
        assert store.frontier_counts().get("pending", 0) == 0
    assert stored(db) == site.expected  # nothing lost
    assert len({url_key(u) for u in stored(db)}) == len(site.expected)  # nothing duplicated
    assert second.sites[0].new_articles == len(site.expected) - len(at_stop)
    assert len(set(fetched_before) & set(fetched_after)) <= 1  # at most an abandoned one


def test_sigint_to_the_process_group_stops_gracefully_with_130(tmp_path):
    interrupt_mid_crawl(tmp_path, signal.SIGINT, to_group=True)


def test_sigterm_stops_gracefully_with_143(tmp_path):
    interrupt_mid_crawl(tmp_path, signal.SIGTERM, to_group=False)


def slow_site(server: SiteServer, delay: float) -> None:
    """A home page linking stories that each take `delay` seconds to answer."""
    build_plain_site(server, articles=6)
    for route in stories(server):
        route.delay = delay


def stories(server: SiteServer) -> list[Route]:
    return [route for path, route in server.routes.items() if "/story-number-" in path]


def wait_for_a_slow_request(server: SiteServer) -> None:
    wait_for(lambda: any(route.hits for route in stories(server)))


def test_a_request_outlasting_the_grace_is_abandoned_and_stays_pending(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        slow_site(server, delay=30.0)
        proc = spawn(toml_for(server, tmp_path / "s.toml", delay=0.05, timeout=60.0), db)
        try:
            wait_for_a_slow_request(server)
            os.kill(proc.pid, signal.SIGTERM)
            code, err, took = finish(proc, 30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert code == 143, err
    assert GRACE - 0.5 <= took < GRACE + 4  # waited for the grace, then gave up
    assert "abandoning" in err or "interrupted by SIGTERM" in err
    row = runs(db)[0]
    assert row["status"] == "interrupted" and row["exit_code"] == 143
    with Store(db) as store:
        assert store.integrity_ok()
        assert store.frontier_counts().get("pending", 0) > 0  # the abandoned stories wait


def test_a_second_signal_stops_at_once_and_the_database_stays_consistent(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        slow_site(server, delay=30.0)
        proc = spawn(toml_for(server, tmp_path / "s.toml", delay=0.05, timeout=60.0), db)
        try:
            wait_for_a_slow_request(server)
            os.kill(proc.pid, signal.SIGINT)
            time.sleep(0.3)
            os.kill(proc.pid, signal.SIGINT)
            code, err, took = finish(proc, 30)
        finally:
            if proc.poll() is None:
                proc.kill()
        with Store(db) as store:
            assert store.integrity_ok()
        for route in stories(server):
            route.delay = 0.0
        summary = run_crawl(config_for(server), db)  # resumes: the stories are still there
    assert code == 130, err
    assert took < 2.5  # not the 5 s grace, nor the 30 s the server takes
    assert "SIGINT again: stopping now" in err
    row = runs(db)[0]
    assert row["status"] == "interrupted" and row["exit_code"] == 130
    assert summary.exit_code == 0 and summary.sites[0].new_articles == 6
