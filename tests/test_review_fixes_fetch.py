"""Review fixes in fetch.py: a server-controlled Location that is no URL is a Page error, and
the caller's politeness wait between redirect hops does not count against the deadline."""

from __future__ import annotations

import asyncio

import pytest

from scraper.fetch import fetch_url, is_transient
from scraper.models import CrawlConfig, Page

from .sitesim import Route
from .test_fetch import HTML
from .test_fetch import fetch as fetch_with

CONFIG = CrawlConfig(user_agent="testbot/1.0", timeout=0.5, max_redirects=3, retries=0)


def fetch(url: str, config: CrawlConfig = CONFIG, **kw) -> Page:
    return fetch_with(url, config, **kw)


@pytest.mark.parametrize("location", ["http://[oops/x", "http://[::1/y", "http://127.0.0.1:99999/x", "http://127.0.0.1:x/"])
def test_unparsable_location_is_a_bad_redirect_not_an_exception(server, location):
    server.add("/moved", Route(status=301, headers={"Location": location}))
    page = fetch(server.url("/moved"))
    assert page.error == "bad_redirect" and not is_transient(page)  # retrying cannot help
    assert page.final_url == server.url("/moved") and server.hits("/moved") == 1


def test_unparsable_url_is_a_bad_url():
    assert fetch("http://[oops/x").error == "bad_url"
    assert fetch_url("http://[::1/", CONFIG).error == "bad_url"


def test_redirect_hook_wait_longer_than_the_timeout_is_not_a_timeout(server):
    server.add_redirect("/old", "/new")
    server.add_page("/new", HTML)

    async def polite(url: str) -> str | None:
        await asyncio.sleep(CONFIG.timeout * 2)  # a Crawl-delay above the timeout
        return None

    page = fetch(server.url("/old"), on_redirect=polite)
    assert page.ok and page.final_url == server.url("/new") and server.hits("/new") == 1


def test_deadline_still_covers_the_hop_after_a_redirect_wait(server):
    server.add_redirect("/old", "/slow")
    server.add_page("/slow", HTML, delay=10.0)

    async def polite(url: str) -> str | None:
        await asyncio.sleep(CONFIG.timeout / 5)
        return None

    page = fetch(server.url("/old"), on_redirect=polite)
    assert page.error == "timeout" and page.final_url == server.url("/slow")
