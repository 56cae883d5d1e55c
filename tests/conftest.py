"""Shared test helpers: a real HTTP server on 127.0.0.1 serving fixture routes, fixture paths,
and for crawl tests a one-site config and what a crawl left in the SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scraper.models import Config, CrawlConfig, SiteConfig

from .sitesim import SiteServer, article_html, listing_html

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed"
SEED_URL = "https://www.desiblitz.com/content/grooming-gang-victims-still-blamed-by-police"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


class LocalSite:
    """A tiny real web server: `site.add(path, body, status, headers)`, then `site.url(path)`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                site.requests.append(self.path)
                route = site.routes.get(self.path, Route(404, b"<h1>Not found</h1>"))
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, path: str, body: bytes | str, status: int = 200, headers: dict[str, str] | None = None) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, data, headers or {"Content-Type": "text/html; charset=utf-8"})
        return self.url(path)

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"


@pytest.fixture
def server():
    """A tests/sitesim.py SiteServer (request log with timestamps) on 127.0.0.1."""
    with SiteServer() as srv:
        yield srv


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    site = LocalSite()
    site.thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


# -- crawl tests: one small site on a SiteServer, and what the crawl stored

ALLOW_ALL = "User-agent: *\nAllow: /\n"
PUBLISHED = "2026-11-28T10:00:00Z"
CRAWL = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.05, concurrency=4, timeout=2.0,
                    retries=0, max_crawl_delay=5.0)


def one_site_config(server: SiteServer, crawl: CrawlConfig = CRAWL, **site) -> Config:
    """A config with one site, "t", starting at the server's home page."""
    return Config(crawl=crawl, sites=(SiteConfig(name="t", start_urls=(server.url("/"),),
                                                 **site),))


def stored_urls(db: Path) -> set[str]:
    """The canonical URLs of the stored articles."""
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT canonical_url FROM articles")}


def frontier_row(db: Path, url: str) -> tuple[str, str | None]:
    """(state, result) of a frontier entry."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT state, result FROM frontier WHERE url = ?", [url]).fetchone()


def one_story_site(server: SiteServer, html: str) -> str:
    """robots.txt allowing all, a home page linking one story, the story itself: its URL."""
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", [("/news/story-1", "Story")]))
    server.add_page("/news/story-1", html)
    return server.url("/news/story-1")


def slow_article(title: str, url: str, size: int) -> str:
    """An article behind `size` attributes, spread over elements of MAX_ATTRIBUTES each (the
    most one tag keeps: more are cut before parsing, like deep nesting), so its extraction
    takes a second or more (100,000: about 1.5 s, on a quiet machine)."""
    from scraper.extract.document import MAX_ATTRIBUTES

    element = "<div " + " ".join(f'data-a{i}=""' for i in range(MAX_ATTRIBUTES)) + "></div>"
    return article_html(title, url, PUBLISHED).replace(
        "<body>", "<body>" + element * max(1, size // MAX_ATTRIBUTES), 1)
