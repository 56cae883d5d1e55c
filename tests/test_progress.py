"""Progress output: a live table on a terminal, plain periodic lines otherwise, nothing with -q."""

from __future__ import annotations

import io
from collections import Counter
from types import SimpleNamespace

from rich.console import Console

from scraper.progress import Progress


def counts():
    return {"gazette": SimpleNamespace(discovered=7, fetched=5, not_modified=1, new_articles=3,
                                       updated_articles=0, robots_blocked=2, errors=Counter(http_404=1))}


def test_plain_lines_when_not_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    with Progress(True, counts(), console=console, log_every=0.0) as progress:
        progress.update(pending=4, requests=6)
    assert out.getvalue() == "progress: 6 requests, 4 queued; gazette: 5 fetched, 3 new, 1 errors\n"


def test_live_table_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with Progress(True, counts(), console=console) as progress:
        progress.update(pending=4, requests=6)
    text = out.getvalue()
    assert "crawling: 6 requests, 4 queued" in text and "robots-blocked" in text and "gazette" in text


def test_disabled_progress_prints_nothing():
    out = io.StringIO()
    with Progress(False, counts(), console=Console(file=out, force_terminal=True), log_every=0.0) as p:
        p.update(pending=1, requests=1)
    assert out.getvalue() == ""
