"""The SQLite store on real database files: migrations, idempotent upserts, FTS sync, raw pages."""

from __future__ import annotations

import dataclasses
import sqlite3

from scraper.migrations import MIGRATIONS
from scraper.models import Article, Page
from scraper.store import Store


def make_article(**changes) -> Article:
    base = Article(url="https://news.example/a?utm_source=x", canonical_url="https://news.example/a",
                   site="Example News", headline="Harbour bridge reopens", standfirst="After two years.",
                   body="The bridge reopened on Monday.\n\nTraffic was light.", byline="Ann Lee",
                   authors=("Ann Lee",), published="2024-05-01T09:00:00+01:00", word_count=9,
                   tags=("transport",), extractor="test")
    return dataclasses.replace(base, **changes)


def make_page(content: bytes = b"<html><h1>x</h1></html>", url: str = "https://news.example/a") -> Page:
    return Page(url=url, final_url=url, status=200, headers=(("Content-Type", "text/html"),),
                content=content, fetched_at="2024-05-01T10:00:00+00:00")


def test_migrations_apply_once_and_reopen_cleanly(tmp_path):
    path = tmp_path / "a.db"
    Store(path).close()
    with Store(path) as store:
        names = [r[0] for r in store.db.execute("SELECT name FROM schema_migrations").fetchall()]
        assert names == [name for name, _ in MIGRATIONS]
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {"articles", "pages", "runs", "articles_fts"} <= set(store.db.table_names())


def test_upsert_reports_new_unchanged_updated_and_keeps_one_row(tmp_path):
    with Store(tmp_path / "a.db") as store:
        article = make_article()
        assert store.upsert_article(article) == "new"
        assert store.upsert_article(article) == "unchanged"
        assert store.upsert_article(make_article(body="The bridge reopened on Tuesday.")) == "updated"
        assert store.count_articles() == 1
        stored = store.get_article("https://news.example/a")
        assert stored.body == "The bridge reopened on Tuesday."
        assert stored.authors == ("Ann Lee",) and stored.tags == ("transport",)


def test_fts_follows_updates(tmp_path):
    with Store(tmp_path / "a.db") as store:
        store.upsert_article(make_article(body="A story about pelicans."))
        assert [r["canonical_url"] for r in store.search("pelicans")] == ["https://news.example/a"]
        store.upsert_article(make_article(body="A story about cormorants."))
        assert store.search("pelicans") == []
        assert len(store.search("cormorants")) == 1
        assert len(store.search("harbour")) == 1  # headline is indexed too


def test_raw_pages_are_compressed_deduplicated_and_read_back(tmp_path):
    html = ("<p>" + "word " * 2000 + "</p>").encode()
    with Store(tmp_path / "a.db") as store:
        first = store.save_page(make_page(html), site="example")
        again = store.save_page(make_page(html), site="example")
        assert first == again
        stored_size = store.db.execute("SELECT length(content) FROM pages").fetchone()[0]
        assert stored_size < len(html) / 10
        page = store.load_page(first)
        assert page.content == html and page.header("content-type") == "text/html"
        store.upsert_article(make_article(), first)
        [(article, stored)] = list(store.iter_article_pages())
        assert article.canonical_url == "https://news.example/a" and stored.page.content == html


def test_a_failed_transaction_writes_nothing(tmp_path):
    with Store(tmp_path / "a.db") as store:
        try:
            with store.transaction():
                store.upsert_article(make_article())
                raise RuntimeError("killed half-way")
        except RuntimeError:
            pass
        assert store.count_articles() == 0
        assert store.integrity_ok()


def test_runs_record_a_summary(tmp_path):
    with Store(tmp_path / "a.db") as store:
        run_id = store.start_run("crawl")
        store.finish_run(run_id, "ok", 0, {"fetched": 4, "new_articles": 2}, {"sites": {"x": {}}})
        row = store.db.execute("SELECT status, exit_code, fetched, new_articles, finished_at FROM runs").fetchone()
        assert row[:4] == ("ok", 0, 4, 2) and row[4]


def test_database_is_readable_by_plain_sqlite3(tmp_path):
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.upsert_article(make_article())
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT headline FROM articles").fetchone() == ("Harbour bridge reopens",)
    assert conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'bridge'").fetchone() == (1,)
