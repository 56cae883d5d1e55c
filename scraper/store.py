"""SQLite storage (the only sqlite-utils importer): migrations, idempotent upserts, queries.

Tables (every column is described in README.md, "Database schema"):
- `articles`: one row per canonical URL, the Article's fields as columns; FTS5 over
  headline, standfirst and body (`articles_fts`), kept in sync by triggers.
- `pages`: raw responses (gzip-compressed bytes), so re-extraction never needs the network.
- `runs`: one row per command run, with its summary.
- `schema_migrations`: which migrations have been applied.

The database is opened in WAL mode, so readers (sqlite3, Datasette) never block a crawl and a
killed process never leaves a half-written row: every write is one transaction.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import sqlite3
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from .frontier import FrontierEntry
from .migrations import apply_migrations, date_columns, link_authors, utc_now
from .models import Article, Page

log = logging.getLogger(__name__)



class StoreError(Exception):
    """The database could not be opened or written (translated from sqlite3 errors)."""


@dataclass(frozen=True)
class StoredPage:
    """A raw page read back from `pages`, ready for re-extraction."""

    id: int
    site: str | None
    page: Page


# ---------------------------------------------------------------- store


# what a new version of an article is: a change in one of these (README, `article_versions`)
VERSIONED_FIELDS = ("headline", "standfirst", "body", "byline")
_PROVENANCE = ("url", "extractor", "published_source", "byline_source")


def _record_hash(article: Article) -> str:
    """Hash of what the extractor produced, to tell 'updated' from 'unchanged'. Provenance
    (where a field came from) is no content; `access` counts only when the page is not whole,
    so rows stored before it existed keep their hash."""
    data = article.to_dict()
    for volatile in _PROVENANCE:
        data.pop(volatile, None)
    if data.get("access") == "full":
        data.pop("access", None)
        data.pop("access_reason", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _article_row(article: Article, page_id: int | None, now: str,
                 run_id: int | None = None) -> dict[str, Any]:
    return {
        "canonical_url": article.canonical_url,
        "url": article.url,
        "site": article.site,
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": article.body,
        "byline": article.byline,
        "authors": json.dumps(list(article.authors), ensure_ascii=False),
        "published": article.published,
        "modified": article.modified,
        "language": article.language,
        "description": article.description,
        "image": article.image,
        "section": article.section,
        "tags": json.dumps(list(article.tags), ensure_ascii=False),
        "word_count": article.word_count,
        "extractor": article.extractor,
        "record_hash": _record_hash(article),
        "page_id": page_id,
        "first_seen": now,
        "updated_at": now,
        **date_columns(article.published, article.modified),
        "published_source": article.published_source,
        "byline_source": article.byline_source,
        "access": article.access or "full",
        "access_reason": article.access_reason,
        "run_id": run_id,
    }


def article_from_row(row: dict[str, Any]) -> Article:
    return Article(
        url=row["url"], canonical_url=row["canonical_url"], site=row["site"],
        headline=row["headline"], standfirst=row["standfirst"], body=row["body"] or "",
        byline=row["byline"], authors=tuple(json.loads(row["authors"] or "[]")),
        published=row["published"], modified=row["modified"], language=row["language"],
        description=row["description"], image=row["image"], section=row["section"],
        tags=tuple(json.loads(row["tags"] or "[]")), word_count=row["word_count"] or 0,
        extractor=row["extractor"] or "",
        published_source=row.get("published_source"), byline_source=row.get("byline_source"),
        access=row.get("access") or "full", access_reason=row.get("access_reason"),
    )


def _page_from_row(row: dict[str, Any]) -> Page:
    content = row["content"] or b""
    if row["content_encoding"] == "gzip":
        content = gzip.decompress(content)
    return Page(url=row["url"], final_url=row["final_url"], status=row["status"],
                headers=tuple(tuple(h) for h in json.loads(row["headers"] or "[]")),
                content=content, fetched_at=row["fetched_at"], elapsed_ms=row["elapsed_ms"] or 0.0)


def _filters(site: str | None, since_column: str, since: str | None,
             *fixed: str) -> tuple[str, list[str]]:
    """A WHERE clause for the optional --site and --since filters of the CLI."""
    conditions, params = list(fixed), []
    if site:
        conditions.append("site = ?")
        params.append(site)
    if since:
        conditions.append(f"{since_column} >= ?")
        params.append(since)
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


@dataclass
class RunRecord:
    """What a command tells its `runs` row (`Store.recorded_run`)."""

    id: int
    totals: dict[str, int] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PackedContent:
    """A raw page as `pages` keeps it: gzip bytes and the SHA-256 of the original."""

    data: bytes
    sha256: str


def pack_content(content: bytes) -> PackedContent:
    """Compress a raw page for `pages` (gzip level 3: within 12 % of level 6's size on news
    pages at half its CPU; any level reads back the same)."""
    return PackedContent(gzip.compress(content, compresslevel=3, mtime=0),
                         hashlib.sha256(content).hexdigest())


class Store:
    """The project's SQLite database. Open it, use it, close it (or use `with`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._depth = 0
        self.run_id: int | None = None  # the run started through this Store (start_run)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: no corruption on crash
            self.db.execute("PRAGMA foreign_keys = ON")
            apply_migrations(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic transaction; nested calls join the outer one. A kill mid-way writes nothing."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException as exc:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"database write failed: {exc}") from exc
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    # -- pages

    def save_page(self, page: Page, site: str | None = None,
                  packed: PackedContent | None = None) -> int:
        """Keep a raw response; the same bytes at the same final URL are stored once. Returns
        its id. `packed` is `pack_content(page.content)` when a worker computed it already
        (compression is CPU work the crawler keeps off its event loop)."""
        packed = packed or pack_content(page.content)
        row = {
            "url": page.url, "final_url": page.final_url, "site": site, "status": page.status,
            "headers": json.dumps(list(page.headers)),
            "content": packed.data,
            "content_encoding": "gzip", "content_hash": packed.sha256, "size": len(page.content),
            "fetched_at": page.fetched_at or utc_now(), "elapsed_ms": page.elapsed_ms,
        }
        content_hash = packed.sha256
        with self.transaction():
            self.db.execute(
                """INSERT INTO pages (url, final_url, site, status, headers, content,
                       content_encoding, content_hash, size, fetched_at, elapsed_ms)
                   VALUES (:url, :final_url, :site, :status, :headers, :content,
                       :content_encoding, :content_hash, :size, :fetched_at, :elapsed_ms)
                   ON CONFLICT(final_url, content_hash) DO UPDATE SET
                       fetched_at = excluded.fetched_at, status = excluded.status,
                       headers = excluded.headers, url = excluded.url,
                       site = coalesce(excluded.site, pages.site)""",
                row,
            )
            found = self.db.execute(
                "SELECT id FROM pages WHERE final_url = ? AND content_hash = ?",
                [page.final_url, content_hash],
            ).fetchone()
        return int(found[0])

    def iter_article_pages(self, site: str | None = None,
                           since: str | None = None) -> Iterator[tuple[Article, StoredPage]]:
        """Each stored article with the raw page it was extracted from, for re-extraction.
        `site` filters on the article's site, `since` on when the page was fetched."""
        where, params = _filters(site, "p.fetched_at", since)
        where = where.replace("site = ?", "a.site = ?")
        sql = f"""SELECT a.*, p.id AS p_id, p.url AS p_url, p.final_url AS p_final_url,
                         p.site AS p_site, p.status AS p_status, p.headers AS p_headers,
                         p.content AS p_content, p.content_encoding AS p_content_encoding,
                         p.fetched_at AS p_fetched_at, p.elapsed_ms AS p_elapsed_ms
                  FROM articles a JOIN pages p ON p.id = a.page_id {where}
                  ORDER BY p.fetched_at DESC, a.canonical_url"""
        for row in self.db.query(sql, params):
            page_row = {k[2:]: v for k, v in row.items() if k.startswith("p_")}
            yield article_from_row(row), StoredPage(page_row["id"], page_row["site"],
                                                    _page_from_row(page_row))

    # -- articles

    def upsert_article(self, article: Article, page_id: int | None = None,
                       run_id: int | None = None) -> str:
        """Insert or update one article by canonical URL. Returns "new", "updated" or
        "unchanged". `run_id` (default: the run this Store started, `start_run`) is recorded
        on the row. A changed headline, standfirst, body or byline first moves the previous
        record to `article_versions`; the byline's people go to `authors`/`article_authors`.
        A page that is not whole (access paywalled, truncated or blocked) never replaces a
        whole stored article: the stored one is kept and "unchanged" returned."""
        now = utc_now()
        run_id = run_id if run_id is not None else self.run_id
        row = _article_row(article, page_id, now, run_id)
        with self.transaction():
            found = self.db.execute("SELECT * FROM articles WHERE canonical_url = ?",
                                    [article.canonical_url])
            names = [d[0] for d in found.description]
            existing = found.fetchone()
            old = dict(zip(names, existing, strict=True)) if existing else None
            if old and row["access"] != "full" and (old.get("access") or "full") == "full":
                log.warning("%s: the page is %s now (%s); the whole article stored before is "
                            "kept", article.canonical_url, row["access"], row["access_reason"])
                return "unchanged"
            if old and old["record_hash"] == row["record_hash"]:
                keep = ("published_source", "byline_source", "published_utc", "published_day",
                        "published_date_only", "modified_utc", "modified_date_only")
                self.db.execute(
                    "UPDATE articles SET page_id = coalesce(?, page_id), extractor = ?, "
                    f"run_id = coalesce(?, run_id), {', '.join(f'{c} = ?' for c in keep)} "
                    "WHERE canonical_url = ?",
                    [page_id, article.extractor, run_id, *(row[c] for c in keep),
                     article.canonical_url],
                )
                return "unchanged"
            if old and any(old[f] != row[f] for f in VERSIONED_FIELDS):
                self._keep_version(old, now)
            columns = [c for c in row if c != "first_seen"]
            # ON CONFLICT DO UPDATE keeps the rowid, so the FTS triggers stay in step.
            self.db.execute(
                f"""INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})
                    ON CONFLICT(canonical_url) DO UPDATE SET
                    {', '.join(f'{c} = excluded.{c}' for c in columns if c != 'canonical_url')}""",
                row,
            )
            if not old or old["authors"] != row["authors"] or old["site"] != row["site"]:
                link_authors(self.db, article.canonical_url, article.site,
                             list(article.authors), now)
        return "updated" if existing else "new"

    def _keep_version(self, old: dict[str, Any], now: str) -> None:
        """The stored record of an article, about to change, as its next `article_versions` row."""
        number = self.db.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM article_versions WHERE canonical_url = ?",
            [old["canonical_url"]]).fetchone()[0]
        fields = ("canonical_url", "url", "headline", "standfirst", "body", "byline", "authors",
                  "published", "modified", "word_count", "extractor", "record_hash", "page_id",
                  "run_id")
        self.db.execute(
            f"INSERT INTO article_versions ({', '.join(fields)}, version, first_seen, replaced_at) "
            f"VALUES ({', '.join('?' for _ in fields)}, ?, ?, ?)",
            [*(old.get(f) for f in fields), number, old["updated_at"], now])

    def get_article(self, canonical_url: str) -> Article | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE canonical_url = ?", [canonical_url]))
        return article_from_row(rows[0]) if rows else None

    def iter_articles(self, site: str | None = None, since: str | None = None) -> Iterator[Article]:
        """Stored articles, newest published first; `since` filters on published (ISO prefix)."""
        where, params = _filters(site, "published", since)
        sql = f"SELECT * FROM articles {where} ORDER BY published DESC, canonical_url"
        for row in self.db.query(sql, params):
            yield article_from_row(row)

    def count_articles(self, site: str | None = None) -> int:
        if site:
            return self.db.execute("SELECT count(*) FROM articles WHERE site = ?", [site]).fetchone()[0]
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over headline, standfirst and body, best match first."""
        try:
            return list(self.db["articles"].search(query, limit=limit,
                                                   columns=["canonical_url", "headline"]))
        except sqlite3.OperationalError as exc:  # FTS5 syntax errors in the user's query
            raise StoreError(f"bad search query {query!r}: {exc}") from exc

    # -- runs

    def start_run(self, command: str) -> int:
        """A `runs` row for a command starting; articles this Store writes from now on record
        its id (`articles.run_id`)."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running')",
                [command, utc_now()],
            )
        self.run_id = int(cursor.lastrowid)
        return self.run_id

    @contextmanager
    def recorded_run(self, command: str) -> Iterator[RunRecord]:
        """A `runs` row around a command: 'running' at the start, then 'ok' (exit 0) or
        'failed' with the exit code the command leaves with (`SystemExit`, a click error, or 1
        for any other exception). The command may fill `totals` and `summary` on the way."""
        record = RunRecord(self.start_run(command))
        status, code = "ok", 0
        try:
            yield record
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            status = "ok" if code == 0 else "failed"
            raise
        except BaseException as exc:
            status, code = "failed", int(getattr(exc, "exit_code", 1) or 1)
            raise
        finally:
            try:
                self.finish_run(record.id, status, code, record.totals, record.summary)
            except StoreError as exc:  # the command's own outcome matters more
                log.warning("could not record run %d: %s", record.id, exc)

    def finish_run(self, run_id: int, status: str, exit_code: int,
                   totals: dict[str, int] | None = None, summary: Any = None) -> None:
        totals = totals or {}
        allowed = ("discovered", "fetched", "not_modified", "new_articles", "updated_articles",
                   "robots_blocked", "errors")
        values = {k: int(totals.get(k, 0)) for k in allowed}
        assignments = ", ".join(f"{k} = :{k}" for k in allowed)
        with self.transaction():
            self.db.execute(
                f"""UPDATE runs SET finished_at = :finished_at, status = :status,
                    exit_code = :exit_code, summary = :summary, {assignments} WHERE id = :id""",
                {**values, "finished_at": utc_now(), "status": status, "exit_code": exit_code,
                 "summary": json.dumps(summary, ensure_ascii=False, default=str), "id": run_id},
            )

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- crawl state (frontier, robots cache, HTTP validators, article identity keys)

    _FRONTIER_FIELDS = ("key", "url", "site", "kind", "source", "depth", "referrer", "title",
                        "published", "summary", "attempts", "not_before")
    _ORDER_FIELDS = ("host", "lane", "prio_class", "prio_time")
    # a bulk row (frontier_add): these columns, then the sitemap's date of the URL as epoch
    # seconds (or None), which decides whether a known article is due again
    BULK_FIELDS = ("key", "url", "site", "kind", "source", "depth", "referrer", "title",
                   "published", "summary", "host", "lane", "prio_class", "prio_time",
                   "lastmod_ts")

    def frontier_states(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The frontier rows for these keys (state, result, fetched_at, fetched_run...)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self.db.query(f"SELECT * FROM frontier WHERE key IN ({marks})", chunk):
                found[row["key"]] = row
        return found

    def frontier_queue(self, entries: list[FrontierEntry]) -> None:
        """Insert or re-queue entries as pending (idempotent upsert by key)."""
        now = utc_now()
        cols = self._FRONTIER_FIELDS + self._ORDER_FIELDS
        sql = (f"INSERT INTO frontier ({', '.join(cols)}, state, discovered_at, updated_at) "
               f"VALUES ({', '.join('?' for _ in cols)}, 'pending', ?, ?) "
               "ON CONFLICT(key) DO UPDATE SET state = 'pending', url = excluded.url, "
               "kind = excluded.kind, source = excluded.source, depth = excluded.depth, "
               "referrer = excluded.referrer, title = coalesce(excluded.title, title), "
               "published = coalesce(excluded.published, published), "
               "summary = coalesce(excluded.summary, summary), attempts = 0, not_before = 0, "
               "host = excluded.host, lane = excluded.lane, prio_class = excluded.prio_class, "
               "prio_time = excluded.prio_time, updated_at = excluded.updated_at")
        with self.transaction():
            for entry in entries:
                klass, when, _, _ = entry.priority()
                values = [getattr(entry, c) for c in self._FRONTIER_FIELDS]
                self.db.execute(sql, values + [entry.host, entry.lane, klass, when, now, now])

    def frontier_add(self, rows: list[tuple], *, run_id: int, now: float,
                     revisit_after: float) -> int:
        """Bulk admission of precomputed frontier rows (a sitemap's URLs): new keys are
        inserted as pending; a known one is queued again only when its fetch failed longer
        than `revisit_after` ago, or when it was stored as an article before the date the
        sitemap now gives it (`lastmod_ts`, the row's last value). Returns how many keys
        were new. Rows: `BULK_FIELDS` in order."""
        stamp = utc_now()
        cols = self.BULK_FIELDS[:-1]
        insert = (f"INSERT OR IGNORE INTO frontier ({', '.join(cols)}, state, attempts, "
                  f"not_before, discovered_at, updated_at) VALUES "
                  f"({', '.join('?' for _ in cols)}, 'pending', 0, 0, ?, ?)")
        again = ("UPDATE frontier SET state = 'pending', attempts = 0, not_before = 0, "
                 "updated_at = ? WHERE key = ? AND state != 'pending' "
                 "AND coalesce(fetched_run, -1) != ? AND ((state = 'failed' AND fetched_at <= ?) "
                 "OR (result = 'article' AND fetched_at < ?))")
        with self.transaction():
            before = self.db.conn.total_changes
            self.db.conn.executemany(insert, (row[:-1] + (stamp, stamp) for row in rows))
            added = self.db.conn.total_changes - before
            if added < len(rows):  # some were known: due again?
                self.db.conn.executemany(again, (
                    (stamp, row[0], run_id, now - revisit_after, row[-1] or 0.0)
                    for row in rows))
        return added

    def frontier_window(self, host: str, lane: int, sites: list[str], limit: int,
                        skip: Container[str]) -> list[FrontierEntry]:
        """The next `limit` pending entries of one host's lane, in scheduling order (an
        index walk), leaving out the keys in `skip` (already in memory or handed out)."""
        if not sites or limit <= 0:
            return []
        marks = ", ".join("?" for _ in sites)
        cursor = self.db.execute(
            f"SELECT {', '.join(self._FRONTIER_FIELDS)} FROM frontier WHERE state = 'pending' "
            f"AND host = ? AND lane = ? AND site IN ({marks}) "
            "ORDER BY prio_class, prio_time, depth, rowid", [host, lane, *sites])
        found: list[FrontierEntry] = []
        for row in cursor:
            if row[0] in skip:
                continue
            found.append(FrontierEntry(*row))
            if len(found) >= limit:
                break
        cursor.close()
        return found

    def frontier_hosts(self, sites: list[str]) -> list[str]:
        """Hosts with pending entries of these sites (what a killed or budget-limited run
        left), without loading the entries."""
        marks = ", ".join("?" for _ in sites)
        rows = self.db.execute(f"SELECT DISTINCT host FROM frontier WHERE state = 'pending' "
                               f"AND site IN ({marks})", sites).fetchall()
        return [host for (host,) in rows if host]

    def frontier_pending(self, sites: list[str]) -> list[FrontierEntry]:
        """Pending entries of these sites, all of them (for tests and small tools; the
        crawler reads windows of them, `frontier_window`)."""
        marks = ", ".join("?" for _ in sites)
        rows = self.db.query(
            f"SELECT * FROM frontier WHERE state = 'pending' AND site IN ({marks}) "
            "ORDER BY rowid", sites)
        return [FrontierEntry(**{c: row[c] for c in self._FRONTIER_FIELDS}, seq=i)
                for i, row in enumerate(rows)]

    def frontier_retry(self, key: str, attempts: int, not_before: float) -> None:
        with self.transaction():
            self.db.execute("UPDATE frontier SET attempts = ?, not_before = ?, updated_at = ? "
                            "WHERE key = ?", [attempts, not_before, utc_now(), key])

    def frontier_done(self, keys: list[str], result: str, fetched_at: float, run_id: int,
                      state: str = "done") -> None:
        """Mark entries finished (state 'done' or 'failed') with a result."""
        with self.transaction():
            for key in keys:
                self.db.execute(
                    "UPDATE frontier SET state = ?, result = ?, fetched_at = ?, fetched_run = ?, "
                    "updated_at = ? WHERE key = ?",
                    [state, result, fetched_at, run_id, utc_now(), key])

    def frontier_counts(self, site: str | None = None) -> dict[str, int]:
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        rows = self.db.execute(f"SELECT state, count(*) FROM frontier {where} GROUP BY state",
                               params).fetchall()
        return {state: count for state, count in rows}

    def robots_get(self, origin: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM robots_cache WHERE origin = ?", [origin]))
        return rows[0] if rows else None

    def robots_put(self, origin: str, url: str, status: int | None, body: bytes,
                   fetched_at: float) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO robots_cache (origin, url, status, body, fetched_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(origin) DO UPDATE SET url = excluded.url, "
                "status = excluded.status, body = excluded.body, fetched_at = excluded.fetched_at",
                [origin, url, status, body, fetched_at])

    def validators_get(self, key: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM http_validators WHERE key = ?", [key]))
        return rows[0] if rows else None

    def validators_put(self, key: str, url: str, etag: str | None, last_modified: str | None,
                       page_id: int | None) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO http_validators (key, url, etag, last_modified, page_id, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET url = excluded.url, "
                "etag = excluded.etag, last_modified = excluded.last_modified, "
                "page_id = excluded.page_id, updated_at = excluded.updated_at",
                [key, url, etag, last_modified, page_id, utc_now()])

    def load_page(self, page_id: int) -> Page | None:
        """One stored raw page by id (decompressed), e.g. to re-read links after a 304."""
        rows = list(self.db.query("SELECT * FROM pages WHERE id = ?", [page_id]))
        return _page_from_row(rows[0]) if rows else None

    def article_key(self, key: str) -> str | None:
        """The canonical URL already stored for this identity key, if any."""
        row = self.db.execute("SELECT canonical_url FROM article_keys WHERE key = ?",
                              [key]).fetchone()
        return row[0] if row else None

    def put_article_keys(self, keys: list[str], canonical_url: str) -> None:
        """Remember that these identity keys (URL variants) are this article. First one wins."""
        with self.transaction():
            for key in keys:
                self.db.execute("INSERT INTO article_keys (key, canonical_url) VALUES (?, ?) "
                                "ON CONFLICT(key) DO NOTHING", [key, canonical_url])

    # -- status (operators): `scraper status`, `scraper crawl --check`, and the runs a
    # SIGKILL left `running` (issue 9). Read-only but for close_stale_runs.

    def close_stale_runs(self, prefix: str = "crawl") -> list[int]:
        """Mark `killed` the runs of commands starting with `prefix` still `running` (the
        caller holds the crawl lock, so none of them is alive): their finish time stays
        unknown (NULL). Returns their ids."""
        with self.transaction():
            ids = [row[0] for row in self.db.execute(
                "SELECT id FROM runs WHERE status = 'running' AND command LIKE ? ORDER BY id",
                [prefix + "%"]).fetchall()]
            if ids:
                self.db.execute(
                    "UPDATE runs SET status = 'killed' WHERE status = 'running' "
                    "AND command LIKE ?", [prefix + "%"])
        return ids

    def status_runs(self, limit: int, prefix: str = "crawl") -> list[dict[str, Any]]:
        """The last `limit` runs of commands starting with `prefix`, newest first."""
        return list(self.db.query(
            "SELECT * FROM runs WHERE command LIKE ? ORDER BY id DESC LIMIT ?",
            [prefix + "%", limit]))

    def status_pending(self) -> dict[str, int]:
        """Pending frontier entries per site."""
        rows = self.db.execute("SELECT site, count(*) FROM frontier WHERE state = 'pending' "
                               "GROUP BY site").fetchall()
        return dict(rows)

    def status_articles(self) -> dict[str, tuple[int, str | None]]:
        """Per site: (stored articles, when the newest was first stored, UTC ISO)."""
        rows = self.db.execute("SELECT site, count(*), max(first_seen) FROM articles "
                               "GROUP BY site").fetchall()
        return {site: (count, newest) for site, count, newest in rows}

    def status_next(self, site: str, limit: int) -> list[dict[str, Any]]:
        """The first `limit` pending entries of a site in scheduling order (all hosts
        together; a run interleaves hosts)."""
        return list(self.db.query(
            "SELECT url, kind, source, depth, not_before, attempts FROM frontier "
            "WHERE state = 'pending' AND site = ? ORDER BY prio_class, prio_time, depth, "
            "rowid LIMIT ?", [site, limit]))
