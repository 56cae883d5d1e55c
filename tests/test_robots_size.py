"""A robots.txt larger than the body limit is read up to 500 KiB and the rest ignored
(RFC 9309 section 2.5), not refused as too_large (which disallowed the whole site)."""

from __future__ import annotations

import asyncio
import gzip
import sqlite3

from scraper.crawl import run_crawl
from scraper.fetch import ACCEPT_ANY, Fetcher
from scraper.models import Config, CrawlConfig, Page, SiteConfig
from scraper.pipeline import extract_url
from scraper.robots import MAX_ROBOTS_BYTES, PARSED, robots_from_response

from .sitesim import Route, SiteServer, article_html, listing_html

UA = "testbot/1.0"
CONFIG = CrawlConfig(user_agent=UA, per_host_delay=0.05, timeout=10.0, retries=0,
                     max_body_bytes=200_000)
PUBLISHED = "2026-11-28T10:00:00Z"


def huge_robots(size: int = 10_000_000) -> bytes:
    """Real rules first, then comment lines up to `size`, with a rule after 500 KiB that
    must be ignored."""
    head = b"User-agent: *\nDisallow: /private/\n"
    filler_line = b"# " + b"x" * 97 + b"\n"
    filler = filler_line * ((600 * 1024) // len(filler_line))
    late = b"Disallow: /news/\n"  # past 500 KiB: ignored
    tail = filler_line * max(0, (size - len(head) - len(filler) - len(late)) // len(filler_line))
    return head + filler + late + tail


def fetch(url: str, config: CrawlConfig = CONFIG) -> Page:
    async def go() -> Page:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(url, accept=ACCEPT_ANY)
    return asyncio.run(go())


def test_fetch_keeps_the_first_500_kib_of_a_10_mb_robots_txt(server):
    body = huge_robots()
    server.add("/robots.txt", Route(body=body, content_type="text/plain", conditional=False))
    page = fetch(server.url("/robots.txt"))
    assert page.ok, page.error_detail
    assert len(page.content) == MAX_ROBOTS_BYTES + 1  # one byte more says it went on
    policy = robots_from_response(page.status, page.content, 0.0, url=page.final_url)
    assert policy.rule == PARSED
    assert not policy.allowed(server.url("/private/x"), UA)
    assert policy.allowed(server.url("/news/story"), UA)  # the late rule is ignored
    assert policy.text.endswith("\n")  # the line cut by the cap was dropped


def test_gzip_encoded_huge_robots_txt_is_cut_too(server):
    server.add("/robots.txt", Route(body=gzip.compress(huge_robots()), content_type="text/plain",
                                    headers={"Content-Encoding": "gzip"}, conditional=False))
    page = fetch(server.url("/robots.txt"))
    assert page.ok and len(page.content) == MAX_ROBOTS_BYTES + 1


def test_small_robots_txt_is_kept_whole(server):
    server.add_page("/robots.txt", "User-agent: *\nDisallow: /x/\n", content_type="text/plain")
    page = fetch(server.url("/robots.txt"))
    assert page.ok and page.content == b"User-agent: *\nDisallow: /x/\n"


def test_pages_still_obey_max_body_bytes(server):
    """Only robots.txt is cut: a page past the limit is still too_large."""
    server.add_page("/big", b"<html>" + b"x" * 300_000)

    async def go() -> Page:
        async with Fetcher(CONFIG) as fetcher:
            return await fetcher.fetch(server.url("/big"))
    assert asyncio.run(go()).error == "too_large"


def test_a_crawl_obeys_a_10_mb_robots_txt_instead_of_giving_up_on_the_site(tmp_path):
    with SiteServer() as server:
        server.add("/robots.txt", Route(body=huge_robots(), content_type="text/plain",
                                        conditional=False))
        story = server.url("/story/harbour-bridge-reopens-after-repairs")
        server.add_page("/story/harbour-bridge-reopens-after-repairs",
                        article_html("Harbour bridge reopens after repairs", story, PUBLISHED))
        server.add_page("/private/secret-harbour-story",
                        article_html("Secret", server.url("/private/secret-harbour-story"),
                                     PUBLISHED))
        server.add_page("/", listing_html("Home", [
            ("/story/harbour-bridge-reopens-after-repairs", "Harbour bridge reopens"),
            ("/private/secret-harbour-story", "Secret")]))
        config = Config(crawl=CONFIG, sites=(SiteConfig("local", (server.url("/"),)),))
        summary = run_crawl(config, tmp_path / "a.db")
        paths = server.paths()
    with sqlite3.connect(tmp_path / "a.db") as db:
        stored = {row[0] for row in db.execute("SELECT canonical_url FROM articles")}
    assert "robots_unavailable" not in dict(summary.sites[0].errors)
    assert stored == {story}
    assert "/private/secret-harbour-story" not in paths


def test_extract_obeys_a_10_mb_robots_txt(server):
    server.add("/robots.txt", Route(body=huge_robots(), content_type="text/plain",
                                    conditional=False))
    url = server.url("/story/harbour-bridge-reopens-after-repairs")
    server.add_page("/story/harbour-bridge-reopens-after-repairs",
                    article_html("Harbour bridge reopens after repairs", url, PUBLISHED))
    outcome = extract_url(url, CONFIG)
    assert outcome.ok, outcome.error_detail
    secret = server.url("/private/secret-harbour-story")
    assert extract_url(secret, CONFIG).error == "robots_disallowed"
