"""`scraper reextract` while a crawl writes (issue 11): it read and wrote on one connection,
so its first write after another process committed failed at once with "database is
locked" (29 of 32 runs). Reads now finish before each write; writes wait their turn."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from scraper.extract import extract_article
from scraper.models import Page
from scraper.pipeline import reextract
from scraper.store import Store

from .conftest import SEED

URL = "https://www.example-news.test/2024/05/story-{}"


def build(db: Path, n: int) -> None:
    html = sorted(SEED.glob("*.html"))[0].read_bytes()
    article = extract_article(html, URL.format(0))
    with Store(db) as store:
        for i in range(n):
            url = URL.format(i)
            page = Page(url=url, final_url=url, status=200,
                        headers=(("content-type", "text/html; charset=utf-8"),),
                        content=html + f"<!-- {i} -->".encode())
            page_id = store.save_page(page, "s")
            store.upsert_article(
                article.__class__(**{**article.__dict__, "url": url, "canonical_url": url,
                                     "site": "s", "headline": f"Story {i}"}), page_id)


def busy_writer(db: Path, stop: threading.Event, commits: list[int]) -> None:
    """Another process's crawl: short write transactions, one after another."""
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    while not stop.is_set():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO runs (command, started_at, status) VALUES "
                     "('crawl s', '2024-01-01T00:00:00Z', 'running')")
        conn.execute("COMMIT")
        commits.append(1)
        time.sleep(0.002)
    conn.close()


def test_reextract_completes_while_another_connection_keeps_committing(tmp_path):
    db = tmp_path / "a.db"
    build(db, 12)
    stop = threading.Event()
    commits: list[int] = []
    writer = threading.Thread(target=busy_writer, args=(db, stop, commits), daemon=True)
    writer.start()
    try:
        with Store(db) as store:
            summary = reextract(store)
    finally:
        stop.set()
        writer.join(10)
    assert summary.pages == 12 and summary.failed == 0
    assert len(commits) > 10  # the other writer really was committing meanwhile
    with Store(db) as store:
        assert store.integrity_ok()
