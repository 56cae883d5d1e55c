"""The thin CLI end to end: extract from a real local HTTP server and from files, save, re-extract."""

from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from scraper.cli import cli

from .conftest import SEED, SEED_URL

SEED_HTML = (SEED / "desiblitz-grooming-gang-victims.html").read_bytes()
TD_HTML = (SEED / "desiblitz-grooming-gang-victims.tdtheme.html").read_bytes()


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_extract_saved_file_prints_json_record():
    result = run("extract", "--html", str(SEED / "desiblitz-grooming-gang-victims.html"), "--url", SEED_URL)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["headline"] == "Grooming Gang Victims still blamed by Police"
    assert record["byline"] == "Dhiren Mistry"
    assert record["extractor"].startswith("scraper ")


def test_extract_text_format():
    result = run("extract", "--html", str(SEED / "desiblitz-grooming-gang-victims.html"), "--url", SEED_URL,
                 "--format", "text")
    assert result.exit_code == 0
    assert result.stdout.startswith("Grooming Gang Victims still blamed by Police\n")


def test_extract_url_from_local_server(local_site):
    url = local_site.add("/news/grooming-gang-victims", SEED_HTML)
    result = run("extract", url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["standfirst"].startswith("According to an official report")
    assert local_site.requests == ["/robots.txt", "/news/grooming-gang-victims"]  # robots.txt first


def test_expected_failures_give_one_line_and_nonzero_exit(local_site):
    missing = local_site.url("/nope")
    image = local_site.add("/photo.jpg", b"\xff\xd8\xff" + b"\x00" * 100, headers={"Content-Type": "image/jpeg"})
    broken = local_site.add("/broken", b"oops", status=503)
    for target in (missing, image, broken, "not-a-url", "http://127.0.0.1:9/unreachable"):
        result = run("extract", "--retries", "0", target)
        assert result.exit_code == 1, target
        assert "Traceback" not in result.output
        error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(error_lines) == 1, result.stderr


def test_html_without_url_is_a_usage_error():
    result = run("extract", "--html", str(SEED / "desiblitz-grooming-gang-victims.html"))
    assert result.exit_code == 2


def test_save_then_reextract_without_network(tmp_path, local_site):
    db = tmp_path / "articles.db"
    url_a = local_site.add("/a", SEED_HTML)
    url_b = local_site.add("/b", SEED_HTML)  # the same story at a second address
    result = run("extract", "--save", "--db", str(db), url_a, url_b)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    # Both copies declare the same rel=canonical: one article row, two raw pages.
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM pages").fetchone() == (2,)
    conn.execute("UPDATE articles SET headline = 'stale', record_hash = 'stale'")
    conn.commit()
    local_site.server.shutdown()  # re-extraction must not need the network
    result = run("reextract", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "re-extracted 1 articles" in result.stdout  # one row, from its latest page
    assert conn.execute("SELECT headline FROM articles").fetchone() == (
        "Grooming Gang Victims still blamed by Police",)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_reextract_of_missing_db_fails_cleanly(tmp_path):
    result = run("reextract", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "no database" in result.output


def test_export_jsonl_and_csv(tmp_path, local_site):
    import csv
    import io

    db = tmp_path / "articles.db"
    assert run("extract", "--save", "--db", str(db), local_site.add("/a", SEED_HTML),
               local_site.add("/t", TD_HTML)).exit_code == 0
    result = run("export", "--db", str(db))
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2
    assert {r["byline"] for r in records} == {"Dhiren Mistry", "Dhiren"}
    result = run("export", "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2 and rows[0]["headline"] == "Grooming Gang Victims still blamed by Police"
    assert "exported 2 articles" in result.stderr


def test_reextract_filters_by_site_and_since(tmp_path, local_site):
    db = tmp_path / "articles.db"
    assert run("extract", "--save", "--db", str(db), local_site.add("/a", SEED_HTML)).exit_code == 0
    assert "re-extracted 0 articles" in run("reextract", "--db", str(db), "--site", "nosuchsite").stdout
    assert "re-extracted 0 articles" in run("reextract", "--db", str(db), "--since", "2999-01-01").stdout
    assert "re-extracted 1 articles" in run("reextract", "--db", str(db), "--site", "DESIblitz").stdout


def test_reextract_after_a_crawl_keeps_identity_and_site(tmp_path):
    from scraper.demo import run_demo

    db = tmp_path / "demo.db"
    assert run_demo(db).exit_code == 0
    conn = sqlite3.connect(db)
    before = conn.execute("SELECT canonical_url, site FROM articles ORDER BY 1").fetchall()
    conn.execute("UPDATE articles SET body = 'stale', record_hash = 'stale'")
    conn.commit()
    result = run("reextract", "--db", str(db))
    assert result.exit_code == 0 and f"re-extracted {len(before)} articles" in result.stdout
    assert conn.execute("SELECT canonical_url, site FROM articles ORDER BY 1").fetchall() == before
    assert conn.execute("SELECT count(*) FROM articles WHERE body = 'stale'").fetchone() == (0,)


def test_reextract_applies_site_selectors_from_config(tmp_path, local_site):
    db = tmp_path / "articles.db"
    assert run("extract", "--save", "--db", str(db), local_site.add("/a", SEED_HTML)).exit_code == 0
    config = tmp_path / "sites.toml"
    config.write_text('[[sites]]\nname = "DESIblitz"\nstart_urls = ["https://www.desiblitz.com/"]\n'
                      'selectors = { headline = "title" }\n')
    result = run("reextract", "--db", str(db), "--config", str(config))
    assert result.exit_code == 0 and "1 rows changed" in result.stdout
    headline = sqlite3.connect(db).execute("SELECT headline FROM articles").fetchone()[0]
    assert headline != "Grooming Gang Victims still blamed by Police" and "DESIblitz" in headline
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sites]]\nname = 1\n")
    assert run("reextract", "--db", str(db), "--config", str(bad)).exit_code == 2


def test_search_finds_articles_and_bad_queries_fail_cleanly(tmp_path, local_site):
    db = tmp_path / "articles.db"
    assert run("extract", "--save", "--db", str(db), local_site.add("/a", SEED_HTML)).exit_code == 0
    result = run("search", "--db", str(db), "--fts", "NEAR(grooming police, 10)")
    assert result.exit_code == 0 and "Grooming Gang Victims" in result.stdout
    for bad in ('"unterminated', "flood AND"):
        result = run("search", "--db", str(db), "--fts", bad)
        assert result.exit_code == 2 and "invalid full-text query" in result.output
