"""Step 9, identity: which row a fetched article belongs to. Pure functions, no I/O.

One article is one row, however many URLs serve it. Three rules, applied in this order:

* the canonical URL (rel=canonical / og:url) is trusted only when it stays on the site and
  does not name the home page, a start page or a listing (CMSs that point og:url at the
  home or a section would otherwise fold every story into one row); else the final URL;
* `url_key` folds the URL variants that almost always serve the same article;
* a per-site content key (headline and body) folds copies no URL rule catches: share,
  print or session variants of a page without rel=canonical.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from ..frontier import FrontierEntry
from ..models import Article, SiteConfig
from ..urls import MAX_URL_LENGTH, same_site, url_key

log = logging.getLogger(__name__)

CONTENT_KEY_WORDS = 50  # shorter bodies (teasers, stubs) look alike across stories
NOT_ARTICLE_RESULTS = frozenset({"html", "feed", "sitemap"})  # frontier results of pages


def site_hosts(site: SiteConfig) -> tuple[str, ...]:
    """The hosts a site's pages live on: its start URLs' hosts and `allowed_hosts`."""
    hosts = [urlsplit(u).hostname or "" for u in site.start_urls] + list(site.allowed_hosts)
    return tuple(dict.fromkeys(h.lower() for h in hosts if h))


def trusted_canonical(canonical: str, final_url: str, hosts: tuple[str, ...],
                      start_keys: set[str], result_of: Callable[[str], str | None]) -> bool:
    """May `canonical` (a page's rel=canonical or og:url) name the row of the page fetched at
    `final_url`? `result_of(key)` is what the frontier recorded for that identity key, if
    anything ("article", "html", ...)."""
    if len(canonical) > MAX_URL_LENGTH or not same_site(canonical, hosts):
        return False  # a 1 MB canonical would become the row's identity
    key = url_key(canonical)
    if key == url_key(final_url):
        return True
    if urlsplit(key).path == "/" or key in start_keys:
        log.info("%s: canonical %s is the home or a start page; ignored", final_url, canonical)
        return False
    if result_of(key) in NOT_ARTICLE_RESULTS:
        log.info("%s: canonical %s is a listing page; ignored", final_url, canonical)
        return False
    return True


def content_key(article: Article, site: str) -> str | None:
    """An identity from the text itself, for copies no URL rule or canonical link folds.
    Per site: two sites running the same wire story keep a row each. Short bodies are left
    out: paywall teasers and stubs look alike across different stories."""
    if len(article.body.split()) < CONTENT_KEY_WORDS:
        return None
    text = " ".join(f"{article.headline or ''}\n{article.body}".split())
    return f"content:{site}:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def feed_hints(article: Article, entry: FrontierEntry) -> dict[str, str]:
    """What a feed or sitemap said about the page fills fields extraction left empty."""
    filled = {}
    if not article.published and entry.published:
        filled["published"] = entry.published
    if not article.description and entry.summary:
        filled["description"] = entry.summary
    return filled
