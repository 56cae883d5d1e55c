"""Shared test helpers: a real HTTP server on 127.0.0.1 serving fixture routes, fixture paths."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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
    from .sitesim import SiteServer

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
