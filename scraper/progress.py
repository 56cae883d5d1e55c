"""Progress while crawling: a rich live table on a terminal, plain log lines otherwise.

The plain lines go through the `scraper.progress` logger (timestamped with the run id like
every other line, hidden by -q) and give the elapsed time and the request rate:

    progress: 1m05s elapsed, 130 requests (2.0/s), 41 queued; bbc: 96 fetched, 12 new, 1 errors
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from .logs import PROGRESS

log = logging.getLogger(PROGRESS)

LOG_EVERY = 10.0  # seconds between plain progress lines when not on a terminal


def elapsed(seconds: float) -> str:
    """'42s', '3m05s', '2h03m'."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """`with Progress(enabled, counts):` then `update(pending, requests)` about once a second.
    `counts` maps site name -> an object with the crawl counters as attributes."""

    def __init__(self, enabled: bool, counts: dict[str, Any], *, console: Console | None = None,
                 log_every: float = LOG_EVERY, clock=time.monotonic) -> None:
        self.enabled = enabled
        self.counts = counts
        self.console = console or Console(stderr=True)
        self.log_every = log_every
        self.clock = clock
        self.live: Live | None = None
        self.started = clock()
        self._last_log = self.started

    def __enter__(self) -> Progress:
        self.started = self._last_log = self.clock()
        if self.enabled and self.console.is_terminal:
            self.live = Live(self._table(0, 0), console=self.console, refresh_per_second=2,
                             transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = None

    def update(self, pending: int, requests: int) -> None:
        if self.live is not None:
            self.live.update(self._table(pending, requests))
        elif self.enabled and self.clock() - self._last_log >= self.log_every:
            self._last_log = self.clock()
            log.info("%s", self.line(pending, requests))

    def line(self, pending: int, requests: int) -> str:
        spent = max(self.clock() - self.started, 0.0)
        rate = requests / spent if spent > 0 else 0.0
        parts = [f"{name}: {c.fetched} fetched, {c.new_articles} new, "
                 f"{sum(c.errors.values())} errors" for name, c in self.counts.items()]
        return (f"progress: {elapsed(spent)} elapsed, {requests} requests ({rate:.1f}/s), "
                f"{pending} queued; " + "; ".join(parts))

    def _table(self, pending: int, requests: int) -> Table:
        spent = max(self.clock() - self.started, 0.0)
        rate = requests / spent if spent > 0 else 0.0
        table = Table(title=f"crawling: {elapsed(spent)}, {requests} requests ({rate:.1f}/s), "
                            f"{pending} queued")
        for column in ("site", "discovered", "fetched", "304", "new", "updated",
                       "robots-blocked", "errors"):
            table.add_column(column, justify="right" if column != "site" else "left")
        for name, c in self.counts.items():
            table.add_row(name, str(c.discovered), str(c.fetched), str(c.not_modified),
                          str(c.new_articles), str(c.updated_articles), str(c.robots_blocked),
                          str(sum(c.errors.values())))
        return table
