"""Merging shards into the database: the single writer. Every write is the store's idempotent
upsert, so merging a shard twice, or a second backfill of the same files, changes nothing.

Per shard row, in shard order, in transactions of `BATCH` rows:
1. the raw page: `Store.save_page` (unique on final URL and content hash), or with
   `--no-raw` a `pages` row whose `content_encoding` is `warc` and whose `content` names the
   record's WARC file and offset (`save_page_reference`, the one write of our own);
2. the fold, as the crawler's settle step does it (`scraper/crawl/settle.py`): the row is the
   one already stored under the candidate's URL key or, failing that, under its per-site
   content key; else the candidate canonical URL is new;
3. `Store.upsert_article`, then `Store.put_article_keys` for the URL key, the captured URL's
   key and the content key;
then each redirect the shard saw whose target is now an article: its source URL becomes one
more key of that article (the crawler keys a redirected fetch the same way).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..models import Article, Page
from ..store import PackedContent, Store, sniff_encoding, unpack_content
from ..urls import url_key
from . import shard as shards

log = logging.getLogger(__name__)

BATCH = 500  # shard rows per transaction: a kill loses at most this much merge work
WARC_REFERENCE = "warc"  # pages.content_encoding of a page kept by reference (--no-raw)
_ARTICLE_FIELDS = frozenset(f.name for f in fields(Article))


@dataclass
class MergeCounts:
    shards: int = 0
    records: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0
    seconds: float = 0.0

    def add(self, other: MergeCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def merge_shard(store: Store, path: str | Path, batch: int = BATCH) -> MergeCounts:
    """Merge one finished shard into `store`. Raises ShardError for an unfinished one."""
    started = time.monotonic()
    info = shards.finished_info(path)
    counts = MergeCounts(shards=1)
    for rows in shards.iter_rows(path, "records", batch):
        with store.transaction():
            for row in rows:
                outcome = _merge_row(store, row, info["source"])
                counts.records += 1
                setattr(counts, outcome, getattr(counts, outcome) + 1)
    for rows in shards.iter_rows(path, "redirects", batch):
        with store.transaction():
            for row in rows:
                canonical = store.article_key(url_key(row["to_url"]))
                if canonical is not None and store.article_key(url_key(row["from_url"])) is None:
                    store.put_article_keys([url_key(row["from_url"])], canonical)
                    counts.aliases += 1
    counts.seconds = time.monotonic() - started
    log.info("merged %s: %d records (%d new, %d updated, %d unchanged)", path, counts.records,
             counts.new, counts.updated, counts.unchanged)
    return counts


def _merge_row(store: Store, row: dict[str, Any], source: str) -> str:
    page = Page(url=row["url"], final_url=row["url"], status=row["status"],
                headers=tuple(tuple(h) for h in json.loads(row["headers"] or "[]")),
                fetched_at=row["fetched_at"] or "")
    if row["content"] is not None:
        encoding = sniff_encoding(row["content"])  # gzip in shards of earlier versions
        content = unpack_content(row["content"], encoding)
        page_id = store.save_page(replace(page, content=content), row["site"],
                                  packed=PackedContent(row["content"], row["content_hash"],
                                                       encoding))
        _replace_reference(store, page_id, row["content"], encoding)
    else:
        page_id = save_page_reference(store, page, row, source)
    key, content = row["url_key"], row["content_key"]
    known = store.article_key(key) or (content and store.article_key(content))
    canonical = known or row["canonical_url"]
    article = replace(article_from_json(row["article"]), canonical_url=canonical, site=row["site"])
    outcome = store.upsert_article(article, page_id)
    keys = [key, url_key(row["url"])] + ([content] if content else [])
    store.put_article_keys(list(dict.fromkeys(keys)), canonical)
    return outcome


def article_from_json(text: str) -> Article:
    """An Article from a shard's JSON (fields this version does not know are dropped)."""
    data = {k: v for k, v in json.loads(text).items() if k in _ARTICLE_FIELDS}
    for name in ("authors", "tags"):
        data[name] = tuple(data.get(name) or ())
    return Article(**data)


def save_page_reference(store: Store, page: Page, row: dict[str, Any], source: str) -> int:
    """A `pages` row for a page kept by reference (`--no-raw`): `content` holds JSON
    `{"warc": path, "offset": n}` and `content_encoding` is "warc". A raw copy stored earlier
    for the same URL and bytes is kept as it is. Returns the page id."""
    reference = json.dumps({"warc": source, "offset": row["warc_offset"]}).encode()
    with store.transaction():
        store.db.execute(
            """INSERT INTO pages (url, final_url, site, status, headers, content,
                   content_encoding, content_hash, size, fetched_at, elapsed_ms)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
               ON CONFLICT(final_url, content_hash) DO UPDATE SET
                   fetched_at = excluded.fetched_at, status = excluded.status,
                   headers = excluded.headers, url = excluded.url,
                   site = coalesce(excluded.site, pages.site)""",
            [page.url, page.final_url, row["site"], page.status, json.dumps(list(page.headers)),
             reference, WARC_REFERENCE, row["content_hash"], row["size"], page.fetched_at])
        found = store.db.execute("SELECT id FROM pages WHERE final_url = ? AND content_hash = ?",
                                 [page.final_url, row["content_hash"]]).fetchone()
    return int(found[0])


def _replace_reference(store: Store, page_id: int, packed: bytes, encoding: str) -> None:
    """A raw copy replaces a reference stored by an earlier `--no-raw` backfill."""
    store.db.execute("UPDATE pages SET content = ?, content_encoding = ? "
                     "WHERE id = ? AND content_encoding = ?",
                     [packed, encoding, page_id, WARC_REFERENCE])


def warc_reference(content: bytes) -> tuple[str, int]:
    """(WARC path, offset) of a page stored by reference."""
    data = json.loads(content)
    return data["warc"], int(data["offset"])
