"""URL identity (`url_key`, `is_amp_url`) and site membership (`registrable_host`, `same_site`).

Site membership and the public suffix list, decided here once:

A site's scope is rooted at its configured hosts (those of `start_urls` plus `allowed_hosts`):
a host admits itself, the host without a leading "www.", "m." or "amp." (its *root*), and any
subdomain of that root. We deliberately do NOT widen a host to its registrable domain
(eTLD+1, what tldextract calls `top_domain_under_public_suffix`). With eTLD+1 a site configured
as "news.example.co.uk" would take in "www.example.co.uk", "shop.example.co.uk",
"jobs.example.co.uk" and every other part of the publisher's domain: a wider crawl than the
config asks for. `allowed_hosts` is the explicit way to widen a site, and keeping the scope
narrow keeps the meaning of existing configs unchanged.

The public suffix list is still right about one thing we cannot know by hand: where the
publisher's name ends. Stripping "www." from "www.gov.uk" (or "www.blogspot.com",
"m.github.io") would leave a public suffix as the root, and every council, blog or project
under it would count as the same site. So the prefix stripping stops short of a public suffix
(private PSL entries such as blogspot.com included), looked up in tldextract's bundled
snapshot: no network (`suffix_list_urls=()`), no cache files (`cache_dir=None`). tldextract
imports requests (~0.2 s), so it is loaded lazily, and only for hosts that have such a prefix
(never for IP addresses or "localhost", which is all the test servers use).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from .clean import CACHE_SIZE, _split_query, clean_url, split_clean

if TYPE_CHECKING:
    from tldextract import TLDExtract

_INDEX_FILES = ("index.html", "index.htm", "index.php")
_AMP_QUERY = {("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp"), ("output", "amp")}
_SITE_PREFIXES = ("www.", "m.", "amp.")


# ---------------------------------------------------------------------------
# url_key


@lru_cache(maxsize=CACHE_SIZE)
def url_key(url: str) -> str:
    """Return the deduplication key of a URL.

    Starts from `clean_url` and then folds variants that serve the same document:

    * scheme: http and https collapse to https (the same article is served on both), and
      an explicit :443 goes with it (https's default port), so the key is idempotent;
    * host: a leading "amp." is dropped (AMP mirror hosts); "www." is kept because
      some sites serve different content with and without it;
    * path: AMP forms ("/amp" or "/amp/" at the end, a leading "/amp/" segment,
      "x.amp.html") map to the canonical path; "index.html", "index.htm" and
      "index.php" are dropped; a trailing slash is removed (the root stays "/");
    * query: AMP switches (`amp`, `amp=1`, `amp=true`, `outputType=amp`, `output=amp`)
      are removed and the remaining parameters are sorted.

    When the input is not a crawlable URL at all, the stripped input is returned so
    the caller still gets a stable string.
    """
    cleaned = clean_url(url)
    if cleaned is None:
        return url.strip() if isinstance(url, str) else ""
    _, netloc, path, query, _ = split_clean(cleaned)
    if netloc.endswith(":443"):  # http on 443 folds to https, whose default port it is
        netloc = netloc[: -len(":443")]
    if netloc.startswith("amp.") and netloc.count(".") >= 2:
        netloc = netloc[len("amp.") :]
    path = _canonical_path(path)
    if not query:
        return f"https://{netloc}{path}"
    pairs = [
        (name, raw)
        for raw, name, value in _split_query(query)
        if (name, value.lower()) not in _AMP_QUERY
    ]
    query = "&".join(raw for _, raw in sorted(pairs))
    return urlunsplit(("https", netloc, path, query, ""))


def is_amp_url(url: str) -> bool:
    """True for the AMP forms `url_key` folds away: an "amp." host, "/amp/" first or
    "/amp" last in the path, "x.amp.html", or an AMP switch in the query."""
    cleaned = clean_url(url)
    if cleaned is None:
        return False
    parts = urlsplit(cleaned)
    path = parts.path.rstrip("/")
    if parts.netloc.startswith("amp.") or path.endswith((".amp.html", "/amp")):
        return True
    if parts.path.startswith("/amp/"):
        return True
    return any((name, value.lower()) in _AMP_QUERY for _, name, value in _split_query(parts.query))


def _canonical_path(path: str) -> str:
    if path.endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    if path.startswith("/amp/"):
        path = path[len("/amp") :]
    stripped = path.rstrip("/")
    if stripped.endswith("/amp"):
        stripped = stripped[: -len("/amp")]
    for index_file in _INDEX_FILES:
        if stripped.endswith("/" + index_file):
            stripped = stripped[: -len(index_file)].rstrip("/")
    return stripped or "/"


# ---------------------------------------------------------------------------
# site membership


def _host_of(url_or_host: str) -> str:
    """The host of a URL or of a bare "host", "host:port", "[v6]:port" or IPv6 literal."""
    text = url_or_host.strip().lower()
    if "//" not in text:
        text = text.split("/")[0]
        if text.count(":") > 1 and not text.startswith("["):
            return text  # a bare IPv6 literal such as "::1"
        text = "//" + text
    try:
        return (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:
        return ""


def registrable_host(host: str) -> str:
    """Strip the leading "www.", "m." or "amp." labels from a host (or URL), stopping
    short of a public suffix.

    A site root, not an eTLD+1 (see the module docstring): "news.example.co.uk" stays as
    is, "www.example.com" and "m.example.com" become "example.com", and "www.gov.uk"
    stays "www.gov.uk" because "gov.uk" is a public suffix.
    """
    host = _host_of(host)
    changed = True
    while changed:
        changed = False
        for prefix in _SITE_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest and not _is_public_suffix(rest):
                host, changed = rest, True
    return host


def same_site(url: str, hosts: Iterable[str]) -> bool:
    """True when the URL's host equals one of `hosts` or is a subdomain of their
    registrable host (so "www.example.com" admits "example.com", "m.example.com"
    and "news.example.com"). `hosts` may hold bare hosts or URLs."""
    cleaned = clean_url(url)
    if cleaned is None:
        return False
    return _host_in_site(_netloc_host(split_clean(cleaned).netloc), tuple(hosts))


@lru_cache(maxsize=1024)
def _netloc_host(netloc: str) -> str:
    return (urlsplit("//" + netloc).hostname or "").lower()


@lru_cache(maxsize=1024)  # a site's links share a few hosts: decided once per run each
def _host_in_site(url_host: str, hosts: tuple[str, ...]) -> bool:
    for candidate in hosts:
        host = _host_of(candidate)
        if not host:
            continue
        root = registrable_host(host)
        if url_host in (host, root) or url_host.endswith("." + root):
            return True
    return False


@lru_cache(maxsize=4096)
def _is_public_suffix(host: str) -> bool:
    """True when `host` is itself a public suffix ("co.uk", "gov.uk", "blogspot.com")."""
    parts = _suffix_list()(host)
    return bool(parts.suffix) and not parts.domain


@lru_cache(maxsize=1)
def _suffix_list() -> TLDExtract:
    import tldextract  # lazy: it imports requests, and most hosts never need it

    return tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True
    )
