"""Shards: one SQLite file per input WARC file, written by one worker, merged by one writer.

Why SQLite and not Parquet: a shard is written a record at a time by a worker with bounded
memory (Parquet buffers whole row groups), a kill leaves a file that is plainly unfinished
rather than half-valid, the merge reads it back with the same stdlib module the store uses,
and anyone can open one with `sqlite3` or Datasette to see what a WARC file gave and why
records were skipped. pyarrow (about 100 MB) stays out of the core install; columnar
analytics are `scraper export --format parquet`'s job, on the merged database.

Life of a shard, so a killed backfill resumes by skipping finished work:
1. written as `NAME.shard.partial` (no durability settings: a partial file is discarded);
2. finished: the `done` row and the counts committed, the file fsynced, then renamed to
   `NAME.shard` (the rename is the done marker; a shard without its `done` row is refused);
3. merged into a database: `NAME.shard.merged` is written beside it, holding the database's
   path, so a resumed backfill does not merge it again (merging again is harmless: upserts).

A writer holds a lock on `NAME.shard.lock` (`fcntl.lockf`, released by the kernel when its
process dies) from start to rename: a pool worker outlives a killed backfill by up to half a
second, and a backfill started again at once waits for it rather than write the same shard
beside it.

A finished shard is reused only for the same input file (path, size, mtime) and the same
options (site filter, dates, raw pages kept or not); otherwise it is written again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMAT = 1
SUFFIX = ".shard"
PARTIAL = ".partial"
MERGED = ".merged"
LOCK = ".lock"
COMMIT_EVERY = 200  # rows per transaction while writing

_SCHEMA = """
CREATE TABLE shard (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE records (
    seq INTEGER PRIMARY KEY, warc_offset INTEGER, url TEXT NOT NULL, site TEXT,
    status INTEGER, headers TEXT, fetched_at TEXT, content BLOB, content_hash TEXT,
    size INTEGER, canonical_url TEXT NOT NULL, url_key TEXT NOT NULL, content_key TEXT,
    article TEXT NOT NULL);
CREATE TABLE skipped (seq INTEGER PRIMARY KEY, warc_offset INTEGER, url TEXT, reason TEXT,
    detail TEXT);
CREATE TABLE redirects (seq INTEGER PRIMARY KEY, from_url TEXT, to_url TEXT);
"""
RECORD_COLUMNS = ("warc_offset", "url", "site", "status", "headers", "fetched_at", "content",
                  "content_hash", "size", "canonical_url", "url_key", "content_key", "article")


class ShardError(Exception):
    """A shard file is missing, unreadable or unfinished."""


def shard_name(source: str | Path) -> str:
    """`<file name without .warc[.gz]>-<hash of its absolute path>.shard`: stable for one
    input file, distinct for two files of the same name in different folders."""
    path = Path(source).resolve()
    stem = path.name
    for ending in (".gz", ".warc", ".arc"):
        stem = stem.removesuffix(ending)
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return f"{stem}-{digest}{SUFFIX}"


def source_identity(source: str | Path) -> dict[str, Any]:
    stat = os.stat(source)
    return {"source": str(Path(source).resolve()), "source_size": stat.st_size,
            "source_mtime": int(stat.st_mtime)}


class ShardWriter:
    """`with ShardWriter(path, info) as shard: shard.add_record(...); shard.finish(counts)`.
    Leaving the block without `finish` removes the partial file."""

    def __init__(self, path: str | Path, info: dict[str, Any]) -> None:
        self.path = Path(path)
        self.partial = Path(str(self.path) + PARTIAL)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(str(self.path) + LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.lockf(self._lock, fcntl.LOCK_EX)  # waits for a writer of this shard still alive
        self.partial.unlink(missing_ok=True)
        self.conn = sqlite3.connect(self.partial, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.executescript(_SCHEMA)
        self.conn.execute("BEGIN")
        self._put({**info, "format": FORMAT})
        self._rows = 0
        self.finished = False

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.finished:
            self.conn.close()
            self.partial.unlink(missing_ok=True)
        os.close(self._lock)  # releases the lock

    def add_record(self, row: dict[str, Any]) -> None:
        self.conn.execute(
            f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in RECORD_COLUMNS)})",
            [row.get(c) for c in RECORD_COLUMNS])
        self._tick()

    def add_skip(self, offset: int, url: str | None, reason: str, detail: str) -> None:
        self.conn.execute("INSERT INTO skipped (warc_offset, url, reason, detail) "
                          "VALUES (?, ?, ?, ?)", [offset, url, reason, detail])
        self._tick()

    def add_redirect(self, from_url: str, to_url: str) -> None:
        self.conn.execute("INSERT INTO redirects (from_url, to_url) VALUES (?, ?)",
                          [from_url, to_url])

    def finish(self, info: dict[str, Any]) -> None:
        """Commit the last rows and the done marker, then give the file its final name."""
        self._put({**info, "done": True})
        self.conn.execute("COMMIT")
        self.conn.close()
        with open(self.partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(self.partial, self.path)
        _fsync_dir(self.path.parent)
        self.finished = True

    def _put(self, info: dict[str, Any]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO shard (key, value) VALUES (?, ?)",
                              [(k, json.dumps(v)) for k, v in info.items()])

    def _tick(self) -> None:
        self._rows += 1
        if self._rows % COMMIT_EVERY == 0:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _connect(path: str | Path) -> sqlite3.Connection:
    if not Path(path).is_file():
        raise ShardError(f"no shard at {path}")
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)


def read_info(path: str | Path) -> dict[str, Any]:
    """The shard's description: source, options, counts and `done`. Raises ShardError."""
    try:
        conn = _connect(path)
        try:
            rows = conn.execute("SELECT key, value FROM shard").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ShardError(f"{path} is not a readable shard: {exc}") from exc
    return {key: json.loads(value) for key, value in rows}


def finished_info(path: str | Path) -> dict[str, Any]:
    """`read_info` of a finished shard; ShardError if it has no done marker."""
    info = read_info(path)
    if not info.get("done"):
        raise ShardError(f"{path} is not finished (no done marker)")
    if info.get("format") != FORMAT:
        raise ShardError(f"{path} has shard format {info.get('format')}, expected {FORMAT}")
    return info


def reusable(path: Path, source: str | Path, options_key: str) -> dict[str, Any] | None:
    """The info of a finished shard made from this very file with these options, else None."""
    if not path.is_file():
        return None
    try:
        info = finished_info(path)
        same = source_identity(source)
    except (ShardError, OSError):
        return None
    if any(info.get(k) != v for k, v in same.items()) or info.get("options") != options_key:
        return None
    return info


def iter_rows(path: str | Path, table: str, batch: int = 500) -> Iterator[list[dict[str, Any]]]:
    """The rows of one table of a shard, in order, `batch` at a time."""
    conn = _connect(path)
    conn.row_factory = sqlite3.Row
    try:
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY seq")  # noqa: S608 (fixed names)
        while rows := cursor.fetchmany(batch):
            yield [dict(row) for row in rows]
    finally:
        conn.close()


def merged_into(path: str | Path) -> str | None:
    marker = Path(str(path) + MERGED)
    try:
        return marker.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def mark_merged(path: str | Path, db: str | Path) -> None:
    Path(str(path) + MERGED).write_text(str(Path(db).resolve()) + "\n", encoding="utf-8")


def discard(path: str | Path) -> None:
    """Remove a shard with its partial file and merge marker (before writing it again)."""
    for suffix in ("", PARTIAL, MERGED):
        Path(str(path) + suffix).unlink(missing_ok=True)
