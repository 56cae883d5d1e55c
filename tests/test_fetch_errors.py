"""Honest network failure reasons (issue 9 point 3, issue 11 "TLS and proxy failures get
their own reasons"), each against a real local condition: a closed port, an unresolvable
.invalid host, TLS to a plain-HTTP port, a server that accepts and never answers, a full
accept queue, a dead proxy. And credentials never reach a log line or an error detail."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from scraper.fetch import Fetcher, fetch_url, is_transient, redact
from scraper.models import CrawlConfig, Page

from .sitesim import Route

TIMEOUT = 0.5
CONFIG = CrawlConfig(user_agent="testbot/1.0", timeout=TIMEOUT, retries=0)
HTML = "<html><head><title>x</title></head><body><p>hello</p></body></html>"


def fetch(url: str, config: CrawlConfig = CONFIG) -> Page:
    async def go() -> Page:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    return port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections, reads the request, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def raw_server() -> Iterator[callable]:
    """A one-shot server answering every connection with the given raw bytes, then hanging up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    answer = {"bytes": b""}

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            if answer["bytes"]:
                conn.sendall(answer["bytes"])
            conn.close()

    threading.Thread(target=serve, daemon=True).start()

    def url(data: bytes) -> str:
        answer["bytes"] = data
        return f"http://127.0.0.1:{listener.getsockname()[1]}/"

    yield url
    listener.close()


def test_closed_port_is_connect_refused():
    page = fetch(f"http://127.0.0.1:{closed_port()}/")
    assert page.error == "connect_refused" and page.status is None and is_transient(page)
    assert "refused" in page.error_detail.lower() or "connect call failed" in page.error_detail.lower()


def test_unresolvable_host_is_dns_error():
    page = fetch("http://no-such-host.invalid/")
    assert page.error == "dns_error" and is_transient(page)
    assert page.error_detail and "Errno" not in page.error_detail


def test_tls_to_a_plain_http_port_is_tls_error(server):
    server.add_page("/", HTML)
    page = fetch(server.url("/").replace("http://", "https://"))
    assert page.error == "tls_error" and not is_transient(page)  # retrying cannot help
    assert page.error_detail


def test_server_that_never_answers_is_read_timeout_saying_how_long(silent_server):
    started = time.monotonic()
    page = fetch(f"http://127.0.0.1:{silent_server}/")
    assert time.monotonic() - started < TIMEOUT + 2
    assert page.error == "read_timeout" and is_transient(page)
    assert page.error_detail.startswith("no response in 0.")
    assert page.error_detail.endswith("s")


def test_body_that_never_ends_is_read_timeout_with_bytes_received(server):
    server.add("/drip", Route(body=b"<html>" + b"x" * 20_000, trickle=0.2, conditional=False))
    page = fetch(server.url("/drip"))
    assert page.error == "read_timeout" and page.status == 200
    assert page.error_detail.startswith("body not complete in ") and "bytes received" in page.error_detail


def test_full_accept_queue_is_connect_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)  # never accepted: once the queue is full, further SYNs are dropped
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        sock = socket.socket()
        sock.setblocking(False)
        try:
            sock.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(sock)
    time.sleep(0.1)
    try:
        page = fetch(f"http://127.0.0.1:{port}/")
    finally:
        for sock in fillers:
            sock.close()
        listener.close()
    if page.error == "read_timeout":  # pragma: no cover - a kernel that queued it anyway
        pytest.skip("this kernel accepted the connection despite the full queue")
    assert page.error == "connect_timeout" and is_transient(page)
    assert page.error_detail.startswith(f"no connection to 127.0.0.1:{port} in 0.")


def test_garbage_response_is_protocol_error(raw_server):
    page = fetch(raw_server(b"HELLO THERE\r\n\r\n"))
    assert page.error == "protocol_error" and page.error_detail


def test_hang_up_without_a_response_is_protocol_error(raw_server):
    page = fetch(raw_server(b""))
    assert page.error == "protocol_error" and is_transient(page)


def test_dead_proxy_is_proxy_error_and_its_password_is_not_shown(monkeypatch, caplog):
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    port = closed_port()
    monkeypatch.setenv("HTTP_PROXY", f"http://proxyuser:hunter2@127.0.0.1:{port}")
    with caplog.at_level(logging.DEBUG):
        page = fetch("http://example.invalid/story")  # never resolved: the proxy is asked
    assert page.error == "proxy_error" and is_transient(page)
    assert f"127.0.0.1:{port}" in page.error_detail
    assert "hunter2" not in page.error_detail and "hunter2" not in caplog.text


def test_silent_proxy_is_read_timeout(monkeypatch, silent_server):
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{silent_server}")
    page = fetch("http://example.invalid/story")
    assert page.error == "read_timeout" and "proxy" in page.error_detail


# --- credentials are redacted ---------------------------------------------------------------


def test_redact():
    assert redact("https://user:pass@host/x") == "https://***@host/x"
    assert redact("a http://u@h/ and https://x:y@z:81/p?q=a@b") == \
        "a http://***@h/ and https://***@z:81/p?q=a@b"
    assert redact("https://host/a@b") == "https://host/a@b"


def test_credentials_in_a_url_never_reach_the_log(server, caplog):
    server.add_page("/a", HTML)
    url = server.url("/a").replace("http://", "http://reader:s3cret-pw@")
    # the CLI may have set httpx's own logger to WARNING in an earlier test: open it again
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx"):
        page = fetch(url)
    assert page.ok
    basic = base64.b64encode(b"reader:s3cret-pw").decode()
    assert "s3cret-pw" not in caplog.text and basic not in caplog.text
    assert "***@" in caplog.text  # httpx's request line is there, masked


def test_credentials_in_a_failing_url_are_masked_in_log_and_detail(caplog, server):
    server.add_redirect("/r", f"http://bob:pa55word@127.0.0.1:{closed_port()}/x")
    with caplog.at_level(logging.DEBUG):
        failed = fetch(f"http://bob:pa55word@127.0.0.1:{closed_port()}/")
        page = fetch_url(server.url("/r"), CrawlConfig(user_agent="testbot/1.0", timeout=TIMEOUT,
                                                       retries=1))
    assert failed.error == "connect_refused" and page.error == "connect_refused"
    assert "pa55word" not in caplog.text
    assert "pa55word" not in (failed.error_detail or "") + (page.error_detail or "")
