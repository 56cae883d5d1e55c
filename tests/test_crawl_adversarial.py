"""The crawler against a site its author did not write (tests/adversary_site.py), and one
small test per fault that broke it:

* og:url set to the home page folded every story into one "home" row;
* a big sitemap of old archive URLs ate the page budget before the section pages that lead
  to today's stories were read;
* a robots.txt redirecting to another host's robots.txt was fetched there with no regard
  for that host's delay (and same-host hops had no delay at all);
* a topic hub with an intro and a river of <li><a> links became an article row;
* an AMP copy linked from a listing was stored instead of its canonical page.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from scraper.crawl import run_crawl
from scraper.frontier import ARTICLE, LISTING, FrontierEntry
from scraper.models import Config, CrawlConfig, SiteConfig
from scraper.politeness import Scheduler
from scraper.robots import robots_from_response
from scraper.urls import is_amp_url, url_date, url_key

from .adversary_site import UA, build_adversary_site, river_html, story_html
from .sitesim import SiteServer, politeness_violations, quick_thread_switches

DELAY = 0.04
CRAWL = CrawlConfig(user_agent=UA, per_host_delay=DELAY, concurrency=4, timeout=1.0,
                    retries=1, max_crawl_delay=5.0, max_pages_per_site=600,
                    max_article_age=0)  # its archive sitemap is old: walk it all


_quick_thread_switches = pytest.fixture(autouse=True, scope="module")(quick_thread_switches)


def adversary_config(www: SiteServer, news: SiteServer, crawl: CrawlConfig = CRAWL) -> Config:
    return Config(crawl=crawl, sites=(SiteConfig(
        name="adversary", start_urls=(www.url("/"),), feeds=(www.url("/rss/"),),
        allowed_hosts=("127.0.0.2",)),))


def rows(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]


def headlines(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT canonical_url, headline FROM articles"))


@pytest.fixture(scope="module")
def adversary(tmp_path_factory):
    db = tmp_path_factory.mktemp("adversary") / "a.db"
    with SiteServer() as www, SiteServer("127.0.0.2") as news:
        site = build_adversary_site(www, news, stories=27, archive_urls=40)
        config = adversary_config(www, news)
        summary = run_crawl(config, db)
        log = www.requests() + news.requests()
        yield {"site": site, "db": db, "config": config, "summary": summary, "log": log}


def test_adversary_site_all_reachable_stories_stored_once(adversary):
    stored = rows(adversary["db"])
    expected = adversary["site"].expected
    assert set(stored) - expected == set(), "non-article rows or wrong canonical URLs"
    assert expected - set(stored) == set(), adversary["summary"].lines()
    assert len({url_key(u) for u in stored}) == len(stored)


def test_adversary_site_politeness_and_robots_from_the_server_log(adversary):
    log = adversary["log"]
    assert politeness_violations(log, DELAY) == []
    assert adversary["site"].robots_violations(log) == []
    assert adversary["summary"].sites[0].robots_blocked > 0  # the traps were disallowed
    assert all(r.headers.get("User-Agent") == UA for r in log)


def test_adversary_site_traps_stay_small(adversary):
    paths = [r.path for r in adversary["log"]]
    assert sum(p.startswith("/archive/") for p in paths) <= 8  # prev/next both ways
    assert sum("/page/99999" in p or "/page/100000" in p for p in paths) <= 9
    assert sum("filter=" in p for p in paths) <= 30
    assert not any("sort=" in p or "share=" in p for p in paths)  # robots, tracking


def test_adversary_canonical_fixes(adversary):
    site, stored = adversary["site"], set(rows(adversary["db"]))
    www = site.www
    assert www.url("/") not in stored  # og:url = home page did not fold stories
    assert not any("partner.example.com" in u or "utm_" in u or "/amp" in u or "/print" in u
                   for u in stored)
    assert not any(h.endswith("(AMP)") for h in headlines(adversary["db"]).values())


def test_adversary_second_run_finds_new_stories_and_little_else(adversary):
    site, config, db = adversary["site"], adversary["config"], adversary["db"]
    www, news = site.www, site.news
    www.clear_log()
    news.clear_log()
    new = [
        site.publish(www, "/politics/2024/06/30/new-bus-depot-opens-next-month/",
                     "New bus depot opens next month", "2024-06-30T10:00:00+00:00"),
        site.publish(news, "/live/lifeboat-crew-rescues-two-sailors-400001",
                     "Lifeboat crew rescues two sailors", "2024-06-30T11:00:00+00:00"),
        site.publish(www, "/sport/2024/06/30/regatta-draws-record-crowd/",
                     "Regatta draws a record crowd", "2024-06-30T12:00:00+00:00"),
    ]
    summary = run_crawl(config, db)
    log = www.requests() + news.requests()
    assert set(new) <= set(rows(db))
    assert summary.sites[0].new_articles == 3
    downloaded = sorted(r.path for r in log if r.status == 200)
    new_paths = sorted(u.split(":", 2)[2].split("/", 1)[1] for u in new)
    assert downloaded == sorted(["/rss/", "/politics/"] + ["/" + p for p in new_paths])
    assert sum(r.status == 304 for r in log) >= 0.7 * len(log)
    # a redirect chain to a stored story (answered 304 at its end in run 1) is known
    assert not any(r.path.startswith(("/go/", "/r/")) for r in log)
    assert politeness_violations(log, DELAY, robots_first=False) == []
    assert site.robots_violations(log) == []


# ----------------------------------------------------------------------------- one fault each


def small_config(server: SiteServer, **crawl) -> Config:
    settings = dict(user_agent=UA, per_host_delay=DELAY, concurrency=2, timeout=2.0,
                    retries=1, max_crawl_delay=5.0, max_article_age=0)
    return Config(crawl=CrawlConfig(**{**settings, **crawl}),
                  sites=(SiteConfig(name="s", start_urls=(server.url("/"),)),))


def test_og_url_naming_the_home_page_does_not_fold_stories(tmp_path):
    with SiteServer() as server:
        home = server.url("/")
        paths = [f"/news/2024/06/0{i}/story-{i}-about-the-weather/" for i in range(1, 4)]
        for i, path in enumerate(paths):
            server.add_page(path, story_html(f"Weather story {i}", server.url(path),
                                             "2024-06-01T00:00:00+00:00", home,
                                             canonical=None, og_url=home))
        server.add_page("/", river_html("Home", [(p, p) for p in paths]))
        run_crawl(small_config(server), tmp_path / "a.db")
    assert sorted(rows(tmp_path / "a.db")) == sorted(server.url(p) for p in paths)


def test_canonical_naming_a_section_page_is_ignored(tmp_path):
    with SiteServer() as server:
        home = server.url("/")
        paths = [f"/world/story-{i}-about-the-harbour-plan/" for i in range(3)]
        for i, path in enumerate(paths):
            server.add_page(path, story_html(f"Harbour story {i}", server.url(path),
                                             "2024-06-01T00:00:00+00:00", home,
                                             canonical=server.url("/world/")))
        server.add_page("/world/", river_html("World", [(p, p) for p in paths]))
        server.add_page("/", river_html("Home", [("/world/", "World")]))
        run_crawl(small_config(server), tmp_path / "a.db")
    assert sorted(rows(tmp_path / "a.db")) == sorted(server.url(p) for p in paths)


def test_big_archive_sitemap_does_not_starve_the_listing_stories(tmp_path):
    """300 dated archive URLs (all gone) against a budget of 80: the undated stories two
    listing pages deep are still read first."""
    with SiteServer() as server:
        home = server.url("/")
        stories = [f"/live/story-{i}-on-the-tram-works-{500000 + i}" for i in range(10)]
        for i, path in enumerate(stories):
            server.add_page(path, story_html(f"Tram works story {i}", server.url(path),
                                             "2024-06-01T00:00:00+00:00", home))
        server.add_page("/", river_html("Home", [("/latest/", "Latest")]))
        server.add_page("/latest/", river_html("Latest", [(p, p) for p in stories[:5]],
                                               nav='<a href="/latest/page/2/">Older</a>'))
        server.add_page("/latest/page/2/", river_html("Latest 2", [(p, p) for p in stories[5:]]))
        old = "".join(f"<url><loc>{server.url(f'/2011/01/{k % 28 + 1:02d}/old-post-{k}/')}"
                      f"</loc><lastmod>2011-01-01</lastmod></url>" for k in range(300))
        server.add_page("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.'
                        f'sitemaps.org/schemas/sitemap/0.9">{old}</urlset>',
                        content_type="application/xml")
        server.add_page("/robots.txt", f"User-agent: *\nSitemap: {server.url('/sitemap.xml')}\n",
                        content_type="text/plain")
        summary = run_crawl(small_config(server, max_pages_per_site=80), tmp_path / "a.db")
    assert sorted(rows(tmp_path / "a.db")) == sorted(server.url(p) for p in stories)
    assert summary.sites[0].pending > 0  # the archive waits for later runs


def test_robots_redirect_to_another_host_waits_for_that_hosts_delay(tmp_path):
    delay = 0.3
    with SiteServer() as www, SiteServer("127.0.0.2") as news:
        home = www.url("/")
        www.add_page("/robots.txt", "User-agent: *\nDisallow: /live/secret-\n",
                     content_type="text/plain")
        news.add_redirect("/robots.txt", "/robots-moved.txt", status=302)  # same host first
        news.add_redirect("/robots-moved.txt", www.url("/robots.txt"))  # then to www
        secret = "/live/secret-budget-story-600001"
        public = "/live/public-budget-story-600002"
        for path in (secret, public):
            news.add_page(path, story_html("Budget", news.url(path), "2024-06-01T00:00:00+00:00",
                                           home))
        www.add_page("/", river_html("Home", [(news.url(secret), "s"), (news.url(public), "p")]))
        config = Config(crawl=CrawlConfig(user_agent=UA, per_host_delay=delay, concurrency=4,
                                          timeout=2.0), sites=(SiteConfig(
            name="s", start_urls=(home,), allowed_hosts=("127.0.0.2",)),))
        run_crawl(config, tmp_path / "a.db")
        log = www.requests() + news.requests()
        news_paths = news.paths()
    assert politeness_violations(log, delay) == []
    assert www.paths().count("/robots.txt") == 2  # its own, and news's through the redirect
    assert secret not in news_paths  # www's rules, reached through the redirect, apply
    assert rows(tmp_path / "a.db") == [news.url(public)]


def test_hub_page_with_intro_prose_and_a_river_of_links_is_not_a_row(tmp_path):
    with SiteServer() as server:
        home = server.url("/")
        stories = [f"/news/2024/06/{i + 1:02d}/story-{i}-on-the-harbour/" for i in range(9)]
        for i, path in enumerate(stories):
            server.add_page(path, story_html(f"Harbour story {i}", server.url(path),
                                             "2024-06-01T00:00:00+00:00", home))
        hub = "/cost-of-living-crisis-our-full-coverage/"
        intro = "".join(f"<p>{'Prices keep rising across the region and families ' * 6}</p>"
                        for _ in range(3))
        server.add_page(hub, river_html("Cost of living: our coverage",
                                        [(p, p) for p in stories], intro=intro))
        server.add_page("/", river_html("Home", [(hub, "Cost of living")]))
        run_crawl(small_config(server), tmp_path / "a.db")
    assert sorted(rows(tmp_path / "a.db")) == sorted(server.url(p) for p in stories)


def test_amp_copy_linked_from_a_listing_stores_the_canonical_page(tmp_path):
    with SiteServer() as server:
        home = server.url("/")
        path = "/news/2024/06/03/ferry-strike-called-off/"
        amp = path + "amp/"
        server.add_page(path, story_html("Ferry strike called off", server.url(path),
                                         "2024-06-03T00:00:00+00:00", home,
                                         amphtml=server.url(amp)))
        server.add_page(amp, story_html("Ferry strike called off (AMP)", server.url(amp),
                                        "2024-06-03T00:00:00+00:00", home,
                                        canonical=server.url(path)))
        server.add_page("/", river_html("Home", [(amp, "Ferry strike")]))
        run_crawl(small_config(server), tmp_path / "a.db")
        paths = server.paths()
    assert headlines(tmp_path / "a.db") == {server.url(path): "Ferry strike called off"}
    assert paths.count(amp) == 1 and paths.count(path) == 1


# ----------------------------------------------------------------------------- the pieces


def test_url_date_and_amp_forms():
    assert url_date("http://h/politics/2024/06/05/slug/") == "2024-06-05"
    assert url_date("http://h/2011-3-9-old-post") == "2011-03-09"
    assert url_date("http://h/2024/06/") is None and url_date("http://h/2024/13/40/x") is None
    assert url_date("http://h/live/story-100029") is None
    for amp in ("http://h/a/b/amp/", "http://h/amp/a/b", "http://h/a/b.amp.html",
                "http://h/a/b?amp=1", "http://amp.h.com/a/b"):
        assert is_amp_url(amp), amp
    assert not is_amp_url("http://h/a/b/") and not is_amp_url("http://h/ampersand-story/")


def test_frontier_order_live_links_then_dated_newest_then_undated_feed_items():
    def art(url: str, source: str, published: str | None = None) -> FrontierEntry:
        return FrontierEntry(key=url, url=url, site="s", kind=ARTICLE, source=source,
                             published=published)

    live = art("http://h/live/story-1234567", "page")
    new = art("http://h/x/2024/06/05/slug/", "sitemap")
    old = art("http://h/y/2011/01/01/slug/", "sitemap")
    dated = art("http://h/z/story-7654321", "sitemap", "2023-01-01T00:00:00+00:00")
    undated = art("http://h/w/story-1111111", "sitemap")
    order = sorted([undated, old, dated, new, live], key=FrontierEntry.priority)
    assert order == [live, new, dated, old, undated]
    # a feed's item (or a start page's link) is a front-page story: before all of them
    feed = art("http://h/v/story-2222222", "feed", "2011-01-01T00:00:00+00:00")
    assert sorted([live, new, feed], key=FrontierEntry.priority)[0] is feed


def test_scheduler_alternates_articles_and_listings_on_a_host():
    async def order() -> list[str]:
        scheduler = Scheduler(CrawlConfig(per_host_delay=0.0), lambda site: True)
        scheduler.set_robots("h", robots_from_response(404, b"", 0.0))
        for i in range(3):
            scheduler.push(FrontierEntry(key=f"a{i}", url=f"http://h/a{i}/2024/01/01/x/",
                                         site="s", kind=ARTICLE, source="sitemap"))
            scheduler.push(FrontierEntry(key=f"l{i}", url=f"http://h/l{i}/", site="s",
                                         kind=LISTING, source="page", depth=1))
        kinds = []
        for _ in range(6):
            entry = await scheduler.next()
            kinds.append(entry.kind)
            scheduler.release(entry)
        return kinds

    assert asyncio.run(order()) == [ARTICLE, LISTING] * 3


def test_session_ids_on_every_link_are_stripped_not_treated_as_traps(tmp_path):
    """A Java site gives a cookieless client a ;jsessionid on every link, a PHP one a
    PHPSESSID: the links are still the site's stories."""
    with SiteServer() as server:
        home = server.url("/")
        sid = "0123456789ABCDEF0123456789ABCDEF"
        paths = [f"/news/2024/06/0{i}/council-story-{i}-on-parking/" for i in range(1, 4)]
        for i, path in enumerate(paths):
            server.add_page(path, story_html(f"Parking story {i}", server.url(path),
                                             "2024-06-01T00:00:00+00:00", home))
        links = [(paths[0] + f";jsessionid={sid}", "a"), (paths[1] + f"?PHPSESSID={sid}", "b"),
                 (paths[2] + f";jsessionid={sid}?sid={sid}", "c")]
        server.add_page("/", river_html("Home", links))
        run_crawl(small_config(server), tmp_path / "a.db")
        requested = server.paths()
    assert sorted(rows(tmp_path / "a.db")) == sorted(server.url(p) for p in paths)
    assert not any("sessid" in p.lower() or "sid=" in p for p in requested)


def test_copies_without_canonical_fold_by_content_within_a_site_only(tmp_path):
    """/story/ and /story/?view=full serve the same text with no rel=canonical: one row.
    A second site running the same wire story keeps its own row."""
    with SiteServer() as one, SiteServer("127.0.0.2") as two:
        path = "/news/2024/06/04/wire-story-about-the-ferry-strike/"
        for server in (one, two):
            server.add_page(path, story_html("Ferry strike ends", server.url(path),
                                             "2024-06-04T00:00:00+00:00", server.url("/"),
                                             canonical=None))
            server.add_page("/", river_html("Home", [(path, "a"), (path + "?view=full", "b")]))
        crawl = CrawlConfig(user_agent=UA, per_host_delay=DELAY, timeout=2.0)
        config = Config(crawl=crawl, sites=tuple(
            SiteConfig(name=f"site{n}", start_urls=(s.url("/"),))
            for n, s in enumerate((one, two))))
        run_crawl(config, tmp_path / "a.db")
        assert one.hits(path + "?view=full") == 1  # fetched, then folded by its text
    stored = rows(tmp_path / "a.db")
    # one row per site; which copy names it is the one whose analysis finished first (two
    # pool workers race), so either URL of site one may be the row's
    assert len(stored) == 2 and two.url(path) in stored
    assert set(stored) - {two.url(path)} <= {one.url(path), one.url(path + "?view=full")}


def test_robots_503_parks_the_host_and_the_next_run_crawls_it(tmp_path):
    with SiteServer() as server:
        home = server.url("/")
        paths = [f"/news/2024/06/0{i}/pier-story-{i}-reopens/" for i in range(1, 3)]
        for i, path in enumerate(paths):
            server.add_page(path, story_html(f"Pier story {i}", server.url(path),
                                             "2024-06-01T00:00:00+00:00", home))
        server.add_page("/", river_html("Home", [(p, p) for p in paths]))
        robots = server.add_page("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                                 content_type="text/plain", fail_first=1, fail_status=503)
        first = run_crawl(small_config(server), tmp_path / "a.db")
        assert server.paths() == ["/robots.txt"] and rows(tmp_path / "a.db") == []
        second = run_crawl(small_config(server), tmp_path / "a.db")
        assert robots.hits == 2
    assert first.exit_code == 1 and second.exit_code == 0
    assert sorted(rows(tmp_path / "a.db")) == sorted(server.url(p) for p in paths)
