"""A sitemap's URLs written to the frontier by the analysis worker (crawl/frontier_sink.py):
in chunks, counted once, idempotent, and a store that cannot write is an error, not a loss."""

from __future__ import annotations

import sqlite3
import time

import pytest

from scraper.analyse import analyse_document
from scraper.crawl.frontier_sink import FrontierSink
from scraper.frontier import Admission
from scraper.store import Store, StoreError


def _urlset(urls: list[str]) -> bytes:
    items = "".join(f"<url><loc>{u}</loc><lastmod>2026-12-01</lastmod></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{items}</urlset>').encode()


def _analyse(body: bytes, sink: FrontierSink | None):
    rule = Admission(site="s", hosts=("n.example",), depth=1, max_depth=3, now=time.time())
    return analyse_document("sitemap", body, "https://n.example/s.xml", {}, ("n.example",),
                            False, False, None, rule, sink)


def _pending(db) -> list[str]:
    with sqlite3.connect(db) as con:
        return [k for (k,) in con.execute(
            "SELECT key FROM frontier WHERE state = 'pending' ORDER BY key")]


def test_the_worker_writes_the_rows_in_chunks_and_returns_only_the_count(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    urls = [f"https://n.example/2026/12/01/story-number-{i}" for i in range(1234)]
    body = _urlset(urls + urls[:10] + ["https://elsewhere.example/x", "ftp://n.example/y"])
    sink = FrontierSink(str(db), run_id=1, revisit_after=86400.0, chunk=100)
    analysis = _analyse(body, sink)
    assert analysis.rows == ()  # nothing crossed back but the count
    assert analysis.added == 1234
    assert analysis.hosts == ("n.example",)
    assert dict(analysis.left_out) == {"offsite": 1}  # the ftp: URL never leaves the parser
    returned = _analyse(body, None)  # the same rows as the path that returns them
    assert len(returned.rows) == 1234
    assert _pending(db) == sorted(row[0] for row in returned.rows)
    again = _analyse(body, sink)  # a resume reads the sitemap again: nothing new, no duplicate
    assert again.added == 0
    assert len(_pending(db)) == 1234


def test_a_store_that_cannot_write_raises_store_error(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    with sqlite3.connect(db) as con:  # a schema the insert cannot satisfy: every write fails
        con.execute("DROP TABLE frontier")
        con.execute("CREATE TABLE frontier (key TEXT PRIMARY KEY CHECK (0))")
    sink = FrontierSink(str(db), run_id=1, revisit_after=86400.0, chunk=10)
    with pytest.raises(StoreError):
        _analyse(_urlset([f"https://n.example/a-{i}" for i in range(50)]), sink)



def test_a_chunk_with_one_key_twice_and_a_missing_field_is_written(tmp_path):
    """Chunks are sorted by key before the insert: two rows of one key that differ only in a
    field one of them lacks (None against a title) must not be compared past the key."""
    db = tmp_path / "c.db"
    with Store(db) as store:
        row = ("n.example/a", "https://n.example/a", "s", "article", "sitemap", 1,
               "https://n.example/s.xml", None, None, None, "n.example", 0, 1, 0.0, 0.0)
        titled = row[:7] + ("A title",) + row[8:]
        added = store.frontier_add([titled, row, ("n.example/0",) + row[1:]], run_id=1,
                                   now=time.time(), revisit_after=86400.0)
    assert added == 2
    assert _pending(db) == ["n.example/0", "n.example/a"]
