"""Sitemaps read as a news crawler should, against a real local server: URLs older than
max_article_age are not queued, an index child unchanged since our last read is not fetched
again, sitemaps have a budget of their own, and a plain sitemap bigger than max_body_bytes
(the protocol allows 50 MB) is read. Also the bulk admission of a sitemap's URLs
(Store.frontier_add) on a real SQLite file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from scraper.crawl import run_crawl
from scraper.frontier import FrontierEntry
from scraper.store import Store

from .conftest import ALLOW_ALL, CRAWL, one_site_config, stored_urls
from .sitesim import article_html, listing_html, quick_thread_switches, urlset

_quick = pytest.fixture(autouse=True)(quick_thread_switches)

NOW = datetime.now(UTC)
FRESH = (NOW - timedelta(days=2)).isoformat(timespec="seconds")
OLD = (NOW - timedelta(days=400)).isoformat(timespec="seconds")


def sitemap_index_with_lastmod(children: list[tuple[str, str]]) -> str:
    rows = "".join(f"<sitemap><loc>{u}</loc><lastmod>{d}</lastmod></sitemap>"
                   for u, d in children)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>')


def add_story(server, path: str, published: str) -> str:
    url = server.url(path)
    server.add_page(path, article_html(f"Story at {path}", url, published))
    return url


def site_with_sitemap(server, stories: dict[str, str]) -> dict[str, str]:
    """robots.txt, an empty home page and one sitemap listing `stories` (path -> date)."""
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    urls = {path: add_story(server, path, day) for path, day in stories.items()}
    server.add_page("/sitemap.xml", urlset([(urls[p], d) for p, d in stories.items()]),
                    content_type="application/xml")
    return urls


def test_sitemap_urls_older_than_max_article_age_are_not_queued(server, tmp_path):
    urls = site_with_sitemap(server, {"/2026/fresh-one": FRESH, "/2026/fresh-two": FRESH,
                                      "/2020/old-one": OLD, "/2020/old-two": OLD})
    config = one_site_config(server, sitemaps=(server.url("/sitemap.xml"),))
    run_crawl(config, tmp_path / "a.db")  # the default: 30 days
    assert stored_urls(tmp_path / "a.db") == {urls["/2026/fresh-one"], urls["/2026/fresh-two"]}
    assert "/2020/old-one" not in server.paths()
    walk = replace(config, crawl=replace(CRAWL, max_article_age=0))
    run_crawl(walk, tmp_path / "b.db")  # walking the archive is an explicit choice
    assert stored_urls(tmp_path / "b.db") == set(urls.values())


def test_index_child_unchanged_since_our_last_read_is_not_fetched_again(server, tmp_path):
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    one = add_story(server, "/2026/one", FRESH)
    two = add_story(server, "/2026/two", FRESH)
    server.add_page("/child-1.xml", urlset([(one, FRESH)]), content_type="application/xml")
    server.add_page("/child-2.xml", urlset([(two, FRESH)]), content_type="application/xml")
    index = server.add_page("/index.xml", sitemap_index_with_lastmod(
        [(server.url("/child-1.xml"), FRESH), (server.url("/child-2.xml"), FRESH)]),
        content_type="application/xml")
    config = one_site_config(server, sitemaps=(server.url("/index.xml"),))
    db = tmp_path / "a.db"
    run_crawl(config, db)
    assert stored_urls(db) == {one, two}
    # child-2 changes after our read; child-1 does not
    later = (NOW + timedelta(minutes=5)).isoformat(timespec="seconds")
    index.body = sitemap_index_with_lastmod(
        [(server.url("/child-1.xml"), FRESH), (server.url("/child-2.xml"), later)]).encode()
    before = len(server.paths())
    run_crawl(config, db)
    second = server.paths()[before:]
    assert "/index.xml" in second  # configured sitemaps are read every run
    assert "/child-2.xml" in second
    assert "/child-1.xml" not in second


def test_sitemaps_have_their_own_budget(server, tmp_path):
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    children = []
    for i in range(6):
        story = add_story(server, f"/2026/story-{i}", FRESH)
        server.add_page(f"/child-{i}.xml", urlset([(story, FRESH)]),
                        content_type="application/xml")
        children.append((server.url(f"/child-{i}.xml"), FRESH))
    server.add_page("/index.xml", sitemap_index_with_lastmod(children),
                    content_type="application/xml")
    crawl = replace(CRAWL, max_pages_per_site=5)
    config = one_site_config(server, crawl, sitemaps=(server.url("/index.xml"),))
    summary = run_crawl(config, tmp_path / "a.db")
    site = summary.sites[0]
    fetched = server.paths()
    assert all(f"/child-{i}.xml" in fetched for i in range(6))  # 7 sitemaps, none counted
    assert site.sitemap_requests == 7
    assert site.requests - site.sitemap_requests == 5  # robots.txt, home, its links, stories
    stories = [p for p in fetched if p.startswith("/2026/story-")]
    assert len(stories) >= 1 and len(stored_urls(tmp_path / "a.db")) == len(stories)
    small = replace(CRAWL, max_sitemaps_per_site=2)
    summary = run_crawl(one_site_config(server, small, sitemaps=(server.url("/index.xml"),)),
                        tmp_path / "b.db")
    assert summary.sites[0].sitemap_requests == 2


def test_plain_sitemap_larger_than_max_body_bytes_is_read(server, tmp_path):
    stories = {f"/2026/story-{i}": FRESH for i in range(3)}
    urls = site_with_sitemap(server, stories)
    filler = [(server.url(f"/2026/missing-{i}"), OLD) for i in range(3000)]  # old: not queued
    body = urlset([(urls[p], d) for p, d in stories.items()] + filler)
    assert len(body) > 300_000
    server.add_page("/sitemap.xml", body, content_type="application/xml")
    crawl = replace(CRAWL, max_body_bytes=100_000)
    summary = run_crawl(one_site_config(server, crawl, sitemaps=(server.url("/sitemap.xml"),)),
                        tmp_path / "a.db")
    assert "too_large" not in dict(summary.sites[0].errors)
    assert stored_urls(tmp_path / "a.db") == set(urls.values())


def row(url: str, published: str | None = None) -> tuple:
    return FrontierEntry(key=url, url=url, site="s", kind="article", source="sitemap",
                         published=published).row()


def test_bulk_admission_inserts_new_and_requeues_only_what_is_due(tmp_path):
    with Store(tmp_path / "f.db") as store:
        assert store.frontier_add([row("https://n.example/a"), row("https://n.example/b")],
                                  run_id=1, now=1_000.0, revisit_after=100.0) == 2
        store.frontier_done(["https://n.example/a"], "article", 500.0, 1)
        store.frontier_done(["https://n.example/b"], "http_500", 500.0, 1, state="failed")
        again = [row("https://n.example/a", "1970-01-01T00:05:00+00:00"),  # dated before 500
                 row("https://n.example/b"), row("https://n.example/c")]
        assert store.frontier_add(again, run_id=2, now=550.0, revisit_after=100.0) == 1
        states = dict(store.db.execute("SELECT key, state FROM frontier").fetchall())
        assert states == {"https://n.example/a": "done", "https://n.example/b": "failed",
                          "https://n.example/c": "pending"}
        newer = [row("https://n.example/a", "1970-01-01T00:10:00+00:00"),  # changed after 500
                 row("https://n.example/b")]
        assert store.frontier_add(newer, run_id=3, now=700.0, revisit_after=100.0) == 0
        states = dict(store.db.execute("SELECT key, state FROM frontier").fetchall())
        assert states["https://n.example/a"] == "pending"  # the sitemap says it changed
        assert states["https://n.example/b"] == "pending"  # a failure, due again


def test_rows_keep_their_place_in_the_scheduling_order(tmp_path):
    with Store(tmp_path / "f.db") as store:
        store.frontier_add([row("https://n.example/2024/old", "2024-01-01T00:00:00+00:00"),
                            row("https://n.example/2026/new", "2026-01-01T00:00:00+00:00")],
                           run_id=1, now=0.0, revisit_after=0.0)
        window = store.frontier_window("n.example", 0, ["s"], 5, set())
    assert [e.key for e in window] == ["https://n.example/2026/new",
                                       "https://n.example/2024/old"]


def test_a_sitemap_that_failed_is_read_again_by_the_next_run(server, tmp_path):
    """Regression: an index child that failed (a 500, an analysis timeout) counted as read;
    the next run saw the index unchanged and never tried it again, losing its URLs."""
    from .sitesim import Route

    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    one = add_story(server, "/2026/one", FRESH)
    server.add("/child-1.xml", Route(status=500))
    server.add_page("/index.xml", sitemap_index_with_lastmod([(server.url("/child-1.xml"),
                                                                FRESH)]),
                    content_type="application/xml")
    config = one_site_config(server, sitemaps=(server.url("/index.xml"),))
    db = tmp_path / "a.db"
    run_crawl(config, db)
    assert stored_urls(db) == set()
    server.add_page("/child-1.xml", urlset([(one, FRESH)]), content_type="application/xml")
    run_crawl(config, db)
    assert stored_urls(db) == {one}


def test_the_worker_reads_a_sitemap_up_to_max_sitemap_bytes():
    """Regression (stress suite): the analysis worker parsed sitemaps with a fixed 50 MB
    limit, whatever `max_sitemap_bytes` said."""
    import gzip as gz
    import time

    from scraper.analyse import analyse_document
    from scraper.frontier import Admission

    body = gz.compress(urlset([(f"https://n.example/2026/story-{i}", FRESH)
                               for i in range(2000)]).encode())
    def analyse(limit: int):
        rule = Admission(site="s", hosts=("n.example",), depth=1, max_depth=3,
                         now=time.time(), max_bytes=limit)
        return analyse_document("sitemap", body, "https://n.example/s.xml.gz", {},
                                ("n.example",), False, False, None, rule)
    assert analyse(10_000).error == "too_large"
    whole = analyse(10_000_000)
    assert whole.error is None and len(whole.rows) == 2000
