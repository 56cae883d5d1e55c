"""Hostile XML in feeds and sitemaps (make stress, issue 11): entity bombs and external
entities are refused (nothing resolved, nothing fetched), sitemap indexes that list themselves
end, a 1,000,000-URL sitemap is queued within bounded memory. Each case crawls a two-host
scene with the real `scraper crawl` (see tests/stress_harness.py)."""

from __future__ import annotations

import gzip
import zlib

import pytest

from .stress_harness import (
    Scene,
    crawl_case,
    expect_reason,
    gzip_bomb,
    page,
    query,
    static,
    story,
)

FAMILY = "xml"
RSS = "application/rss+xml"
XML = "application/xml"


def lol_entities(depth: int = 10) -> str:
    """The billion-laughs declarations: lol9 expands to 10**9 'lol's."""
    decl = ['<!ENTITY lol0 "lol">']
    for i in range(1, depth):
        decl.append(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    return "\n".join(decl)


def billion_rss(link: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{lol_entities()}\n]>\n'
            f'<rss version="2.0"><channel><title>&lol9;</title>'
            f"<item><title>&lol9;</title><link>{link}</link></item></channel></rss>")


def billion_urlset(loc: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [\n{lol_entities()}\n]>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{loc}</loc><lastmod>&lol9;</lastmod></url></urlset>")


def quadratic_urlset(loc: str) -> str:
    """One 100 KB entity referenced 20,000 times (2 GB if expanded), no nesting."""
    big = "x" * 100_000
    refs = "&big;" * 20_000
    return (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY big "{big}">]>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{loc}</loc><lastmod>{refs}</lastmod></url></urlset>")


def xxe_doc(root: str, body: str, system_id: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{system_id}">]>\n'
            + body.replace("XXE", "&xxe;"))


def rss_with(link: str, title: str = "Feed") -> str:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<item><title>XXE</title><link>{link}</link></item></channel></rss>")


def urlset_with(*locs: str) -> str:
    rows = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'


def index_of(*locs: str) -> str:
    rows = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (f'<?xml version="1.0"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>')


STORY = "/news/2024/05/03/story-listed-in-the-hostile-document/"


def _with_story(s: Scene) -> str:
    url = s.bad.url(STORY)
    s.bad.routes[STORY] = page(story("Story listed in the hostile document", url))
    return url


def _not_stored(s: Scene, url: str) -> list[str]:
    return [f"{url} was stored from a refused document"] if url in s.stored() else []


def _nothing_fetched(s: Scene, prefix: str) -> list[str]:
    hits = s.bad.hits(prefix)
    return [f"the external entity was fetched ({hits} requests to {prefix})"] if hits else []


# -- entity bombs


def case_feed_billion_laughs(s: Scene):
    url = _with_story(s)
    s.bad.routes["/h/feed.xml"] = page(billion_rss(url), RSS)
    s.feeds = [s.bad.url("/h/feed.xml")]
    return lambda run: _merge(expect_reason(s, "/h/feed.xml", "xml_"), _not_stored(s, url))


def case_sitemap_billion_laughs(s: Scene):
    url = _with_story(s)
    s.bad.routes["/h/sitemap.xml"] = page(billion_urlset(url), XML)
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: _merge(expect_reason(s, "/h/sitemap.xml", "xml_"), _not_stored(s, url))


def case_sitemap_quadratic_blowup(s: Scene):
    url = _with_story(s)
    s.bad.routes["/h/sitemap.xml"] = page(quadratic_urlset(url), XML)
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: _merge(expect_reason(s, "/h/sitemap.xml", "xml_"), _not_stored(s, url))


def case_feed_billion_laughs_gzip(s: Scene):
    """The bomb behind Content-Encoding: gzip."""
    url = _with_story(s)
    body = gzip.compress(billion_rss(url).encode(), mtime=0)
    s.bad.routes["/h/feed.xml"] = page(body, RSS, [("Content-Encoding", "gzip")])
    s.feeds = [s.bad.url("/h/feed.xml")]
    return lambda run: _merge(expect_reason(s, "/h/feed.xml", "xml_"), _not_stored(s, url))


# -- external entities (XXE)


def case_feed_xxe_file(s: Scene):
    s.bad.routes["/h/feed.xml"] = page(
        xxe_doc("rss", rss_with(s.bad.url("/news/XXE")), "file:///etc/passwd"), RSS)
    s.feeds = [s.bad.url("/h/feed.xml")]

    def check(run):
        leaked = [u for u in s.results() if "root:" in u]
        return _merge(expect_reason(s, "/h/feed.xml", "xml_"),
                      [f"file contents reached the frontier: {leaked[:1]}"] if leaked else [])
    return check


def case_feed_xxe_http(s: Scene):
    s.bad.routes["/h/feed.xml"] = page(
        xxe_doc("rss", rss_with(s.bad.url("/news/x")), s.bad.url("/xxe/secret")), RSS)
    s.feeds = [s.bad.url("/h/feed.xml")]
    return lambda run: _merge(expect_reason(s, "/h/feed.xml", "xml_"),
                              _nothing_fetched(s, "/xxe/"))


def case_sitemap_xxe_http(s: Scene):
    s.bad.routes["/h/sitemap.xml"] = page(
        xxe_doc("urlset", urlset_with("XXE"), s.bad.url("/xxe/secret")), XML)
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: _merge(expect_reason(s, "/h/sitemap.xml", "xml_"),
                              _nothing_fetched(s, "/xxe/"))


def case_sitemap_external_dtd(s: Scene):
    s.bad.routes["/h/sitemap.xml"] = page(
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{s.bad.url("/xxe/evil.dtd")}">'
        + urlset_with(s.bad.url("/news/2024/05/03/x-story/")), XML)
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: _merge(expect_reason(s, "/h/sitemap.xml"), _nothing_fetched(s, "/xxe/"))


def case_sitemap_parameter_entity(s: Scene):
    s.bad.routes["/h/sitemap.xml"] = page(
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY % p SYSTEM "{s.bad.url("/xxe/p.dtd")}">'
        f" %p;]>" + urlset_with(s.bad.url("/news/2024/05/03/x-story/")), XML)
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: _merge(expect_reason(s, "/h/sitemap.xml", "xml_"),
                              _nothing_fetched(s, "/xxe/"))


def case_sitemap_xinclude(s: Scene):
    s.bad.routes["/h/sitemap.xml"] = page(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<url><loc><xi:include href="{s.bad.url("/xxe/inc.txt")}" parse="text"/></loc></url>'
        "</urlset>", XML)
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: _merge(expect_reason(s, "/h/sitemap.xml"), _nothing_fetched(s, "/xxe/"))


# -- sitemap indexes that never end


def case_sitemap_index_lists_itself(s: Scene):
    url = _with_story(s)
    me = s.bad.url("/h/index.xml")
    s.bad.routes["/h/index.xml"] = page(index_of(me, s.bad.url("/h/child.xml")), XML)
    s.bad.routes["/h/child.xml"] = page(urlset_with(url), XML)
    s.sitemaps = [me]

    def check(run):
        problems = []
        if s.bad.hits("/h/index.xml") != 1:
            problems.append(f"the self-listing index was fetched {s.bad.hits('/h/index.xml')} times")
        if url not in s.stored():
            problems.append("the story of the index's other child was not stored")
        return _merge(expect_reason(s, "/h/index.xml"), problems)
    return check


def case_sitemap_index_cycle(s: Scene):
    """a -> b -> a, and b also lists a urlset with the story."""
    url = _with_story(s)
    a, b = s.bad.url("/h/a.xml"), s.bad.url("/h/b.xml")
    s.bad.routes["/h/a.xml"] = page(index_of(b), XML)
    s.bad.routes["/h/b.xml"] = page(index_of(a, s.bad.url("/h/urls.xml")), XML)
    s.bad.routes["/h/urls.xml"] = page(urlset_with(url), XML)
    s.sitemaps = [a]

    def check(run):
        problems = []
        for p in ("/h/a.xml", "/h/b.xml"):
            if s.bad.hits(p) != 1:
                problems.append(f"{p} fetched {s.bad.hits(p)} times")
        if url not in s.stored():
            problems.append("the story at the end of the cycle was not stored")
        return _merge(expect_reason(s, "/h/a.xml"), problems)
    return check


def case_sitemap_index_fanout(s: Scene):
    """An index of 50,000 children, each listing 50,000 more: the sitemap budget holds."""
    def child(sock, request):
        n = request.path.rsplit("/", 1)[-1].split(".")[0]
        body = index_of(*(s.bad.url(f"/h/c/{n}-{i}.xml") for i in range(50_000)))
        static(_xml_response(body.encode()))(sock, request)
    s.bad.prefixes["/h/c/"] = child
    s.bad.routes["/h/index.xml"] = page(
        index_of(*(s.bad.url(f"/h/c/{i}.xml") for i in range(50_000))), XML)
    s.sitemaps = [s.bad.url("/h/index.xml")]
    s.crawl["max_sitemaps_per_site"] = 20

    def check(run):
        fetched = s.bad.hits("/h/")
        problems = [f"{fetched} sitemaps fetched, budget 20"] if fetched > 21 else []
        return _merge(expect_reason(s, "/h/index.xml"), problems)
    return check


def _xml_response(body: bytes) -> bytes:
    from .stress_harness import response
    return response(200, body, XML)


# -- size


def _gzip_urlset(locs) -> tuple[bytes, int]:
    """A gzip urlset of `locs` (an iterable), built 10,000 rows at a time: (body, decoded size)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    parts, size, chunk = [c.compress(head)], len(head), []
    for loc in locs:
        chunk.append(f"<url><loc>{loc}</loc></url>")
        if len(chunk) == 10_000:
            data = "".join(chunk).encode()
            parts.append(c.compress(data))
            size, chunk = size + len(data), []
    tail = "".join(chunk).encode() + b"</urlset>"
    parts.append(c.compress(tail) + c.flush())
    return b"".join(parts), size + len(tail)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _million_case(s: Scene, count: int, prefix: str, limit: int | None):
    base = s.bad.url(prefix)
    body, size = _gzip_urlset(f"{base}{_base36(i)}" for i in range(count))
    s.bad.routes["/h/sitemap.xml.gz"] = page(body, "application/x-gzip")
    s.sitemaps = [s.bad.url("/h/sitemap.xml.gz")]
    if limit:
        s.crawl["max_sitemap_bytes"] = limit
    s.extra_args = ("--max-pages", "30")
    s.timeout = 300

    def check(run):
        queued = query(s.db, "SELECT count(*) FROM frontier WHERE url LIKE ?", (base + "%",))[0][0]
        problems = [] if queued >= count else [f"{queued:,} of {count:,} URLs queued"]
        return _merge(expect_reason(s, "/h/sitemap.xml.gz", "sitemap"), problems,
                      note=f"{queued:,} queued of {count:,}; {size / 1e6:.1f} MB decoded")
    return check, size


def case_sitemap_one_million_urls(s: Scene):
    """A single sitemap (a .xml.gz file) of 1,000,000 URLs, just under the protocol's 50 MB:
    every URL queued, memory bounded."""
    check, size = _million_case(s, 1_000_000, "/", None)
    assert size < 50_000_000, size  # within the default max_sitemap_bytes
    return check


def case_sitemap_60mb_allowed_by_max_sitemap_bytes(s: Scene):
    """1,000,000 longer URLs (about 60 MB decoded) with max_sitemap_bytes = 100 MB: the setting
    says this sitemap may be read, so its URLs are queued."""
    check, size = _million_case(s, 1_000_000, "/m/story-", 100_000_000)
    assert 50_000_000 < size < 100_000_000, size
    return check


def case_sitemap_gzip_file_bomb(s: Scene):
    """A .xml.gz body (no Content-Encoding) inflating to 1 GiB of zeros."""
    s.bad.routes["/h/sitemap.xml.gz"] = page(gzip_bomb(1024), "application/x-gzip")
    s.sitemaps = [s.bad.url("/h/sitemap.xml.gz")]
    return lambda run: expect_reason(s, "/h/sitemap.xml.gz", "too_large")


def case_sitemap_content_encoding_bomb(s: Scene):
    s.bad.routes["/h/sitemap.xml"] = page(gzip_bomb(1024), XML, [("Content-Encoding", "gzip")])
    s.sitemaps = [s.bad.url("/h/sitemap.xml")]
    return lambda run: expect_reason(s, "/h/sitemap.xml", "too_large")


def case_feed_is_html(s: Scene):
    s.bad.routes["/h/feed.xml"] = page("<html><body><p>Not a feed at all</p></body></html>", RSS)
    s.feeds = [s.bad.url("/h/feed.xml")]
    return lambda run: expect_reason(s, "/h/feed.xml")


def case_feed_truncated_xml(s: Scene):
    url = _with_story(s)
    whole = rss_with(url).replace("XXE", "T")
    s.bad.routes["/h/feed.xml"] = page(whole[: len(whole) - 30], RSS)
    s.feeds = [s.bad.url("/h/feed.xml")]
    return lambda run: expect_reason(s, "/h/feed.xml")


def _merge(first: tuple[str, list[str]], more: list[str], note: str = "") -> tuple[str, list[str]]:
    reason, problems = first
    return (f"{reason} ({note})" if note else reason), problems + more


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_xml(name, tmp_path):
    row = crawl_case(name, FAMILY, CASES[name], tmp_path)
    assert row.problems == [], f"{name}: {row.outcome}: {row.problems}"
