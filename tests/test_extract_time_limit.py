"""`scraper extract` and `scraper reextract` give each page the crawl's per-page extraction
limit (issue 11): a page whose extraction runs past it fails with extract_timeout, said in
one line, and the other pages go on; nothing hangs. Real files, a real local server and a
real database; the slow page stalls in the worker process (its extraction function is
patched before the worker is forked), since hostile markup is cut before parsing now and
no page is slow for minutes any more."""

from __future__ import annotations

import sqlite3
import time

import pytest
from click.testing import CliRunner

import scraper.backfill.reextract
import scraper.crawl.extract_pool
import scraper.extract
import scraper.pipeline
from scraper.cli import cli

from .conftest import ALLOW_ALL, PUBLISHED
from .sitesim import article_html

LIMIT = 1.0  # seconds, for these tests (the crawl's is EXTRACT_TIMEOUT, 60 s)
STALL = 30.0


def _stalling(extract):
    def stalled(*args, **kwargs):
        url = args[1] if isinstance(args[0], bytes) else args[0].url
        if "/slow" in url:
            time.sleep(STALL)
        return extract(*args, **kwargs)
    return stalled


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setattr(scraper.crawl.extract_pool, "EXTRACT_TIMEOUT", LIMIT)
    monkeypatch.setattr(scraper.pipeline, "extract_from_document",
                        _stalling(scraper.pipeline.extract_from_document))
    monkeypatch.setattr(scraper.backfill.reextract, "extract_article",
                        _stalling(scraper.backfill.reextract.extract_article))


def _extract(*args: str):
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["extract", "--format", "jsonl", *args],
                                catch_exceptions=False)
    return result, time.monotonic() - started


def test_extract_of_saved_pages_gives_up_a_slow_page_and_goes_on(tmp_path, limited):
    base = "https://example.org/news/"
    for name, title in (("slow.html", "Slow story"), ("fine.html", "Fine story")):
        (tmp_path / name).write_text(article_html(title, base + name, PUBLISHED))
    result, took = _extract("--html", str(tmp_path / "slow.html"), "--html",
                            str(tmp_path / "fine.html"), "--base-url", base)
    assert took < STALL / 2
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'slow.html'}: extract_timeout (extraction ran past 1 s, the "
        "per-page limit; given up)"]
    assert '"headline": "Fine story"' in result.stdout


def test_extract_of_urls_gives_up_a_slow_page_and_goes_on(server, limited):
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    for path, title in (("/news/slow", "Slow story"), ("/news/fine", "Fine story")):
        server.add_page(path, article_html(title, server.url(path), PUBLISHED))
    result, took = _extract("--retries", "0", server.url("/news/slow"), server.url("/news/fine"))
    assert took < STALL / 2
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in result.stderr.splitlines()] == [
        f"error: {server.url('/news/slow')}: extract_timeout"]
    assert '"headline": "Fine story"' in result.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_reextract_gives_up_a_slow_page_and_leaves_its_row(tmp_path, limited, workers,
                                                             monkeypatch):
    db = tmp_path / "a.db"
    base = "https://example.org/news/"
    pages = []
    for name in ("slow-one", "fine-one", "fine-two"):
        path = tmp_path / f"{name}.html"
        path.write_text(article_html(f"Story {name}", base + name, PUBLISHED))
        pages += ["--html", str(path), "--url", base + name]
    monkeypatch.setattr(scraper.pipeline, "extract_from_document",  # saved without a stall
                        scraper.extract.extract_from_document)
    saved = CliRunner().invoke(cli, ["extract", "--save", "--db", str(db), *pages])
    assert saved.exit_code == 0, saved.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET body = 'damaged', record_hash = 'old'")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db), "--workers", workers,
                                      "--shard-size", "1"], catch_exceptions=False)
    assert time.monotonic() - started < STALL / 2
    assert result.exit_code == 0, result.output
    assert "2 rows changed (0 new, 2 updated), 0 unchanged, 0 not articles, 1 failed" \
        in result.stdout
    with sqlite3.connect(db) as conn:
        bodies = dict(conn.execute("SELECT canonical_url, body FROM articles"))
    assert bodies[base + "slow-one"] == "damaged"  # left as it was
    assert bodies[base + "fine-one"] != "damaged" and bodies[base + "fine-two"] != "damaged"



def test_a_command_exiting_inside_the_worker_block_ends_its_pool_before_the_interpreter():
    """`scraper extract` calls sys.exit inside `with TimedWorker()`. The pool was then shut
    down without waiting, and under load Python 3.11's exit hook wrote to the wakeup pipe
    its manager thread was closing: "OSError: [Errno 9] Bad file descriptor" on stderr of a
    run that succeeded (seen in `make stress`). Now the manager thread has ended by then,
    and likewise after a page past the limit."""
    from scraper.crawl.extract_pool import TimedWorker

    worker = TimedWorker()
    with pytest.raises(SystemExit), worker:
        assert worker.run(abs, -3) == 3
        manager = worker._pool._executor_manager_thread
        raise SystemExit(0)
    assert not manager.is_alive()

    slow = TimedWorker(timeout=0.5)
    with slow:
        slow.run(abs, -1)
        manager = slow._pool._executor_manager_thread
        assert slow.run(time.sleep, 30) == "extract_timeout"
        assert not manager.is_alive()
