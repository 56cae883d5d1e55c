"""Export streams: peak memory of `scraper export` does not grow with the number of rows.
Slow (builds 100,000 synthetic articles): run by `make stress`, or directly:
`python -m tests.test_export_memory 100000` prints the peak RSS per format."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.store import Store

WORDS = ("river bridge council budget storm harbour tram election court school hospital "
         "market strike flood vote minister police festival museum airport").split()


def build_db(path: Path, rows: int) -> None:
    """`rows` synthetic articles (about 300 words each) with a raw page each, written in bulk."""
    Store(path).close()  # the schema
    conn = sqlite3.connect(path)
    html = gzip.compress(b"<html><body>" + b"<p>text</p>" * 400 + b"</body></html>")
    with conn:
        for start in range(0, rows, 5000):
            pages, articles = [], []
            for i in range(start, min(rows, start + 5000)):
                url = f"https://n{i % 7}.example/2024/05/{i % 28 + 1:02d}/story-{i}"
                body = " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(300))
                pages.append((i + 1, url, url, f"n{i % 7}", 200,
                              json.dumps([["Content-Type", "text/html"]]), html, "gzip",
                              hashlib.sha256(url.encode()).hexdigest(), 5000,
                              "2024-05-28T10:00:00+00:00", 12.5))
                day = f"2024-05-{i % 28 + 1:02d}"
                articles.append((url, url, f"n{i % 7}", f"Story {i}", None, body, "Ann Lee",
                                 '["Ann Lee"]', f"{day}T10:00:00+02:00", f"{day}T08:00:00Z", 0,
                                 day, "en", '["news"]', 300, "synthetic", f"h{i}", i + 1,
                                 "2024-05-28T10:00:00+00:00", "2024-05-28T10:00:00+00:00",
                                 "full", 1))
            conn.executemany("INSERT INTO pages (id, url, final_url, site, status, headers, "
                             "content, content_encoding, content_hash, size, fetched_at, "
                             "elapsed_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", pages)
            conn.executemany(
                "INSERT INTO articles (canonical_url, url, site, headline, standfirst, body, "
                "byline, authors, published, published_utc, published_date_only, "
                "published_day, language, tags, word_count, extractor, record_hash, page_id, "
                "first_seen, updated_at, access, run_id) VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", articles)
    conn.close()


def peak_rss_mb(db: Path, fmt: str, out: Path) -> float:
    """Peak RSS (MB) of one `scraper export` process."""
    code = ("import resource, sys\nfrom scraper.cli import cli\n"
            "try:\n    cli(sys.argv[1:])\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", code, "export", "--db", str(db), "--format",
                             fmt, "-o", str(out), "--force"],
                            capture_output=True, text=True, check=True)
    return int(result.stdout.strip().splitlines()[-1]) / 1024


@pytest.mark.slow
def test_export_memory_stays_flat(tmp_path):
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    build_db(small, 2_000)
    build_db(large, 20_000)  # 10x the rows; the 100,000-row figure: python -m tests.test_export_memory
    for fmt in ("jsonl", "json", "csv", "parquet", "warc"):
        out = tmp_path / f"out.{fmt}"
        base = peak_rss_mb(small, fmt, out)
        peak = peak_rss_mb(large, fmt, out)
        assert peak < base + 30, (fmt, base, peak)  # the rows alone would add 100+ MB


if __name__ == "__main__":
    import tempfile

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "synthetic.db"
        build_db(db, rows)
        print(f"{rows} synthetic articles, database {db.stat().st_size / 1e6:.0f} MB")
        for fmt in ("jsonl", "json", "csv", "parquet", "warc"):
            out = Path(tmp) / f"out.{fmt}"
            peak = peak_rss_mb(db, fmt, out)
            print(f"{fmt:8} peak RSS {peak:6.1f} MB  output {out.stat().st_size / 1e6:7.1f} MB")
