"""Round trip: a crawled database, exported with `scraper export --format warc`, backfilled
into a new database, gives the same articles (identity, site and every extracted field)."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from scraper.backfill import BackfillOptions, backfill
from scraper.demo import demo_config, run_demo

pytest.importorskip("warcio", reason="export --format warc needs the warc extra")

FIELDS = ("canonical_url", "url", "site", "headline", "standfirst", "body", "byline", "authors",
          "published", "modified", "language", "description", "image", "section", "tags",
          "word_count", "record_hash")


def articles(db) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {row[0]: row for row in conn.execute(f"SELECT {', '.join(FIELDS)} FROM articles")}


def test_export_warc_then_backfill_gives_the_same_articles(tmp_path):
    from scraper.commands.export import export

    source = tmp_path / "crawled.db"
    assert run_demo(source).exit_code == 0
    warc = tmp_path / "export.warc.gz"
    result = CliRunner().invoke(export, ["--db", str(source), "--format", "warc", "-o", str(warc)])
    assert result.exit_code == 0, result.output
    crawled = articles(source)
    parts = urlsplit(next(iter(crawled)))
    config = demo_config(f"{parts.scheme}://{parts.netloc}")

    summary = backfill([warc], tmp_path / "backfilled.db", BackfillOptions(sites=config.sites))
    assert summary.counts["metadata"] == len(crawled)  # the export's record per article
    assert summary.counts["articles"] == len(crawled) and summary.failed == []
    assert articles(tmp_path / "backfilled.db") == crawled
