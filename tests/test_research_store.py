"""The researchers' database in the store: sortable UTC dates (and their backfill), article
versions, authors as data, the run that wrote each row, and the access guard. Real SQLite files."""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils

from scraper.authors import author_key
from scraper.chrono import normalise
from scraper.migrations import MIGRATIONS, apply_migrations
from scraper.models import Article
from scraper.store import Store


def article(url: str = "https://news.example/a", **fields) -> Article:
    base = {"site": "example", "headline": "Bridge reopens", "body": "The bridge reopened today.",
            "byline": "Lisa Mascaro", "authors": ("Lisa Mascaro",), "word_count": 4,
            "published": "2024-05-11T10:00:00+05:30"}
    base.update(fields)
    return Article(url=url, canonical_url=url, **base)


def test_mixed_offsets_normalise_to_sortable_utc():
    assert normalise("2024-05-11T10:00:00+05:30").utc == "2024-05-11T04:30:00Z"
    assert normalise("2024-05-10T23:30:00-05:00").utc == "2024-05-11T04:30:00Z"
    assert normalise("2024-05-11T10:00:00+05:30").day == "2024-05-11"  # the publisher's day
    day = normalise("2024-05-11")
    assert (day.utc, day.date_only) == ("2024-05-11", True)
    assert normalise("not a date").utc is None


def test_order_by_published_utc_is_time_order_across_offsets(tmp_path):
    stamps = {"a": "2024-05-11T10:00:00+05:30",  # 04:30Z
              "b": "2024-05-11T01:00:00-05:00",  # 06:00Z
              "c": "2024-05-11T05:00:00Z",       # 05:00Z
              "d": "2024-05-10T23:59:00-07:00"}  # 06:59Z
    with Store(tmp_path / "t.db") as store:
        for name, stamp in stamps.items():
            store.upsert_article(article(f"https://news.example/{name}", published=stamp,
                                         body=f"Body {name}."))
        as_text = [r[0][-1] for r in store.db.execute(
            "SELECT canonical_url FROM articles ORDER BY published DESC")]
        by_time = [r[0][-1] for r in store.db.execute(
            "SELECT canonical_url FROM articles ORDER BY published_utc DESC")]
        plan = " ".join(str(r) for r in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM articles ORDER BY published_utc DESC"))
    assert by_time == ["d", "b", "c", "a"]
    assert as_text != by_time  # sorting the publisher's text gets it wrong
    assert "idx_articles_published_utc" in plan


def test_a_changed_article_keeps_its_previous_version(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.start_run("crawl")
        assert store.upsert_article(article(), page_id=None) == "new"
        first_hash = store.db.execute("SELECT record_hash FROM articles").fetchone()[0]
        run2 = store.start_run("crawl")
        assert store.upsert_article(article(body="The bridge reopened on Friday.")) == "updated"
        assert store.upsert_article(article(body="The bridge reopened on Friday.")) == "unchanged"
        assert store.upsert_article(article(tags=("roads",), body="The bridge reopened on Friday.")) \
            == "updated"  # not a versioned field: no new version
        rows = list(store.db.query("SELECT * FROM article_versions"))
        current = next(store.db.query("SELECT * FROM articles"))
    assert len(rows) == 1
    assert rows[0]["version"] == 1 and rows[0]["body"] == "The bridge reopened today."
    assert rows[0]["record_hash"] == first_hash and rows[0]["run_id"] == 1
    assert rows[0]["first_seen"] and rows[0]["replaced_at"]
    assert current["run_id"] == run2 and current["body"] == "The bridge reopened on Friday."


def test_authors_are_one_row_per_person_whatever_the_case(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.upsert_article(article("https://a.example/1", site="a", byline="LISA MASCARO",
                                     authors=("LISA MASCARO", "Farnoush Amiri")))
        store.upsert_article(article("https://b.example/2", site="b", byline="Lisa Mascaro",
                                     authors=("Lisa Mascaro",)))
        people = {r["key"]: r for r in store.db.query("SELECT * FROM authors")}
        assert set(people) == {"lisa mascaro", "farnoush amiri"}
        assert people["lisa mascaro"]["name"] == "Lisa Mascaro"  # mixed case wins
        assert json.loads(people["lisa mascaro"]["sites"]) == ["a", "b"]
        sql = ("SELECT a.canonical_url FROM authors au JOIN article_authors aa "
               "ON aa.author_id = au.id JOIN articles a ON a.canonical_url = aa.canonical_url "
               "WHERE au.key = ? ORDER BY 1")
        assert [r[0] for r in store.db.execute(sql, [author_key("LISA  MASCARO")])] == [
            "https://a.example/1", "https://b.example/2"]
        plan = " ".join(str(r) for r in store.db.execute("EXPLAIN QUERY PLAN " + sql, ["x"]))
        assert "SCAN" not in plan.replace("SCAN CONSTANT", "")  # indexed all the way
        order = [r[0] for r in store.db.execute(
            "SELECT name FROM article_authors WHERE canonical_url = ? ORDER BY position",
            ["https://a.example/1"])]
        assert order == ["LISA MASCARO", "Farnoush Amiri"]


def test_a_paywalled_copy_never_replaces_a_whole_article(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.upsert_article(article(body="A whole article body."))
        teaser = article(body="A whole", access="paywalled",
                         access_reason="JSON-LD isAccessibleForFree is false")
        assert store.upsert_article(teaser) == "unchanged"
        row = next(store.db.query("SELECT body, access FROM articles"))
        assert row == {"body": "A whole article body.", "access": "full"}
        store.upsert_article(article("https://news.example/p", body="Teaser only",
                                     access="paywalled", access_reason="why"))
        assert next(store.db.query("SELECT access, access_reason FROM articles "
                                   "WHERE canonical_url = 'https://news.example/p'")) == {
            "access": "paywalled", "access_reason": "why"}


def test_migration_004_backfills_an_existing_database(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, migrate in MIGRATIONS[:3]:
        migrate(db)
        db.execute("INSERT INTO schema_migrations VALUES (?, 'then')", [name])
    for i, (stamp, names) in enumerate([("2024-05-11T10:00:00+05:30", ["ANA PÉREZ"]),
                                         ("2024-05-11", ["Ana Perez", "Bo Li"]),
                                         (None, [])]):
        db.execute("INSERT INTO articles (canonical_url, url, site, body, authors, published, "
                   "record_hash, first_seen, updated_at) VALUES (?, ?, 's', 'b', ?, ?, 'h', "
                   "'2024-05-12T00:00:00+00:00', '2024-05-12T00:00:00+00:00')",
                   [f"https://s.example/{i}", f"https://s.example/{i}", json.dumps(names), stamp])
    db.close()
    with Store(path) as store:
        rows = list(store.db.query("SELECT published_utc, published_date_only, published_day, "
                                   "access FROM articles ORDER BY rowid"))
        assert rows == [
            {"published_utc": "2024-05-11T04:30:00Z", "published_date_only": 0,
             "published_day": "2024-05-11", "access": "full"},
            {"published_utc": "2024-05-11", "published_date_only": 1,
             "published_day": "2024-05-11", "access": "full"},
            {"published_utc": None, "published_date_only": None, "published_day": None,
             "access": "full"}]
        assert [r["key"] for r in store.db.query("SELECT key FROM authors ORDER BY id")] == [
            "ana perez", "bo li"]
        assert store.db.execute("SELECT count(*) FROM article_authors").fetchone()[0] == 3
        assert apply_migrations(store.db) == []  # once only
        dict(MIGRATIONS)["004_research"](store.db)  # and idempotent, should a kill re-run it
        assert store.db.execute("SELECT count(*) FROM article_authors").fetchone()[0] == 3
