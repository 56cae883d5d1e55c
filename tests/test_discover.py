import gzip
import zlib

import pytest

from scraper.discover import (
    inflate_capped,
    newest_first,
    parse_date,
    parse_feed,
    parse_page_links,
    parse_sitemap,
)
from scraper.models import Link

BASE = "https://news.example.com/"

# --- feeds -------------------------------------------------------------------

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Example News</title>
  <link>https://news.example.com/</link>
  <atom:link rel="self" href="https://news.example.com/feed/"/>
  <item>
    <title>Senate passes the budget</title>
    <link>https://news.example.com/2024/05/12/senate-passes-budget/?utm_source=rss&amp;utm_medium=feed</link>
    <pubDate>Sun, 12 May 2024 10:00:00 +0200</pubDate>
    <description><![CDATA[<p>The <b>Senate</b> voted&nbsp;late.</p><script>track()</script>]]></description>
  </item>
  <item>
    <title>Relative &amp; dated with dc:date</title>
    <link>/world/relative-link-story</link>
    <dc:date>2024-05-13T08:30:00Z</dc:date>
    <content:encoded><![CDATA[<div>Only <i>content</i> here</div>]]></content:encoded>
  </item>
  <item>
    <title>Guid only</title>
    <guid isPermaLink="true">https://news.example.com/guid-only-story</guid>
  </item>
  <item>
    <title>Not a permalink guid</title>
    <guid isPermaLink="false">tag:example.com,2024:123</guid>
  </item>
  <item>
    <title>Duplicate of the first</title>
    <link>http://news.example.com/2024/05/12/senate-passes-budget</link>
  </item>
</channel>
</rss>
"""


def test_rss2_items():
    result = parse_feed(RSS2, "https://news.example.com/feed/")
    assert result.error is None
    assert result.format == "rss"
    assert result.title == "Example News"
    urls = [link.url for link in result.links]
    assert urls == [
        "https://news.example.com/2024/05/12/senate-passes-budget/",
        "https://news.example.com/world/relative-link-story",
        "https://news.example.com/guid-only-story",
    ]
    first, second, _ = result.links
    assert first.source == "feed"
    assert first.referrer == "https://news.example.com/feed/"
    assert first.kind == "article"
    assert first.title == "Senate passes the budget"
    assert first.published == "2024-05-12T10:00:00+02:00"
    assert first.summary == "The Senate voted late."
    assert second.title == "Relative & dated with dc:date"
    assert second.published == "2024-05-13T08:30:00+00:00"
    assert second.summary == "Only content here"


def test_rss_summary_is_truncated():
    long_text = " ".join(["word"] * 400)
    feed = (
        "<rss><channel><item><link>https://news.example.com/a-b-c-d</link>"
        f"<description>{long_text}</description></item></channel></rss>"
    ).encode()
    (link,) = parse_feed(feed, BASE).links
    assert len(link.summary) <= 500
    assert link.summary.endswith("…")
    assert link.summary.startswith("word word")


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Example &lt;b&gt;Atom&lt;/b&gt;</title>
  <entry>
    <title type="html">Storm &lt;em&gt;hits&lt;/em&gt; coast</title>
    <link rel="self" type="application/atom+xml" href="https://news.example.com/api/entry/1"/>
    <link rel="replies" href="https://news.example.com/comments/1"/>
    <link rel="alternate" type="text/html" href="https://news.example.com/storm-hits-coast"/>
    <id>urn:uuid:1</id>
    <updated>2024-05-14T10:00:00Z</updated>
    <published>2024-05-12T09:00:00-04:00</published>
    <summary type="html">&lt;p&gt;Winds of 100 km/h.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>No rel link</title>
    <link href="/no-rel-link"/>
    <updated>2024-05-15T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Only self</title>
    <link rel="self" href="https://news.example.com/only-self"/>
    <link rel="edit" href="https://news.example.com/edit/3"/>
  </entry>
</feed>
"""


def test_atom_entries_prefer_alternate_links():
    result = parse_feed(ATOM, "https://news.example.com/atom.xml")
    assert result.error is None
    assert result.format == "atom"
    assert result.title == "Example Atom"
    first, second, third = result.links
    assert first.url == "https://news.example.com/storm-hits-coast"
    assert first.title == "Storm hits coast"
    assert first.published == "2024-05-12T09:00:00-04:00"  # published beats updated
    assert first.summary == "Winds of 100 km/h."
    assert second.url == "https://news.example.com/no-rel-link"
    assert second.published == "2024-05-15T10:00:00+00:00"
    assert third.url == "https://news.example.com/only-self"


def test_atom_without_namespace():
    feed = b"<feed><entry><title>T</title><link href='https://news.example.com/t'/></entry></feed>"
    result = parse_feed(feed, BASE)
    assert [link.url for link in result.links] == ["https://news.example.com/t"]


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/">
    <title>RDF News</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example.com/rdf-one"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.example.com/rdf-one">
    <title>RDF one</title>
    <link>https://news.example.com/rdf-one</link>
    <dc:date>2024-05-10</dc:date>
  </item>
  <item rdf:about="https://news.example.com/rdf-two">
    <title>RDF two (about only)</title>
  </item>
</rdf:RDF>
"""


def test_rdf_items():
    result = parse_feed(RDF, BASE)
    assert result.error is None
    assert result.format == "rdf"
    assert [link.url for link in result.links] == [
        "https://news.example.com/rdf-one",
        "https://news.example.com/rdf-two",
    ]
    assert result.links[0].published == "2024-05-10"
    assert result.title == "RDF News"


def test_feed_with_bom_leading_whitespace_and_latin1_declaration():
    feed = (
        b"\xef\xbb\xbf  \n<?xml version='1.0'?><rss><channel><item>"
        b"<title>ok</title><link>https://news.example.com/bom</link></item></channel></rss>"
    )
    assert [link.url for link in parse_feed(feed, BASE).links] == ["https://news.example.com/bom"]
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item>'
        "<title>Café olé</title><link>https://news.example.com/cafe</link></item></channel></rss>"
    ).encode("latin-1")
    assert parse_feed(latin1, BASE).links[0].title == "Café olé"


def test_feed_in_a_multibyte_encoding_expat_does_not_support():
    feed = (
        '<?xml version="1.0" encoding="Shift_JIS"?><rss><channel><item>'
        "<title>日本のニュース</title><link>https://news.example.com/jp</link></item></channel></rss>"
    ).encode("shift_jis")
    result = parse_feed(feed, BASE)
    assert result.error is None
    assert result.links[0].title == "日本のニュース"


def test_gzipped_feed():
    result = parse_feed(gzip.compress(RSS2), "https://news.example.com/feed/")
    assert result.error is None
    assert len(result.links) == 3


def test_malformed_feed_is_an_error_not_an_exception():
    result = parse_feed(b"<rss><channel><item><title>x</item></rss>", BASE)
    assert result.links == ()
    assert result.error.startswith("xml_error: ")


def test_html_is_not_a_feed():
    result = parse_feed(b"<html><head></head><body>hi</body></html>", BASE)
    assert result.error == "not_a_feed: root <html>"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><item><title>&lol4;</title><link>https://news.example.com/x</link></item></channel></rss>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title><link>https://news.example.com/x</link></item></channel></rss>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE])
def test_xml_bombs_are_refused(document):
    feed = parse_feed(document, BASE)
    assert feed.links == ()
    assert feed.error.startswith("xml_forbidden: ")
    sitemap = parse_sitemap(document, BASE)
    assert sitemap.links == ()
    assert sitemap.error.startswith("xml_forbidden: ")


def test_rss091_doctype_without_entities_is_accepted():
    feed = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        b"<rss version='0.91'><channel><item><title>Old</title>"
        b"<link>https://news.example.com/old</link></item></channel></rss>"
    )
    result = parse_feed(feed, BASE)
    assert result.error is None
    assert [link.url for link in result.links] == ["https://news.example.com/old"]


# --- dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Sun, 12 May 2024 10:00:00 GMT", "2024-05-12T10:00:00+00:00"),
        ("Sun, 12 May 2024 10:00:00 +0530", "2024-05-12T10:00:00+05:30"),
        ("Sun, 12 May 2024 10:00:00 EST", "2024-05-12T10:00:00-05:00"),
        ("Sun, 12 May 2024 10:00:00 CEST", "2024-05-12T10:00:00+02:00"),
        ("2024-05-12T10:00:00Z", "2024-05-12T10:00:00+00:00"),
        ("2024-05-12T10:00+02:00", "2024-05-12T10:00:00+02:00"),
        ("2024-05-12", "2024-05-12"),
        ("2024-05-12T10:00:00", "2024-05-12T10:00:00"),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw, iso):
    assert parse_date(raw) == iso


# --- sitemaps ----------------------------------------------------------------

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemap-2024-05.xml.gz</loc><lastmod>2024-05-31</lastmod></sitemap>
  <sitemap><loc>https://news.example.com/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>javascript:alert(1)</loc></sitemap>
</sitemapindex>
"""


def test_sitemap_index():
    result = parse_sitemap(SITEMAP_INDEX, "https://news.example.com/sitemap.xml")
    assert result.error is None
    assert result.links == ()
    assert result.sitemaps == (
        "https://news.example.com/sitemap-2024-05.xml.gz",
        "https://news.example.com/sitemap-news.xml",
    )
    assert result.sitemap_links[0].published == "2024-05-31"
    assert result.sitemap_links[0].kind == "sitemap"
    assert result.sitemap_links[1].published is None


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example.com/2024/05/12/storm-hits-coast</loc>
    <lastmod>2024-05-13T00:00:00Z</lastmod>
    <news:news>
      <news:publication><news:name>Example</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-05-12T09:00:00+02:00</news:publication_date>
      <news:title>Storm &amp; floods hit the coast</news:title>
    </news:news>
    <image:image><image:loc>https://news.example.com/storm.jpg</image:loc></image:image>
  </url>
  <url>
    <loc>https://news.example.com/about</loc>
    <lastmod>2024-01-01</lastmod>
  </url>
  <url><loc>https://news.example.com/about/</loc></url>
</urlset>
"""


def test_google_news_sitemap():
    result = parse_sitemap(NEWS_SITEMAP, "https://news.example.com/sitemap-news.xml")
    assert result.error is None
    assert result.sitemaps == ()
    story, about = result.links
    assert story.url == "https://news.example.com/2024/05/12/storm-hits-coast"
    assert story.source == "sitemap"
    assert story.referrer == "https://news.example.com/sitemap-news.xml"
    assert story.kind == "article"
    assert story.title == "Storm & floods hit the coast"
    assert story.published == "2024-05-12T09:00:00+02:00"  # publication_date beats lastmod
    assert about.kind == "unknown"
    assert about.title is None
    assert about.published == "2024-01-01"


def test_gzip_sitemap():
    result = parse_sitemap(gzip.compress(NEWS_SITEMAP), BASE)
    assert result.error is None
    assert len(result.links) == 2


def test_multi_member_gzip_sitemap():
    half = len(NEWS_SITEMAP) // 2
    body = gzip.compress(NEWS_SITEMAP[:half]) + gzip.compress(NEWS_SITEMAP[half:])
    assert len(parse_sitemap(body, BASE).links) == 2


def _zeros_gzip(total: int) -> bytes:
    """A gzip stream of `total` zero bytes, built chunk by chunk at low cost."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(total // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


def test_gzip_bomb_is_capped():
    bomb = _zeros_gzip(64 << 20)  # 64 MiB of zeros in ~64 KiB
    assert len(bomb) < 1 << 20
    result = parse_sitemap(bomb, BASE, max_uncompressed=1_000_000)
    assert result.error == "too_large"
    assert result.links == ()
    assert inflate_capped(bomb, 1_000_000).error == "too_large"


def test_inflate_capped_at_the_limit_exactly():
    data = b"x" * 1000
    assert inflate_capped(gzip.compress(data), 1000).data == data
    assert inflate_capped(gzip.compress(data), 999).error == "too_large"


def test_truncated_and_corrupt_gzip():
    packed = gzip.compress(NEWS_SITEMAP)
    assert parse_sitemap(packed[: len(packed) // 2], BASE).error == "gzip_error: truncated stream"
    corrupt = packed[:10] + b"\xff" * 40
    assert parse_sitemap(corrupt, BASE).error.startswith("gzip_error: ")


def test_uncompressed_body_over_the_cap():
    assert parse_sitemap(NEWS_SITEMAP, BASE, max_uncompressed=100).error == "too_large"


def test_plain_text_sitemap():
    body = (
        b"https://news.example.com/one\r\n\r\n"
        b"  https://news.example.com/two?utm_source=x  \n"
        b"not a url\nhttps://news.example.com/one/\nftp://news.example.com/x\n"
    )
    result = parse_sitemap(body, BASE)
    assert result.error is None
    assert [link.url for link in result.links] == [
        "https://news.example.com/one",
        "https://news.example.com/two",
    ]
    assert all(link.source == "sitemap" for link in result.links)


def test_feed_used_as_sitemap():
    result = parse_sitemap(RSS2, BASE)
    assert result.error is None
    assert len(result.links) == 3
    assert {link.source for link in result.links} == {"sitemap"}


def test_malformed_and_unknown_sitemaps():
    assert parse_sitemap(b"<urlset><url><loc>x</url>", BASE).error.startswith("xml_error: ")
    assert parse_sitemap(b"<html><body/></html>", BASE).error == "not_a_sitemap: root <html>"


# --- page links --------------------------------------------------------------

PAGE = """<!doctype html>
<html><head>
  <title>World news</title>
  <link rel="canonical" href="/world/">
  <link rel="amphtml" href="/amp/world/">
  <link rel="alternate" type="application/rss+xml" title="RSS" href="/world/feed/">
  <link rel="alternate" type="application/atom+xml" href="https://feeds.example.org/world.atom">
  <link rel="alternate" hreflang="fr" href="/fr/world/">
  <link rel="next" href="/world/page/2/">
  <meta property="og:url" content="https://news.example.com/og-world/">
</head><body>
  <header><nav>
    <a href="/">Home</a>
    <a href="/about">About</a>
    <a href="/tag/elections">Elections</a>
  </nav></header>
  <main>
    <a href="/2024/05/12/senate-passes-budget?utm_source=home#comments">Senate passes budget</a>
    <a href="https://news.example.com/2024/05/12/senate-passes-budget">Again</a>
    <a href="/world/storm-hits-the-coast-hard" rel="nofollow"><img src="a.jpg" alt="Storm"></a>
    <a href="https://m.example.com/mobile-only-story-here-now">Mobile</a>
    <a href="https://other.org/foreign-story-is-here-too">Foreign</a>
    <a href="/files/report.pdf">PDF</a>
    <a href="/images/photo.jpg">Photo</a>
    <a href="mailto:tips@example.com">Tips</a>
    <a href="javascript:void(0)">JS</a>
    <a href="#top">Top</a>
    <a href="/world/">This page</a>
  </main>
  <footer><a href="/contact">Contact</a></footer>
</body></html>
"""


def test_page_links_same_site_cleaned_and_deduplicated():
    # "www.example.com" admits every subdomain of example.com.
    result = parse_page_links(PAGE, "https://news.example.com/world/", ["www.example.com"])
    urls = [link.url for link in result.links]
    assert urls == [
        "https://news.example.com/",
        "https://news.example.com/about",
        "https://news.example.com/tag/elections",
        "https://news.example.com/2024/05/12/senate-passes-budget",
        "https://news.example.com/world/storm-hits-the-coast-hard",
        "https://m.example.com/mobile-only-story-here-now",
        "https://news.example.com/contact",
    ]
    by_url = {link.url: link for link in result.links}
    story = by_url["https://news.example.com/2024/05/12/senate-passes-budget"]
    assert story.title == "Senate passes budget"
    assert story.kind == "article"
    assert story.source == "page"
    assert story.referrer == "https://news.example.com/world/"
    assert by_url["https://news.example.com/world/storm-hits-the-coast-hard"].title == "Storm"
    # Unknown links in navigation areas are treated as listings.
    assert by_url["https://news.example.com/about"].kind == "listing"
    assert by_url["https://news.example.com/contact"].kind == "listing"
    assert by_url["https://news.example.com/tag/elections"].kind == "listing"


def test_page_metadata_links():
    result = parse_page_links(PAGE.encode(), "https://news.example.com/world/", [])
    assert result.canonical == "https://news.example.com/world/"
    assert result.amphtml == "https://news.example.com/amp/world/"
    assert result.feeds == (
        "https://news.example.com/world/feed/",
        "https://feeds.example.org/world.atom",
    )
    assert result.next_pages == ("https://news.example.com/world/page/2/",)


def test_empty_site_hosts_means_the_page_host():
    result = parse_page_links(PAGE, "https://news.example.com/world/", [])
    urls = {link.url for link in result.links}
    assert "https://news.example.com/about" in urls
    assert "https://m.example.com/mobile-only-story-here-now" not in urls  # a sibling host
    assert "https://other.org/foreign-story-is-here-too" not in urls


def test_site_hosts_admit_other_hosts():
    result = parse_page_links(
        PAGE, "https://news.example.com/world/", ["news.example.com", "other.org"]
    )
    assert "https://other.org/foreign-story-is-here-too" in {link.url for link in result.links}


def test_depth_is_stamped():
    result = parse_page_links(PAGE, "https://news.example.com/world/", [], depth=2)
    assert {link.depth for link in result.links} == {2}


def test_og_url_is_the_fallback_canonical():
    html = '<html><head><meta property="og:url" content="/og/story"></head><body></body></html>'
    assert parse_page_links(html, BASE, []).canonical == "https://news.example.com/og/story"
    assert parse_page_links("<p>no head</p>", BASE, []).canonical is None


def test_base_href_is_honoured():
    html = """<html><head><base href="https://news.example.com/section/">
      <link rel="canonical" href="this-story"></head>
      <body><a href="relative-story-with-long-slug">R</a><a href="/root">Root</a></body></html>"""
    result = parse_page_links(html, "https://news.example.com/other/page", [])
    assert [link.url for link in result.links] == [
        "https://news.example.com/section/relative-story-with-long-slug",
        "https://news.example.com/root",
    ]
    assert result.canonical == "https://news.example.com/section/this-story"


PAGINATION = """<html><body>
  <div class="pagination">
    <a href="/tag/climate/">1</a>
    <span class="current">2</span>
    <a href="/tag/climate/page/3/">3</a>
    <a href="/tag/climate/page/4/">4</a>
    <a href="/tag/other/page/3/">other listing</a>
  </div>
  <a class="next page-numbers" href="/tag/climate/page/3/?utm_source=x">Next</a>
  <a class="nav-link" aria-label="Older posts" href="/tag/climate/older-a">X</a>
  <a href="/tag/climate/older-b">»</a>
  <a href="/tag/climate/older-c">Next ›</a>
  <a class="next-article" href="/some-next-article-with-a-slug">Read next article</a>
  <a rel="next" href="/tag/climate/rel-next">Continue</a>
</body></html>"""


def test_pagination_links():
    result = parse_page_links(PAGINATION, "https://news.example.com/tag/climate/page/2/", [])
    assert result.next_pages == (
        "https://news.example.com/tag/climate/page/3/",
        "https://news.example.com/tag/climate/older-a",
        "https://news.example.com/tag/climate/older-b",
        "https://news.example.com/tag/climate/older-c",
        "https://news.example.com/tag/climate/rel-next",
    )


def test_numeric_pagination_with_query_parameter():
    html = '<a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a>'
    result = parse_page_links(html, "https://news.example.com/latest", [])
    assert result.next_pages == ("https://news.example.com/latest?page=2",)


def test_page_without_pagination():
    html = '<a href="/2024/05/12/a-story">A</a>'
    assert parse_page_links(html, BASE, []).next_pages == ()


def test_bytes_with_invalid_utf8_are_decoded():
    html = b'<a href="/caf\xe9-story-with-slug">Caf\xe9</a>'
    (link,) = parse_page_links(html, BASE, []).links
    assert link.url == "https://news.example.com/caf%EF%BF%BD-story-with-slug"
    assert link.title == "Caf\ufffd"


# --- ordering ----------------------------------------------------------------


def test_newest_first():
    links = [
        Link(url="https://e.com/undated-1", source="feed"),
        Link(url="https://e.com/old", source="feed", published="2024-05-01"),
        Link(url="https://e.com/new", source="feed", published="2024-05-12T10:00:00+02:00"),
        Link(url="https://e.com/undated-2", source="feed", published="not a date"),
        Link(url="https://e.com/newer", source="feed", published="2024-05-12T09:00:00Z"),
    ]
    assert [link.url for link in newest_first(links)] == [
        "https://e.com/newer",  # 09:00 UTC is after 10:00+02:00 (08:00 UTC)
        "https://e.com/new",
        "https://e.com/old",
        "https://e.com/undated-1",
        "https://e.com/undated-2",
    ]


def test_already_decoded_text_is_accepted():
    feed = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item>'
        "<title>Café</title><link>https://news.example.com/cafe</link></item></channel></rss>"
    )
    assert parse_feed(feed, BASE).links[0].title == "Café"
    assert len(parse_sitemap(NEWS_SITEMAP.decode(), BASE).links) == 2


def test_an_unknown_encoding_in_a_second_xml_declaration_is_an_error_not_an_exception():
    """Regression (hypothesis found it): expat raised LookupError for `encoding="x"` in a
    declaration the cleaner had not removed; parsers never raise on any bytes."""
    from scraper.discover import parse_feed

    body = b'<?xml?><?xml version="" encoding="x"?>'
    assert parse_sitemap(body, BASE).error.startswith("xml_error: ")
    assert parse_feed(body, BASE).error.startswith("xml_error: ")
