"""Where an analysis worker writes a sitemap's admitted URLs: the crawl's own database.

A 50,000-URL sitemap admitted in the worker used to come back as 50,000 row tuples: pickled,
held by both processes, and inserted by the main process on the event loop (about a second
of blocked loop per sitemap, most of the main process's CPU with a million-URL index). The
worker now inserts them itself in transactions of `CHUNK` rows (`Store.frontier_add`:
INSERT OR IGNORE against the key, the same rule for known keys), and returns only how many
were new and on which hosts. SQLite's WAL lets the main process read meanwhile; a write of
the main process waits at most one chunk (busy timeout).

The writes run in a thread of the worker, one chunk behind the parsing: sqlite3 lets go of
the GIL while SQLite works, so the parse of the next chunk goes on meanwhile. The workers
take turns to write (`lock.writer_turn`, a flock: the next one starts the moment the last
one is done), and none of them checkpoints (the crawl's `Checkpointer` thread does).

A kill loses nothing and duplicates nothing: committed chunks are pending rows like any other,
the sitemap itself is settled only afterwards by the main process, so a resume fetches it
again and INSERT OR IGNORE skips what is there.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from ..lock import writer_turn
from ..store import Store

# rows per transaction. The keys of a sitemap fall anywhere in the key index, so a chunk
# writes about one index page per row until several rows share a page: 20,000 rows take
# about 0.6 s to write, 1,000,000 in 20,000s about 30 s of CPU against 47 s in 5,000s
# (sorted, measured in one process). A write of the crawl process waits at most one chunk.
CHUNK = 10_000
AHEAD = 1  # chunks handed to the writer thread and not yet written, at most

_stores: dict[tuple[int, str], Store] = {}  # per worker process (a fork must not share one)


@dataclass(frozen=True)
class FrontierSink:
    """Picklable: sent with the sitemap to the worker, which opens a writer there."""

    db_path: str
    run_id: int
    revisit_after: float
    chunk: int = CHUNK

    def open(self) -> ChunkWriter:
        return ChunkWriter(self)


@dataclass
class ChunkWriter:
    """`add` hands a chunk of frontier rows (`Store.BULK_FIELDS`) to the writer thread;
    `finish` waits for them all and returns how many keys were new. A store that cannot
    write raises StoreError from `add` or `finish`, which the crawl treats as fatal."""

    sink: FrontierSink
    _thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="frontier-sink"))
    _pending: list[Future] = field(default_factory=list)
    _added: int = 0

    def add(self, rows: list[tuple]) -> None:
        while len(self._pending) >= AHEAD:
            self._added += self._pending.pop(0).result()
        self._pending.append(self._thread.submit(self._write, rows))

    def finish(self) -> int:
        try:
            while self._pending:
                self._added += self._pending.pop(0).result()
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)
        return self._added

    def abandon(self) -> None:
        """Stop without waiting (the parse failed): what was written stays, like a kill."""
        self._thread.shutdown(wait=False, cancel_futures=True)

    def _write(self, rows: list[tuple]) -> int:
        with writer_turn(self.sink.db_path):  # the other workers' chunks wait their turn
            return _store(self.sink.db_path).frontier_add(
                rows, run_id=self.sink.run_id, now=time.time(),
                revisit_after=self.sink.revisit_after)


def _store(path: str) -> Store:
    key = (os.getpid(), path)
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = Store(path)
        store.defer_checkpoints()  # the crawl's Checkpointer does them
    return store
