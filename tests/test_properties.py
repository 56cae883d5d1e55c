"""Property tests (issue 11), with hypothesis: what must hold for any input, not just the
inputs we thought of.

* `clean_url` and `url_key` never raise on any string and are idempotent;
* `extract_article` never raises on any bytes (or text), and returns an Article;
* the config loader raises only `ConfigError` on any bytes, any TOML document, any parsed data;
* the feed and sitemap parsers (and the page-link parser) never raise on any bytes.

Each property draws from two sources: arbitrary values, and values built from the pieces the
code branches on (URL parts, tags, XML declarations, TOML keys), which find bugs far sooner.
The examples are few enough for `make test` (about 15 s in all).
"""

from __future__ import annotations

import gzip
import json
import math
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scraper import extract_article
from scraper.config import CRAWL_SETTINGS, SITE_SETTINGS, ConfigError, load_config, parse_config
from scraper.discover import parse_feed, parse_page_links, parse_sitemap
from scraper.models import Article
from scraper.urls import clean_url, url_key

# no example database: the suite leaves no .hypothesis/ folder behind, and every run draws anew
QUICK = settings(max_examples=200, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
CONFIGS = settings(QUICK, max_examples=120)
SLOW = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---------------------------------------------------------------- URLs

SCHEMES = st.sampled_from(["http", "https", "HTTP", "hTtPs", "ftp", "file", "javascript",
                           "data", "mailto", "", "http:", "ws"])
HOSTS = st.one_of(
    st.sampled_from(["example.com", "EXAMPLE.com.", "www.example.co.uk", "amp.example.com",
                     "127.0.0.1", "[::1]", "[::1", "xn--bcher-kva.example", "bücher.example",
                     "user:pw@example.com", "example.com:80", "example.com:443",
                     "example.com:99999", "example.com:", "", "..", "a..b", "-x-.com",
                     "%65xample.com", "exa mple.com", "\u200bexample.com", "ex\x00ample.com"]),
    st.text(alphabet=string.ascii_letters + string.digits + ".-:[]@%", max_size=30))
SEGMENTS = st.lists(st.one_of(
    st.sampled_from([".", "..", "", "amp", "index.html", "%2F", "%41", "%zz", "%", "a b",
                     "ünï", "story-1", "2024", "05", ";jsessionid=ABC", "~user"]),
    st.text(max_size=12)), max_size=6)
QUERIES = st.lists(st.one_of(
    st.sampled_from(["utm_source=x", "utm_medium=y", "fbclid=1", "gclid=2", "amp=1",
                     "outputType=amp", "page=2", "id=5", "a", "=", "&", "b=%20", "sid=deadbeef",
                     "PHPSESSID=1"]),
    st.text(max_size=10)), max_size=5)


@st.composite
def url_like(draw) -> str:
    scheme = draw(SCHEMES)
    slashes = draw(st.sampled_from(["//", "/", "", "///", "\\\\"]))
    path = "/".join(draw(SEGMENTS))
    query = "&".join(draw(QUERIES))
    fragment = draw(st.sampled_from(["", "#", "#top", "#!/x"]))
    prefix = f"{scheme}:{slashes}" if scheme else draw(st.sampled_from(["", "//", "/", "./"]))
    return (f"{draw(st.sampled_from(['', ' ', chr(0xfeff), chr(9)]))}{prefix}{draw(HOSTS)}"
            f"/{path}{'?' + query if query else ''}{fragment}")


ANY_URL = st.one_of(st.text(max_size=200), url_like())


@QUICK
@given(ANY_URL, st.one_of(st.none(), ANY_URL))
@example("http://[::1", None)
@example("//example.com/a", "http://[::1")
@example("http://example.com/a/../../b/./c?utm_source=x#f", None)
def test_clean_url_never_raises_and_is_idempotent(url, base):
    cleaned = clean_url(url, base)
    assert cleaned is None or isinstance(cleaned, str)
    if cleaned is not None:
        assert cleaned.startswith(("http://", "https://"))
        assert clean_url(cleaned) == cleaned


@QUICK
@given(ANY_URL)
@example("https://amp.example.com/amp/story/amp/?amp=1&b=2&a=1")
@example("http://example.com/index.html")
@example("http://example.com:443/a")  # the key says https://example.com:443/a
def test_url_key_never_raises_and_is_idempotent(url):
    key = url_key(url)
    assert isinstance(key, str)
    assert url_key(key) == key
    cleaned = clean_url(url)
    if cleaned is not None:
        assert url_key(cleaned) == key  # the key of the cleaned URL is the same key


# ---------------------------------------------------------------- extraction

TAGS = ["html", "head", "body", "article", "main", "div", "p", "h1", "span", "script",
        "style", "table", "tr", "td", "a", "meta", "link", "title", "time", "svg", "math",
        "template", "noscript", "iframe", "!--", "![CDATA[", "!DOCTYPE html", "?xml"]
PIECES = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(['<meta charset="utf-16">', '<meta charset="x-bogus">',
                     '<meta http-equiv="content-type" content="text/html; charset=shift_jis">',
                     '<script type="application/ld+json">{"@type": "NewsArticle", '
                     '"headline": 5, "author": [null, {"name": []}], "datePublished": "x"}'
                     "</script>",
                     '<script type="application/ld+json">[[[{"@graph": 1}</script>',
                     '<link rel="canonical" href="http://[::1">',
                     '<meta property="og:url" content="javascript:1">',
                     '<meta property="article:published_time" content="99999-99-99">',
                     '<time datetime="2024-02-30T25:61:00Z">', '<a href="//">x</a>',
                     '<base href="http://[::1">', '<base href="javascript:x">',
                     "&amp;", "&#0;", "&#xD800;", "&nosuchentity;", "\x00", "\ufffd"]),
    st.text(max_size=40))
HTML_LIKE = st.lists(PIECES, max_size=40).map("".join)


@st.composite
def page_bytes(draw) -> bytes:
    text = draw(HTML_LIKE)
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "shift_jis"]))
    data = text.encode(encoding, errors="replace")
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x1f\x8b"])) + data


HEADERS = st.one_of(st.none(), st.dictionaries(
    st.sampled_from(["Content-Type", "content-type", "Content-Language", "X"]),
    st.sampled_from(["text/html; charset=utf-8", "text/html; charset=bogus", "text/html",
                     "application/xhtml+xml; charset=utf-16", "", "text/html; charset=",
                     'text/html; charset="utf-8"; x=;;']), max_size=2))


@SLOW
@given(st.one_of(st.binary(max_size=3000), page_bytes(), HTML_LIKE), HEADERS)
@example(b"", None)
@example(b"\x00" * 100, {"Content-Type": "text/html; charset=utf-16"})
def test_extract_article_never_raises(data, headers):
    article = extract_article(data, "https://example.com/news/2024/05/01/a-story/",
                              headers=headers)
    assert isinstance(article, Article)
    assert isinstance(article.body, str)


# ---------------------------------------------------------------- config

def _load_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sites.toml"
        path.write_bytes(data)
        try:
            return load_config(path)
        except ConfigError:
            return None


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(value)


SCALARS = st.one_of(
    st.booleans(), st.integers(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["http://127.0.0.1:9/", "https://user:pw@example.com/", "ftp://x/",
                     "scraper/0.1\r\nX: 1", "", "  ", "http://[::1", "example.com",
                     "h1.title", "::nonsense(", "p > a ~ b + c"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)
CRAWL_KEYS = st.one_of(st.sampled_from([s.key for s in CRAWL_SETTINGS]), st.text(max_size=8))
SITE_KEYS = st.one_of(st.sampled_from([s.key for s in SITE_SETTINGS]), st.text(max_size=8))
SELECTORS = st.dictionaries(st.sampled_from(["headline", "body", "byline", "nope"]),
                            SCALARS, max_size=3)


@st.composite
def config_data(draw) -> dict:
    data: dict = {}
    if draw(st.booleans()):
        data["crawl"] = draw(st.one_of(st.dictionaries(CRAWL_KEYS, VALUES, max_size=6), VALUES))
    if draw(st.booleans()):
        site = draw(st.dictionaries(SITE_KEYS, VALUES, max_size=6))
        if draw(st.booleans()):
            site["selectors"] = draw(SELECTORS)
        data["sites"] = draw(st.one_of(st.just([site]), st.lists(
            st.dictionaries(SITE_KEYS, VALUES, max_size=4), max_size=3), VALUES))
    if draw(st.booleans()):
        data[draw(st.text(max_size=8))] = draw(VALUES)
    return data


def to_toml(data: dict) -> str:
    """A TOML document of `data` (tables as [crawl] and [[sites]] when they are tables)."""
    lines = []
    for key, value in data.items():
        if not isinstance(value, (dict, list)) or (isinstance(value, list) and not all(
                isinstance(v, dict) for v in value)) or value == []:
            lines.append(f"{json.dumps(key, ensure_ascii=False)} = {_toml_value(value)}")
    for key, value in data.items():
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, dict):
            lines.append(f"[{name}]")
            lines += [f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}"
                      for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                lines.append(f"[[{name}]]")
                lines += [f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}"
                          for k, v in table.items()]
    return "\n".join(lines) + "\n"


@CONFIGS
@given(st.one_of(st.binary(max_size=500),
                 st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 config_data().map(lambda d: to_toml(d).encode("utf-8", "surrogatepass"))))
@example(b"[crawl]\nper_host_delay = nan\n")
@example(b"x = " + b"[" * 5000 + b"]" * 5000)
@example(b"\xff\xfe[\x00c\x00")
def test_config_loader_raises_only_config_error_on_any_bytes(data):
    config = _load_bytes(data)
    assert config is None or config.sites


@CONFIGS
@given(config_data())
def test_parse_config_raises_only_config_error_on_any_data(data):
    try:
        config = parse_config(data)
    except ConfigError as exc:
        assert exc.problems
        return
    assert config.sites
    for site in config.sites:
        assert site.start_urls
        for url in site.start_urls:
            assert "@" not in url.split("/")[2]
    delay = config.crawl.per_host_delay
    assert math.isfinite(delay) and delay >= 0


# ---------------------------------------------------------------- feeds, sitemaps, pages

XML_PIECES = st.one_of(
    st.sampled_from([
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>',
        '<?xml version="1.0" encoding="x-bogus"?>', "<rss>", "</rss>", '<rss version="2.0">',
        "<channel>", "</channel>", "<item>", "</item>", "<link>", "</link>",
        "<guid>", "</guid>", '<guid isPermaLink="true">', "<pubDate>", "</pubDate>",
        '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>",
        '<link rel="alternate" href="/a"/>', '<link href="http://[::1"/>',
        "<rdf:RDF>", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        "</urlset>", "<url>", "</url>", "<loc>", "</loc>", "<lastmod>", "</lastmod>",
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        "</sitemapindex>", "<sitemap>", "</sitemap>", "<news:news>",
        "<news:publication_date>", '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
        '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">', "&a;", "&amp;", "&nbsp;", "&#0;",
        "<![CDATA[", "]]>", "<!--", "-->", "http://example.com/a", "javascript:x",
        "2024-13-45", "Mon, 99 Foo 2024", "\x00", "\ufeff", "\n"]),
    st.text(max_size=20))
XML_LIKE = st.lists(XML_PIECES, max_size=40).map("".join)


@st.composite
def document_bytes(draw) -> bytes:
    data = draw(st.one_of(st.binary(max_size=2000),
                          XML_LIKE.map(lambda t: t.encode("utf-8", "surrogatepass"))))
    if draw(st.integers(0, 4)) == 0:
        data = gzip.compress(data, mtime=0)
    if draw(st.integers(0, 6)) == 0:
        data = data[: draw(st.integers(0, max(0, len(data))))]  # cut short
    return data


BASES = st.sampled_from(["https://example.com/feed.xml", "http://127.0.0.1:9/sitemap.xml",
                         "http://[::1", "", "not a url"])


@QUICK
@given(document_bytes(), BASES)
@example(b"\x1f\x8b\x08\x00" + b"\x00" * 20, "https://example.com/s.xml")
def test_feed_parser_never_raises(data, base):
    result = parse_feed(data, base)
    assert result.error is None or isinstance(result.error, str)
    assert all(link.url.startswith(("http://", "https://")) for link in result.links)


@QUICK
@given(document_bytes(), BASES)
@example(b"http://a.example/1\nnot a url\n\x00\n", "https://example.com/s.txt")
def test_sitemap_parser_never_raises(data, base):
    result = parse_sitemap(data, base)
    assert result.error is None or isinstance(result.error, str)
    assert all(link.url.startswith(("http://", "https://")) for link in result.links)


PAGE_URLS = st.sampled_from(["https://example.com/news/", "http://127.0.0.1:9/a/b?c=d",
                             "https://www.example.co.uk/"])  # a fetched URL: always valid


@SLOW
@given(st.one_of(st.binary(max_size=2000), page_bytes()), PAGE_URLS)
def test_page_link_parser_never_raises(data, base):
    links = parse_page_links(data, base, ["example.com"])
    assert all(link.url.startswith(("http://", "https://")) for link in links.links)


@given(st.builds(Article, url=st.text(max_size=20), canonical_url=st.text(max_size=20),
                 authors=st.lists(st.text(max_size=8), max_size=3).map(tuple),
                 tags=st.lists(st.text(max_size=8), max_size=3).map(tuple),
                 word_count=st.integers(0, 10_000), headline=st.none() | st.text(max_size=30)))
def test_article_to_dict_is_asdict_with_lists(article):
    """`Article.to_dict` reads the fields without `asdict`'s recursive copy; the record hash
    of stored rows depends on it giving exactly what `asdict` gave, key order included."""
    import dataclasses

    expected = dataclasses.asdict(article)
    expected["authors"], expected["tags"] = list(article.authors), list(article.tags)
    assert article.to_dict() == expected and list(article.to_dict()) == list(expected)
