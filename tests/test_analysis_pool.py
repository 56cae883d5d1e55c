"""The crawl's analysis pool (crawl/extract_pool.py): worker processes on the event loop, each
holding the document it analyses and the next; the time limit counts from when a worker
starts a document; a worker past it is killed and replaced, one that dies has its document
tried once more. Real processes, real sockets, no mocks."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from scraper.crawl.extract_pool import CRASHED, TIMEOUT, ExtractPool


def _double(n: int) -> tuple[int, int]:
    return n * 2, os.getpid()


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def _die_every_time(marker: str) -> None:
    with open(marker, "a") as fh:
        fh.write("attempt\n")
    os._exit(3)


def _die_once(marker: str) -> str:
    if not os.path.exists(marker):
        Path(marker).write_text("died once")
        os._exit(3)
    return "second try"


def _pool(workers: int, timeout: float = 60.0) -> ExtractPool:
    return ExtractPool(timeout, pages=0, workers=workers)  # pages=0: the small warm-up


def test_every_answer_reaches_its_caller_and_both_workers_take_documents():
    async def main():
        pool = _pool(2)
        try:
            return await asyncio.gather(*(pool.run(f"doc {n}", _double, n) for n in range(40)))
        finally:
            pool.shutdown()

    answers = asyncio.run(main())
    assert [value for value, _ in answers] == [n * 2 for n in range(40)]
    assert len({pid for _, pid in answers}) == 2
    assert os.getpid() not in {pid for _, pid in answers}


def test_an_exception_in_the_worker_is_raised_to_the_caller_and_the_pool_goes_on():
    async def main():
        pool = _pool(1)
        try:
            try:
                await pool.run("bad", _fail, "broken input")
            except ValueError as exc:
                raised = str(exc)
            else:
                raised = None
            return raised, await pool.run("good", _double, 4)
        finally:
            pool.shutdown()

    raised, (value, _) = asyncio.run(main())
    assert raised == "broken input"
    assert value == 8


def test_the_time_limit_counts_from_the_start_of_the_work_not_from_the_queue():
    """One worker, a 2 s limit, three documents of 1.2 s sent at once: the third waits 2.4 s
    before it starts. Counted from submission it would fail; counted from its start, none
    does."""
    async def main():
        pool = _pool(1, timeout=2.0)
        try:
            return await asyncio.gather(*(pool.run(f"doc {n}", _sleep, 1.2) for n in range(3)))
        finally:
            pool.shutdown()

    answers = asyncio.run(main())
    assert TIMEOUT not in answers
    assert len(set(answers)) == 1  # one worker did them all, never replaced


def test_a_document_past_its_limit_fails_alone_and_its_worker_is_replaced():
    async def main():
        pool = _pool(1, timeout=1.0)
        try:
            stalled = asyncio.ensure_future(pool.run("stalls", _sleep, 60))
            await asyncio.sleep(0.2)
            behind = asyncio.ensure_future(pool.run("queued behind it", _sleep, 0))
            return await stalled, await behind
        finally:
            pool.shutdown()

    started = time.monotonic()
    stalled, behind = asyncio.run(main())
    assert stalled == TIMEOUT
    assert isinstance(behind, int)  # analysed by the new worker
    assert time.monotonic() - started < 30


def test_a_worker_that_dies_has_its_document_tried_once_more_then_failed(tmp_path):
    marker = tmp_path / "attempts"

    async def main():
        pool = _pool(2)
        try:
            crashed = await pool.run("kills its worker", _die_every_time, str(marker))
            return crashed, await pool.run("after", _double, 5)
        finally:
            pool.shutdown()

    crashed, (value, _) = asyncio.run(main())
    assert crashed == CRASHED
    assert marker.read_text().count("attempt") == 2
    assert value == 10


def test_a_document_whose_worker_died_once_succeeds_on_the_second_try(tmp_path):
    async def main():
        pool = _pool(1)
        try:
            return await pool.run("flaky", _die_once, str(tmp_path / "marker"))
        finally:
            pool.shutdown()

    assert asyncio.run(main()) == "second try"


def test_shutdown_and_kill_leave_no_worker_behind():
    async def main(kill: bool):
        pool = _pool(2)
        await asyncio.gather(*(pool.run("doc", _double, n) for n in range(4)))
        processes = [worker.process for worker in pool._pool]
        if kill:
            stalled = asyncio.ensure_future(pool.run("stalls", _sleep, 60))
            await asyncio.sleep(0.2)
            pool.kill()
            assert await stalled == CRASHED
        else:
            pool.shutdown()
        return processes

    for kill in (False, True):
        processes = asyncio.run(main(kill))
        assert all(not p.is_alive() for p in processes)


def _length(data: bytes) -> int:
    return len(data)


def test_documents_larger_than_the_socket_buffer_arrive_whole():
    """A 7 MB sitemap is written a piece at a time as the worker reads it."""
    async def main():
        pool = _pool(2)
        try:
            sizes = [8_000_000, 3, 5_000_000, 70_000]
            return sizes, await asyncio.gather(*(pool.run(f"doc {n}", _length, b"x" * n)
                                                 for n in sizes))
        finally:
            pool.shutdown()

    sizes, answers = asyncio.run(main())
    assert answers == sizes


def test_an_argument_that_cannot_be_pickled_fails_its_call_alone():
    async def main():
        pool = _pool(1)
        try:
            try:
                await pool.run("bad argument", _length, lambda: None)
            except Exception as exc:  # pickle's own error, raised to the caller
                raised = type(exc).__name__
            else:
                raised = None
            return raised, await pool.run("next", _length, b"abc")
        finally:
            pool.shutdown()

    raised, answer = asyncio.run(main())
    assert raised is not None
    assert answer == 3


def test_a_worker_that_grew_hands_its_free_heap_back():
    """_HeapWatch trims once the process grew past GROWTH since its last trim, and not
    before (here in this process, as in a worker)."""
    from scraper.crawl.extract_pool import _HEAP, _resident_bytes

    _HEAP.pid = 0
    _HEAP.after_document()  # the first document: the floor
    floor = _HEAP.floor
    blocks = [bytes(2000) + bytes([n % 256]) for n in range(40_000)]  # 80 MB of malloc'd blocks
    pinned = bytes(2000) + b"x"  # a block above them: free() alone cannot shrink the heap
    del blocks
    grown = _resident_bytes()
    assert grown > floor + _HEAP.GROWTH  # freed, but still resident
    _HEAP.after_document()
    assert _resident_bytes() < grown - 40 * 1024 * 1024  # handed back
    assert abs(_HEAP.floor - _resident_bytes()) < 1024 * 1024
    assert pinned
