"""Schema migrations of the project's SQLite database (sqlite-utils), applied in order by
`Store` when it opens a database.

Append only; never edit one that has shipped. Each runs once and is then recorded in
schema_migrations. sqlite-utils commits DDL as it goes, so every migration must be
idempotent (IF NOT EXISTS): one interrupted by a kill simply runs again on the next open.
Every table and column is described in README.md ("Database schema"); tests/test_docs.py
fails when one is not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from .authors import author_key, better_name
from .chrono import normalise
from .frontier import FrontierEntry

log = logging.getLogger(__name__)

SCHEMA_VERSION_TABLE = "schema_migrations"
ARTICLE_TEXT_FIELDS = ("headline", "standfirst", "body")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")




def _m001_initial(db: sqlite_utils.Database) -> None:
    db["pages"].create(
        {
            "id": int, "url": str, "final_url": str, "site": str, "status": int,
            "headers": str, "content": bytes, "content_encoding": str, "content_hash": str,
            "size": int, "fetched_at": str, "elapsed_ms": float,
        },
        pk="id",
        not_null={"url", "final_url", "content_hash", "fetched_at"},
        if_not_exists=True,
    )
    db["pages"].create_index(["final_url", "content_hash"], unique=True, if_not_exists=True)
    db["pages"].create_index(["site"], if_not_exists=True)
    db["articles"].create(
        {
            "canonical_url": str, "url": str, "site": str, "headline": str, "standfirst": str,
            "body": str, "byline": str, "authors": str, "published": str, "modified": str,
            "language": str, "description": str, "image": str, "section": str, "tags": str,
            "word_count": int, "extractor": str, "record_hash": str, "page_id": int,
            "first_seen": str, "updated_at": str,
        },
        pk="canonical_url",
        not_null={"url", "body", "record_hash", "first_seen", "updated_at"},
        foreign_keys=[("page_id", "pages", "id")],
        if_not_exists=True,
    )
    db["articles"].create_index(["site", "published"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    db["articles"].enable_fts(list(ARTICLE_TEXT_FIELDS), create_triggers=True, tokenize="porter",
                              replace=True)
    db["runs"].create(
        {
            "id": int, "command": str, "started_at": str, "finished_at": str, "status": str,
            "exit_code": int, "discovered": int, "fetched": int, "not_modified": int,
            "new_articles": int, "updated_articles": int, "robots_blocked": int, "errors": int,
            "summary": str,
        },
        pk="id",
        not_null={"command", "started_at", "status"},
        if_not_exists=True,
    )


def _m002_crawl_state(db: sqlite_utils.Database) -> None:
    """Crawler state: the frontier (resumable runs), robots.txt cache, HTTP validators for
    conditional GET, and the identity keys of stored articles (one row per article)."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS frontier (
            key TEXT PRIMARY KEY, url TEXT NOT NULL, site TEXT NOT NULL, kind TEXT NOT NULL,
            source TEXT, depth INTEGER NOT NULL DEFAULT 0, referrer TEXT, title TEXT,
            published TEXT, summary TEXT, state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0, not_before REAL NOT NULL DEFAULT 0,
            result TEXT, fetched_at REAL, fetched_run INTEGER, discovered_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_frontier_state_site ON frontier (state, site)")
    db.execute(
        """CREATE TABLE IF NOT EXISTS robots_cache (
            origin TEXT PRIMARY KEY, url TEXT, status INTEGER, body BLOB,
            fetched_at REAL NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS http_validators (
            key TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT,
            page_id INTEGER, updated_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS article_keys (
            key TEXT PRIMARY KEY, canonical_url TEXT NOT NULL)"""
    )


def _m003_frontier_window(db: sqlite_utils.Database) -> None:
    """The scheduling order of each frontier entry as columns, so a run holds only a small
    window of the frontier in memory and reads the next entries of a host from an index:
    `host` (the politeness key, host:port), `lane` (0 main, 1 listing/unknown pages) and the
    priority `prio_class`, `prio_time` (see frontier.FrontierEntry.priority)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(frontier)").fetchall()}
    for name, kind in (("host", "TEXT"), ("lane", "INTEGER"), ("prio_class", "INTEGER"),
                       ("prio_time", "REAL")):
        if name not in columns:
            db.execute(f"ALTER TABLE frontier ADD COLUMN {name} {kind}")
    while True:  # existing rows, in batches (a kill part-way resumes here on the next open)
        rows = db.execute("SELECT key, url, site, kind, source, depth, published FROM frontier "
                          "WHERE prio_class IS NULL LIMIT 10000").fetchall()
        if not rows:
            break
        updates = []
        for key, url, site, kind, source, depth, published in rows:
            entry = FrontierEntry(key=key, url=url, site=site, kind=kind, source=source or "",
                                  depth=depth or 0, published=published)
            klass, when, _, _ = entry.priority()
            updates.append((entry.host, entry.lane, klass, when, key))
        db.execute("BEGIN IMMEDIATE")
        db.conn.executemany("UPDATE frontier SET host = ?, lane = ?, prio_class = ?, "
                            "prio_time = ? WHERE key = ?", updates)
        db.execute("COMMIT")
    db.execute("CREATE INDEX IF NOT EXISTS idx_frontier_window ON frontier "
               "(state, host, lane, prio_class, prio_time, depth)")


# Columns migration 004 adds to `articles` (all described in README.md).
RESEARCH_COLUMNS = (
    ("published_utc", "TEXT"), ("published_date_only", "INTEGER"), ("published_day", "TEXT"),
    ("modified_utc", "TEXT"), ("modified_date_only", "INTEGER"),
    ("published_source", "TEXT"), ("byline_source", "TEXT"),
    ("access", "TEXT"), ("access_reason", "TEXT"), ("run_id", "INTEGER"),
)


def date_columns(published: str | None, modified: str | None) -> dict[str, object]:
    """The sortable UTC forms of an article's dates (see chrono.py), as `articles` columns."""
    pub, mod = normalise(published), normalise(modified)
    return {"published_utc": pub.utc, "published_date_only": int(pub.date_only) if pub.utc else None,
            "published_day": pub.day, "modified_utc": mod.utc,
            "modified_date_only": int(mod.date_only) if mod.utc else None}


def _m004_research(db: sqlite_utils.Database) -> None:
    """The researchers' database: sortable UTC dates (backfilled), provenance and access
    columns on `articles`; `article_versions` (the previous records of a changed article);
    `authors` and `article_authors` (people as data, backfilled from `articles.authors`)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(articles)").fetchall()}
    for name, kind in RESEARCH_COLUMNS:
        if name not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")
    db.execute(
        """CREATE TABLE IF NOT EXISTS article_versions (
            id INTEGER PRIMARY KEY, canonical_url TEXT NOT NULL, version INTEGER NOT NULL,
            url TEXT, headline TEXT, standfirst TEXT, body TEXT, byline TEXT, authors TEXT,
            published TEXT, modified TEXT, word_count INTEGER, extractor TEXT,
            record_hash TEXT NOT NULL, page_id INTEGER, run_id INTEGER,
            first_seen TEXT, replaced_at TEXT NOT NULL,
            UNIQUE (canonical_url, version))"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS authors (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
            sites TEXT NOT NULL DEFAULT '[]', first_seen TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS article_authors (
            canonical_url TEXT NOT NULL, position INTEGER NOT NULL,
            author_id INTEGER NOT NULL REFERENCES authors (id), name TEXT NOT NULL,
            PRIMARY KEY (canonical_url, position))"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_article_authors_author "
               "ON article_authors (author_id, canonical_url)")
    while True:  # backfill in batches; a kill part-way resumes here on the next open
        rows = db.execute(
            "SELECT rowid, published, modified FROM articles WHERE access IS NULL "
            "LIMIT 5000").fetchall()
        if not rows:
            break
        db.execute("BEGIN IMMEDIATE")
        for rowid, published, modified in rows:
            dates = date_columns(published, modified)
            db.execute(f"UPDATE articles SET {', '.join(f'{k} = ?' for k in dates)}, "
                       "access = 'full' WHERE rowid = ?", [*dates.values(), rowid])
        db.execute("COMMIT")
    done = {r[0] for r in db.execute("SELECT DISTINCT canonical_url FROM article_authors")}
    db.execute("BEGIN IMMEDIATE")
    for url, site, names, first_seen in db.execute(
            "SELECT canonical_url, site, authors, first_seen FROM articles "
            "WHERE authors IS NOT NULL AND authors != '[]'").fetchall():
        if url not in done:
            link_authors(db, url, site, json.loads(names or "[]"), first_seen or utc_now())
    db.execute("COMMIT")
    for index in ("published_utc", "site, published_utc", "modified_utc", "published_day",
                  "run_id"):
        name = "idx_articles_" + index.replace(", ", "_")
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON articles ({index})")


def link_authors(db: sqlite_utils.Database, canonical_url: str, site: str | None,
                 names: list[str], now: str) -> None:
    """One `article_authors` row per name in byline order, each linked to its `authors` row
    (created, or given this site and a better display name). Inside the caller's transaction."""
    db.execute("DELETE FROM article_authors WHERE canonical_url = ?", [canonical_url])
    position = 0
    for name in names:
        key = author_key(name)
        if not key:
            continue
        found = db.execute("SELECT id, name, sites FROM authors WHERE key = ?", [key]).fetchone()
        if found is None:
            cursor = db.execute("INSERT INTO authors (key, name, sites, first_seen) "
                                "VALUES (?, ?, ?, ?)",
                                [key, name, json.dumps([site] if site else []), now])
            author_id = cursor.lastrowid
        else:
            author_id, shown, sites = found
            sites = json.loads(sites or "[]")
            if site and site not in sites:
                sites.append(site)
            db.execute("UPDATE authors SET name = ?, sites = ? WHERE id = ?",
                       [better_name(shown, name), json.dumps(sites, ensure_ascii=False),
                        author_id])
        position += 1
        db.execute("INSERT OR IGNORE INTO article_authors (canonical_url, position, author_id, "
                   "name) VALUES (?, ?, ?, ?)", [canonical_url, position, author_id, name])


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_initial", _m001_initial),
    ("002_crawl_state", _m002_crawl_state),
    ("003_frontier_window", _m003_frontier_window),
    ("004_research", _m004_research),
]


def apply_migrations(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations in order; return the names applied now."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA_VERSION_TABLE} "
        "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute(f"SELECT name FROM {SCHEMA_VERSION_TABLE}").fetchall()}
    applied = []
    for name, migrate in MIGRATIONS:
        if name in done:
            continue
        migrate(db)
        db.execute(f"INSERT INTO {SCHEMA_VERSION_TABLE} VALUES (?, ?)", [name, utc_now()])
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


def pending_migrations(conn) -> list[str]:
    """The migrations a database (an sqlite3 connection, maybe read-only) still needs."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if SCHEMA_VERSION_TABLE not in tables:  # empty, or not one of our databases
        return [name for name, _ in MIGRATIONS]
    done = {row[0] for row in conn.execute(f"SELECT name FROM {SCHEMA_VERSION_TABLE}")}
    return [name for name, _ in MIGRATIONS if name not in done]
