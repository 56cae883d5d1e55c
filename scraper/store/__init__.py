"""SQLite storage (the only sqlite-utils importer): migrations, idempotent upserts, queries.

Tables (every column is described in README.md, "Database schema"):
- `articles`: one row per canonical URL, the Article's fields as columns; FTS5 over
  headline, standfirst and body (`articles_fts`), kept in sync by triggers.
- `pages`: raw responses (gzip-compressed bytes), so re-extraction never needs the network.
- `runs`: one row per command run, with its summary.
- `schema_migrations`: which migrations have been applied.

The database is opened in WAL mode, so readers (sqlite3, Datasette) never block a crawl and a
killed process never leaves a half-written row: every write is one transaction.

The package: `records.py` (rows <-> records, no connection), `database.py` (connection,
transactions, runs), `articles.py` (articles, versions, authors, pages, search) and
`crawl_state.py` (frontier, robots cache, validators, identity keys, status queries).
"""

from .articles import ArticleTables
from .crawl_state import CrawlState
from .database import Checkpointer
from .records import (
    VERSIONED_FIELDS,
    PackedContent,
    RunRecord,
    StoredPage,
    StoreError,
    article_from_row,
    pack_content,
    sniff_encoding,
    unpack_content,
    unzstd_bounded,
)

__all__ = ["VERSIONED_FIELDS", "Checkpointer", "PackedContent", "RunRecord", "Store", "StoreError", "StoredPage",
           "article_from_row", "pack_content", "sniff_encoding", "unpack_content",
           "unzstd_bounded"]


class Store(ArticleTables, CrawlState):
    """The project's SQLite database. Open it, use it, close it (or use `with`)."""
