"""A database that refuses writes (disk full, corrupt, read-only) stops the crawl at once
with one line and exit 1, the run closed as failed; nothing more is fetched in vain
(issue 11: the crawl used to fetch the whole site, print 316 tracebacks and exit 0)."""

from __future__ import annotations

import sqlite3

import pytest

from scraper.crawl import run_crawl
from scraper.store import Store, StoreError

from .conftest import ALLOW_ALL, one_site_config
from .sitesim import article_html, listing_html

PUBLISHED = "2026-11-28T10:00:00Z"


def test_a_database_that_refuses_writes_stops_the_crawl_at_once(server, tmp_path, caplog):
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    links = [(f"/news/story-{i}", f"Story {i}") for i in range(30)]
    server.add_page("/", listing_html("Home", links))
    for path, title in links:
        server.add_page(path, article_html(f"{title} of the day", server.url(path), PUBLISHED))
    db = tmp_path / "a.db"
    with Store(db):
        pass  # the schema exists; now every article write fails, as on a full disk
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles "
                     "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    summary = run_crawl(one_site_config(server), db)
    stories = [p for p in server.paths() if p.startswith("/news/")]
    assert summary.exit_code == 1 and summary.status == "failed"
    assert "disk is full" in (summary.store_failed or "")
    assert len(stories) <= 6  # the workers in flight, not the 30 stories of the site
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("stopping the crawl" in r.getMessage() for r in errors)
    assert not any(r.exc_info for r in caplog.records if "disk is full" in r.getMessage())
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status, exit_code FROM runs").fetchall() == [("failed", 1)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_pending_urls_of_a_site_renamed_in_the_config_are_reported(server, tmp_path, caplog):
    """Regression (issue 11): a renamed site orphaned its queued URLs silently, run after
    run, with exit 0."""
    from dataclasses import replace

    from scraper.frontier import FrontierEntry

    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.frontier_queue([FrontierEntry(key=f"k{i}", url=server.url(f"/old/{i}"),
                                            site="old-name") for i in range(3)])
    config = one_site_config(server)
    config = replace(config, sites=(replace(config.sites[0], name="new-name"),))
    run_crawl(config, db)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("3 pending URL(s) belong to site 'old-name'" in w for w in warnings)


def test_a_database_in_a_read_only_place_is_one_line_and_exit_1(tmp_path):
    """Regression (issue 11): `crawl` printed a raw traceback from the lock file. /proc
    refuses new files even to root, as read-only media do."""
    import subprocess
    import sys

    config = tmp_path / "s.toml"
    config.write_text('[crawl]\nuser_agent = "testbot/1.0"\n[[sites]]\nname = "a"\n'
                      'start_urls = ["http://127.0.0.1:9/"]\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scraper.cli", "crawl", "--config",
                           str(config), "--db", "/proc/scraper-test.db"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot create the lock file /proc/scraper-test.db.lock" in done.stderr


def test_a_commit_that_fails_is_a_store_error_and_rolls_back(tmp_path):
    """Regression (stress case db_full_disk): a full disk shows at COMMIT, when the WAL
    grows; that error escaped untranslated, so the crawl logged it as an internal error per
    page and went on fetching. A deferred foreign key fails the COMMIT the same way."""
    store = Store(tmp_path / "c.db")
    store.db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    store.db.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES "
                     "parent (id) DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(StoreError, match="database write failed"):
        with store.transaction():
            store.db.execute("INSERT INTO child (id, parent) VALUES (1, 42)")
    assert not store.db.conn.in_transaction
    assert store.db.execute("SELECT count(*) FROM child").fetchone()[0] == 0
    with store.transaction():  # the store is usable again
        store.db.execute("INSERT INTO parent (id) VALUES (42)")
        store.db.execute("INSERT INTO child (id, parent) VALUES (1, 42)")
    assert store.db.execute("SELECT count(*) FROM child").fetchone()[0] == 1
