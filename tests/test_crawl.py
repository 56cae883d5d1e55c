"""The crawler end to end against a simulated news site on 127.0.0.1 (tests/sitesim.py).

One module-scoped crawl of the faulty site feeds most assertions (each test checks one
point of the issue); politeness is checked from the server's own request log.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scraper.crawl import run_crawl
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.store import Store
from scraper.urls import url_key

from .sitesim import ARTICLES, SiteServer, build_news_site, politeness_violations

DELAY = 0.1
CRAWL = CrawlConfig(user_agent="testbot/1.0 (+mailto:test@example.org)", per_host_delay=DELAY,
                    concurrency=4, timeout=1.0, max_body_bytes=200_000, retries=2,
                    max_crawl_delay=5.0, revisit_after=3600.0,
                    max_article_age=0)  # the site's stories are from 2024: walk its archive


def site_config(server: SiteServer, **kw) -> Config:
    crawl = kw.pop("crawl", CRAWL)
    site = SiteConfig(name="gazette", start_urls=(server.url("/"),),
                      feeds=(server.url("/feed.xml"), server.url("/atom.xml")), **kw)
    return Config(crawl=crawl, sites=(site,))


def stored(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {r["canonical_url"]: dict(r) for r in conn.execute("SELECT * FROM articles")}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The faulty news site crawled once; the server keeps running for later runs."""
    db = tmp_path_factory.mktemp("crawl") / "articles.db"
    with SiteServer() as server:
        site = build_news_site(server)
        config = site_config(server)
        summary = run_crawl(config, db)
        first_log = server.requests()
        yield {"server": server, "site": site, "config": config, "db": db,
               "summary": summary, "log": first_log}


def path_of(key: str) -> str:
    return ARTICLES[key][0]


def test_every_reachable_article_stored_once_and_nothing_else(crawled):
    rows = stored(crawled["db"])
    assert set(rows) == crawled["site"].expected
    assert not (set(rows) & crawled["site"].never_stored)
    keys = [url_key(u) for u in rows]
    assert len(keys) == len(set(keys))
    summary = crawled["summary"].sites[0]
    assert summary.new_articles == len(crawled["site"].expected)
    assert crawled["summary"].exit_code == 0


def test_home_sections_and_pagination_pages_are_not_rows(crawled):
    rows = stored(crawled["db"])
    server = crawled["server"]
    for path in ("/", "/world/", "/world/page/2/", "/world/page/3/", "/business/"):
        assert server.url(path) not in rows
        assert server.hits(path) == 1


def test_pagination_reaches_the_third_page(crawled):
    assert crawled["server"].url(path_of("a7")) in stored(crawled["db"])
    assert crawled["server"].hits("/world/page/3/") == 1


def test_rss_and_atom_items_found(crawled):
    rows = stored(crawled["db"])
    assert crawled["server"].url(path_of("a9")) in rows  # only in the RSS feed
    assert crawled["server"].url(path_of("a10")) in rows  # only in the Atom feed


def test_sitemap_index_news_and_gzip_sitemaps_from_robots_sitemap_line(crawled):
    server = crawled["server"]
    for path in ("/sitemap_index.xml", "/sitemap-news.xml", "/sitemap-archive.xml.gz"):
        assert server.hits(path) == 1
    rows = stored(crawled["db"])
    assert server.url(path_of("a11")) in rows  # only in the news sitemap
    assert server.url(path_of("a12")) in rows  # only in the gzip sitemap


def test_utm_fragment_and_canonical_duplicates_make_no_rows(crawled):
    server = crawled["server"]
    rows = stored(crawled["db"])
    a1, a2 = server.url(path_of("a1")), server.url(path_of("a2"))
    assert a1 in rows and a2 in rows
    # the utm and fragment variants were never fetched as separate URLs
    assert all("utm_" not in p for p in server.paths())
    # the syndicated copy declares a2 as canonical: fetched, but no row of its own
    assert server.hits("/2024/04/20/syndicated-copy-of-harbour-bridge-story/") == 1
    assert not any("syndicated" in u for u in rows)
    assert crawled["summary"].sites[0].folded_articles >= 1  # a second URL of a2, first seen


def test_redirect_followed_and_loop_detected(crawled):
    server = crawled["server"]
    assert server.hits("/old/transport-story-moved-permanently/") == 1
    errors = dict(crawled["summary"].sites[0].errors)
    assert errors.get("redirect_loop") == 1
    assert server.hits("/loop/first-hop-of-a-redirect-loop/") == 1
    assert server.hits("/loop/second-hop-of-a-redirect-loop/") == 1


def test_404_slow_pdf_and_oversized_pages_are_counted_errors(crawled):
    errors = dict(crawled["summary"].sites[0].errors)
    assert errors.get("http_404") == 1
    assert errors.get("read_timeout") == 1
    assert errors.get("not_html") == 1
    assert errors.get("too_large") == 1
    server = crawled["server"]
    # the slow page was tried 1 + retries times; the .pdf link was never requested
    assert server.hits("/2024/04/25/slow-story-that-never-finishes-loading/") == 1 + CRAWL.retries
    assert server.hits("/files/annual-report.pdf") == 0


def test_transient_503_then_success_and_429_with_retry_after(crawled):
    server = crawled["server"]
    rows = stored(crawled["db"])
    assert server.url(path_of("flaky")) in rows
    assert server.url(path_of("busy")) in rows
    busy = [r for r in crawled["log"] if r.path == path_of("busy")]
    assert [r.status for r in busy] == [429, 200]
    assert busy[1].start - busy[0].end >= 1.0  # Retry-After: 1 honoured
    assert crawled["summary"].sites[0].retries >= 2


def test_windows_1252_page_decoded_from_meta_charset(crawled):
    row = stored(crawled["db"])[crawled["site"].cp1252_url]
    assert row["headline"] == "Café owners say naïve rules hurt trade"
    assert "café’s owner – a naïve optimist – said “enough”" in row["body"]


def test_politeness_from_the_server_log(crawled):
    problems = politeness_violations(crawled["log"], DELAY, crawled["site"].disallowed)
    assert problems == []
    assert crawled["log"][0].path == "/robots.txt"
    assert crawled["summary"].sites[0].robots_blocked == 1
    assert all(r.headers.get("User-Agent") == CRAWL.user_agent for r in crawled["log"])


def test_run_summary_stored_in_runs(crawled):
    with Store(crawled["db"]) as store:
        run = next(store.db.query("SELECT * FROM runs ORDER BY id LIMIT 1"))
        assert store.integrity_ok()
    assert run["status"] == "ok" and run["exit_code"] == 0
    assert run["new_articles"] == len(crawled["site"].expected)
    assert run["robots_blocked"] == 1 and run["errors"] == 5
    assert '"http_404": 1' in run["summary"]


def test_second_run_finds_new_articles_and_refetches_almost_nothing(crawled):
    server, site = crawled["server"], crawled["site"]
    server.clear_log()
    new_url = site.publish("/2024/05/11/tram-line-extension-gets-final-approval/",
                           "Tram line extension gets final approval",
                           "Sat, 11 May 2024 09:00:00 GMT")
    summary = run_crawl(crawled["config"], crawled["db"])
    rows = stored(crawled["db"])
    assert new_url in rows and len(rows) == len(site.expected)
    s = summary.sites[0]
    assert s.new_articles == 1 and s.updated_articles == 0
    log = server.requests()
    ok_paths = sorted(r.path for r in log if r.status == 200)
    # only what changed is downloaded: the feed, the World section and the new article
    assert ok_paths == sorted(["/feed.xml", "/world/",
                               "/2024/05/11/tram-line-extension-gets-final-approval/"])
    assert s.not_modified >= 5  # home, atom, sitemaps, other listings: 304s
    known = {Path(u).name for u in rows if u != new_url}
    assert not any(Path(r.path).name in known for r in log)  # no known article refetched
    assert "/robots.txt" not in [r.path for r in log]  # cached for 24 h
    assert politeness_violations(log, DELAY, site.disallowed, robots_first=False) == []
