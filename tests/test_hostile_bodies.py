"""Hostile response bodies (make stress, issue 11): compression bombs single and stacked, 100 MB
bodies, endless chunked streams, 1 byte per second drips under the total deadline, slow
robots.txt, binary served as text/html. Each case crawls a two-host scene with the real
`scraper crawl` (see tests/stress_harness.py): the hostile page ends with a reason, the other
host's story is stored, memory stays under 500 MB."""

from __future__ import annotations

import os
import time

import pytest

from .stress_harness import (
    MB,
    Scene,
    brotli_bomb,
    crawl_case,
    expect_reason,
    gzip_bomb,
    gzip_bytes,
    page,
    response,
    zlib_bomb,
)

FAMILY = "body"
HTML = "text/html; charset=utf-8"
P = "/news/2024/05/03/hostile-page-about-the-local-election/"


def _on_bad_host(s: Scene, handler, *reasons: str, path: str = P):
    s.bad.routes[path] = handler
    s.bad_links = [path]
    return lambda run: expect_reason(s, path, *reasons)


def _encoded(body: bytes, coding: str):
    return page(body, HTML, [("Content-Encoding", coding)])


# -- compression bombs (1 GiB of zeros once decoded)


def case_gzip_bomb(s: Scene):
    return _on_bad_host(s, _encoded(gzip_bomb(), "gzip"), "too_large")


def case_deflate_bomb(s: Scene):
    return _on_bad_host(s, _encoded(zlib_bomb(), "deflate"), "too_large")


def case_brotli_bomb(s: Scene):
    return _on_bad_host(s, _encoded(brotli_bomb(), "br"), "too_large")


def case_gzip_gzip_bomb(s: Scene):
    return _on_bad_host(s, _encoded(gzip_bytes(gzip_bomb()), "gzip, gzip"), "too_large")


def case_gzip_of_brotli_bomb(s: Scene):
    return _on_bad_host(s, _encoded(gzip_bytes(brotli_bomb()), "br, gzip"), "too_large")


def case_deflate_of_gzip_bomb(s: Scene):
    """Stacked as two Content-Encoding headers rather than one list."""
    import zlib
    body = zlib.compress(gzip_bomb(), 9)
    handler = page(body, HTML, [("Content-Encoding", "gzip"), ("Content-Encoding", "deflate")])
    return _on_bad_host(s, handler, "too_large")


def case_triple_gzip_bomb(s: Scene):
    body = gzip_bytes(gzip_bytes(gzip_bomb()))
    return _on_bad_host(s, _encoded(body, "gzip, gzip, gzip"), "decode_error", "too_large")


def case_corrupt_gzip(s: Scene):
    return _on_bad_host(s, _encoded(b"\x1f\x8b\x08\x00" + os.urandom(20_000), "gzip"),
                        "decode_error")


def case_gzip_bomb_on_robots(s: Scene):
    """robots.txt as a gzip bomb: read up to its 500 KiB, the rest ignored."""
    s.bad.routes["/robots.txt"] = page(gzip_bomb(), "text/plain",
                                       [("Content-Encoding", "gzip")])
    s.bad.routes[P] = page("<html><body><p>fine</p></body></html>")
    s.bad_links = [P]

    def check(run):
        problems = [] if s.bad.hits("/") else ["the bad host's pages were never fetched"]
        return "robots.txt cut at 500 KiB", problems
    return check


# -- size and time


def _stream(total: int | None, chunked: bool, declare: bool = True, piece: bytes = b""):
    """A body of `total` bytes (None: endless), sent as fast as the client reads it."""
    piece = piece or (b"<p>" + b"word " * 200 + b"</p>\n")

    def send(sock, request):
        head = [b"HTTP/1.1 200 OK", b"Content-Type: text/html; charset=utf-8"]
        if chunked:
            head.append(b"Transfer-Encoding: chunked")
        elif declare and total is not None:
            head.append(f"Content-Length: {total}".encode())
        head.append(b"Connection: close")
        opening = b"<html><body>"
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n"
                     + (b"%x\r\n%s\r\n" % (len(opening), opening) if chunked else opening))
        sent, started = 0, time.monotonic()
        while (total is None or sent < total) and time.monotonic() - started < 120:
            data = piece if total is None else piece[: total - sent]
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
    return send


def case_body_100mb_with_length(s: Scene):
    return _on_bad_host(s, _stream(100 * MB, chunked=False), "too_large")


def case_body_100mb_without_length(s: Scene):
    return _on_bad_host(s, _stream(100 * MB, chunked=False, declare=False), "too_large")


def case_body_100mb_chunked(s: Scene):
    return _on_bad_host(s, _stream(100 * MB, chunked=True), "too_large")


def case_endless_chunked_stream(s: Scene):
    return _on_bad_host(s, _stream(None, chunked=True), "too_large", "read_timeout")


def case_endless_tiny_chunks(s: Scene):
    """Endless one-byte chunks: 4 bytes of framing per byte of body."""
    return _on_bad_host(s, _stream(None, chunked=True, piece=b" "), "too_large", "read_timeout",
                        "timeout")


def case_lying_content_length(s: Scene):
    def send(sock, request):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 500000\r\n"
                     b"Connection: close\r\n\r\n<html><body><p>short</p>")
    return _on_bad_host(s, send)


def _drip(head_first: bool, pause: float = 1.0, seconds: float = 60.0):
    """One byte per `pause` seconds: after the headers (head_first) or within them."""
    def send(sock, request):
        whole = response(200, b"<html><body>" + b"x" * 1000, HTML)
        start = whole.index(b"\r\n\r\n") + 4 if head_first else 0
        sock.sendall(whole[:start])
        started = time.monotonic()
        for i in range(start, len(whole)):
            if time.monotonic() - started > seconds:
                return
            sock.sendall(whole[i:i + 1])
            time.sleep(pause)
    return send


def _deadline_kept(s: Scene, path: str, *reasons: str):
    def check(run):
        reason, problems = expect_reason(s, path, *reasons)
        if run.seconds > 40:  # timeout 5 s, retries 0: the drip cannot hold the run
            problems.append(f"the run took {run.seconds:.0f}s with a 5 s request deadline")
        return reason, problems
    return check


def case_drip_body_one_byte_per_second(s: Scene):
    s.bad.routes[P] = _drip(head_first=True)
    s.bad_links = [P]
    return _deadline_kept(s, P, "read_timeout", "timeout")


def case_drip_headers_one_byte_per_second(s: Scene):
    s.bad.routes[P] = _drip(head_first=False)
    s.bad_links = [P]
    return _deadline_kept(s, P, "read_timeout", "timeout")


def case_slow_robots_txt(s: Scene):
    """robots.txt that takes 30 s (the deadline is 5): the host is treated as disallowed for
    now, its pages wait, the other host is crawled."""
    def slow(sock, request):
        time.sleep(30)
        sock.sendall(response(200, b"User-agent: *\nAllow: /\n", "text/plain"))
    s.bad.routes["/robots.txt"] = slow
    s.bad_links = [P]

    def check(run):
        problems = []
        if s.bad.hits("/news/"):
            problems.append("a page was fetched although robots.txt never answered")
        if run.seconds > 40:
            problems.append(f"the run took {run.seconds:.0f}s")
        logged = "robots" in run.stderr.lower()
        return ("robots.txt timed out: host held" if logged else ""), \
            problems + ([] if logged else ["no log line about the robots.txt failure"])
    return check


def case_drip_robots_txt(s: Scene):
    s.bad.routes["/robots.txt"] = _drip(head_first=True)
    s.bad_links = [P]

    def check(run):
        problems = ["a page was fetched behind an unfinished robots.txt"] \
            if s.bad.hits("/news/") else []
        return "robots.txt dripped", problems
    return check


# -- not what it says


def case_binary_as_html(s: Scene):
    return _on_bad_host(s, page(os.urandom(3 * MB), HTML))


def case_png_as_html(s: Scene):
    return _on_bad_host(s, page(b"\x89PNG\r\n\x1a\n" + os.urandom(200_000), "text/html"))


def case_nul_bytes_as_html(s: Scene):
    return _on_bad_host(s, page(bytes(4 * MB), HTML))


def case_pdf_as_html(s: Scene):
    return _on_bad_host(s, page(b"%PDF-1.7\n" + os.urandom(500_000), HTML))


def case_utf16_html_without_bom(s: Scene):
    body = ("<html><body><h1>Title</h1>" + "<p>text</p>" * 1000 + "</body></html>")
    return _on_bad_host(s, page(body.encode("utf-16-le"), "text/html; charset=utf-8"))


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_body(name, tmp_path):
    row = crawl_case(name, FAMILY, CASES[name], tmp_path)
    assert row.problems == [], f"{name}: {row.outcome}: {row.problems}"
