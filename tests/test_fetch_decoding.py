"""Content-Encoding against a real server on 127.0.0.1: compression bombs, single and
stacked, stop at the body budget counted on the *decoded* stream, promptly and in little
memory; more than two stacked encodings are refused; normal compressed pages decode right.

Memory is measured in a fresh child process (its peak RSS before and after each fetch, the
peak reset in between where Linux allows), so what earlier tests allocated in this one cannot
hide a spike."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from scraper.content_coding import CodingError, CodingTooLarge, ContentDecoder
from scraper.fetch import Fetcher
from scraper.models import CrawlConfig, Page

from .sitesim import Route, SiteServer

HTML = ("<html><head><title>Harbour</title></head><body><article><h1>Harbour bridge</h1>"
        + "<p>The council said the bridge reopens on Tuesday after repairs.</p>" * 200
        + "</article></body></html>").encode()
LIMIT = 1_000_000  # max_body_bytes in these tests
BOMB_SIZE = 100_000_000  # zeros inside each bomb: 100x the limit
RSS_ALLOWANCE_KB = 16_000  # peak RSS growth allowed while fetching a bomb (about 2-6 MB seen)

try:
    import brotli
except ImportError:  # pragma: no cover
    brotli = None


def _gzip_stream(total: int, chunk: int = 1 << 20) -> bytes:
    """gzip of `total` zero bytes, built a chunk at a time (no 100 MB string here)."""
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(chunk)
    parts = [comp.compress(block) for _ in range(total // chunk)]
    return b"".join(parts) + comp.flush()


def _deflate_stream(total: int, chunk: int = 1 << 20) -> bytes:
    comp = zlib.compressobj(1)
    block = bytes(chunk)
    return b"".join(comp.compress(block) for _ in range(total // chunk)) + comp.flush()


def _serve(server, path: str, body: bytes, encoding: str) -> str:
    server.add(path, Route(body=body, headers={"Content-Encoding": encoding},
                           conditional=False))
    return server.url(path)


def fetch(url: str, limit: int = LIMIT) -> Page:
    config = CrawlConfig(user_agent="testbot/1.0", timeout=10.0, max_body_bytes=limit)

    async def go() -> Page:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


_CHILD = """
import asyncio, json, re, resource, sys, time
from scraper.fetch import Fetcher
from scraper.models import CrawlConfig

def peak_kb():
    try:  # Linux: the peak can be reset between fetches (clear_refs 5), so each is measured
        return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass

async def go(url, limit):
    async with Fetcher(CrawlConfig(user_agent="testbot/1.0", timeout=20.0,
                                   max_body_bytes=limit)) as fetcher:
        return await fetcher.fetch(url)

for url in sys.argv[2:]:
    reset_peak()
    before = peak_kb()
    started = time.monotonic()
    page = asyncio.run(go(url, int(sys.argv[1])))
    print(json.dumps({"url": url, "error": page.error, "detail": page.error_detail,
                      "seconds": time.monotonic() - started,
                      "rss_growth_kb": peak_kb() - before}))
"""


def fetch_in_child(urls: list[str], limit: int = LIMIT) -> dict[str, dict]:
    """Fetch each URL in turn in one fresh interpreter; for each, the outcome, the time and
    how much the peak RSS grew during that fetch (imports are done before the first)."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(limit), *urls], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {row["url"].rsplit("/", 1)[-1]: row for row in rows}


@pytest.fixture(scope="module")
def bombs() -> dict[str, dict]:
    """Every bomb fetched once, by one child process: {name: outcome}."""
    gzip_bomb = _gzip_stream(BOMB_SIZE)
    served = {
        "double-gzip": (gzip.compress(gzip_bomb), "gzip, gzip"),
        "gzip": (gzip_bomb, "gzip"),
        "deflate": (_deflate_stream(BOMB_SIZE), "deflate"),
    }
    if brotli is not None:
        served["br-in-gzip"] = (gzip.compress(brotli.compress(bytes(BOMB_SIZE // 4),
                                                              quality=5)), "br, gzip")
    assert len(served["double-gzip"][0]) < 10_000  # a few KB on the wire
    with SiteServer() as server:
        urls = [_serve(server, f"/{name}", body, enc) for name, (body, enc) in served.items()]
        return fetch_in_child(urls)


# --- bombs -------------------------------------------------------------------------------


def _bounded(out: dict) -> None:
    assert out["error"] == "too_large", out
    assert out["seconds"] < 5, out
    assert out["rss_growth_kb"] < RSS_ALLOWANCE_KB, out


def test_double_gzip_bomb_stops_at_the_budget_in_little_memory(bombs):
    """Issue 11: `Content-Encoding: gzip, gzip` once inflated both layers in full before the
    size check (a 5 KB response reached 6.5 GB RSS)."""
    out = bombs["double-gzip"]
    _bounded(out)
    assert "once decoded" in out["detail"] and "gzip, gzip" in out["detail"]


def test_single_gzip_bomb_stops_at_the_budget_in_little_memory(bombs):
    out = bombs["gzip"]
    _bounded(out)
    assert f"body exceeds {LIMIT} bytes" in out["detail"]


def test_single_deflate_bomb_stops_at_the_budget_in_little_memory(bombs):
    out = bombs["deflate"]
    _bounded(out)
    assert "deflate" in out["detail"]


@pytest.mark.skipif(brotli is None, reason="brotli is not installed")
def test_brotli_inside_gzip_bomb_stops_at_the_budget_in_little_memory(bombs):
    out = bombs["br-in-gzip"]
    _bounded(out)
    assert "br, gzip" in out["detail"]


def test_three_stacked_encodings_are_refused_before_decoding(server):
    body = gzip.compress(gzip.compress(gzip.compress(HTML)))
    page = fetch(_serve(server, "/triple", body, "gzip, gzip, gzip"))
    assert page.error == "decode_error" and page.content == b""
    assert "3 stacked content encodings" in page.error_detail


def test_inner_layer_larger_than_the_budget_is_too_large(server):
    """The budget holds for every layer, not only the last one's output."""
    stored = gzip.compress(bytes(1_000_000), compresslevel=0)  # a layer that only grows
    body = gzip.compress(stored)
    page = fetch(_serve(server, "/inner", body, "gzip, gzip"), limit=100_000)
    assert page.error == "too_large" and "inner layer" in page.error_detail


def test_corrupt_gzip_is_a_decode_error(server):
    page = fetch(_serve(server, "/corrupt", b"\x1f\x8b\x08\x00garbage-not-gzip" * 10, "gzip"))
    assert page.error == "decode_error" and "gzip" in page.error_detail


def test_unsupported_encoding_is_a_decode_error(server):
    page = fetch(_serve(server, "/zstd", b"\x28\xb5\x2f\xfdnot really", "zstd"))
    assert page.error == "decode_error" and "zstd" in page.error_detail


# --- normal pages --------------------------------------------------------------------------


def test_gzip_page_is_decoded(server):
    page = fetch(_serve(server, "/gz", gzip.compress(HTML), "gzip"))
    assert page.ok and page.content == HTML


def test_gzip_page_just_under_the_budget_is_kept_whole(server):
    body = HTML * (LIMIT // len(HTML))
    page = fetch(_serve(server, "/gz-big", gzip.compress(body), "gzip"))
    assert page.ok and page.content == body


@pytest.mark.parametrize("wrap", [zlib.compress, lambda b: zlib.compress(b)[2:-4]],
                         ids=["zlib-wrapped", "raw"])
def test_deflate_page_is_decoded(server, wrap):
    page = fetch(_serve(server, "/deflate", wrap(HTML), "deflate"))
    assert page.ok and page.content == HTML


def test_two_stacked_gzip_layers_of_a_normal_page_are_decoded(server):
    page = fetch(_serve(server, "/gz2", gzip.compress(gzip.compress(HTML)), "gzip, gzip"))
    assert page.ok and page.content == HTML


@pytest.mark.skipif(brotli is None, reason="brotli is not installed")
def test_brotli_page_is_decoded_and_asked_for(server):
    page = fetch(_serve(server, "/br", brotli.compress(HTML), "br"))
    assert page.ok and page.content == HTML
    assert "br" in server.requests()[-1].headers["Accept-Encoding"]


def test_unknown_and_identity_tokens_leave_the_body_alone(server):
    page = fetch(_serve(server, "/id", HTML, "identity, x-custom"))
    assert page.ok and page.content == HTML


# --- the decoder on its own ----------------------------------------------------------------


def test_decoder_hands_on_bounded_slices_and_stops_when_pulled_no_more():
    decoder = ContentDecoder(["gzip"], budget=10 * LIMIT)
    pieces = decoder.feed(_gzip_stream(8 << 20))
    first = next(pieces)
    assert 0 < len(first) <= 64 * 1024
    pieces.close()  # the caller stopped: nothing more was inflated
    assert decoder.produced[0] <= 64 * 1024


def test_decoder_errors():
    with pytest.raises(CodingError, match="at most 2"):
        ContentDecoder(["gzip", "deflate", "gzip"], budget=100)
    with pytest.raises(CodingTooLarge):
        list(ContentDecoder(["gzip"], budget=100).feed(gzip.compress(bytes(1000))))
