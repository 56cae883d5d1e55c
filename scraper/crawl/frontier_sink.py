"""Where an analysis worker writes a sitemap's admitted URLs: the crawl's own database.

A 50,000-URL sitemap admitted in the worker used to come back as 50,000 row tuples: pickled,
held by both processes, and inserted by the main process on the event loop (about a second
of blocked loop per sitemap, most of the main process's CPU with a million-URL index). The
worker now inserts them itself in short transactions of `CHUNK` rows (`Store.frontier_add`:
INSERT OR IGNORE against the key, the same rule for known keys), and returns only how many
were new and on which hosts. SQLite's WAL lets the main process read meanwhile; a write of
the main process waits at most one chunk (busy timeout).

A kill loses nothing and duplicates nothing: committed chunks are pending rows like any other,
the sitemap itself is settled only afterwards by the main process, so a resume fetches it
again and INSERT OR IGNORE skips what is there.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from ..store import Store

CHUNK = 5_000  # rows per transaction: ~0.1 s of writing, so the crawl's own writes barely wait

_stores: dict[tuple[int, str], Store] = {}  # per worker process (a fork must not share one)


@dataclass(frozen=True)
class FrontierSink:
    """Picklable: sent with the sitemap to the worker, which calls `add` for each chunk."""

    db_path: str
    run_id: int
    revisit_after: float
    chunk: int = CHUNK

    def add(self, rows: list[tuple]) -> int:
        """Insert these frontier rows (`Store.BULK_FIELDS`); returns how many were new.
        A store that cannot write raises StoreError, which the crawl treats as fatal."""
        return _store(self.db_path).frontier_add(
            rows, run_id=self.run_id, now=time.time(), revisit_after=self.revisit_after)


def _store(path: str) -> Store:
    key = (os.getpid(), path)
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = Store(path)
    return store
