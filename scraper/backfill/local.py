"""The local engine: a process pool on this machine (the default).

`run_local(func, jobs, workers, on_progress)` yields `func(job, report)` for every job, in the
order they finish. One worker, or one job, runs in this process (no pool to start). Each pool
process ends itself when this process dies (SIGKILL included), so a killed backfill leaves no
orphan writing a shard; the shard it was writing stays `.partial` and is written again by
the next run. A pool that breaks (a worker killed by the OOM killer, a crash in C code) is
started again and the jobs it had are run again, at most `TRIES` times each.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_module
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..crawl.extract_pool import _watch_parent, worker_count

log = logging.getLogger(__name__)

TRIES = 2
POLL = 0.5  # seconds between progress reads

_progress: Any = None  # in a pool process: the queue its reports go to


def default_workers() -> int:
    return worker_count()


def run_local(func: Callable[..., Any], jobs: Sequence[Any], workers: int,
              on_progress: Callable[[int], None] | None = None,
              on_failure: Callable[[Any, str], Any] | None = None) -> Iterator[Any]:
    """`func(job, report)` for each job, yielded as they finish. `on_failure(job, why)` makes
    the result of a job whose worker kept dying (default: raise)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield func(job, on_progress)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                          else None)
    progress = context.Queue()
    tries: dict[int, int] = {}
    waiting = list(enumerate(jobs))
    while waiting:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(waiting)), mp_context=context,
                                   initializer=_init_worker, initargs=(os.getpid(), progress))
        futures: dict[Future, tuple[int, Any]] = {
            pool.submit(func, job, _report): (n, job) for n, job in waiting}
        waiting = []
        broken = False
        try:
            while futures:
                done, _ = wait(list(futures), timeout=POLL, return_when=FIRST_COMPLETED)
                _drain(progress, on_progress)
                for future in done:
                    n, job = futures.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        tries[n] = tries.get(n, 0) + 1
                        if tries[n] < TRIES:
                            waiting.append((n, job))
                            continue
                        if on_failure is None:
                            raise
                        result = on_failure(job, "its worker process died")
                    yield result
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
            _drain(progress, on_progress)
        if waiting:
            log.warning("a worker process died; running %d unfinished job(s) again", len(waiting))


def _init_worker(parent_pid: int, progress: Any) -> None:
    global _progress
    _progress = progress
    _watch_parent(parent_pid)


def _report(n: int) -> None:
    if _progress is not None and n:
        _progress.put(n)


def _drain(progress: Any, on_progress: Callable[[int], None] | None) -> None:
    while True:
        try:
            n = progress.get_nowait()
        except (queue_module.Empty, OSError, ValueError):
            return
        if on_progress:
            on_progress(n)
