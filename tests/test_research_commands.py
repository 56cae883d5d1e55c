"""The researchers' commands end to end on real SQLite files: on a database built by the demo
crawl (search, export in every format, history, stats), on an article edited between two
crawls of a local site (versions and history), and on pages with mixed offsets (chronology).
Bad input gets exit 2 and a sentence."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.crawl import run_crawl

from .conftest import ALLOW_ALL, CRAWL, one_site_config
from .sitesim import article_html, listing_html


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from scraper.demo import run_demo

    db = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run_demo(db).exit_code == 0
    return db


def runs_of(db: Path, command: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT command, status, exit_code FROM runs WHERE command LIKE ? "
                            "ORDER BY id", [command + "%"]).fetchall()


# -- search


def test_search_on_the_demo_database(demo_db):
    result = run("search", "--db", str(demo_db), "flood", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and rows[0]["headline"].startswith("Flood defences hold")
    assert {"site", "published", "byline", "snippet", "score"} <= set(rows[0])
    assert "[flood]" in rows[0]["snippet"].lower()
    assert f"{len(rows)} of {len(rows)} results" in result.stderr
    result = run("search", "--db", str(demo_db), "the", "--limit", "2")
    total = int(result.stderr.split(" of ")[1].split()[0])
    assert result.stderr.startswith("2 of ") and total > 2  # N of M
    assert "1. " in result.stdout and "demo-herald" in result.stdout
    assert runs_of(demo_db, "search")[-1][1:] == ("ok", 0)


def test_search_filters_and_formats(demo_db):
    base = ("search", "--db", str(demo_db))
    rows = json.loads(run(*base, "the", "--since", "2024-05-12", "--format", "json").stdout)
    assert rows and all(r["published_utc"] >= "2024-05-12" for r in rows)
    rows = json.loads(run(*base, "the", "--until", "2019-12-31", "--format", "json").stdout)
    assert rows and all(r["published_utc"] < "2020" for r in rows)
    lines = run(*base, "the", "--format", "jsonl").stdout.splitlines()
    assert all(json.loads(line)["canonical_url"] for line in lines)
    table = list(csv.DictReader(io.StringIO(run(*base, "the", "--format", "csv").stdout)))
    assert len(table) == len(lines)


def test_plain_words_are_escaped_and_raw_fts_is_opt_in(tmp_path):
    from scraper.models import Article
    from scraper.store import Store

    db = tmp_path / "t.db"
    with Store(db) as store:
        for i, body in enumerate(["The trade-war escalated overnight.", "Trade talks and war games."]):
            store.upsert_article(Article(url=f"https://n.example/{i}", canonical_url=f"https://n.example/{i}",
                                         site="n", headline=f"Story {i}", body=body,
                                         published="2024-05-11T10:00:00Z"))
    result = run("search", "--db", str(db), "trade-war", "--format", "json")
    assert result.exit_code == 0, result.output  # was: no such column: war
    assert [r["canonical_url"] for r in json.loads(result.stdout)] == ["https://n.example/0"]
    result = run("search", "--db", str(db), '"trade talks"', "--format", "json")
    assert [r["canonical_url"] for r in json.loads(result.stdout)] == ["https://n.example/1"]
    result = run("search", "--db", str(db), "--fts", "trade NOT escalated", "--format", "json")
    assert [r["canonical_url"] for r in json.loads(result.stdout)] == ["https://n.example/1"]


def test_search_bad_input_is_exit_2_with_a_sentence(demo_db):
    cases = [(("--fts", "flood AND"), "invalid full-text query"),
             (("--site", "nosuch", "flood"), "--site 'nosuch': not in the database (known: demo-herald)"),
             (("--since", "yesterday", "flood"), "is not a date"),
             (("--author", "Nobody Here", "flood"), "no author matches"),
             (("--since", "2024-05-02", "--until", "2024-05-01", "flood"), "is after --until"),
             (("  ",), "empty")]
    for args, message in cases:
        result = run("search", "--db", str(demo_db), *args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert run("search", "--db", str(demo_db) + ".missing", "x").exit_code == 1


# -- export


def test_export_every_text_format_with_provenance(demo_db, tmp_path):
    result = run("export", "--db", str(demo_db))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 10 and "exported 10 articles" in result.stderr
    assert "is_article" not in records[0]
    for name in ("first_seen", "updated_at", "fetched_at", "page_id", "record_hash",
                 "extractor", "run_id", "published_utc", "published_source", "access"):
        assert records[0][name] is not None, name
    stamps = [r["published_utc"] for r in records]
    assert stamps == sorted(stamps, reverse=True)  # newest first, in UTC
    out = tmp_path / "a.json"
    assert run("export", "--db", str(demo_db), "--format", "json", "-o", str(out)).exit_code == 0
    assert [r["canonical_url"] for r in json.loads(out.read_text())] == [
        r["canonical_url"] for r in records]
    result = run("export", "--db", str(demo_db), "--format", "csv", "--fields",
                 "canonical_url,published_utc,authors")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["canonical_url", "published_utc", "authors"] and len(rows) == 10
    assert runs_of(demo_db, "export")[-1][1:] == ("ok", 0)


def test_export_filters(demo_db):
    def count(*args):
        result = run("export", "--db", str(demo_db), *args)
        assert result.exit_code == 0, result.output
        return len(result.stdout.splitlines())

    assert count("--site", "demo-herald", "--site", "demo-herald") == 10
    assert count("--since", "2024-05-11", "--until", "2024-05-13") == 3
    assert count("--query", "flood") >= 1 and count("--query", "flood") < 10
    assert count("--language", "en") >= 1
    byline = sqlite3.connect(demo_db).execute(
        "SELECT name FROM authors ORDER BY id LIMIT 1").fetchone()[0]
    assert 1 <= count("--author", byline.upper()) < 10


def test_export_bad_filters_and_existing_files_are_exit_2(demo_db, tmp_path):
    existing = tmp_path / "there.jsonl"
    existing.write_text("keep me")
    cases = [(("--site", "a", "--site", "nosuch"), "not in the database"),
             (("--since", "yesterday"), "is not a date"),
             (("--until", "2024-02-30"), "is not a date"),
             (("--language", "xx"), "--language 'xx'"),
             (("--author", "Nobody"), "no author matches"),
             (("--fts", "--query", "AND AND"), "invalid full-text query"),
             (("--fields", "headline,nosuch"), "unknown 'nosuch'"),
             (("--format", "parquet"), "give -o FILE"),
             (("-o", str(existing)), "use --force")]
    for args, message in cases:
        result = run("export", "--db", str(demo_db), *args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert existing.read_text() == "keep me"
    assert run("export", "--db", str(demo_db), "-o", str(existing), "--force").exit_code == 0
    assert len(existing.read_text().splitlines()) == 10


def test_export_parquet_has_typed_columns(demo_db, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "a.parquet"
    result = run("export", "--db", str(demo_db), "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == 10
    schema = table.schema
    assert pa.types.is_timestamp(schema.field("published_utc").type)
    assert pa.types.is_date32(schema.field("published_day").type)
    assert pa.types.is_int64(schema.field("word_count").type)
    assert pa.types.is_boolean(schema.field("published_date_only").type)
    assert pa.types.is_list(schema.field("authors").type)
    assert schema.field("published").type == pa.string()  # the publisher's offset kept


def test_export_warc_passes_warcio_check(demo_db, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "demo.warc.gz"
    result = run("export", "--db", str(demo_db), "--format", "warc", "-o", str(out))
    assert result.exit_code == 0, result.output
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 21  # warcinfo + 10 responses + 10 metadata
    kinds, concurrent, response_ids = [], [], set()
    with open(out, "rb") as stream:
        for record in ArchiveIterator(stream):
            kinds.append(record.rec_type)
            if record.rec_type == "response":
                response_ids.add(record.rec_headers.get_header("WARC-Record-ID"))
                assert record.http_headers.get_statuscode() == "200"
                assert b"<html" in record.content_stream().read().lower()
            elif record.rec_type == "metadata":
                concurrent.append(record.rec_headers.get_header("WARC-Concurrent-To"))
                assert json.loads(record.content_stream().read())["headline"]
    assert kinds[0] == "warcinfo" and kinds.count("response") == kinds.count("metadata") == 10
    assert set(concurrent) == response_ids


# -- stats


def test_stats_on_the_demo_database(demo_db, tmp_path):
    result = run("stats", "--db", str(demo_db), "--format", "json")
    data = json.loads(result.stdout)
    assert data["rows"] == [{"period": "all", "group": "demo-herald", "articles": 10,
                             "total": 10, "share": 1.0}]
    assert set(data["coverage"]) == {"byline", "standfirst", "language", "date"}
    assert data["coverage"]["date"] == 1.0
    days = json.loads(run("stats", "--db", str(demo_db), "--by", "day", "--since", "2024-05-01",
                          "--format", "json").stdout)
    assert [r["period"] for r in days["rows"]] == ["2024-05-10", "2024-05-11", "2024-05-12",
                                                   "2024-05-13", "2024-05-14"]
    weeks = json.loads(run("stats", "--db", str(demo_db), "--by", "week", "--query", "flood",
                           "--since", "2024-05-01", "--format", "json").stdout)
    assert weeks["rows"] == [{"period": "2024-05-13", "group": "demo-herald", "articles": 1,
                              "total": 2, "share": 0.5}]  # normalised attention
    for by in ("author", "section"):
        result = run("stats", "--db", str(demo_db), "--by", by)
        assert result.exit_code == 0 and "coverage: byline" in result.stdout
    rows = list(csv.DictReader(io.StringIO(run("stats", "--db", str(demo_db), "--by", "day",
                                               "--format", "csv").stdout)))
    assert sum(int(r["articles"]) for r in rows) == 10
    plot = tmp_path / "per-day.png"
    result = run("stats", "--db", str(demo_db), "--plot", str(plot))
    assert result.exit_code == 0 and plot.read_bytes()[:4] == b"\x89PNG"
    svg = tmp_path / "per-day.svg"
    assert run("stats", "--db", str(demo_db), "--plot", str(svg)).exit_code == 0
    assert "<svg" in svg.read_text()
    assert runs_of(demo_db, "stats")[-1][1:] == ("ok", 0)


def test_stats_bad_input_is_exit_2(demo_db, tmp_path):
    for args, message in [(("--plot", str(tmp_path / "x.gif")), ".png or .svg"),
                          (("--since", "last week"), "is not a date"),
                          (("--site", "nosuch"), "not in the database")]:
        result = run("stats", "--db", str(demo_db), *args)
        assert result.exit_code == 2 and message in result.output, args
    assert run("stats", "--db", str(demo_db), "--by", "month").exit_code == 2


# -- history and versions, from two real crawls


def test_an_article_edited_between_two_crawls_has_versions_and_history(server, tmp_path):
    db = tmp_path / "t.db"
    url = server.url("/news/bridge")
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", [("/news/bridge", "Bridge")]))
    server.add_page("/news/bridge", article_html("Old bridge reopens", url, "2026-11-28T10:00:00+05:30"))
    config = one_site_config(server, crawl=replace(CRAWL, revisit_after=0.0))
    assert run_crawl(config, db).exit_code == 0
    edited = article_html("Old bridge reopens", url, "2026-11-28T10:00:00+05:30",
                          extra_text="Update: the council says the bridge closes again on Monday.")
    server.add_page("/news/bridge", edited)
    second = run_crawl(config, db)
    assert second.exit_code == 0
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT version, record_hash, page_id, run_id, first_seen, "
                                "replaced_at FROM article_versions").fetchall()
        current = conn.execute("SELECT record_hash, page_id, run_id FROM articles").fetchone()
    assert len(versions) == 1
    version, old_hash, old_page, old_run, first_seen, replaced_at = versions[0]
    assert (version, old_run) == (1, 1) and current[2] == 2
    assert old_hash != current[0] and old_page != current[1] and first_seen <= replaced_at
    result = run("history", "--db", str(db), url + "?utm_source=x")  # any variant of the URL
    assert result.exit_code == 0, result.output
    assert "version 1" in result.stdout and "version 2" in result.stdout
    assert "{+Update: the council says the bridge closes again on Monday.+}" in result.stdout
    data = json.loads(run("history", "--db", str(db), "--format", "json", url).stdout)
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert "body" in data["diffs"][0]["changes"]
    assert runs_of(db, "history")[-1][1:] == ("ok", 0)


def test_history_on_the_demo_database_and_bad_urls(demo_db):
    url = sqlite3.connect(demo_db).execute("SELECT canonical_url FROM articles").fetchone()[0]
    result = run("history", "--db", str(demo_db), url)
    assert result.exit_code == 0 and "one version" in result.stdout
    result = run("history", "--db", str(demo_db), "https://nowhere.example/x")
    assert result.exit_code == 2 and "no article stored under" in result.output
    assert runs_of(demo_db, "history")[-1][1:] == ("failed", 2)


# -- chronology across offsets, from crawled pages


def test_order_by_published_utc_orders_crawled_pages_with_mixed_offsets(server, tmp_path):
    stamps = {"/news/a": "2026-11-28T10:00:00+05:30",   # 04:30Z
              "/news/b": "2026-11-28T01:00:00-05:00",   # 06:00Z
              "/news/c": "2026-11-28T05:00:00Z",        # 05:00Z
              "/news/d": "2026-11-27T22:59:00-08:00"}   # 06:59Z
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", [(p, p) for p in stamps]))
    for path, stamp in stamps.items():
        server.add_page(path, article_html(f"Story {path[-1]}", server.url(path), stamp))
    db = tmp_path / "t.db"
    assert run_crawl(one_site_config(server), db).exit_code == 0
    with sqlite3.connect(db) as conn:
        by_utc = [r[0][-1] for r in conn.execute(
            "SELECT canonical_url FROM articles ORDER BY published_utc DESC")]
        as_text = [r[0][-1] for r in conn.execute(
            "SELECT canonical_url FROM articles ORDER BY published DESC")]
        sources = {r[0] for r in conn.execute("SELECT published_source FROM articles")}
    assert by_utc == ["d", "b", "c", "a"]
    assert as_text != by_utc
    assert sources == {"jsonld"}
    exported = [json.loads(line)["canonical_url"][-1] for line in
                run("export", "--db", str(db)).stdout.splitlines()]
    assert exported == by_utc
