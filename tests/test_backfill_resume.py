"""A backfill killed with SIGKILL halfway resumes: finished shards are skipped, the shard
being written is written again, and the merged database equals that of an uninterrupted run
(the same rows, none twice)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.warcs import corpus_pages, write_warcs

from .test_backfill import rows, same_database

FILES = 12  # enough that a kill after two finished shards lands mid-way on a quick machine
RUN = ("import sys; from scraper.commands.backfill import backfill_cmd; "
       "backfill_cmd(sys.argv[1:], prog_name='scraper backfill')")


def start(warcs: list[Path], db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RUN, *map(str, warcs), "--db", str(db),
                             "--workers", "2", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its new parent) is not running
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_backfill_killed_halfway_resumes_to_the_same_database(tmp_path):
    warcs = write_warcs(tmp_path / "warcs", corpus_pages(limit=48), FILES)
    reference = tmp_path / "reference.db"
    done = start(warcs, reference)
    assert done.wait(timeout=300) == 0, done.stderr.read().decode()

    db = tmp_path / "killed.db"
    shard_dir = Path(str(db) + ".shards")
    run = start(warcs, db)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and run.poll() is None:
        workers = children(run.pid) or workers
        if len(list(shard_dir.glob("*.shard"))) >= 2:
            break
        time.sleep(0.02)
    assert run.poll() is None, "the backfill finished before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    gone = time.monotonic() + 10  # the pool's workers end themselves with their parent
    while any(alive(pid) for pid in workers) and time.monotonic() < gone:
        time.sleep(0.1)
    assert workers and not any(alive(pid) for pid in workers)
    finished = len(list(shard_dir.glob("*.shard")))  # a worker may finish one as it goes
    assert 2 <= finished < FILES

    resumed = start(warcs, db)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    assert json.loads(out)["reused"] == finished  # finished shards were not written again
    same_database(reference, db)
    articles = rows(db, "articles")
    assert len(articles) == len({dict(r)["canonical_url"] for r in articles})
    assert not list(shard_dir.glob("*.partial"))


def test_a_shard_is_written_by_one_process_at_a_time(tmp_path):
    """A pool worker outliving a killed backfill still holds its shard: a new writer of the
    same shard waits until it has gone, instead of writing beside it."""
    from scraper.backfill.shard import ShardWriter

    path = tmp_path / "one.shard"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from scraper.backfill.shard import ShardWriter\n"
        f"w = ShardWriter({str(path)!r}, {{}}); print('held', flush=True); time.sleep(1.5)")],
        stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == b"held"
    started = time.monotonic()
    with ShardWriter(path, {"source": "x"}) as writer:
        waited = time.monotonic() - started
        writer.finish({})
    holder.wait()
    assert waited > 0.5
    assert path.exists() and not Path(str(path) + ".partial").exists()
