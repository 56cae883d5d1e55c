"""The crawler's state: the frontier (read in windows, admitted in bulk), the robots.txt
cache, HTTP validators and the identity keys of stored articles; and the read-only queries
of `scraper status`."""

from __future__ import annotations

import logging
from collections.abc import Container
from operator import itemgetter
from typing import Any

from ..frontier import FrontierEntry
from ..migrations import utc_now
from ..models import Page
from .database import Database
from .records import _page_from_row

log = logging.getLogger("scraper.store")


class CrawlState(Database):
    """`frontier`, `robots_cache`, `http_validators` and `article_keys`."""

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
        # by key alone (two rows of one key may differ in a None field): the inserts walk the
        # key index in order, not at random
        rows = sorted(rows, key=itemgetter(0))
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
