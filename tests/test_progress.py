"""Progress output: a live table on a terminal, plain periodic lines otherwise, nothing with -q."""

from __future__ import annotations

import io
import logging
from collections import Counter
from types import SimpleNamespace

from rich.console import Console

from scraper.progress import Progress


def counts():
    return {"gazette": SimpleNamespace(discovered=7, fetched=5, not_modified=1, new_articles=3,
                                       updated_articles=0, robots_blocked=2, errors=Counter(http_404=1))}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_when_not_on_a_terminal_are_log_lines_with_elapsed_time_and_rate(caplog):
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    clock = Clock()
    with caplog.at_level(logging.INFO, logger="scraper.progress"), \
            Progress(True, counts(), console=console, log_every=10.0, clock=clock) as progress:
        clock.now += 5
        progress.update(pending=4, requests=6)  # not yet: one line every 10 s
        clock.now += 70
        progress.update(pending=4, requests=150)
    assert out.getvalue() == ""  # through logging: timestamped, with the run id
    assert [r.getMessage() for r in caplog.records if r.name == "scraper.progress"] == [
        "progress: 1m15s elapsed, 150 requests (2.0/s), 4 queued; "
        "gazette: 5 fetched, 3 new, 1 errors"]


def test_live_table_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with Progress(True, counts(), console=console) as progress:
        progress.update(pending=4, requests=6)
    text = out.getvalue()
    assert "6 requests" in text and "4 queued" in text and "elapsed" not in text and "robots-blocked" in text and "gazette" in text


def test_disabled_progress_prints_nothing():
    out = io.StringIO()
    with Progress(False, counts(), console=Console(file=out, force_terminal=True), log_every=0.0) as p:
        p.update(pending=1, requests=1)
    assert out.getvalue() == ""
