"""The connection: opened in WAL mode with migrations applied, one transaction at a time
(nested calls join), and the `runs` table that every command writes."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from ..migrations import apply_migrations, pending_migrations, utc_now
from .records import RunRecord, StoreError

log = logging.getLogger("scraper.store")


class Database:
    """The project's SQLite database: the connection, transactions and runs. `Store` adds
    the tables' methods."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        """Open (creating and migrating) the database at `path`. `readonly`: open an
        existing database without writing anything, even on read-only media (no lock, no
        migration, no `runs` row); its schema must be current."""
        self.path = Path(path)
        self._depth = 0
        self.run_id: int | None = None  # the run started through this Store (start_run)
        self.readonly = readonly
        if readonly:
            self.db = sqlite_utils.Database(self._connect_readonly())
            return
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

    def _connect_readonly(self) -> sqlite3.Connection:
        """mode=ro, or immutable=1 where even the WAL's shared-memory file cannot be made
        (read-only media): then nothing may write the file meanwhile, which is the case."""
        if not self.path.is_file():
            raise StoreError(f"no database at {self.path}")
        error: Exception | None = None
        for flags in ("mode=ro", "mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?{flags}", uri=True,
                                       timeout=30, isolation_level=None)
                if pending_migrations(conn):
                    raise StoreError(f"{self.path} was written by an older version: open it "
                                     "once where it can be written, to migrate it")
                return conn
            except sqlite3.Error as exc:
                error = exc
        raise StoreError(f"cannot open database {self.path} read-only: {error}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def defer_checkpoints(self) -> None:
        """Commits on this connection never copy the WAL back into the database (SQLite's
        automatic checkpoint, which waits on fsync in the committing thread): a
        `Checkpointer` does it in the background. For the crawl's writers (the event loop,
        the workers admitting a sitemap's URLs)."""
        self.db.execute("PRAGMA wal_autocheckpoint = 0")

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
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:  # locked past the busy timeout, corrupt, read-only
            raise StoreError(f"database write failed: {exc}") from exc
        self._depth = 1
        try:
            yield
            self.db.execute("COMMIT")  # a full disk shows here, as the WAL grows
        except BaseException as exc:
            if self.db.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"database write failed: {exc}") from exc
            raise
        finally:
            self._depth = 0

    # -- runs

    def start_run(self, command: str) -> int:
        """A `runs` row for a command starting; articles this Store writes from now on record
        its id (`articles.run_id`). A read-only Store records nothing (id 0)."""
        if self.readonly:
            return 0
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
                if not self.readonly:
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


class Checkpointer:
    """A thread that copies the WAL back into the database every `interval` seconds
    (`PRAGMA wal_checkpoint(PASSIVE)`: it never blocks a reader or a writer), on its own
    connection, for connections that `defer_checkpoints()`. Its fsyncs then wait in this
    thread, not in the event loop or a worker holding the write lock. A kill leaves a WAL
    SQLite recovers at the next open, as after any kill. `with Checkpointer(path):`."""

    def __init__(self, path: str | Path, interval: float = 1.0) -> None:
        self.path, self.interval = Path(path), interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="checkpointer")

    def __enter__(self) -> Checkpointer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            log.warning("no background checkpoints of %s: %s", self.path, exc)
            return
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint(conn)
            self._checkpoint(conn)  # what the last interval wrote
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # busy or full: the next round tries again
            log.debug("checkpoint of %s: %s", self.path, exc)
