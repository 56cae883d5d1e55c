"""Progress while crawling: a rich live table on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

log = logging.getLogger(__name__)

LOG_EVERY = 10.0  # seconds between plain progress lines when not on a terminal


class Progress:
    """`with Progress(enabled, counts):` then `update(pending, requests)` about once a second.
    `counts` maps site name -> an object with the crawl counters as attributes."""

    def __init__(self, enabled: bool, counts: dict[str, Any], *, console: Console | None = None,
                 log_every: float = LOG_EVERY) -> None:
        self.enabled = enabled
        self.counts = counts
        self.console = console or Console(stderr=True)
        self.log_every = log_every
        self.live: Live | None = None
        self._last_log = time.monotonic()

    def __enter__(self) -> Progress:
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
        elif self.enabled and time.monotonic() - self._last_log >= self.log_every:
            self._last_log = time.monotonic()
            parts = [f"{name}: {c.fetched} fetched, {c.new_articles} new, "
                     f"{sum(c.errors.values())} errors" for name, c in self.counts.items()]
            line = f"progress: {requests} requests, {pending} queued; " + "; ".join(parts)
            print(line, file=self.console.file, flush=True)

    def _table(self, pending: int, requests: int) -> Table:
        table = Table(title=f"crawling: {requests} requests, {pending} queued")
        for column in ("site", "discovered", "fetched", "304", "new", "updated",
                       "robots-blocked", "errors"):
            table.add_column(column, justify="right" if column != "site" else "left")
        for name, c in self.counts.items():
            table.add_row(name, str(c.discovered), str(c.fetched), str(c.not_modified),
                          str(c.new_articles), str(c.updated_articles), str(c.robots_blocked),
                          str(sum(c.errors.values())))
        return table
