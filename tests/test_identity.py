"""Identity rules of the crawl (scraper/crawl/identity.py), tested as pure functions: which
canonical URL is trusted, the per-site content key, and feed hints. The crawl-level tests of
the same rules are in test_crawl_identity.py."""

from scraper.crawl.identity import (
    CONTENT_KEY_WORDS,
    content_key,
    feed_hints,
    site_hosts,
    trusted_canonical,
)
from scraper.frontier import FrontierEntry
from scraper.models import Article, SiteConfig
from scraper.urls import url_key

HOSTS = ("news.example", "www.news.example")
STARTS = {url_key("https://news.example/world/")}


def nothing_known(key):
    return None


def test_canonical_on_the_site_naming_another_story_is_trusted():
    assert trusted_canonical("https://news.example/2024/05/story", "https://news.example/amp/1",
                             HOSTS, STARTS, nothing_known)


def test_canonical_naming_the_same_page_is_trusted():
    assert trusted_canonical("https://news.example/a?utm_source=x", "https://news.example/a",
                             HOSTS, STARTS, nothing_known)


def test_canonical_on_another_site_is_not_trusted():
    assert not trusted_canonical("https://aggregator.example/story", "https://news.example/a",
                                 HOSTS, STARTS, nothing_known)


def test_canonical_naming_the_home_page_is_not_trusted():
    # CMSs that point og:url at the home page would fold every story into one row
    assert not trusted_canonical("https://news.example/", "https://news.example/a", HOSTS,
                                 STARTS, nothing_known)


def test_canonical_naming_a_start_page_is_not_trusted():
    assert not trusted_canonical("https://news.example/world/", "https://news.example/a",
                                 HOSTS, STARTS, nothing_known)


def test_canonical_naming_a_known_listing_is_not_trusted():
    listing = url_key("https://news.example/sections/politics")

    def result_of(key):
        return "html" if key == listing else None

    assert not trusted_canonical("https://news.example/sections/politics",
                                 "https://news.example/a", HOSTS, STARTS, result_of)


def article(body: str, headline: str = "A headline") -> Article:
    return Article(url="https://news.example/a", canonical_url="https://news.example/a",
                   headline=headline, body=body)


LONG = " ".join(f"word{i}" for i in range(CONTENT_KEY_WORDS + 5))


def test_content_key_is_per_site_and_ignores_whitespace():
    key = content_key(article(LONG), "one")
    assert key is not None and key.startswith("content:one:")
    assert content_key(article(LONG.replace(" ", "\n  ")), "one") == key
    assert content_key(article(LONG), "two") != key  # a wire story on two sites: two rows


def test_content_key_depends_on_the_headline():
    assert content_key(article(LONG, "One"), "s") != content_key(article(LONG, "Two"), "s")


def test_short_bodies_get_no_content_key():
    # paywall teasers and stubs look alike across different stories
    assert content_key(article("too short to identify a story"), "s") is None


def test_feed_hints_fill_only_empty_fields():
    entry = FrontierEntry(key="k", url="https://news.example/a", site="s",
                          published="2024-05-01T10:00:00+00:00", summary="From the feed")
    assert feed_hints(article(LONG), entry) == {"published": "2024-05-01T10:00:00+00:00",
                                               "description": "From the feed"}
    dated = Article(url="u", canonical_url="u", published="2024-05-02", description="Own")
    assert feed_hints(dated, entry) == {}


def test_site_hosts_from_start_urls_and_allowed_hosts():
    site = SiteConfig(name="s", start_urls=("https://News.Example/", "https://news.example/x"),
                      allowed_hosts=("cdn.news.example",))
    assert site_hosts(site) == ("news.example", "cdn.news.example")


def test_a_canonical_longer_than_a_url_may_be_is_not_trusted():
    """Regression (stress suite): a 1 MB same-site og:url became the row's identity."""
    huge = "https://news.example/" + "a" * 1_000_000
    assert not trusted_canonical(huge, "https://news.example/a", HOSTS, STARTS, nothing_known)
