"""`scraper extract --save`: it writes to --db (or to an existing data/articles.db) and says
which; it stores pages under the crawler's identity rules (tracking parameters and fragments
dropped, canonical links trusted only on the site, the url_key and content-key fold, every key
in article_keys) and articles only, with a `runs` row; `--config` lends the matching site's
name, selectors and [crawl] settings."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from scraper.cli import cli

from .conftest import SEED, SEED_URL
from .sitesim import article_html, listing_html

SEED_HTML = (SEED / "desiblitz-grooming-gang-victims.html").read_bytes()
NO_CANONICAL = re.compile(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>')


def run(*args: str):
    return CliRunner().invoke(cli, ["extract", *args], catch_exceptions=False)


def story(title: str, url: str, canonical: str | None = None) -> str:
    """An article page; without `canonical`, one with no rel=canonical and no og:url."""
    html = article_html(title, url, "2024-05-01T10:00:00Z", canonical=canonical)
    return html if canonical else NO_CANONICAL.sub("", html)


@pytest.fixture
def quick(tmp_path, server) -> str:
    """No delay between requests to the local server; its site is "gazette"."""
    config = tmp_path / "quick.toml"
    config.write_text('[crawl]\nper_host_delay = 0.0\nuser_agent = "testbot/1.0"\n'
                      f'[[sites]]\nname = "gazette"\nstart_urls = ["{server.url("/")}"]\n')
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    return str(config)


def rows(db, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_save_without_db_needs_the_default_database_to_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.html"
    page.write_bytes(SEED_HTML)
    args = ["--save", "--html", str(page), "--url", SEED_URL]
    result = run(*args)
    assert result.exit_code == 2
    assert "data/articles.db" in result.output and "--db" in result.output
    assert not (tmp_path / "data").exists()  # nothing created silently
    assert run("--save", "--db", "data/articles.db", "--create-dirs", *args[1:]).exit_code == 0
    result = run(*args)  # the documented default, now that it exists
    assert result.exit_code == 0, result.stderr
    assert f"saved: {SEED_URL} (unchanged) in data/articles.db" in result.stderr


def test_save_says_which_database_it_wrote(tmp_path):
    db = tmp_path / "news.db"
    page = tmp_path / "page.html"
    page.write_bytes(SEED_HTML)
    result = run("--save", "--db", str(db), "--html", str(page), "--url", SEED_URL)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"saved: {SEED_URL} (new) in {db}",
        f"saved 1 of 1 inputs to {db} (1 new, 0 updated, 0 unchanged, 0 not articles, 0 failed)"]
    assert rows(db, "SELECT command, status, exit_code, new_articles FROM runs") == [
        ("extract", "ok", 0, 1)]


def test_save_into_a_missing_directory_is_a_usage_error(tmp_path):
    result = run("--save", "--db", str(tmp_path / "nodir" / "a.db"), "https://news.example/a")
    assert result.exit_code == 2 and "--create-dirs" in result.output


def test_three_tracking_variants_of_one_page_give_one_row(tmp_path, quick, server):
    db = tmp_path / "a.db"
    server.add_page("/news/bridge", story("Bridge reopens", server.url("/news/bridge")))
    variants = [server.url("/news/bridge?utm_source=newsletter&utm_medium=email"),
                server.url("/news/bridge?fbclid=IwAR123"), server.url("/news/bridge#comments")]
    result = run("--config", quick, "--save", "--db", str(db), "--format", "jsonl", *variants)
    assert result.exit_code == 0, result.stderr
    printed = {json.loads(line)["canonical_url"] for line in result.stdout.splitlines()}
    assert printed == {server.url("/news/bridge")}  # what is printed is the row
    assert rows(db, "SELECT canonical_url, site FROM articles") == [
        (server.url("/news/bridge"), "gazette")]
    keys = {k for (k,) in rows(db, "SELECT key FROM article_keys")}
    assert any(k.startswith("content:gazette:") for k in keys)
    assert "(1 new, 0 updated, 2 unchanged" in result.stderr


def test_copies_at_other_addresses_fold_onto_one_row(tmp_path, quick, server):
    db = tmp_path / "a.db"
    server.add_page("/news/a", story("Same story", server.url("/news/a")))
    server.add_page("/print/a", story("Same story", server.url("/print/a")))  # no canonical link
    result = run("--config", quick, "--save", "--db", str(db), server.url("/news/a"),
                 server.url("/print/a"))
    assert result.exit_code == 0, result.stderr
    assert [r["canonical_url"] for r in json.loads(result.stdout)] == [server.url("/news/a")] * 2
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]
    assert rows(db, "SELECT count(*) FROM pages") == [(2,)]


def test_canonical_links_are_trusted_as_the_crawler_trusts_them(tmp_path, quick, server):
    db = tmp_path / "a.db"
    server.add_page("/amp/a", story("On the site", server.url("/amp/a"),
                                    canonical=server.url("/news/a?utm_campaign=x#top")))
    server.add_page("/copy/b", story("Syndicated", server.url("/copy/b"),
                                     canonical="https://elsewhere.example/original"))
    server.add_page("/news/c", story("Points home", server.url("/news/c"),
                                     canonical=server.url("/")))
    result = run("--config", quick, "--save", "--db", str(db), "--format", "jsonl",
                 server.url("/amp/a"), server.url("/copy/b"), server.url("/news/c"))
    assert result.exit_code == 0, result.stderr
    assert [json.loads(x)["canonical_url"] for x in result.stdout.splitlines()] == [
        server.url("/news/a"),  # on the site: trusted, and cleaned
        server.url("/copy/b"),  # another site's page is not this row
        server.url("/news/c")]  # the home page names no article
    assert len(rows(db, "SELECT * FROM articles")) == 3


def test_a_page_that_is_not_an_article_is_printed_not_saved(tmp_path, quick, server):
    db = tmp_path / "a.db"
    server.add_page("/", listing_html("Home", [(f"/news/{i}", f"Story {i}") for i in range(12)]))
    result = run("--config", quick, "--save", "--db", str(db), server.url("/"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["is_article"] is False
    assert f"not saved: {server.url('/')} is not an article (home page)" in result.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]
    assert rows(db, "SELECT count(*) FROM pages") == [(0,)]


def test_a_failed_input_is_recorded_in_the_run(tmp_path, quick, server):
    db = tmp_path / "a.db"
    server.add_page("/news/a", story("A story", server.url("/news/a")))
    result = run("--config", quick, "--save", "--db", str(db), "--retries", "0",
                 server.url("/news/a"), server.url("/missing"))
    assert result.exit_code == 1
    assert rows(db, "SELECT status, exit_code, new_articles, errors FROM runs") == [
        ("failed", 1, 1, 1)]


def test_config_lends_the_site_its_name_and_selectors(tmp_path, server):
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add_page("/news/a", story("The shown headline", server.url("/news/a")))
    config = tmp_path / "sites.toml"
    config.write_text('[crawl]\nper_host_delay = 0.0\n'
                      f'[[sites]]\nname = "gazette"\nstart_urls = ["{server.url("/")}"]\n'
                      'selectors = { headline = "title" }\n')
    plain = json.loads(run(server.url("/news/a")).stdout)
    assert plain["headline"] == "The shown headline" and plain["site"] == "Test Gazette"
    pinned = json.loads(run("--config", str(config), server.url("/news/a")).stdout)
    assert pinned["headline"] == "The shown headline | Test Gazette"  # from <title>
    assert pinned["site"] == "gazette"


def test_config_settings_apply_and_options_override_them(tmp_path, server):
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add_page("/news/a", story("A story", server.url("/news/a")))
    config = tmp_path / "sites.toml"
    config.write_text('[crawl]\nper_host_delay = 0.0\nuser_agent = "configbot/2.0"\n'
                      f'[[sites]]\nname = "gazette"\nstart_urls = ["{server.url("/")}"]\n')
    assert run("--config", str(config), server.url("/news/a")).exit_code == 0
    assert {r.headers["User-Agent"] for r in server.requests()} == {"configbot/2.0"}
    server.clear_log()
    assert run("--config", str(config), "--user-agent", "clibot/3.0", server.url("/news/a")).exit_code == 0
    assert {r.headers["User-Agent"] for r in server.requests()} == {"clibot/3.0"}


def test_a_bad_config_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sites]]\nname = 1\n")
    result = run("--config", str(bad), "https://news.example/a")
    assert result.exit_code == 2 and "sites[0]" in result.stderr
