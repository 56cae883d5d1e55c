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
