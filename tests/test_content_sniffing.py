"""What a response is, told from its bytes before anything parses it, against a real local
server (the stress cases binary_as_html and sitemap_quadratic_blowup of issue 11):

* binary data served as text/html (3 MB of random bytes took 15 s and 450 MB in extraction)
  is refused unparsed and unkept, with the reason `not_html` on its frontier row;
* a page with stray NUL or control bytes is still a page;
* a sitemap whose XML prolog (a DTD, comments) runs past the first 4 KB is still a sitemap:
  read when it is harmless, refused as xml_forbidden when it declares entities, which are
  never resolved and whose external parts are never fetched.
"""

from __future__ import annotations

import logging
import random
import sqlite3

from scraper.analyse import refused_binary, sniff_kind
from scraper.crawl import run_crawl
from scraper.extract.decode import binary_kind

from .conftest import ALLOW_ALL, PUBLISHED, frontier_row, one_site_config, stored_urls
from .sitesim import article_html, listing_html, urlset

NOISE = random.Random(11).randbytes(3_000_000)
XML = "application/xml"


def test_binary_data_is_told_from_text_by_its_first_kilobytes():
    page = article_html("Bridge reopens", "http://x.test/a", PUBLISHED).encode()
    assert binary_kind(NOISE) == "binary data"
    assert binary_kind(bytes(4_000_000)) == "binary data"  # megabytes of NULs
    assert binary_kind(b"%PDF-1.7\n" + NOISE[:1000]) == "a PDF document"
    assert binary_kind(page) is None
    assert binary_kind(page.replace(b" ", b" \x00", 200)) is None  # stray NULs: still a page
    assert binary_kind(page.replace(b"<p>", b"<p>" + bytes(range(1, 32)), 5)) is None
    assert binary_kind(page.decode().encode("utf-16-le")) is None
    assert binary_kind("<p>Café crème à la française</p>".encode("cp1252") * 300) is None
    assert binary_kind(b"\xef\xbb\xbf<html>" + NOISE[:100]) is None  # a BOM says text
    assert refused_binary("article", NOISE) == ("not_html", "binary data, not an HTML page")
    assert refused_binary("sitemap", NOISE)[0] == "not_xml"
    assert refused_binary("sitemap", b"\x1f\x8b" + NOISE) is None  # a gzipped sitemap


def test_binary_served_as_html_is_refused_unparsed_and_unkept(server, tmp_path, caplog):
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", [("/news/noise", "Noise"),
                                               ("/news/story-1", "Story")]))
    server.add_page("/news/noise", NOISE)  # text/html, says the server
    story = server.url("/news/story-1")
    server.add_page("/news/story-1", article_html("Bridge reopens", story, PUBLISHED))
    db = tmp_path / "a.db"
    with caplog.at_level(logging.INFO, logger="scraper"):
        summary = run_crawl(one_site_config(server), db)
    noise = server.url("/news/noise")
    assert frontier_row(db, noise) == ("failed", "not_html")
    assert f"{noise}: not_html (binary data, not an HTML page)" in caplog.text
    assert dict(summary.sites[0].errors).get("not_html") == 1
    assert stored_urls(db) == {story}
    with sqlite3.connect(db) as conn:  # the noise is not kept as a raw page either
        assert conn.execute("SELECT count(*) FROM pages WHERE url = ?", [noise]).fetchone() \
            == (0,)


def _prolog_sitemap(server, prolog: str) -> tuple[str, str]:
    server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
    server.add_page("/", listing_html("Home", []))
    story = server.url("/news/2026/listed-story")
    server.add_page("/news/2026/listed-story", article_html("Listed story", story, PUBLISHED))
    body = urlset([(story, PUBLISHED)]).replace("?>\n", f"?>\n{prolog}\n", 1)
    server.add_page("/sitemap.xml", body, content_type=XML)
    return server.url("/sitemap.xml"), story


def test_a_sitemap_behind_a_long_comment_is_read(server, tmp_path):
    sitemap, story = _prolog_sitemap(server, "<!-- " + "licence text " * 8000 + "-->")
    assert sniff_kind(server.routes["/sitemap.xml"].body) == "sitemap"
    run_crawl(one_site_config(server, sitemaps=(sitemap,)), tmp_path / "a.db")
    assert stored_urls(tmp_path / "a.db") == {story}
    assert frontier_row(tmp_path / "a.db", sitemap) == ("done", "sitemap")


def test_a_sitemap_behind_a_100kb_dtd_is_refused_as_xml_never_resolved(server, tmp_path,
                                                                        caplog):
    dtd = (f'<!DOCTYPE urlset [<!ENTITY big "{"x" * 100_000}">'
           f'<!ENTITY % ext SYSTEM "{server.url("/evil.dtd")}"> %ext;]>')
    sitemap, story = _prolog_sitemap(server, dtd)
    body = server.routes["/sitemap.xml"].body
    server.routes["/sitemap.xml"].body = body.replace(b"</lastmod>", b"&big;</lastmod>")
    assert sniff_kind(server.routes["/sitemap.xml"].body, XML) == "sitemap"
    with caplog.at_level(logging.INFO, logger="scraper"):
        run_crawl(one_site_config(server, sitemaps=(sitemap,)), tmp_path / "a.db")
    assert f"{sitemap}: xml_forbidden" in caplog.text  # it was sniffed as an HTML page
    assert "/evil.dtd" not in server.paths()
    assert stored_urls(tmp_path / "a.db") == set()


def test_sniffing_past_a_prolog_is_bounded_and_leaves_pages_alone():
    page = b"<!DOCTYPE html><!-- " + b"x" * 10_000 + b" --><html><body><rss>x</rss></body></html>"
    assert sniff_kind(page, "text/html") == "html"  # after the prolog comes <html>, not <rss>
    unending = b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "' + b"x" * 2_000_000
    assert sniff_kind(unending + b'">]><urlset></urlset>') == "html"  # past PROLOG_LIMIT
