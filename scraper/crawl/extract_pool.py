"""Step 8, analysis off the event loop: a process pool with a per-document time limit.

A pathological page (say 1 MB of deeply nested tags) can keep lexbor busy for minutes, and a
running task in a ProcessPoolExecutor cannot be cancelled: past the limit the pool's
processes are killed, a new pool is started, and the document fails with "extract_timeout".
A pool that breaks (a worker died) is rebuilt the same way; the document that was in it is
tried once more, since another document may have been what broke it.

The one-off commands (`scraper extract`, `scraper reextract`) get the same limit from
`TimedWorker`: one worker process, one page at a time, killed and replaced past the limit.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..analyse import Analysis, analyse_document

log = logging.getLogger(__name__)

# Seconds one document may spend in the analysis pool (parsing, extraction). Ordinary pages
# take milliseconds.
EXTRACT_TIMEOUT = 60.0
# A sitemap may list 50,000 URLs, each cleaned, classified and admitted in the worker:
# seconds on a quiet machine, more on a busy one. Losing it to the page limit loses them all.
SITEMAP_TIMEOUT = 600.0
TIMEOUT, CRASHED = "extract_timeout", "extract_crashed"
# A run that may extract this many pages loads, before the pool forks, what only some pages
# need (jusText's stop words, dateparser's locales: about 90 MB): shared, it costs the run
# one copy instead of one per worker. A run of a few dozen pages (a sitemap index read with
# a small budget) may need none of it, and would only carry it in every process.
WARM_UP_ALL_PAGES = 200


class ExtractPool:
    """`await pool.analyse(label, *args)` -> `Analysis`, or the reason it failed. At most one document per worker process is in the pool at a time,
    so the time limit counts from when the work starts, not from a wait in the queue."""

    def __init__(self, timeout: float = EXTRACT_TIMEOUT, pages: int | None = None) -> None:
        """`pages`: the most pages the run may extract; a small run skips the warm-up's
        lazily loaded data (see `_warm_up`)."""
        self.timeout = timeout
        self.workers = worker_count()
        _warm_up(lazy_data=pages is None or pages >= WARM_UP_ALL_PAGES)
        self.pool = _process_pool(self.workers)
        self.slots = asyncio.Semaphore(self.workers)

    async def analyse(self, label: str, *args, timeout: float | None = None) -> Analysis | str:
        """`args` are `analyse_document`'s. `label` (the URL) names the document in logs;
        `timeout` replaces the pool's limit for this document (a 50,000-URL sitemap)."""
        async with self.slots:
            return await self._analyse(label, args, timeout or self.timeout)

    async def _analyse(self, label: str, args: tuple, timeout: float) -> Analysis | str:
        for attempt in (1, 2):  # a second try only when another task broke the pool
            pool = self.pool
            outcome = await self._in_pool(pool, args, timeout)
            if not isinstance(outcome, str):
                return outcome
            if outcome == TIMEOUT:
                self._rebuild(pool, f"{label}: analysis exceeded {timeout:.0f}s")
                break
            if pool is self.pool:  # this pool broke while it had our document
                self._rebuild(pool, f"{label}: analysis pool broke")
                if attempt == 2:
                    break
        return outcome

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """End the pool now, without waiting for a document still in analysis (a crawl
        stopped by a signal)."""
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()

    async def _in_pool(self, pool: ProcessPoolExecutor, args: tuple,
                       timeout: float) -> Analysis | str:
        """The Analysis, or TIMEOUT, or CRASHED (the pool broke or was shut down while this
        task waited in it)."""
        try:
            future = pool.submit(_analyse_and_trim, *args)
        except (BrokenProcessPool, RuntimeError):
            return CRASHED
        waiter = asyncio.wrap_future(future)
        waiter.add_done_callback(_consume)
        done, _ = await asyncio.wait({waiter}, timeout=timeout)
        if not done:
            return TIMEOUT
        if future.cancelled() or isinstance(future.exception(), BrokenProcessPool):
            return CRASHED
        return future.result()

    def _rebuild(self, broken: ProcessPoolExecutor, why: str) -> None:
        """Kill the pool's processes and start a new pool. Documents other workers had in
        the old pool are resubmitted by them."""
        if broken is not self.pool:
            return  # rebuilt already
        log.warning("%s; restarting the analysis pool", why)
        self.pool = _process_pool(self.workers)
        # ProcessPoolExecutor has no public way to end its workers before Python 3.14
        # (kill_workers); its private `_processes` maps pid -> Process
        processes = list((getattr(broken, "_processes", None) or {}).values())
        broken.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()


def _analyse_and_trim(*args) -> Analysis:
    """`analyse_document` in a worker, then the heap's free memory handed back to the
    system: glibc keeps what a big page's parse freed, so a worker would otherwise stay at
    its largest page's size (about 35 MB less per worker over the bench corpus, for about
    0.6 ms a document)."""
    try:
        return analyse_document(*args)
    finally:
        _malloc_trim()


def _malloc_trim() -> None:
    trim = _libc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _libc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


class TimedWorker:
    """`worker.run(fn, *args)` -> `fn(*args)` run in a worker process, or TIMEOUT when it ran
    past `timeout` seconds (EXTRACT_TIMEOUT, the crawl's limit, by default), or CRASHED when
    the process died (a crash in C code, the OOM killer). Extraction in C (lexbor, lxml)
    cannot be interrupted inside a process, so past the limit the process is killed; the
    next page gets a new one. For the one-off commands: one page at a time, in order. The
    process starts at the first page; `fn` and its arguments must be picklable (`fn` a
    module-level function). Use as a context manager."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = EXTRACT_TIMEOUT if timeout is None else timeout
        self._pool: ProcessPoolExecutor | None = None

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._pool is None:  # no warm-up: a one-off command may never need the model
            self._pool = _process_pool(1)
        try:
            future = self._pool.submit(fn, *args)
            return future.result(timeout=self.timeout)
        except TimeoutError:
            self._end()
            return TIMEOUT
        except BrokenProcessPool:
            self._end()
            return CRASHED

    def _end(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> TimedWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:  # an interrupt or an error: a page still in the worker is not waited for
            self._end()


def _warm_up(lazy_data: bool = True) -> None:
    """Load here, before the pool forks, what extraction loads on its first use: the
    language model (about a second, 28 MB of arrays); with `lazy_data`, also the stop words
    of trafilatura's jusText fallback (all languages, 42 MB as strings and jusText's
    lowercased set, loaded by the first page that falls back) and the dateparser locales
    htmldate builds one by one (44 MB, 2 s). Every worker, a rebuilt pool's too, then has
    them from the start, shared copy-on-write instead of one private copy each, and no
    document's time limit pays for them. `gc.freeze()` keeps the collector of the workers
    off these objects: a collection writes to every object it visits, which would copy the
    shared pages one by one."""
    from ..extract.dates import load_date_parser_locales
    from ..extract.meta import detect_language, load_fallback_stoplist

    detect_language("a warm-up sentence for the language model " * 4, min_chars=0)
    if lazy_data:
        load_fallback_stoplist()
        load_date_parser_locales()
    gc.collect()
    gc.freeze()


def worker_count() -> int:
    """One analysis process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _consume(future: asyncio.Future) -> None:
    """Read a pool future's outcome, so one nobody waits for any more logs nothing."""
    if not future.cancelled():
        future.exception()


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Extraction workers. Each one exits on its own if the crawl process dies (SIGKILL from
    cron or a user), so a killed run leaves no orphans behind."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_watch_parent, initargs=(os.getpid(),))


def _watch_parent(parent_pid: int) -> None:
    """Pool initializer: a daemon thread ends this worker once its parent is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()
