import pytest

from scraper.urls import (
    classify_url,
    clean_url,
    looks_like_trap,
    page_number,
    pagination_depth,
    registrable_host,
    same_site,
    trap_reason,
    url_key,
)

# --- clean_url ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://WWW.Example.COM/a", "http://www.example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("  https://example.com/a \n", "https://example.com/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/%7euser/%2fx", "https://example.com/~user/%2Fx"),
        ("https://example.com/caf\u00e9 bar", "https://example.com/caf%C3%A9%20bar"),
        ("https://b\u00fccher.de/", "https://xn--bcher-kva.de/"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
    ],
)
def test_clean_url_normalises(raw, expected):
    assert clean_url(raw) == expected


def test_clean_url_drops_tracking_params_and_keeps_the_rest_in_order():
    url = (
        "https://example.com/story?UTM_Source=tw&b=2&fbclid=x&a=1&gclid=y&utm_medium=social"
        "&mc_cid=1&mc_eid=2&_ga=3&igshid=4&msclkid=5&dclid=6&yclid=7&ref_src=8&cmpid=9&ocid=10"
    )
    assert clean_url(url) == "https://example.com/story?b=2&a=1"


def test_clean_url_keeps_meaningful_params_and_blank_values():
    assert clean_url("https://example.com/s?q=a+b&page=2&flag") == (
        "https://example.com/s?q=a+b&page=2&flag"
    )


def test_clean_url_resolves_against_base():
    base = "https://example.com/news/world/index.html"
    assert clean_url("../sport/x", base) == "https://example.com/news/sport/x"
    assert clean_url("//cdn.example.com/a", base) == "https://cdn.example.com/a"
    assert clean_url("?page=2", base) == "https://example.com/news/world/index.html?page=2"


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:void(0)",
        "mailto:news@example.com",
        "data:text/html,hi",
        "tel:+123",
        "ftp://example.com/file",
        "",
        "   ",
        "https://user:pw@example.com/",
        "https://example.com:99999/",
        "https:///nohost",
        "relative/path",
    ],
)
def test_clean_url_rejects_uncrawlable(raw):
    assert clean_url(raw) is None


# --- url_key -----------------------------------------------------------------


def test_url_key_trailing_slash_and_root():
    assert url_key("https://example.com/a/b/") == url_key("https://example.com/a/b")
    assert url_key("https://example.com") == "https://example.com/"
    assert url_key("https://example.com/") == "https://example.com/"


def test_url_key_sorts_params_and_collapses_scheme():
    assert url_key("http://example.com/a?b=2&a=1") == "https://example.com/a?a=1&b=2"


def test_url_key_keeps_www_distinct():
    assert url_key("https://www.example.com/a") != url_key("https://example.com/a")


def test_url_key_drops_index_files():
    assert url_key("https://example.com/news/index.html") == "https://example.com/news"
    assert url_key("https://example.com/index.php") == "https://example.com/"


@pytest.mark.parametrize(
    "amp",
    [
        "https://example.com/news/big-story/amp",
        "https://example.com/news/big-story/amp/",
        "https://example.com/amp/news/big-story",
        "https://example.com/news/big-story?amp",
        "https://example.com/news/big-story?amp=1",
        "https://example.com/news/big-story?outputType=amp",
        "https://amp.example.com/news/big-story",
        "http://example.com/news/big-story/#top",
    ],
)
def test_url_key_maps_amp_variants_to_canonical(amp):
    assert url_key(amp) == "https://example.com/news/big-story"


def test_url_key_keeps_other_params_when_removing_amp():
    assert url_key("https://example.com/a?id=5&amp=1") == "https://example.com/a?id=5"


def test_url_key_of_garbage_is_stable_string():
    assert url_key("  mailto:x@y ") == "mailto:x@y"


# --- site membership ---------------------------------------------------------


def test_registrable_host():
    assert registrable_host("www.example.com") == "example.com"
    assert registrable_host("m.example.com") == "example.com"
    assert registrable_host("amp.example.com") == "example.com"
    assert registrable_host("news.example.co.uk") == "news.example.co.uk"
    assert registrable_host("https://WWW.Example.com/x") == "example.com"


def test_same_site():
    hosts = ["www.example.com"]
    assert same_site("https://www.example.com/a", hosts)
    assert same_site("https://example.com/a", hosts)
    assert same_site("https://m.example.com/a", hosts)
    assert same_site("https://news.example.com/a", hosts)
    assert not same_site("https://notexample.com/a", hosts)
    assert not same_site("https://example.com.evil.org/a", hosts)
    assert not same_site("mailto:a@example.com", hosts)
    assert same_site("https://other.org/x", ["example.com", "https://other.org/start"])


@pytest.mark.parametrize("hosts", [("::1",), ("[::1]",), ("[::1]:8000",),
                                   ("http://[::1]:8000/",)])
def test_same_site_with_ipv6_literals(hosts):
    """Regression: site membership works for IPv6 literals, however the host is written."""
    assert same_site("http://[::1]:8000/news/x", hosts)
    assert not same_site("http://[::2]:8000/news/x", hosts)
    assert not same_site("http://127.0.0.1:8000/news/x", hosts)


def test_same_site_bare_host_with_port_still_works():
    """A host given with a port matches that host on any port (the IPv6 fix kept this)."""
    assert same_site("http://127.0.0.1:8000/x", ("127.0.0.1:9000",))
    assert same_site("https://news.example.com/x", ("www.example.com",))


# --- classification ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://ex.com/img/photo.JPG", "asset"),
        ("https://ex.com/files/report.pdf", "asset"),
        ("https://ex.com/static/app.js?v=3", "asset"),
        ("https://ex.com/fonts/a.woff2", "asset"),
        ("https://ex.com/media/clip.mp4", "asset"),
        ("https://ex.com/feed/", "feed"),
        ("https://ex.com/rss", "feed"),
        ("https://ex.com/world/rss.xml", "feed"),
        ("https://ex.com/news.atom", "feed"),
        ("https://ex.com/sitemap.xml", "sitemap"),
        ("https://ex.com/sitemap_index.xml.gz", "sitemap"),
        ("https://ex.com/news-sitemap.xml", "sitemap"),
        ("https://ex.com/", "listing"),
        ("https://ex.com/tag/climate", "listing"),
        ("https://ex.com/tags/climate-change-policy-news", "listing"),
        ("https://ex.com/category/politics/", "listing"),
        ("https://ex.com/section/world", "listing"),
        ("https://ex.com/topic/elections", "listing"),
        ("https://ex.com/author/jane-doe", "listing"),
        ("https://ex.com/authors/jane-doe-smith-jones", "listing"),
        ("https://ex.com/news/page/3/", "listing"),
        ("https://ex.com/news?page=2", "listing"),
        ("https://ex.com/archive", "listing"),
        ("https://ex.com/search?q=x", "listing"),
        ("https://ex.com/2024/05/", "listing"),
        ("https://ex.com/2024/05/12/", "listing"),
        ("https://ex.com/world/2024/may/12", "listing"),
        ("https://ex.com/2024/05/12/senate-passes-bill/", "article"),
        ("https://ex.com/world/2024/may/12/senate-passes-bill", "article"),
        ("https://ex.com/section/world/2024/05/12/story", "article"),
        ("https://ex.com/news/world-europe-12345678", "article"),
        ("https://ex.com/article/1234567/senate-passes", "article"),
        ("https://ex.com/politics/senate-passes-bill.html", "article"),
        ("https://ex.com/politics/senate-passes-big-new-bill", "article"),
        ("https://ex.com/about-us", "unknown"),
        ("https://ex.com/contact", "unknown"),
        ("mailto:x@ex.com", "unknown"),
    ],
)
def test_classify_url(url, kind):
    assert classify_url(url) == kind


def test_page_number_and_depth():
    assert page_number("https://ex.com/tag/x/page/4/") == 4
    assert page_number("https://ex.com/tag/x?page=3") == 3
    assert page_number("https://ex.com/?paged=2") == 2
    assert page_number("https://ex.com/tag/x") is None
    assert page_number("https://ex.com/?p=12345") is None  # WordPress post id, not a page
    assert pagination_depth("https://ex.com/tag/x/page/4/") == 3
    assert pagination_depth("https://ex.com/tag/x/page/1/") == 0
    assert pagination_depth("https://ex.com/tag/x") == 0


# --- traps -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://ex.com/a/b/a/b/a/b", "repeated_segments"),
        ("https://ex.com/x/x/x/story", "repeated_segments"),
        ("https://ex.com/en/news/en/sport/en/a", "repeated_segments"),
        ("https://ex.com/calendar/2150/01/", "calendar_year"),
        ("https://ex.com/events/1850-03-02/", "calendar_year"),
        ("https://ex.com/events?month=2199-01", "calendar_year"),
        ("https://ex.com/events/?tribe-bar-date=1700-01-01", "calendar_year"),
        ("https://ex.com/" + "a" * 2001, "too_long"),
        ("https://ex.com/s?" + "&".join(f"f{i}=1" for i in range(11)), "too_many_params"),
        ("https://ex.com/shop;jsessionid=A1B2C3D4E5/item", "session_id"),
        ("https://ex.com/(S(abcdefghijklmnopqrstuvwx))/page.aspx", "session_id"),
        ("https://ex.com/a?PHPSESSID=0123456789abcdef0123", "session_id"),
        ("https://ex.com/" + "/".join(f"s{i}" for i in range(16)), "too_deep"),
    ],
)
def test_traps(url, reason):
    assert trap_reason(url, now_year=2026) == reason
    assert looks_like_trap(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://ex.com/2026/05/12/senate-passes-bill",
        "https://ex.com/2027/01/",  # next year's archive is still plausible
        "https://ex.com/books/1984/review",  # a bare year is not a calendar
        "https://ex.com/news/news-in-brief",
        "https://ex.com/s?a=1&b=2&c=3",
        "https://ex.com/a?sid=short",
    ],
)
def test_not_traps(url):
    assert trap_reason(url, now_year=2026) is None


def test_trap_year_window_is_configurable():
    assert trap_reason("https://ex.com/1995/05/", now_year=2026) is None
    assert trap_reason("https://ex.com/1995/05/", now_year=2026, min_year=2000) == "calendar_year"
    assert trap_reason("https://ex.com/2030/05/", now_year=2026) == "calendar_year"


def test_a_slug_that_mentions_sitemap_is_not_a_sitemap():
    from scraper.urls import classify_url

    assert classify_url("https://news.example/2024/04/29/archive-story-from-gzip-sitemap/") == "article"
    assert classify_url("https://news.example/sitemap") == "sitemap"
    assert classify_url("https://news.example/news-sitemap.xml.gz") == "sitemap"


def test_url_key_of_http_on_port_443_is_idempotent():
    """Regression (hypothesis found it): http://h:443/x gave https://h:443/x, whose key is
    https://h/x; the key of a key must be itself."""
    key = url_key("http://example.com:443/a")
    assert key == "https://example.com/a" == url_key(key)
