"""Step 8, analysis off the event loop: worker processes with a per-document time limit.

The pool is the event loop's own: each worker is a forked process on a socket pair, read by
the loop itself (no executor threads between them), and holds up to `DEPTH` documents: while
it analyses one, the next already waits in its socket, so no worker idles for the loop's
round trip between two documents. The time limit counts from when a worker starts a
document (when it sent back the one before), never from a wait in a queue.

A pathological page (say 1 MB of deeply nested tags) can keep lexbor busy for minutes, and C
code cannot be interrupted inside a process: past the limit that worker is killed, a new one
forked in its place, and the document fails with "extract_timeout"; documents queued behind
it go to the other workers. A worker that dies (a crash in C code, the OOM killer) has its
document tried once more in a new process, then failed as "extract_crashed".

The one-off commands (`scraper extract`, `scraper reextract`) get the same limit from
`TimedWorker`: one worker process, one page at a time, killed and replaced past the limit.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import ctypes.util
import functools
import gc
import logging
import multiprocessing
import os
import pickle
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from ..analyse import Analysis, analyse_document
from ..store import PackedContent, pack_content

log = logging.getLogger(__name__)

# Seconds one document may spend in the analysis pool (parsing, extraction). Ordinary pages
# take milliseconds.
EXTRACT_TIMEOUT = 60.0
# A sitemap may list 50,000 URLs, each cleaned, classified and admitted in the worker:
# seconds on a quiet machine, more on a busy one. Losing it to the page limit loses them all.
SITEMAP_TIMEOUT = 600.0
TIMEOUT, CRASHED = "extract_timeout", "extract_crashed"
# A run that may extract this many pages loads, before the pool forks, what only some pages
# need (jusText's stop words: about 40 MB): shared, it costs the run
# one copy instead of one per worker. A run of a few dozen pages (a sitemap index read with
# a small budget) may need none of it, and would only carry it in every process.
WARM_UP_ALL_PAGES = 200
# Documents a worker holds at once: the one it analyses and the next, waiting in its socket.
DEPTH = 2
_HEADER = 8  # bytes of a message's length, big-endian, before its pickle


@dataclass(eq=False)
class _Job:
    label: str
    call: tuple  # (function, args), pickled to the worker
    timeout: float
    future: asyncio.Future
    # allowed more than a page's time (a sitemap): nothing is queued behind it
    long: bool = False
    attempts: int = 0


@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing's forked Process
    sock: socket.socket  # the pool's end
    jobs: collections.deque = field(default_factory=collections.deque)  # sent, in order
    inbox: bytearray = field(default_factory=bytearray)  # answers read, not yet whole
    # documents not yet written, as views of their pickles (a 7 MB sitemap is not copied)
    outbox: collections.deque = field(default_factory=collections.deque)
    loop: asyncio.AbstractEventLoop | None = None  # watching the socket, once one does
    timer: asyncio.TimerHandle | None = None
    retired: bool = False  # killed or shut down by the pool: its end is no crash


class ExtractPool:
    """`await pool.run(label, fn, *args)` -> `fn(*args)` run in a worker (`fn` a module-level
    function, the crawl's is `analyse_and_pack`), or the reason it failed (TIMEOUT,
    CRASHED). An exception `fn` raises is raised here. Use inside the event
    loop that awaits it; `shutdown()` or `kill()` at the end."""

    def __init__(self, timeout: float = EXTRACT_TIMEOUT, pages: int | None = None,
                 workers: int | None = None) -> None:
        """`pages`: the most pages the run may extract; a small run skips the warm-up's
        lazily loaded data (see `_warm_up`). The workers are forked here, before the run
        loads anything big."""
        self.timeout = timeout
        self.workers = workers or worker_count()
        _map_big_buffers()
        _warm_up(lazy_data=pages is None or pages >= WARM_UP_ALL_PAGES)
        self._waiting: collections.deque[_Job] = collections.deque()
        self._closed = False
        self._pool: list[_Worker] = []
        for _ in range(self.workers):
            self._pool.append(self._fork())

    async def run(self, label: str, fn: Callable[..., Any], *args,
                  timeout: float | None = None) -> Any:
        if self._closed:
            return CRASHED
        limit = timeout or self.timeout
        job = _Job(label, (fn, args), limit, asyncio.get_running_loop().create_future(),
                   long=limit > self.timeout)
        self._waiting.append(job)
        self._pump()
        return await job.future

    def shutdown(self) -> None:
        """End the workers once they finish what they hold (nothing, at the end of a run)."""
        self._close(kill=False)

    def kill(self) -> None:
        """End the workers now, without waiting for a document still in analysis (a crawl
        stopped by a signal)."""
        self._close(kill=True)

    # -- dispatch

    def _pump(self) -> None:
        """Send waiting documents to workers with room: an idle worker first, then one whose
        current document is an ordinary page."""
        while self._waiting:
            worker = self._pick()
            if worker is None:
                return
            job = self._waiting.popleft()
            if not job.future.done():  # not given up on (a task cancelled at a stop)
                self._send(worker, job)

    def _pick(self) -> _Worker | None:
        idle = [w for w in self._pool if not w.jobs]
        if idle:
            return idle[0]
        room = [w for w in self._pool if len(w.jobs) < DEPTH and not w.jobs[0].long]
        return min(room, key=lambda w: len(w.jobs)) if room else None

    def _send(self, worker: _Worker, job: _Job) -> None:
        try:
            data = pickle.dumps(job.call, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an argument that cannot cross: the caller's error
            job.future.set_exception(exc)
            return
        if worker.loop is None:
            self._watch(worker)
        worker.jobs.append(job)
        if len(worker.jobs) == 1:
            self._start_clock(worker)
        worker.outbox.append(memoryview(len(data).to_bytes(_HEADER, "big")))
        worker.outbox.append(memoryview(data))
        self._flush(worker)

    def _start_clock(self, worker: _Worker) -> None:
        """The time limit of the worker's current document, from now: it starts it now (it
        was idle, or has just sent back the one before)."""
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        if worker.jobs:
            head = worker.jobs[0]
            worker.timer = asyncio.get_running_loop().call_later(
                head.timeout, self._timed_out, worker, head)

    # -- answers and failures

    def _readable(self, worker: _Worker) -> None:
        try:
            data = worker.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the worker's end closed: its process ended
            self._died(worker)
            return
        worker.inbox += data
        while len(worker.inbox) >= _HEADER:
            size = int.from_bytes(worker.inbox[:_HEADER], "big")
            if len(worker.inbox) < _HEADER + size:
                break
            answer = bytes(worker.inbox[_HEADER:_HEADER + size])
            del worker.inbox[:_HEADER + size]
            self._answered(worker, answer)
            if worker.retired:
                return

    def _flush(self, worker: _Worker) -> None:
        """Write what the socket takes now; the rest when it is writable again (the worker
        reads the next document only once it has sent back the one before)."""
        if worker.retired or worker.loop is None:
            return
        while worker.outbox:
            head = worker.outbox[0]
            try:
                sent = worker.sock.send(head)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:  # the worker is gone; its reader sees the end and replaces it
                worker.outbox.clear()
                break
            if sent < len(head):
                worker.outbox[0] = head[sent:]
                break
            worker.outbox.popleft()
        if worker.outbox:
            worker.loop.add_writer(worker.sock.fileno(), self._flush, worker)
        else:
            worker.loop.remove_writer(worker.sock.fileno())

    def _answered(self, worker: _Worker, data: bytes) -> None:
        job = worker.jobs.popleft()
        self._start_clock(worker)
        ok, value = pickle.loads(data)
        if not job.future.done():
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)
        self._pump()

    def _timed_out(self, worker: _Worker, job: _Job) -> None:
        worker.timer = None
        if worker.retired or not worker.jobs or worker.jobs[0] is not job:
            return
        log.warning("%s: analysis exceeded %.0fs; restarting its worker process", job.label,
                    job.timeout)
        worker.jobs.popleft()
        if not job.future.done():
            job.future.set_result(TIMEOUT)
        self._replace(worker)

    def _died(self, worker: _Worker) -> None:
        """The worker's process ended on its own: its current document may be what killed it
        (tried once more, in a new process), or another cause (the OOM killer)."""
        if worker.retired or self._closed:
            return
        worker.process.join(1.0)
        head = worker.jobs[0] if worker.jobs else None
        log.warning("analysis worker %s ended (exit code %s)%s; restarting it",
                    worker.process.pid, worker.process.exitcode,
                    f" while analysing {head.label}" if head else "")
        if head is not None:
            head.attempts += 1
            if head.attempts >= 2:
                worker.jobs.popleft()
                if not head.future.done():
                    head.future.set_result(CRASHED)
        self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker`, fork a new one in its place, and send what it held elsewhere."""
        self._retire(worker, kill=True)
        self._waiting.extendleft(reversed(worker.jobs))
        worker.jobs.clear()
        self._pool[self._pool.index(worker)] = self._fork()
        self._pump()

    # -- processes

    def _fork(self) -> _Worker:
        ours, theirs = socket.socketpair()
        others = [w.sock for w in self._pool]  # the pool's ends of the other workers
        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        process = context.Process(target=_serve, args=(theirs, ours, others, os.getpid()),
                                  daemon=True, name="scraper-analysis")
        process.start()
        theirs.close()
        return _Worker(process=process, sock=ours)

    def _watch(self, worker: _Worker) -> None:
        """The running loop reads the worker's answers as they come (at its first document:
        the pool may be made before the loop runs)."""
        worker.sock.setblocking(False)
        worker.loop = asyncio.get_running_loop()
        worker.loop.add_reader(worker.sock.fileno(), self._readable, worker)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        worker.retired = True
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        if worker.loop is not None and not worker.loop.is_closed():
            worker.loop.remove_reader(worker.sock.fileno())
            worker.loop.remove_writer(worker.sock.fileno())
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.sock.close()  # the worker reads an end of input and exits

    def _close(self, kill: bool) -> None:
        if self._closed:
            return
        self._closed = True
        for worker in self._pool:
            self._retire(worker, kill)
        for worker in self._pool:
            worker.process.join(0.1 if kill else 5.0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1.0)
            for job in worker.jobs:
                if not job.future.done():
                    job.future.set_result(CRASHED)
        for job in self._waiting:
            if not job.future.done():
                job.future.set_result(CRASHED)
        self._waiting.clear()


def _serve(sock: socket.socket, theirs: socket.socket, others: list[socket.socket],
           parent_pid: int) -> None:
    """A worker's life: read a document, analyse it, send back what it gave, until the pool
    closes its end (or the crawl process dies: `_watch_parent`)."""
    theirs.close()
    for other in others:  # copies of other workers' pool ends: they would hide their EOF
        other.close()
    _watch_parent(parent_pid)
    stream = sock.makefile("rb")
    while True:
        head = stream.read(_HEADER)
        if len(head) < _HEADER:
            return
        fn, args = pickle.loads(stream.read(int.from_bytes(head, "big")))
        try:
            answer = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - raised again in the crawl process
            answer = _pickled_error(exc)
        sock.sendall(len(answer).to_bytes(_HEADER, "big") + answer)


def _pickled_error(exc: BaseException) -> bytes:
    try:
        return pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle: its text at least
        return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def analyse_and_pack(pack: bool, *args) -> tuple[Analysis, PackedContent | None]:
    """In a worker: `analyse_document(*args)` and, with `pack`, the raw page compressed for
    `pages` (`args[1]` is its content: the worker's CPU, not the event loop's); then, when
    the worker has grown, its free heap handed back to the system (`_HeapWatch`)."""
    try:
        return analyse_document(*args), pack_content(args[1]) if pack else None
    finally:
        _HEAP.after_document()


class _HeapWatch:
    """glibc keeps what a big page's parse freed, so a worker would stay at its largest
    page's size; `malloc_trim` hands it back, but the next pages fault the same memory in
    again, zeroed by the kernel. Over the bench corpus (584 pages, one process, three rounds),
    trimming after every document cost 2.7 ms of system time a page (7 % of a worker's CPU)
    for a peak 35 MB below never trimming; trimming only when the worker grew `GROWTH` bytes
    since its last trim costs 0.3 ms for a peak 20 MB below. Each worker watches itself."""

    GROWTH = 16 * 1024 * 1024

    def __init__(self) -> None:
        self.pid = 0
        self.floor = 0  # the resident size after the last trim

    def after_document(self) -> None:
        size = _resident_bytes()
        if size is None:  # no /proc: trim every time, as the only measure there is
            _malloc_trim()
        elif self.pid != os.getpid():  # this worker's first document: its starting size
            self.pid, self.floor = os.getpid(), size
        elif size > self.floor + self.GROWTH:
            _malloc_trim()
            self.floor = _resident_bytes() or size


_HEAP = _HeapWatch()


def _resident_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _malloc_trim() -> None:
    trim = _libc_trim()
    if trim is not None:
        trim(0)


def _map_big_buffers() -> None:
    """Every allocation of 1 MB or more (a response, a sitemap of 7 MB, its pickled copy)
    gets pages of its own from the system, handed back when it is freed. By default glibc
    raises that threshold to the largest block freed so far (up to 32 MB), after which such
    buffers come from the heap, which keeps its high-water mark: the crawl process grew by
    the size of every sitemap that waited for analysis at once. Set in the crawl process
    before its workers fork, so it holds in them too."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, 1 << 20)


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def _libc_trim():
    return _libc_function("malloc_trim")


@functools.cache
def _libc_function(name: str):
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
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
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        # The pool's manager thread closes its wakeup pipe as it ends; were the interpreter
        # to exit meanwhile, Python 3.11's exit hook writes to that pipe as it closes and
        # prints "OSError: [Errno 9] Bad file descriptor". Its workers are dead: it ends now.
        if manager is not None:
            manager.join(timeout=5.0)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> TimedWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None or (isinstance(exc[0], type) and issubclass(exc[0], SystemExit)):
            self.close()  # done (a command's sys.exit after its last page): nothing in flight
        else:  # an interrupt or an error: a page still in the worker is not waited for
            self._end()


def _warm_up(lazy_data: bool = True) -> None:
    """Load here, before the pool forks, what extraction loads on its first use: the
    language model (about a second, 28 MB of arrays); with `lazy_data`, also the stop words
    of trafilatura's jusText fallback (all languages, 42 MB as strings and jusText's
    lowercased set, loaded by the first page that falls back). Every worker, a rebuilt
    pool's too, then has them from the start, shared copy-on-write instead of one private
    copy each, and no document's time limit pays for them. (dateparser's locales are not
    loaded: a page's dates are read in its own language, a few ms the first time; see
    `extract.dates`.) `gc.freeze()` keeps the collector of the workers off these objects:
    a collection writes to every object it visits, which would copy the shared pages one
    by one."""
    from ..extract.meta import detect_language, load_fallback_stoplist

    detect_language("a warm-up sentence for the language model " * 4, min_chars=0)
    if lazy_data:
        load_fallback_stoplist()
    gc.collect()
    gc.freeze()


def worker_count() -> int:
    """One analysis process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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
