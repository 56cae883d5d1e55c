"""Link discovery on the tree extraction parsed: the same links as parsing the page again, and
off-site hrefs dropped by host before they are cleaned."""

import gzip
from pathlib import Path

import pytest

import scraper.discover.links as links_module
from scraper.analyse import PAGINATION, analyse_document
from scraper.discover import parse_page_links
from scraper.discover.links import _PageHrefs, links_from_tree
from scraper.extract import extract_article, extract_from_document, parse_document
from scraper.models import Link
from scraper.urls import clean_url, same_site

from .conftest import SEED, SEED_URL

FIXTURES = Path(__file__).parent / "fixtures"
MONEYCONTROL = FIXTURES / "robustness" / "headline-in-div.html.gz"
MONEYCONTROL_URL = ("https://www.moneycontrol.com/news/business/markets/"
                    "economy-in-stress-and-markets-on-a-high-time-to-be-careful-4656421.html")
PAGES = [
    (MONEYCONTROL, MONEYCONTROL_URL),
    (SEED / "desiblitz-grooming-gang-victims.html", SEED_URL),
    (SEED / "desiblitz-grooming-gang-victims.tdtheme.html", SEED_URL),
]


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.parametrize(("path", "url"), PAGES, ids=lambda v: getattr(v, "name", ""))
def test_links_from_the_extraction_tree_equal_a_fresh_parse(path, url):
    content = _read(path)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    doc = parse_document(content, url, headers)
    served = doc.tree.html
    article = extract_from_document(doc)
    assert doc.tree.html == served  # extraction cleans a copy, never the tree itself
    assert article == extract_article(content, url, headers)
    for hosts in ((), ("www.moneycontrol.com", "desiblitz.com")):
        found = links_from_tree(doc.tree, url, hosts)
        assert found == parse_page_links(doc.html, url, hosts)  # same links, order and titles
    assert len(links_from_tree(doc.tree, url, ()).links) > (100 if path == MONEYCONTROL else 5)


def test_analyse_document_parses_the_page_once_with_the_same_result(monkeypatch):
    content, url = _read(MONEYCONTROL), MONEYCONTROL_URL
    parses = []
    real = links_module.LexborHTMLParser
    monkeypatch.setattr(links_module, "LexborHTMLParser", lambda html: parses.append(1) or real(html))
    for extract in (True, False):
        result = analyse_document("article", content, url, {}, ("www.moneycontrol.com",), extract, True)
        expected = parse_page_links(content.decode("utf-8"), url, ("www.moneycontrol.com",))
        parses.clear()
        assert result.links == (
            tuple(Link(url=u, source=PAGINATION, referrer=url, kind="listing") for u in expected.next_pages)
            + tuple(Link(url=u, source="page", referrer=url, kind="feed") for u in expected.feeds)
            + expected.links)
        assert (result.article is not None) == extract
    result = analyse_document("article", content, url, {}, (), True, True)
    assert parses == []  # links came from the extraction's tree


TRICKY_HREFS = [
    "/world/story", "story-two", "?page=2", "#top", "", "   ", " /padded ", "/a\tb\nc",
    "//news.example.com/scheme-relative", "//other.org/scheme-relative",
    "https://news.example.com/x", "HTTPS://NEWS.EXAMPLE.COM/upper", "http://news.example.com:8080/port",
    "https://m.example.com/mobile", "https://www.example.com/www", "https://example.com/root",
    "https://other.org/a", "https://other.org/b", "http://other.org/c", "https://sub.other.org/d",
    "https://news.example.com./trailing-dot", "https://user@news.example.com/userinfo",
    "https://news.example.com:bad/port", "https://[::1/broken-v6", "https://[::1]/v6",
    "http:relative-with-scheme", "http:///three-slashes", "https:/one-slash",
    "/wiki/File:colon.jpg", "mailto:tips@example.com", "javascript:void(0)", "tel:+441234",
    "\x01//other.org/control-char", "\x01/control-char", "https://bücher.example.com/idn",
    "https://xn--bcher-kva.example.com/idn-ascii", "https://news.example.com/%7Euser/",
    "ftp://news.example.com/file", "https://other.org", "news.example.com/no-scheme",
]


@pytest.mark.parametrize("base", [
    "https://news.example.com/world/", "http://news.example.com/world/index.html", "",
    "https://other.org/", " https://news.example.com/\tspaced",
])
@pytest.mark.parametrize("hosts", [["news.example.com"], ["www.example.com"], ["other.org"], ["[::1]"]])
def test_host_prefilter_keeps_exactly_what_clean_url_and_same_site_keep(base, hosts):
    hrefs = _PageHrefs(base, hosts)
    for href in TRICKY_HREFS * 2:  # twice: the second round answers from what the first learnt
        url = clean_url(href, base)
        expected = url if url is not None and same_site(url, hosts) else None
        assert hrefs.url(href) == expected, href


def test_off_site_hrefs_are_not_cleaned_once_their_host_is_known(monkeypatch):
    cleaned = []
    real = links_module.clean_url
    monkeypatch.setattr(links_module, "clean_url", lambda url, base=None: cleaned.append(url) or real(url, base))
    anchors = "".join(f'<a href="https://twitter.com/share?u={i}">t</a>'
                      f'<a href="https://www.facebook.com/sharer.php?u={i}">f</a>'
                      f'<a href="/story-number-{i}-of-the-day">s</a>' for i in range(50))
    found = links_from_tree(links_module.LexborHTMLParser(f"<body>{anchors}</body>"),
                            "https://news.example.com/", ["news.example.com"])
    assert [link.url for link in found.links] == [
        f"https://news.example.com/story-number-{i}-of-the-day" for i in range(50)]
    assert sum("twitter.com" in url for url in cleaned) == 1
    assert sum("facebook.com" in url for url in cleaned) == 1


@pytest.mark.parametrize("href", [
    "http://Example.COM/news/1", "https://example.com:8443/x?y=1", "http://example.com",
    "http://example.com?q=1", "http://example.com#top", "https://a-b.example.co.uk./p",
    "http://127.0.0.9:80/", "http://example.com:/x",
    # not plain: these take urlsplit's path, and must agree with it all the same
    "http://user:pw@Example.com/x", "http://[::1]:8080/x", "http://hôte.example/x",
    "http://a%2eb.com/x", "http://exa mple.com/x", "http://ex\\ample.com/",
])
def test_the_host_of_an_absolute_href_is_urlsplits(href):
    from urllib.parse import urlsplit

    hrefs = _PageHrefs("https://site.example/a/page.html", ["site.example"])
    assert hrefs._host(href) == urlsplit(href).hostname
