"""`scraper demo`: serve the bundled Demo Herald (scraper/demo_site/) on 127.0.0.1 and crawl it.

Offline end to end: a stdlib HTTP server in a thread serves the package data (with ETag and
304 support, so a second demo run shows the incremental path), `run_crawl` crawls it into the
given database, the server stops, and the run summary is returned.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .crawl import CrawlSummary, Interrupts, run_crawl
from .models import Config, CrawlConfig, SiteConfig

log = logging.getLogger(__name__)

DEMO_PORT = 8753  # fixed when free, so canonical URLs stay the same from one demo run to the next
_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml",
          ".txt": "text/plain; charset=utf-8"}


def demo_config(base_url: str) -> Config:
    """The crawl settings of the demo: quick but still polite (one request per host at a time)."""
    crawl = CrawlConfig(user_agent="scraper-demo/0.1 (+https://example.org/contact)",
                        per_host_delay=0.05, concurrency=4, timeout=10.0, max_pages_per_site=100,
                        revisit_after=86_400.0)
    site = SiteConfig(name="demo-herald", start_urls=(f"{base_url}/",),
                      feeds=(f"{base_url}/feed.xml",))
    return Config(crawl=crawl, sites=(site,))


def run_demo(db_path: Path, progress: bool = False,
             interrupts: Interrupts | None = None) -> CrawlSummary:
    """Serve the demo site on 127.0.0.1, crawl it into `db_path`, return the run summary
    (`interrupts`: see `run_crawl`)."""
    with serve_demo_site() as base_url:
        log.info("demo site at %s", base_url)
        return run_crawl(demo_config(base_url), Path(db_path), progress=progress,
                         interrupts=interrupts)


@contextmanager
def serve_demo_site(port: int = DEMO_PORT) -> Iterator[str]:
    """Serve scraper/demo_site/ on 127.0.0.1 (the fixed port if free); yield its base URL."""
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), _DemoHandler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _DemoHandler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.base_url = base  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


# Shipped as package data beside this module (a plain path works for wheels and editable installs).
DEMO_SITE = Path(__file__).resolve().parent / "demo_site"


def _resolve(path: str) -> tuple[bytes, str] | None:
    """The file for a URL path ("/world/" -> world/index.html), or None."""
    root = DEMO_SITE
    clean = path.split("?", 1)[0].split("#", 1)[0]
    parts = [p for p in clean.split("/") if p]
    if any(p in ("..", ".") for p in parts):
        return None
    node = root
    for part in parts:
        node = node / part
    if clean.endswith("/") or not parts:
        node = node / "index.html"
    if not node.is_file():
        return None
    suffix = "." + node.name.rsplit(".", 1)[-1]
    return node.read_bytes(), _TYPES.get(suffix, "application/octet-stream")


class _DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("demo site: " + format, *args)

    def do_GET(self) -> None:  # noqa: N802
        found = _resolve(self.path)
        if found is None:
            self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
            return
        body, ctype = found
        body = body.replace(b"{{BASE}}", self.server.base_url.encode())  # type: ignore[attr-defined]
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, etag)
            return
        self._send(200, body, ctype, etag)

    def _send(self, status: int, body: bytes, ctype: str | None, etag: str | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 304:
            self.wfile.write(body)
