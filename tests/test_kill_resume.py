"""The kill test of `make stress` (issue 11): SIGKILL at 10 moments during a crawl of a
generated 4-host site of 320 stories, each kill followed by a resume.

After every kill `PRAGMA integrity_check` is ok and no stored article has gone. When the
series has run to the end, the articles are exactly those of an uninterrupted crawl of the same
site, with no duplicates; the FTS index matches `articles` (row count, FTS5 'integrity-check',
and MATCH queries answered alike in both databases); and no `runs` row is left `running`
(a killed run must be closed, e.g. as `killed`, by the run that resumes after it).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from scraper.urls import url_key

from .sitesim import SiteServer, article_html, listing_html
from .stress_harness import SCRAPER

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
PER_HOST = 80  # 320 stories, plus home and listing pages
PER_PAGE = 16

# when to kill: a number of seconds after the start (startup, seeding, robots.txt), or the
# moment the database holds this many articles (the crawl is in full flow)
MOMENTS = [("seconds", 0.4), ("seconds", 1.5), ("articles", 15), ("articles", 45),
           ("articles", 80), ("articles", 120), ("articles", 160), ("articles", 200),
           ("articles", 245), ("articles", 290)]


def build_site(servers: list[SiteServer]) -> set[str]:
    """Each host: a home page linking its paginated /news/ listing of PER_HOST stories. Every
    story has a unique token in its headline (for MATCH queries). Returns the story URLs."""
    expected = set()
    for h, server in enumerate(servers):
        stories = []
        for i in range(PER_HOST):
            n = h * PER_HOST + i
            day = 1 + n % 28
            path = f"/news/2024/03/{day:02d}/generated-story-{n}-on-regional-matters/"
            title = f"Generated story {n} on regional matters token{n:03d}x"
            server.add_page(path, article_html(title, server.url(path),
                                               f"2024-03-{day:02d}T{n % 24:02d}:00:00+00:00"))
            stories.append((path, title))
            expected.add(server.url(path))
        pages = [stories[j:j + PER_PAGE] for j in range(0, len(stories), PER_PAGE)]
        for k, chunk in enumerate(pages, start=1):
            path = "/news/" if k == 1 else f"/news/page/{k}/"
            nxt = f"/news/page/{k + 1}/" if k < len(pages) else None
            server.add_page(path, listing_html(f"News {k}", chunk, next_url=nxt))
        server.add_page("/", listing_html("Home", [("/news/", "News")] + stories[:3]))
        server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    return expected


def write_config(path: Path, servers: list[SiteServer]) -> None:
    path.write_text(
        '[crawl]\nuser_agent = "killtest/1.0"\nper_host_delay = 0.0\nconcurrency = 4\n'
        "timeout = 5.0\nretries = 1\nmax_pages_per_site = 5000\nmax_pagination = 50\n\n"
        '[[sites]]\nname = "gen"\n'
        f"start_urls = {json.dumps([s.url('/') for s in servers])}\n")


def crawl_args(config: Path, db: Path) -> list[str]:
    return [SCRAPER, "crawl", "--config", str(config), "--db", str(db), "-q"]


def count_articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet, or mid-migration


def kill_at(args: list[str], moment: tuple[str, float], db: Path) -> tuple[bool, float, int]:
    """Start the crawl, SIGKILL its whole process tree at `moment`. Returns (killed: False when
    the crawl finished first, seconds, articles at the kill)."""
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    kind, value = moment
    while proc.poll() is None:
        elapsed = time.monotonic() - started
        if (kind == "seconds" and elapsed >= value) or \
                (kind == "articles" and count_articles(db) >= value):
            tree = [psutil.Process(proc.pid)]
            try:
                tree += tree[0].children(recursive=True)
            except psutil.Error:
                pass
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            psutil.wait_procs(tree, timeout=10)  # the analysis workers die with it
            return True, elapsed, count_articles(db)
        if elapsed > 300:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("a crawl segment ran for 300 s")
        time.sleep(0.01)
    err = proc.stderr.read().decode(errors="replace")
    assert "Traceback" not in err, err[-3000:]
    return False, time.monotonic() - started, count_articles(db)


def articles(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]


def match(db: Path, query: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute(
            "SELECT canonical_url FROM articles WHERE rowid IN "
            "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", [query])}


@pytest.mark.slow
def test_sigkill_at_ten_moments_then_resume_equals_an_uninterrupted_crawl(tmp_path):
    servers = [SiteServer(h) for h in HOSTS]
    for s in servers:
        s.__enter__()
    try:
        expected = build_site(servers)
        config = tmp_path / "sites.toml"
        write_config(config, servers)

        # the uninterrupted crawl
        ref = tmp_path / "reference.db"
        done = subprocess.run(crawl_args(config, ref), capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        reference = set(articles(ref))
        assert reference == expected, (len(reference), len(expected))

        # ten kills, each followed by a resume
        db = tmp_path / "killed.db"
        log = []
        before = 0
        for moment in MOMENTS:
            killed, seconds, stored = kill_at(crawl_args(config, db), moment, db)
            log.append((moment, killed, round(seconds, 2), stored))
            if db.exists():
                with sqlite3.connect(db) as conn:
                    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", log
            now = count_articles(db)
            assert now >= before, f"articles went from {before} to {now} after a kill: {log}"
            before = now
        assert sum(1 for _, killed, _, _ in log if killed) == len(MOMENTS), \
            f"the crawl finished before some kills: {log}"

        # resume to the end
        for _ in range(3):
            done = subprocess.run(crawl_args(config, db), capture_output=True, text=True,
                                  timeout=600)
            assert "Traceback" not in done.stderr, done.stderr[-3000:]
            with sqlite3.connect(db) as conn:
                pending = conn.execute(
                    "SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0]
            if pending == 0:
                break
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        for s in servers:
            s.__exit__(None, None, None)

    rows = articles(db)
    assert len(rows) == len(set(rows)) == len({url_key(u) for u in rows}), "duplicate articles"
    missing, extra = reference - set(rows), set(rows) - reference
    assert not missing and not extra, (f"{len(missing)} missing, {len(extra)} extra after the "
                                       f"kills: {sorted(missing)[:3]} {sorted(extra)[:3]}; {log}")
    with sqlite3.connect(db) as conn:
        headlines = [r[0] for r in conn.execute("SELECT headline FROM articles")]
        assert len(headlines) == len(set(headlines)), "two rows of one story"
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == len(rows)
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    for query in ("token007x", "token123x", "token319x", "regional", "generated AND token2*",
                  '"regional matters"', "NEAR(council residents, 10)"):
        assert match(db, query) == match(ref, query), query
    assert len(match(db, "regional")) == len(rows)
    with sqlite3.connect(db) as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    print(f"kills (moment, killed, seconds, articles then): {log}; runs: {statuses}")
    assert "running" not in statuses, (
        f"runs left 'running' after the kills and resumes: {statuses} (a resumed crawl must "
        f"close the runs it finds killed)")
