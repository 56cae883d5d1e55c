"""The URL short cuts give what the full work gives: `clean_url`'s already-clean form,
`url_key`'s split without urlsplit, `same_site`'s per-host cache."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.urls import clean_url, same_site, url_key
from scraper.urls.clean import _already_clean, _clean_url, split_clean

_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_HOST = st.lists(_LABEL, min_size=1, max_size=4).map(".".join)
_PORT = st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}"),
                  st.sampled_from([":80", ":443", ":080", ":0443"]))
_PATH_CHARS = "abcXYZ019-._~/:@!$&'()*+,;=%?#. é"  # "?" and "#": a query and a fragment
_PATH = st.text(alphabet=_PATH_CHARS, max_size=30).map(lambda p: "/" + p)
_URL = st.builds(lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
                 st.sampled_from(["http", "https", "HTTP", "ftp"]), _HOST, _PORT, _PATH)


@settings(max_examples=600, deadline=None)
@given(_URL)
def test_an_already_clean_url_is_what_the_full_clean_returns(url):
    if _already_clean(url):
        assert _clean_url(url) == url
    assert clean_url(url) == _clean_url(url)


@settings(max_examples=300, deadline=None)
@given(_URL, st.sampled_from([None, "http://example.com/a/b", "https://other.org/"]))
def test_a_base_changes_nothing_for_an_absolute_url(url, base):
    assert clean_url(url, base) == _clean_url(url, base)


@settings(max_examples=400, deadline=None)
@given(_URL)
def test_a_clean_url_splits_as_urlsplit_splits_it(url):
    cleaned = clean_url(url)
    if cleaned is not None:
        assert split_clean(cleaned) == urlsplit(cleaned)


def test_clean_forms_are_taken_as_they_are_and_others_are_cleaned():
    assert _already_clean("https://news.example.com/2024/05/01/a-story-1.html")
    assert _already_clean("http://127.0.0.2:8123/news/x")
    for url in ("https://Example.com/a", "http://example.com:80/a", "https://example.com",
                "https://example.com/a/../b", "https://example.com/a%20b",
                "https://example.com/a?utm_source=x", "https://example.com/a#top",
                "https://example.com:99999/a", "https://ex_ample.com/a"):
        assert not _already_clean(url), url
    assert clean_url("http://example.com:80/a/./b/../c#top") == "http://example.com/a/c"


def test_url_key_without_a_query_folds_as_before():
    assert url_key("http://www.example.com:443/amp/story/index.html") == \
        "https://www.example.com/story"
    assert url_key("https://amp.example.com/a/b.amp.html") == "https://example.com/a/b.html"
    assert url_key("https://example.com/a/?b=2&a=1&amp=1") == "https://example.com/a?a=1&b=2"


def test_same_site_decided_once_per_host_stays_right_for_other_hosts():
    hosts = ("www.example.com",)
    assert same_site("https://news.example.com/a", hosts)
    assert same_site("https://example.com/b", hosts)
    assert not same_site("https://example.org/a", hosts)
    assert not same_site("https://badexample.com/a", hosts)
    assert same_site("https://badexample.com/a", ("badexample.com",))


@settings(max_examples=300, deadline=None)
@given(_URL)
def test_a_frontier_entry_host_is_urlsplit_netloc(url):
    from scraper.frontier import FrontierEntry

    for candidate in (url, clean_url(url)):
        if candidate is not None:
            entry = FrontierEntry(key=candidate, url=candidate, site="s")
            assert entry.host == urlsplit(candidate).netloc.lower()
