"""`backfill()` and `merge_shards()`: plan the shards, run the engine, merge in input order.

1. expand the inputs (paths, folders, globs) into WARC files, in the order given;
2. plan one shard per file in the shard folder (`<db>.shards/` by default): a finished shard
   made from the same file with the same options is reused, anything else is (re)written;
3. run `work.process_warc` over the files to write with the engine (`local`: a process pool,
   `ray`: one Ray task per file);
4. merge finished shards into the database as they become available, in input order (so the
   database never depends on which worker finished first: a resumed run and an uninterrupted
   one write the same rows, in the same order), skipping shards merged by an earlier run;
5. record the run (`runs`, command `backfill` or `merge`) with the counts by reason.
"""

from __future__ import annotations

import glob
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store import Store
from . import shard as shards
from .merge import MergeCounts, merge_shard
from .work import DAMAGE, BackfillOptions, ShardResult, WarcJob, process_warc, shipped

log = logging.getLogger(__name__)

WARC_PATTERNS = ("*.warc", "*.warc.gz", "*.arc", "*.arc.gz")
ENGINES = ("local", "ray")


class BackfillError(Exception):
    """Bad inputs or options (the CLI exits with code 2)."""


@dataclass
class BackfillSummary:
    files: int = 0
    reused: int = 0  # shards finished by an earlier run
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    counts: Counter[str] = field(default_factory=Counter)  # records, articles, skip reasons
    merged: MergeCounts = field(default_factory=MergeCounts)
    seconds: float = 0.0  # reading and extraction (the engine's wall time)
    cpu_seconds: float = 0.0  # the workers' CPU time on the files read by this run
    read: int = 0  # records read by this run (not from shards finished before)
    peak_rss_kb: int = 0  # the largest of one worker
    shard_dir: str = ""

    @property
    def skipped(self) -> dict[str, int]:
        return {k: v for k, v in sorted(self.counts.items()) if k not in ("records", "articles")}

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "reused": self.reused, "failed": self.failed,
                "records": self.counts["records"], "read_now": self.read,
                "articles": self.counts["articles"],
                "skipped": self.skipped, "merged": vars(self.merged) | {"rate": self.merged.rate},
                "seconds": round(self.seconds, 3), "cpu_seconds": round(self.cpu_seconds, 3),
                "peak_rss_kb": self.peak_rss_kb,
                "shard_dir": self.shard_dir}


def expand_inputs(patterns: Iterable[str]) -> list[Path]:
    """WARC files named by paths, folders (their WARC files) or globs, in the order given,
    each once. BackfillError names a pattern that matches nothing."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = sorted({p for g in WARC_PATTERNS for p in path.glob(g)})
        elif path.is_file():
            matches = [path]
        else:
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
        if not matches:
            raise BackfillError(f"no WARC file matches {pattern!r}")
        found += matches
    return list(dict.fromkeys(p.resolve() for p in found))


def default_shard_dir(db: str | Path) -> Path:
    return Path(str(db) + ".shards")


def backfill(sources: list[Path], db: str | Path, options: BackfillOptions, *,
             engine: str = "local", workers: int | None = None, ray_address: str | None = None,
             shard_dir: str | Path | None = None, merge: bool = True,
             on_progress: Callable[[int, int], None] | None = None) -> BackfillSummary:
    """Read `sources` into shards and merge them into the database at `db`.
    `on_progress(files, records)` is called as work advances, with the files finished and
    the records read since the last call."""
    if engine not in ENGINES:
        raise BackfillError(f"unknown engine {engine!r}")
    shard_dir = Path(shard_dir) if shard_dir else default_shard_dir(db)
    summary = BackfillSummary(files=len(sources), shard_dir=str(shard_dir))
    fresh_db = not Path(db).exists()
    ready: dict[int, ShardResult] = {}
    jobs = []
    for index, source in enumerate(sources):
        path = shard_dir / shards.shard_name(source)
        info = shards.reusable(path, source, options.key())
        if info is not None:
            ready[index] = ShardResult(index, str(source), str(path), info.get("counts", {}),
                                       peak_rss_kb=info.get("peak_rss_kb", 0), reused=True)
            summary.reused += 1
            continue
        shards.discard(path)
        jobs.append(WarcJob(index, str(source), str(path), options))
    with Store(db) as store, store.recorded_run("backfill") as run:
        merger = _InOrder(store, db, len(sources), summary, merge, ignore_marks=fresh_db)
        for result in ready.values():
            merger.add(result)
        started = time.monotonic()
        progress = on_progress or (lambda files, records: None)
        progress(len(ready), 0)
        for result in _run(engine, jobs, workers, ray_address, lambda n: progress(0, n)):
            _keep(result)
            progress(1, 0)
            merger.add(result)
        summary.seconds = time.monotonic() - started
        merger.flush()
        run.totals = {"fetched": summary.counts["articles"] + summary.counts["not_article"],
                      "new_articles": summary.merged.new,
                      "updated_articles": summary.merged.updated,
                      "errors": sum(v for k, v in summary.counts.items() if k in DAMAGE)
                      + len(summary.failed)}
        run.summary = summary.to_dict()
    return summary


def merge_shards(paths: list[Path], db: str | Path) -> tuple[MergeCounts, list[tuple[str, str]]]:
    """`scraper merge`: merge finished shards (in the order given) into `db`; unfinished or
    unreadable ones are listed with the reason and left alone."""
    counts, refused = MergeCounts(), []
    with Store(db) as store, store.recorded_run("merge") as run:
        for path in paths:
            try:
                counts.add(merge_shard(store, path))
            except shards.ShardError as exc:
                refused.append((str(path), str(exc)))
                log.warning("%s", exc)
        run.totals = {"new_articles": counts.new, "updated_articles": counts.updated,
                      "errors": len(refused)}
        run.summary = {"merged": vars(counts), "refused": refused}
    return counts, refused


def expand_shards(patterns: Iterable[str]) -> list[Path]:
    """Shard files named by paths, folders (their `*.shard`) or globs, in the order given."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = sorted(path.glob("*" + shards.SUFFIX))
        elif path.is_file():
            matches = [path]
        else:
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True)
                             if p.endswith(shards.SUFFIX))
        if not matches:
            raise BackfillError(f"no shard matches {pattern!r}")
        found += matches
    return list(dict.fromkeys(p.resolve() for p in found))


def _run(engine: str, jobs: list[WarcJob], workers: int | None, ray_address: str | None,
         on_progress: Callable[[int], None]):
    if not jobs:
        return iter(())
    if engine == "ray":
        from .ray_engine import run_ray

        return run_ray(process_warc, jobs, workers, ray_address, on_progress, _failed, shipped)
    from .local import default_workers, run_local

    return run_local(process_warc, jobs, workers or default_workers(), on_progress, _failed)


def _failed(job: WarcJob, why: str) -> ShardResult:
    return ShardResult(job.index, job.source, job.shard, error=why)


def _keep(result: ShardResult) -> None:
    """A shard sent back by a worker on another machine, written here (then renamed: the
    rename is the done marker, as for one written in place)."""
    if result.data is None:
        return
    partial = Path(result.shard + shards.PARTIAL)
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(result.data)
    partial.replace(result.shard)


class _InOrder:
    """Merges shard i only once shards 0..i-1 are merged (or failed)."""

    def __init__(self, store: Store, db: str | Path, total: int, summary: BackfillSummary,
                 merge: bool, ignore_marks: bool) -> None:
        self.store, self.db, self.total, self.summary = store, str(Path(db).resolve()), total, summary
        self.merge, self.ignore_marks = merge, ignore_marks
        self.pending: dict[int, ShardResult] = {}
        self.next = 0

    def add(self, result: ShardResult) -> None:
        summary = self.summary
        if result.error:
            summary.failed.append((result.source, result.error))
            log.warning("%s: %s", result.source, result.error)
        summary.counts.update(result.counts)
        summary.cpu_seconds += result.cpu_seconds
        if not result.reused:
            summary.read += result.counts.get("records", 0)
        summary.peak_rss_kb = max(summary.peak_rss_kb, result.peak_rss_kb)
        self.pending[result.index] = result
        self.flush(partial=True)

    def flush(self, partial: bool = False) -> None:
        while self.next < self.total:
            result = self.pending.pop(self.next, None)
            if result is None:
                if partial:
                    return
                self.next += 1
                continue
            self.next += 1
            if result.error or not self.merge:
                continue
            if not self.ignore_marks and shards.merged_into(result.shard) == self.db:
                continue
            self.summary.merged.add(merge_shard(self.store, result.shard))
            shards.mark_merged(result.shard, self.db)
