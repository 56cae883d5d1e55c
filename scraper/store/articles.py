"""Articles and raw pages: idempotent upserts (a changed article keeps its previous version),
reads for re-extraction and export, full-text search."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from ..migrations import link_authors, utc_now
from ..models import Article, Page
from .database import Database
from .records import (
    VERSIONED_FIELDS,
    PackedContent,
    StoredPage,
    StoreError,
    _article_row,
    _filters,
    _page_from_row,
    article_from_row,
    pack_content,
)

log = logging.getLogger("scraper.store")


class ArticleTables(Database):
    """`articles`, `article_versions`, `authors` and `pages`."""

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
            "content_encoding": packed.encoding, "content_hash": packed.sha256, "size": len(page.content),
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

    def iter_article_pages(self, site: str | None = None, since: str | None = None,
                           batch: int = 100) -> Iterator[tuple[Article, StoredPage]]:
        """Each stored article with the raw page it was extracted from, for re-extraction.
        `site` filters on the article's site, `since` on when the page was fetched.

        Read in batches, each read finished before the rows are handed out: the caller
        writes between two batches, and a write on a connection whose read is still open
        fails at once with "database is locked" when a crawl commits meanwhile (SQLite
        cannot upgrade that read; the busy timeout never helps)."""
        where, params = _filters(site, "p.fetched_at", since)
        where = where.replace("site = ?", "a.site = ?")
        order = "ORDER BY p.fetched_at DESC, a.canonical_url"
        ids = [row[0] for row in self.db.execute(
            f"SELECT a.rowid FROM articles a JOIN pages p ON p.id = a.page_id {where} {order}",
            params).fetchall()]
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            marks = ", ".join("?" for _ in chunk)
            rows = list(self.db.query(
                f"""SELECT a.*, p.id AS p_id, p.url AS p_url, p.final_url AS p_final_url,
                           p.site AS p_site, p.status AS p_status, p.headers AS p_headers,
                           p.content AS p_content, p.content_encoding AS p_content_encoding,
                           p.fetched_at AS p_fetched_at, p.elapsed_ms AS p_elapsed_ms
                    FROM articles a JOIN pages p ON p.id = a.page_id
                    WHERE a.rowid IN ({marks}) {order}""", chunk))
            for row in rows:
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

