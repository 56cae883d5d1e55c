"""Discovery from feeds, sitemaps and HTML pages: bytes in, `Link` records out.

Pure and network-free. All XML goes through defusedxml (entity declarations, external
references and so billion-laughs/XXE documents are refused); gzip bodies are inflated
incrementally under a hard cap so a gzip bomb costs at most `max_uncompressed` bytes.
Bad input never raises: each result carries `error` ("xml_error: ...",
"xml_forbidden: ...", "too_large", "gzip_error: ...", "not_a_feed: ...",
"not_a_sitemap: ...") and whatever could be salvaged.

One module per source, as trafilatura lays out its stages:
  xmlsafe   bytes -> XML tree under defusedxml, gzip inflated under a cap
  feeds     RSS/Atom/RDF -> FeedResult
  sitemaps  sitemap, sitemap index, news and text sitemaps -> SitemapResult
  links     HTML page -> PageLinks (links, next pages, feeds, canonical, AMP)
  text      dates to ISO 8601, HTML to short plain text, newest-first ordering
"""

from .feeds import NS_RDF, FeedResult, parse_feed
from .links import PageLinks, parse_page_links
from .sitemaps import NS_NEWS, SitemapResult, parse_sitemap
from .text import SUMMARY_CHARS, TITLE_CHARS, newest_first, parse_date, plain_text, truncate
from .xmlsafe import GZIP_MAGIC, MAX_UNCOMPRESSED, decode_xml, inflate_capped

__all__ = [
    "GZIP_MAGIC",
    "MAX_UNCOMPRESSED",
    "NS_NEWS",
    "NS_RDF",
    "SUMMARY_CHARS",
    "TITLE_CHARS",
    "FeedResult",
    "PageLinks",
    "SitemapResult",
    "decode_xml",
    "inflate_capped",
    "newest_first",
    "parse_date",
    "parse_feed",
    "parse_page_links",
    "parse_sitemap",
    "plain_text",
    "truncate",
]
