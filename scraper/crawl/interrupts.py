"""SIGINT and SIGTERM stop a crawl gracefully; a second signal stops it at once.

`with Interrupts() as interrupts:` (the CLI wraps a whole run in it) replaces the handlers of
both signals in the main thread and restores them on exit. The first signal is recorded and
passed to the listeners (the running crawler: it stops taking work, gives in-flight requests
`GRACE` seconds, settles what it can and records the run as interrupted). A second signal
asks the listeners to abandon in-flight work now; should the process still be alive
`HARD_EXIT` seconds later (stuck in a long system call), it ends with `os._exit`. Every write
is one SQLite transaction, so the database stays consistent either way. The exit code is
128 + the number of the first signal: 130 for SIGINT, 143 for SIGTERM.

Forked analysis workers inherit the handler; in them it does nothing (the crawl process
decides, and shuts them down).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

GRACE = 5.0  # seconds in-flight work may take to finish after the first signal
HARD_EXIT = 3.0  # seconds after a second signal before the process ends regardless
SIGNALS = (signal.SIGINT, signal.SIGTERM)

Listener = Callable[[int, bool], None]  # (signal number, again)


class Interrupts:
    """Records SIGINT/SIGTERM and tells the listeners; see the module docstring."""

    def __init__(self, hard_exit: float = HARD_EXIT) -> None:
        self.hard_exit = hard_exit
        self.received: int | None = None  # the first signal
        self.count = 0
        self._listeners: list[Listener] = []
        self._previous: dict[int, object] = {}
        self._pid = os.getpid()

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._pid = os.getpid()
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    @property
    def exit_code(self) -> int | None:
        return 128 + self.received if self.received else None

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def forget(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _handle(self, signum: int, frame: object) -> None:
        if os.getpid() != self._pid:
            return  # a forked analysis worker: the crawl process shuts it down
        self.count += 1
        again = self.count > 1
        if self.received is None:
            self.received = signum
        name = signal.Signals(signum).name
        if again:
            log.warning("%s again: stopping now, in-flight requests abandoned", name)
            threading.Thread(target=self._exit_soon, daemon=True, name="hard-exit").start()
        else:
            log.warning("%s received: finishing in-flight requests (at most %.0fs), then "
                        "stopping; send it again to stop at once", name, GRACE)
        for listener in list(self._listeners):
            listener(signum, again)

    def _exit_soon(self) -> None:
        time.sleep(self.hard_exit)
        os._exit(self.exit_code or 1)


class GracefulStop:
    """The crawler's side of a signal (`listen` during a run, `forget` after it): stop
    taking work (`stop`, the scheduler's), give in-flight work `grace` seconds (none for a
    second signal), then cancel the workers; the entries they held stay pending."""

    def __init__(self, interrupts: Interrupts | None, stop: Callable[[str], None],
                 grace: float = GRACE) -> None:
        self.interrupts = interrupts
        self.stop = stop
        self.grace = grace
        self.signum: int | None = None  # the signal that stopped the run
        self._abandon = asyncio.Event()
        self._listener: Listener | None = None

    def listen(self) -> None:
        """Signals are handled in the main thread between two steps of the loop: they reach
        the loop as a callback. One received before the run started stops it at once."""
        if self.interrupts is None:
            return
        loop = asyncio.get_running_loop()

        def listener(signum: int, again: bool) -> None:
            try:
                loop.call_soon_threadsafe(self.interrupt, signum, again)
            except RuntimeError:  # the loop is closed: the run is over
                pass

        self._listener = listener
        self.interrupts.listen(listener)
        if self.interrupts.received:
            self.interrupt(self.interrupts.received, self.interrupts.count > 1)

    def forget(self) -> None:
        if self.interrupts is not None and self._listener is not None:
            self.interrupts.forget(self._listener)

    def interrupt(self, signum: int, again: bool = False) -> None:
        """Stop taking work; in-flight work gets `grace` seconds (none when `again`)."""
        if self.signum is None:
            self.signum = signum
            self.stop(f"interrupted by {signal.Signals(signum).name}")
            asyncio.get_running_loop().call_later(self.grace, self._abandon.set)
        if again:
            self._abandon.set()

    async def join(self, tasks: list[asyncio.Task]) -> None:
        """Wait for the workers; when interrupted and the grace is over, cancel them."""
        everything = asyncio.gather(*tasks)
        abandon = asyncio.create_task(self._abandon.wait())
        try:
            await asyncio.wait({everything, abandon}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            abandon.cancel()
        if everything.done():
            everything.result()  # a worker's bug surfaces here, as before
            return
        busy = sum(1 for task in tasks if not task.done())
        log.info("abandoning %d in-flight request(s): they stay pending for the next run", busy)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if not everything.cancelled():
            everything.exception()  # retrieved: nothing logged when it is collected
