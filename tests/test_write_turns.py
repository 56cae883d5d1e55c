"""Writers of one crawl database taking turns (lock.writer_turn: the workers writing a
sitemap's URLs), and checkpoints done by a thread of their own (store.Checkpointer) for
connections that defer them. Real processes, real SQLite files."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from scraper.lock import RunLock, writer_turn
from scraper.store import Checkpointer, Store


def _hold_turn(db: str, seconds: float, log: str) -> None:
    with writer_turn(db):
        with open(log, "a") as fh:
            fh.write(f"in {time.monotonic()}\n")
        time.sleep(seconds)
        with open(log, "a") as fh:
            fh.write(f"out {time.monotonic()}\n")


def _fork(target, *args) -> multiprocessing.Process:
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    return process


def test_one_writer_at_a_time_across_processes(tmp_path):
    db, log = str(tmp_path / "a.db"), str(tmp_path / "turns.log")
    first = _fork(_hold_turn, db, 0.6, log)
    time.sleep(0.2)  # the first holds the turn
    second = _fork(_hold_turn, db, 0.0, log)
    for process in (first, second):
        process.join(10)
        assert process.exitcode == 0
    events = [line.split() for line in Path(log).read_text().splitlines()]
    assert [kind for kind, _ in events] == ["in", "out", "in", "out"]  # never both inside
    assert float(events[2][1]) >= float(events[1][1])


def test_a_writer_turn_is_not_blocked_by_the_run_lock_on_the_same_file(tmp_path):
    """The crawl process holds the run's lock for the whole run; its workers still take
    their writer turns on that file (a flock, apart from the run's POSIX lock)."""
    db, log = str(tmp_path / "a.db"), str(tmp_path / "turns.log")
    with RunLock(Path(db)):
        worker = _fork(_hold_turn, db, 0.0, log)
        worker.join(10)
    assert worker.exitcode == 0
    assert Path(log).read_text().count("out") == 1


def test_deferred_checkpoints_are_done_by_the_checkpointer(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.defer_checkpoints()
        before = db.stat().st_size
        with store.transaction():
            store.db.execute("CREATE TABLE filler (x BLOB)")
            for _ in range(200):
                store.db.execute("INSERT INTO filler VALUES (randomblob(10000))")
        assert db.stat().st_size == before  # 2 MB in the WAL, none in the database yet
        with Checkpointer(db, interval=0.05):
            deadline = time.monotonic() + 10
            while db.stat().st_size < before + 2_000_000 and time.monotonic() < deadline:
                time.sleep(0.05)
        assert db.stat().st_size >= before + 2_000_000  # copied back by the thread
        assert store.integrity_ok()
