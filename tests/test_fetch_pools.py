"""Connection reuse across many hosts (scraper/fetch/pools.py), against real HTTP servers on
127.0.0.2-127.0.0.7 that count the connections they accept."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from scraper.fetch import Fetcher
from scraper.fetch.pools import OriginPools
from scraper.models import CrawlConfig

HOSTS = [f"127.0.0.{n}" for n in range(2, 8)]
BODY = b"<html><body><p>" + b"news " * 4000 + b"</p></body></html>"


class _Counting(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:  # once per accepted connection
        super().setup()
        self.server.connections += 1

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


@pytest.fixture
def servers():
    started = []
    try:
        for host in HOSTS:
            server = _Counting((host, 0), _Handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            started.append(server)
    except OSError as exc:  # pragma: no cover - a machine without the 127/8 addresses
        pytest.fail(f"cannot bind 127.0.0.x: {exc}")
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def _url(server: _Counting, path: str) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{path}"


def test_a_crawl_rotating_over_more_hosts_than_its_concurrency_reuses_each_connection(servers):
    # Concurrency 2 over 6 hosts: one pool for every host held 4 connections, and each request
    # found its host's connection closed for another's (60 connections for 60 requests).
    config = CrawlConfig(user_agent="testbot/1.0", timeout=5.0, concurrency=2)

    async def crawl() -> list:
        async with Fetcher(config) as fetcher:
            pages = []
            for round_ in range(10):
                for server in servers:
                    pages.append(await fetcher.fetch(_url(server, f"/a{round_}")))
            return pages

    pages = asyncio.run(crawl())
    assert all(page.ok and page.content == BODY for page in pages)
    assert [server.connections for server in servers] == [1] * len(servers)


def test_pools_beyond_the_bound_are_closed_but_never_one_still_being_read(servers):
    async def go() -> tuple[list[int], int, bytes]:
        pools = OriginPools(max_origins=2)
        async with httpx.AsyncClient(transport=pools) as client:
            first = servers[0]
            reading = await client.send(client.build_request("GET", _url(first, "/slow")),
                                        stream=True)  # in flight: its body not read yet
            kept = []
            for server in servers[1:]:
                response = await client.get(_url(server, "/x"))
                assert response.status_code == 200 and response.content == BODY
                kept.append(pools.origins)
            body = await reading.aread()  # its pool was not closed under it
            await reading.aclose()
            await client.get(_url(servers[1], "/again"))  # dropped earlier: a new pool
            return kept, pools.opened, body

    kept, opened, body = asyncio.run(go())
    assert body == BODY
    # the in-flight pool is kept beyond the bound, the idle ones are not
    assert max(kept) <= 3 and kept[-1] <= 3
    assert opened == len(servers) + 1
    assert servers[1].connections == 2  # its pool was dropped, so its connection closed


def _fetch_all(urls: list[str]) -> list:
    async def go() -> list:
        async with Fetcher(CrawlConfig(user_agent="testbot/1.0", timeout=5.0)) as fetcher:
            return [await fetcher.fetch(url) for url in urls]
    return asyncio.run(go())


def _clear_proxies(monkeypatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY",
                 "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_the_environment_proxy_is_chosen_per_origin_and_no_proxy_is_honoured(servers,
                                                                              monkeypatch):
    _clear_proxies(monkeypatch)
    dead = _Counting(("127.0.0.1", 0), _Handler)
    port = dead.server_address[1]
    dead.server_close()  # nothing listens there now
    monkeypatch.setenv("HTTP_PROXY", f"http://user:hunter2@127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", HOSTS[0])
    direct, proxied = _fetch_all([_url(servers[0], "/a"), _url(servers[1], "/a")])
    assert direct.ok and direct.content == BODY and servers[0].connections == 1
    assert proxied.error == "proxy_error" and servers[1].connections == 0
    assert "hunter2" not in proxied.error_detail


def test_a_proxy_variable_that_is_no_url_is_a_proxy_error_not_a_crash(servers, monkeypatch):
    _clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "ftp://user:hunter2@127.0.0.1:1")
    (page,) = _fetch_all([_url(servers[0], "/a")])
    assert page.error == "proxy_error" and "unusable proxy" in page.error_detail
    assert "hunter2" not in page.error_detail and servers[0].connections == 0


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.2 with a certificate of a throwaway CA; yields (url, CA file,
    the server)."""
    import ssl

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOSTS[0]).configure_cert(context)
    server = _Counting((HOSTS[0], 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    yield f"https://{HOSTS[0]}:{server.server_address[1]}", ca_file, server
    server.shutdown()
    server.server_close()


def test_tls_is_verified_with_the_environments_ca_file_and_reused(tls_server, monkeypatch):
    url, ca_file, server = tls_server
    _clear_proxies(monkeypatch)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    (refused,) = _fetch_all([url + "/a"])
    assert refused.error == "tls_error" and "certificate" in refused.error_detail.lower()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # a private CA, as the README says
    pages = _fetch_all([url + f"/{n}" for n in range(3)])
    assert all(page.ok and page.content == BODY for page in pages)
    assert server.connections == 1  # one connection for the three (the refused handshake
    # fails in accept, before the handler counts it)
