"""Hostile markup (make stress, issue 11): nesting 100,000 deep, invalid UTF-8 and NUL bytes,
a 1 MB attribute and a 1 MB URL, 10,000 links on a page. Each case crawls a two-host scene
with the real `scraper crawl`, or runs the real `scraper extract` (see tests/stress_harness.py).
A story with hostile markup around ordinary text must still be stored as an article."""

from __future__ import annotations

import os

import pytest

from .stress_harness import (
    RSS_LIMIT,
    SCRAPER,
    HostileServer,
    Scene,
    crawl_case,
    expect_reason,
    first_lines,
    page,
    query,
    record,
    run_measured,
    story,
)

FAMILY = "markup"
P = "/news/2024/05/03/residents-welcome-the-new-library-opening-hours/"
TITLE = "Residents welcome the new library opening hours"


def _story_with(s: Scene, transform, *, path: str = P, must_store: bool = True,
                content_type: str = "text/html; charset=utf-8"):
    """An ordinary story on the bad host, its HTML bytes passed through `transform`."""
    url = s.bad.url(path)
    s.bad.routes[path] = page(transform(story(TITLE, url).encode()), content_type)
    s.bad_links = [path]

    def check(run):
        reason, problems = expect_reason(s, path)
        if must_store and url not in s.stored():
            problems.append(f"the story was not stored ({reason})")
        return reason, problems
    return check


def _nest(opening: bytes, depth: int):
    return lambda html: html.replace(b"<body>", b"<body>" + opening * depth, 1)


def case_nested_divs_100k(s: Scene):
    return _story_with(s, _nest(b"<div>", 100_000))


def case_nested_mixed_inline_100k(s: Scene):
    return _story_with(s, _nest(b"<span><b><i><a>", 25_000))


def case_nested_closed_divs_100k(s: Scene):
    """100,000 nested divs, every one closed: the story inside the innermost."""
    def transform(html):
        head, _, rest = html.partition(b"<main>")
        inner, _, tail = rest.partition(b"</main>")
        return head + b"<main>" + b"<div>" * 100_000 + inner + b"</div>" * 100_000 \
            + b"</main>" + tail
    return _story_with(s, transform)


def case_nested_tables_20k(s: Scene):
    return _story_with(s, _nest(b"<table><tr><td>", 20_000))


def case_invalid_utf8(s: Scene):
    """Lone continuation bytes, overlong forms and surrogates sprinkled through the text."""
    bad = b"\x80\xbf\xc0\xaf\xed\xa0\x80\xf8\x88\x80\x80\x80\xff"
    return _story_with(s, lambda html: html.replace(b"<p>", b"<p>" + bad, 3)
                       .replace(b"</h1>", bad + b"</h1>"))


def case_nul_bytes(s: Scene):
    return _story_with(s, lambda html: html.replace(b" ", b" \x00", 200))


def case_nul_bytes_everywhere(s: Scene):
    return _story_with(s, lambda html: b"\x00".join(html[i:i + 1] for i in range(len(html))),
                       must_store=False)


def case_control_characters(s: Scene):
    ctrl = bytes(range(1, 32)).replace(b"\n", b"").replace(b"\t", b"")
    return _story_with(s, lambda html: html.replace(b"<p>", b"<p>" + ctrl, 5))


def case_attribute_1mb(s: Scene):
    return _story_with(s, lambda html: html.replace(
        b"<article>", b'<article data-x="' + b"a" * 1_000_000 + b'">', 1))


def case_many_attributes(s: Scene):
    attrs = b" ".join(b'a%d="%d"' % (i, i) for i in range(100_000))
    return _story_with(s, lambda html: html.replace(b"<article>", b"<article " + attrs + b">", 1))


def case_href_1mb(s: Scene):
    """A listing with a 1 MB URL beside an ordinary story link."""
    long_href = "/news/" + "a" * 1_000_000
    url = s.bad.url(P)
    s.bad.routes[P] = page(story(TITLE, url))
    s.bad.routes["/"] = page(
        f'<html><body><a href="{long_href}">long</a><a href="{P}">{TITLE}</a>'
        f'<a href="http://{"x" * 500_000}.example/">host</a></body></html>')

    def check(run):
        problems = [] if url in s.stored() else ["the story beside the 1 MB URL was not stored"]
        longest = query(s.db, "SELECT max(length(url)) FROM frontier")[0][0] or 0
        return f"longest queued URL {longest} chars", problems
    return check


def case_canonical_1mb(s: Scene):
    """rel=canonical (and og:url) 1 MB long: the story is stored under its own URL, not
    under a megabyte of identity."""
    check = _story_with(s, lambda html: html.replace(
        b'href="http', b'href="/' + b"c" * 1_000_000 + b"?http", 1).replace(
        b'og:url" content="http', b'og:url" content="/' + b"c" * 1_000_000 + b"?http", 1))

    def longest(run):
        reason, problems = check(run)
        size = query(s.db, "SELECT max(length(canonical_url)) FROM articles")[0][0] or 0
        if size > 8192:
            problems.append(f"an article was stored under a {size:,}-character canonical URL")
        return reason, problems
    return longest


def case_title_1mb(s: Scene):
    return _story_with(s, lambda html: html.replace(b"<title>", b"<title>" + b"T " * 500_000, 1))


def case_links_10000(s: Scene):
    """A listing of 10,000 story links: all discovered, the page budget holds."""
    hrefs = [f"/news/2024/05/01/story-number-{i}-of-ten-thousand/" for i in range(10_000)]
    body = "".join(f'<li><a href="{h}">Story {i}</a></li>' for i, h in enumerate(hrefs))
    s.bad.routes["/"] = page(f"<html><body><ul>{body}</ul></body></html>")
    s.bad.prefixes["/news/2024/05/01/"] = page("<html><body><p>gone</p></body></html>",
                                               status=404)
    s.crawl["max_pages_per_site"] = 60

    def check(run):
        queued = query(s.db, "SELECT count(*) FROM frontier WHERE url LIKE ?",
                       (s.bad.url("/news/2024/05/01/") + "%",))[0][0]
        fetched = s.bad.hits("/news/")
        problems = [] if queued == 10_000 else [f"{queued} of 10,000 links queued"]
        if fetched > 60:
            problems.append(f"{fetched} pages fetched, budget 60")
        return f"{queued} queued, {fetched} fetched", problems
    return check


def case_links_10000_in_article(s: Scene):
    links = "".join(f'<a href="/tag/t{i}/">t{i}</a> ' for i in range(10_000))
    return _story_with(s, lambda html: html.replace(b"</article>", links.encode() + b"</article>"))


def case_scripts_5mb(s: Scene):
    script = b"<script>var x='" + b"y" * 4_500_000 + b"';</script>"
    return _story_with(s, lambda html: html.replace(b"</head>", script + b"</head>"))


def case_unclosed_comment(s: Scene):
    return _story_with(s, lambda html: html.replace(b"<footer>", b"<!-- " * 50_000 + b"<footer>"),
                       must_store=False)


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_markup(name, tmp_path):
    row = crawl_case(name, FAMILY, CASES[name], tmp_path)
    assert row.problems == [], f"{name}: {row.outcome}: {row.problems}"


# -- the same pages through `scraper extract` (its own process, its own limits)

EXTRACT_DEADLINE = 90.0  # the crawl gives up a page after 60 s; extract must not hang either


def _extract_row(name: str, args: list[str], stdin_note: str = "") -> None:
    run = run_measured([SCRAPER, "extract", *args], timeout=EXTRACT_DEADLINE + 30)
    problems = []
    if run.returncode not in (0, 1, None):
        problems.append(f"exit {run.returncode}: {first_lines(run.stderr)}")
    if run.seconds > EXTRACT_DEADLINE:
        problems.append(f"took {run.seconds:.0f}s (crawl's per-page limit is 60 s)")
    reason = first_lines(run.stderr, 1) if run.returncode else "extracted"
    row = record(name, FAMILY, run, problems, reason)
    assert row.problems == [], f"{name}: {row.outcome}: {row.problems}"
    assert run.peak_rss < RSS_LIMIT


@pytest.mark.slow
def test_extract_url_nested_100k(tmp_path):
    with HostileServer() as srv:
        srv.routes["/robots.txt"] = page(b"User-agent: *\nAllow: /\n", "text/plain")
        html = _nest(b"<div>", 100_000)(story(TITLE, srv.url(P)).encode())
        srv.routes[P] = page(html)
        _extract_row("extract_url_nested_100k", ["--timeout", "10", srv.url(P)])


@pytest.mark.slow
def test_extract_html_file_binary(tmp_path):
    path = tmp_path / "garbage.html"
    path.write_bytes(os.urandom(1_000_000) + b"\x00" * 1_000_000)
    _extract_row("extract_html_file_binary", ["--html", str(path), "--url", "http://x.test/a"])


@pytest.mark.slow
def test_extract_html_file_nested_100k(tmp_path):
    path = tmp_path / "deep.html"
    path.write_bytes(_nest(b"<div>", 100_000)(story(TITLE, "http://x.test" + P).encode()))
    _extract_row("extract_html_file_nested_100k", ["--html", str(path), "--url", "http://x.test" + P])
