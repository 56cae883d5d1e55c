"""Datasette on the scraper's database: config/datasette.yml stays in step with README's
schema, and a real Datasette server (on 127.0.0.1) answers an FTS search and a canned query
as JSON and renders the articles table in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from scraper.models import Article
from scraper.store import Store

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG = ROOT / "config" / "datasette.yml"
PLUGINS = ROOT / "config" / "datasette-plugins"
VISIBLE = ("articles", "pages", "runs", "article_versions", "authors", "article_authors")
HIDDEN = ("frontier", "robots_cache", "http_validators", "article_keys", "schema_migrations")


def readme_columns(table: str) -> dict[str, str]:
    """Column -> meaning, from the table's section of README.md (markdown code marks dropped)."""
    section = README.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        meaning = cells[1].replace("\\|", "|").replace("`", "")
        for name in re.findall(r"`(\w+)`", cells[0]):
            found[name] = meaning
    return found


def metadata() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


_HEAD = """# Datasette metadata for the scraper's database (Datasette 0.64/0.65, `-m` file):
#   make explore                         # data/articles.db on http://127.0.0.1:8001
#   make explore DB=data/demo.db         # the `make demo` database
# Column descriptions are README.md's "Database schema" (tests/test_datasette.py checks;
# `python -m tests.test_datasette` rewrites this file from README).
# Databases are named after the file: `articles` (data/articles.db) and `demo`
# (data/demo.db) share this configuration.
title: News articles
description_html: |-
  Clean news articles crawled by <code>scraper</code>: headline, standfirst, body, byline,
  dates and provenance, one row per article. Sort and filter dates on
  <code>published_utc</code>; search the <code>articles</code> table in plain words.
  Column meanings are in the README's "Database schema".
source: scraper README, Database schema
databases:
  articles: &scraper
"""


def write_config() -> None:
    """Rewrite config/datasette.yml from README's schema tables (after a schema change)."""

    tables = {}
    descriptions = {
        "articles": "One row per article (canonical URL). Full-text search covers headline, standfirst and body.",
        "pages": "Raw responses, compressed as content_encoding says (the raw_page query shows one as text).",
        "runs": "One row per command run, with its summary.",
        "article_versions": "Earlier records of articles whose headline, standfirst, body or byline changed.",
        "authors": "One row per person, under a normalised key.",
        "article_authors": "Who wrote what, in byline order.",
    }
    for table in VISIBLE:
        entry = {"description": descriptions[table], "columns": readme_columns(table)}
        if table == "articles":
            entry.update({"facets": ["site", "section", "language", "published_day"],
                          "fts_table": "articles_fts", "sort_desc": "published_utc",
                          "label_column": "headline"})
        if table == "authors":
            entry["label_column"] = "name"
        tables[table] = entry
    for table in HIDDEN:
        tables[table] = {"hidden": True}
    queries = {
        "daily_counts_per_site": {
            "title": "Articles per day per site",
            "description": "The publisher's local day (published_day), newest first.",
            "sql": "SELECT published_day AS day, site, count(*) AS articles\nFROM articles\nWHERE published_day IS NOT NULL\nGROUP BY published_day, site\nORDER BY day DESC, site"},
        "by_author": {
            "title": "Everything by an author",
            "description": "Case, accents and punctuation are ignored: 'lisa mascaro' finds LISA MASCARO.",
            "sql": "SELECT a.published, a.site, a.headline, a.canonical_url, aa.position\nFROM authors au\nJOIN article_authors aa ON aa.author_id = au.id\nJOIN articles a ON a.canonical_url = aa.canonical_url\nWHERE au.key = author_key(:author)\nORDER BY a.published_utc DESC"},
        "changed_articles": {
            "title": "Changed articles",
            "description": "Articles whose headline, standfirst, body or byline changed after they were first stored (scraper history URL shows the word diff).",
            "sql": "SELECT a.canonical_url, a.site, a.headline, count(v.id) AS earlier_versions,\n       max(v.replaced_at) AS last_changed\nFROM article_versions v\nJOIN articles a ON a.canonical_url = v.canonical_url\nGROUP BY v.canonical_url\nORDER BY last_changed DESC"},
        "raw_page": {
            "title": "An article's raw page",
            "description": "The stored response the article was extracted from, decompressed (give the canonical URL).",
            "sql": "SELECT p.id, p.url, p.final_url, p.status, p.fetched_at, p.headers,\n       page_text(p.content, p.content_encoding) AS html\nFROM articles a\nJOIN pages p ON p.id = a.page_id\nWHERE a.canonical_url = :url"},
    }
    def _str(dumper, value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)
    yaml.SafeDumper.add_representer(str, _str)
    body = yaml.safe_dump({"tables": tables, "queries": queries}, sort_keys=False, allow_unicode=True, width=10000)
    body = "".join("    " + line if line.strip() else line for line in body.splitlines(True))
    CONFIG.write_text(_HEAD + body + "  demo: *scraper\n", encoding="utf-8")


def test_config_describes_every_visible_column_as_the_readme_does(tmp_path):
    meta = metadata()
    assert meta["title"] and meta["description_html"]
    db = meta["databases"]["articles"]
    assert meta["databases"]["demo"] == db  # make demo's database gets the same
    with Store(tmp_path / "t.db") as store:
        tables = set(store.db.table_names())
        for table in VISIBLE:
            columns = {c.name for c in store.db[table].columns}
            assert db["tables"][table]["columns"] == readme_columns(table), (
                f"{table}: README changed; run `python -m tests.test_datasette` to rewrite "
                "config/datasette.yml")
            assert columns <= set(db["tables"][table]["columns"]), table
    internal = {t for t in tables if not t.startswith("articles_fts")} - set(VISIBLE)
    assert internal == set(HIDDEN)
    assert all(db["tables"][t]["hidden"] for t in HIDDEN)
    articles = db["tables"]["articles"]
    assert articles["facets"] == ["site", "section", "language", "published_day"]
    assert articles["fts_table"] == "articles_fts"
    assert set(db["queries"]) == {"daily_counts_per_site", "by_author", "changed_articles",
                                  "raw_page"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


# long and repetitive, so that its compressed form does not hold the text as it is
FLOOD_PAGE = b"<html><h1>River flood</h1>" + b"<p>The river rose again.</p>" * 200 + b"</html>"


def _small_db(path: Path) -> None:
    with Store(path) as store:
        store.start_run("test")
        from scraper.models import Page

        page_id = store.save_page(Page(url="https://n.example/flood", final_url="https://n.example/flood",
                                       status=200, headers=(("Content-Type", "text/html"),),
                                       content=FLOOD_PAGE,
                                       fetched_at="2024-05-11T10:00:00+00:00"), "n")
        for i, (headline, body, author) in enumerate([
                ("River flood closes the old bridge", "The trade-war talks paused as the river rose.",
                 "LISA MASCARO"),
                ("Council approves the budget", "A quiet vote on the budget.", "Bo Kim")]):
            url = "https://n.example/flood" if i == 0 else f"https://n.example/{i}"
            store.upsert_article(Article(
                url=url, canonical_url=url, site="n", headline=headline, body=body,
                byline=author, authors=(author,), published=f"2024-05-1{i}T10:00:00+02:00",
                language="en", word_count=len(body.split())), page_id if i == 0 else None)
        store.upsert_article(Article(url="https://n.example/1", canonical_url="https://n.example/1",
                                     site="n", headline="Council approves the budget",
                                     body="A loud vote on the budget.", byline="Bo Kim",
                                     authors=("Bo Kim",), published="2024-05-11T10:00:00+02:00"))


@pytest.fixture
def datasette_server(tmp_path):
    db = tmp_path / "articles.db"
    _small_db(db)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "-m", str(CONFIG),
         "--plugins-dir", str(PLUGINS), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                _get_json(f"{base}/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stdout.read().decode()) from None
                time.sleep(0.1)
        else:
            raise AssertionError("Datasette did not start within 15 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_datasette_searches_and_runs_canned_queries(datasette_server):
    base = datasette_server
    rows = _get_json(f"{base}/articles/articles.json?_search=trade-war&_shape=array")
    assert [r["headline"] for r in rows] == ["River flood closes the old bridge"]
    rows = _get_json(f"{base}/articles/by_author.json?author=lisa+mascaro&_shape=array")
    assert [r["canonical_url"] for r in rows] == ["https://n.example/flood"]
    rows = _get_json(f"{base}/articles/changed_articles.json?_shape=array")
    assert [(r["canonical_url"], r["earlier_versions"]) for r in rows] == [("https://n.example/1", 1)]
    rows = _get_json(f"{base}/articles/raw_page.json?url=https://n.example/flood&_shape=array")
    assert rows[0]["html"] == FLOOD_PAGE.decode()  # decompressed, not bytes that contain it
    rows = _get_json(f"{base}/articles/daily_counts_per_site.json?_shape=array")
    assert rows == [{"day": "2024-05-11", "site": "n", "articles": 1},
                    {"day": "2024-05-10", "site": "n", "articles": 1}]
    tables = {t["name"]: t for t in _get_json(f"{base}/articles.json")["tables"]}
    assert tables["frontier"]["hidden"] and not tables["articles"]["hidden"]


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def test_articles_table_renders_in_headless_chromium(datasette_server, tmp_path):
    browser = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if browser is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; "
                    ".ci/run installs it)")
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run", "--disable-dev-shm-usage",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         f"{datasette_server}/articles/articles"],
        capture_output=True, text=True, timeout=90)
    dom = result.stdout
    assert "River flood closes the old bridge" in dom, result.stderr[-2000:]
    assert "One row per article" in dom  # the description from config/datasette.yml
    assert "published_day" in dom  # a facet


if __name__ == "__main__":  # python -m tests.test_datasette: rewrite config/datasette.yml
    write_config()
    print(f"wrote {CONFIG}")
