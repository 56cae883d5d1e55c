"""Fetch-URL cleaning: `clean_url` and the tracking parameters it drops.

Also the query splitter and the clean-then-split helper that the sibling modules share.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Exact parameter names (compared lowercased) that only carry click/campaign tracking.
TRACKING_PARAMS = frozenset(
    """
    fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id igshid mc_cid
    mc_eid _ga _gl _hsenc _hsmi mkt_tok vero_id vero_conv oly_anon_id oly_enc_id rb_clickid
    s_cid ref_src ref_url cmpid ocid ncid icid sr_share smid smtyp xtor spm guccounter
    guce_referrer guce_referrer_sig __twitter_impression at_medium at_campaign at_custom1
    at_custom2 at_custom3 at_custom4 ns_mchannel ns_source ns_campaign ns_linkname ns_fee
    wt.mc_id wt_mc_id trk trkcampaign __s _openstat hsa_acc hsa_cam hsa_grp hsa_ad hsa_src
    hsa_tgt hsa_kw hsa_mt hsa_net hsa_ver
    share replytocom
    """.split()
)  # share, replytocom: WordPress share buttons (a redirect to the network) and comment
# reply links (the same page again): present on every post, never a different article
# Parameter name prefixes (lowercased) that are tracking whatever follows.
TRACKING_PREFIXES = ("utm_", "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "mtm_", "hsa_")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_RE = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters that may appear raw in a path/query; everything else gets percent-encoded.
_SAFE_PATH = frozenset("/:@!$&'()*+,;=%") | _UNRESERVED
_SAFE_QUERY = _SAFE_PATH | frozenset("?")
_INVISIBLE_RE = re.compile(r"[\t\n\r]")
_ABSOLUTE_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# A URL already in clean form (what sitemaps and most hrefs hold): http(s), a lowercase ASCII
# host, no default port, a path of raw safe characters, no query, fragment, escape or dot
# segment. `_clean_url` would return it unchanged (tests/test_urls_fast.py checks that on
# generated URLs), so it is taken as it is, without splitting and joining it again.
_CLEAN_FORM = re.compile(
    r"(https?)://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::([1-9][0-9]{0,4}))?/[A-Za-z0-9\-._~/:@!$&'()*+,;=]*"
)


# A crawl meets the same URLs again and again (every page links the same sections): the
# result of each is kept, within a bound, so the work is done once per URL. And a URL that
# came out of clean_url goes in again at the next stage (parser, then admission): cleaning
# is idempotent, so an output seen recently is returned as it is.
# An OrderedDict, not a dict: a dict whose oldest key is deleted at every insert slows to
# tens of microseconds per call (next(iter()) walks the deleted slots), OrderedDict pops
# in O(1). The bound covers a crawl's repeated links (navigation, sections) many times over
# and keeps each process's caches to a few MB.
CACHE_SIZE = 8192
_clean_outputs: OrderedDict[str, None] = OrderedDict()  # recent outputs, oldest first


def clean_url(url: str, base: str | None = None) -> str | None:
    """See `_clean_url` (the work) — this is its cache, for URLs met again, and its short
    cut for URLs already in clean form (an absolute one ignores `base`)."""
    if not isinstance(url, str):
        return None
    if url in _clean_outputs:  # absolute, so `base` changes nothing
        return url
    cleaned = url if _already_clean(url) else _clean_url(url, base)
    if cleaned is not None and cleaned not in _clean_outputs:
        if len(_clean_outputs) >= CACHE_SIZE:
            _clean_outputs.popitem(last=False)
        _clean_outputs[cleaned] = None
    return cleaned


def _already_clean(url: str) -> bool:
    match = _CLEAN_FORM.fullmatch(url)
    if match is None or "/." in url:  # a "." or ".." segment is left to the full clean
        return False
    port = match.group(2)
    return port is None or (int(port) <= 65535 and int(port) != _DEFAULT_PORTS[match.group(1)])


@lru_cache(maxsize=CACHE_SIZE)
def _clean_url(url: str, base: str | None = None) -> str | None:
    """Return the normalised http(s) URL to fetch, or None when it is not crawlable.

    Resolves against `base`, keeps only http/https, lowercases scheme and host,
    IDNA-encodes non-ASCII hosts, drops default ports, the fragment, userinfo-bearing
    URLs (rejected: we never crawl with credentials), and tracking parameters
    (`TRACKING_PARAMS`, `TRACKING_PREFIXES`); other parameters keep their order.
    Percent-escapes are normalised (unreserved characters decoded, hex uppercased,
    raw spaces/non-ASCII encoded as UTF-8) and dot segments are removed.
    """
    if not isinstance(url, str):
        return None
    raw = _INVISIBLE_RE.sub("", url.strip())
    if not raw:
        return None
    if base and not _ABSOLUTE_RE.match(raw):  # urljoin would rewrite an absolute URL's ";"
        try:
            raw = urljoin(_INVISIBLE_RE.sub("", base.strip()), raw)
        except ValueError as exc:
            logger.debug("clean_url: cannot join %r to %r: %s", raw, base, exc)
            return None
    try:
        parts = urlsplit(raw)
    except ValueError as exc:
        logger.debug("clean_url: unparsable %r: %s", raw, exc)
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        logger.debug("clean_url: rejecting scheme %r in %r", scheme, raw)
        return None
    netloc = _clean_netloc(parts, scheme)
    if netloc is None:
        return None
    path = _normalise_escapes(_remove_dot_segments(parts.path or "/"), _SAFE_PATH)
    if not path.startswith("/"):
        path = "/" + path
    query = "&".join(_kept_query_pairs(parts.query))
    return urlunsplit((scheme, netloc, path, query, ""))


def _clean_netloc(parts: SplitResult, scheme: str) -> str | None:
    if "@" in parts.netloc:
        logger.debug("clean_url: rejecting userinfo in %r", parts.netloc)
        return None
    host = _clean_host(parts.hostname or "")
    if host is None:
        return None
    try:
        port = parts.port
    except ValueError:
        logger.debug("clean_url: bad port in %r", parts.netloc)
        return None
    if ":" in host:  # IPv6 literal needs its brackets back
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return host
    return f"{host}:{port}"


def _clean_host(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        logger.debug("clean_url: empty host")
        return None
    if host.isascii():
        if not re.fullmatch(r"[a-z0-9._\-:]+", host):
            logger.debug("clean_url: invalid host %r", host)
            return None
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        logger.debug("clean_url: host %r is not IDNA-encodable: %s", host, exc)
        return None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so /a/./b/../c and /a/c are the same URL."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        is_last = i == len(segments) - 1
        if segment == ".":
            if is_last:
                output.append("")
            continue
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if is_last:
                output.append("")
            continue
        output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _normalise_escapes(text: str, safe: frozenset[str]) -> str:
    """Decode escapes of unreserved characters, uppercase the rest, encode unsafe chars."""

    def fix_escape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    text = _PERCENT_RE.sub(fix_escape, text)
    out: list[str] = []
    for i, char in enumerate(text):
        if char == "%" and not _PERCENT_RE.match(text, i):
            out.append("%25")  # a lone % is data, not an escape
        elif char in safe:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _split_query(query: str) -> list[tuple[str, str, str]]:
    """(raw pair, lowercased decoded name, decoded value) for each non-empty pair."""
    pairs = []
    for raw in query.split("&"):
        if not raw:
            continue
        name, _, value = raw.partition("=")
        pairs.append((raw, unquote(name.replace("+", " ")).strip().lower(), unquote(value)))
    return pairs


def is_tracking_param(name: str) -> bool:
    """True for parameter names that only identify a campaign or a click."""
    lname = name.lower()
    return lname in TRACKING_PARAMS or lname.startswith(TRACKING_PREFIXES)


def _kept_query_pairs(query: str) -> list[str]:
    kept = []
    for raw, name, _ in _split_query(query):
        if is_tracking_param(name):
            continue
        kept.append(_normalise_escapes(raw, _SAFE_QUERY))
    return kept


@lru_cache(maxsize=256)  # classify_url and trap_reason split the same URL in turn
def _split(url: str) -> SplitResult | None:
    """`clean_url`, split; None when the URL is not crawlable."""
    cleaned = clean_url(url)
    return split_clean(cleaned) if cleaned is not None else None


def split_clean(cleaned: str) -> SplitResult:
    """What urlsplit gives for a URL that came out of `clean_url` (scheme://netloc/path?query:
    no userinfo, no fragment, a path), by string partitions: a few times faster."""
    scheme, _, rest = cleaned.partition("://")
    netloc, _, tail = rest.partition("/")
    path, _, query = tail.partition("?")
    return SplitResult(scheme, netloc, "/" + path, query, "")
