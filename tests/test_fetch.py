"""fetch.py against a real HTTP server on 127.0.0.1: limits, redirects, conditional GET,
error reasons, retries (fetch_url) and Retry-After parsing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from scraper.fetch import (
    ACCEPT_XML,
    Fetcher,
    backoff_delay,
    fetch_url,
    is_transient,
    parse_retry_after,
)
from scraper.models import CrawlConfig, Page

from .sitesim import Route

CONFIG = CrawlConfig(user_agent="testbot/1.0", timeout=1.0, max_body_bytes=50_000, retries=2,
                     max_redirects=3, max_crawl_delay=3.0)
QUICK = CrawlConfig(  # a short timeout, no retries
    user_agent="testbot/1.0", timeout=0.5, max_redirects=3, retries=0)
HTML = "<html><head><title>x</title></head><body><p>hello</p></body></html>"


def fetch(url: str, config: CrawlConfig = CONFIG, **kw) -> Page:
    async def go() -> Page:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(url, **kw)
    return asyncio.run(go())


def test_ok_page_has_body_headers_and_user_agent(server):
    server.add_page("/a", HTML)
    page = fetch(server.url("/a"))
    assert page.ok and page.status == 200 and page.content == HTML.encode()
    assert page.content_type == "text/html" and page.fetched_at
    assert server.requests()[0].headers["User-Agent"] == "testbot/1.0"


def test_redirect_followed_with_chain_recorded(server):
    server.add_redirect("/old", "/mid")
    server.add_redirect("/mid", "/new", status=302)
    server.add_page("/new", HTML)
    page = fetch(server.url("/old"))
    assert page.ok and page.final_url == server.url("/new")
    assert page.redirects == (server.url("/old"), server.url("/mid"))


def test_redirect_loop_and_too_many_redirects(server):
    server.add_redirect("/loop1", "/loop2")
    server.add_redirect("/loop2", "/loop1")
    assert fetch(server.url("/loop1")).error == "redirect_loop"
    for i in range(6):
        server.add_redirect(f"/r{i}", f"/r{i + 1}")
    page = fetch(server.url("/r0"))
    assert page.error == "too_many_redirects"
    assert server.hits("/r4") == 0  # max_redirects=3: r0 + 3 hops, then stop


def test_redirect_hook_can_refuse_a_hop(server):
    server.add_redirect("/go", "/private/x")
    server.add_page("/private/x", HTML)

    async def hook(url: str) -> str | None:
        return "robots_disallowed" if "/private/" in url else None

    page = fetch(server.url("/go"), on_redirect=hook)
    assert page.error == "robots_disallowed" and page.final_url == server.url("/private/x")
    assert server.hits("/private/x") == 0


def test_redirect_to_other_scheme_refused(server):
    server.add_redirect("/ftp", "ftp://example.org/file")
    assert fetch(server.url("/ftp")).error == "bad_scheme"
    assert fetch("file:///etc/passwd").error == "bad_scheme"


@pytest.mark.parametrize("location", ["http://[oops/x", "http://[::1/y",
                                      "http://127.0.0.1:99999/x", "http://127.0.0.1:x/"])
def test_unparsable_location_is_a_bad_redirect_not_an_exception(server, location):
    """Regression: a server-controlled Location that is no URL (urlsplit or its port raises)
    is a Page error, not an exception, and is not retried."""
    server.add("/moved", Route(status=301, headers={"Location": location}))
    page = fetch(server.url("/moved"), QUICK)
    assert page.error == "bad_redirect" and not is_transient(page)  # retrying cannot help
    assert page.final_url == server.url("/moved") and server.hits("/moved") == 1


def test_unparsable_url_is_a_bad_url():
    """Regression: a URL that urlsplit cannot parse is a "bad_url" Page, not an exception."""
    assert fetch("http://[oops/x", QUICK).error == "bad_url"
    assert fetch_url("http://[::1/", QUICK).error == "bad_url"


def test_non_html_refused_before_body(server):
    server.add_page("/doc.pdf", b"%PDF" + b"0" * 40_000, content_type="application/pdf")
    page = fetch(server.url("/doc.pdf"))
    assert page.error == "not_html" and page.content == b"" and page.status == 200
    server.add_page("/feed", "<rss version='2.0'></rss>", content_type="application/rss+xml")
    assert fetch(server.url("/feed")).error == "not_html"
    assert fetch(server.url("/feed"), accept=ACCEPT_XML).ok


def test_oversized_body_refused_from_content_length(server):
    server.add_page("/big", "x" * 60_000)
    page = fetch(server.url("/big"))
    assert page.error == "too_large" and page.content == b""
    assert "Content-Length" in page.error_detail


def test_streamed_body_without_length_is_cut(server):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
        try:
            for _ in range(100):
                conn.sendall(b"z" * 1024)
        except OSError:
            pass
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    page = fetch(f"http://127.0.0.1:{port}/", CrawlConfig(timeout=2.0, max_body_bytes=10_000))
    thread.join(5)
    listener.close()
    assert page.error == "too_large" and "body exceeds" in page.error_detail


def test_total_deadline_covers_a_slow_response(server):
    server.add_page("/slow", HTML, delay=10.0)
    page = fetch(server.url("/slow"))
    assert page.error == "read_timeout" and page.status is None and is_transient(page)


def test_redirect_hook_wait_longer_than_the_timeout_is_not_a_timeout(server):
    """Regression: the caller's politeness wait between redirect hops (in on_redirect) does
    not count against the deadline."""
    server.add_redirect("/old", "/new")
    server.add_page("/new", HTML)

    async def polite(url: str) -> str | None:
        await asyncio.sleep(QUICK.timeout * 2)  # a Crawl-delay above the timeout
        return None

    page = fetch(server.url("/old"), QUICK, on_redirect=polite)
    assert page.ok and page.final_url == server.url("/new") and server.hits("/new") == 1


def test_deadline_still_covers_the_hop_after_a_redirect_wait(server):
    """The politeness wait is not counted, but the hop after it is still under the deadline."""
    server.add_redirect("/old", "/slow")
    server.add_page("/slow", HTML, delay=10.0)

    async def polite(url: str) -> str | None:
        await asyncio.sleep(QUICK.timeout / 5)
        return None

    page = fetch(server.url("/old"), QUICK, on_redirect=polite)
    assert page.error == "read_timeout" and page.final_url == server.url("/slow")


def test_connection_refused_is_a_transient_connect_refused():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    page = fetch(f"http://127.0.0.1:{port}/")
    assert page.error == "connect_refused" and is_transient(page)


def test_conditional_get_gives_304(server):
    server.add_page("/c", HTML)
    first = fetch(server.url("/c"))
    etag, modified = first.header("etag"), first.header("last-modified")
    assert etag and modified
    again = fetch(server.url("/c"), etag=etag, last_modified=modified)
    assert again.ok and again.not_modified and again.content == b""
    assert server.requests()[1].headers["If-None-Match"] == etag
    assert server.requests()[1].headers["If-Modified-Since"] == modified


def test_http_errors_carry_status_and_retry_after(server):
    server.add(("/busy"), Route(status=429, headers={"Retry-After": "7"}, body=b"slow down"))
    page = fetch(server.url("/busy"))
    assert page.error == "http_429" and page.retry_after == 7.0 and is_transient(page)
    missing = fetch(server.url("/nope"))
    assert missing.error == "http_404" and not is_transient(missing)


def test_fetch_url_retries_a_transient_503_then_succeeds(server):
    route = server.add_page("/flaky", HTML)
    route.fail_first, route.fail_headers = 1, {"Retry-After": "0"}
    page = fetch_url(server.url("/flaky"), CONFIG)
    assert page.ok and page.content == HTML.encode()
    assert [r.status for r in server.requests()] == [503, 200]


def test_fetch_url_gives_up_after_retries_and_does_not_retry_404(server):
    route = server.add_page("/down", HTML)
    route.fail_first = 10
    page = fetch_url(server.url("/down"), CrawlConfig(timeout=1.0, retries=1,
                                                      max_crawl_delay=0.2))
    assert page.error == "http_503" and server.hits("/down") == 2
    page = fetch_url(server.url("/gone"), CONFIG)
    assert page.error == "http_404" and server.hits("/gone") == 1


def test_fetch_url_calls_on_redirect_before_every_hop_of_every_attempt(server):
    server.add_redirect("/moved", "/flaky")
    route = server.add_page("/flaky", HTML)
    route.fail_first, route.fail_headers = 1, {"Retry-After": "0"}
    seen: list[str] = []

    async def hook(url: str) -> str | None:
        seen.append(url)
        return None

    page = fetch_url(server.url("/moved"), CONFIG, on_redirect=hook)
    assert page.ok and seen == [server.url("/flaky")] * 2


def test_fetch_url_on_redirect_can_refuse_a_hop(server):
    server.add_redirect("/go", "/private/x")
    server.add_page("/private/x", HTML)

    async def hook(url: str) -> str | None:
        return "robots_disallowed" if "/private/" in url else None

    page = fetch_url(server.url("/go"), CONFIG, on_redirect=hook)
    assert page.error == "robots_disallowed" and server.hits("/private/x") == 0


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now) == 90.0
    past = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(past, now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None) is None


def test_backoff_grows_and_respects_retry_after():
    assert backoff_delay(1, initial=1.0) < 2.0 + 1e-9
    assert backoff_delay(4, initial=1.0) >= 8.0
    assert backoff_delay(1, retry_after=30.0) == 30.0
