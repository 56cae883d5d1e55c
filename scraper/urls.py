"""URL hygiene for the crawler: cleaning, identity keys, site membership, hints, traps.

Stdlib only and pure (str in, str/bool out). Two notions are kept apart on purpose:

* `clean_url` gives the URL we *fetch*: syntactically normalised, tracking noise removed,
  but nothing that could change what the server returns (query order, trailing slashes,
  AMP variants are left alone).
* `url_key` gives the *identity* used for deduplication: more aggressive, it folds
  variants that almost always serve the same article onto one key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 2000
MAX_QUERY_PARAMS = 10
MAX_PATH_SEGMENTS = 15

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

_INDEX_FILES = ("index.html", "index.htm", "index.php")
_AMP_QUERY = {("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp"), ("output", "amp")}


# ---------------------------------------------------------------------------
# clean_url


def clean_url(url: str, base: str | None = None) -> str | None:
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
    if base:
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


# ---------------------------------------------------------------------------
# url_key


def url_key(url: str) -> str:
    """Return the deduplication key of a URL.

    Starts from `clean_url` and then folds variants that serve the same document:

    * scheme: http and https collapse to https (the same article is served on both);
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
    parts = urlsplit(cleaned)
    netloc = parts.netloc
    if netloc.startswith("amp.") and netloc.count(".") >= 2:
        netloc = netloc[len("amp.") :]
    path = _canonical_path(parts.path)
    pairs = [
        (name, raw)
        for raw, name, value in _split_query(parts.query)
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
    """Strip the leading "www.", "m." or "amp." labels from a host (or URL).

    This is a cheap site identity, not a public-suffix lookup: "news.example.co.uk"
    stays as is, while "www.example.com" and "m.example.com" become "example.com".
    """
    host = _host_of(host)
    changed = True
    while changed:
        changed = False
        for prefix in ("www.", "m.", "amp."):
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
    return host


def same_site(url: str, hosts: Iterable[str]) -> bool:
    """True when the URL's host equals one of `hosts` or is a subdomain of their
    registrable host (so "www.example.com" admits "example.com", "m.example.com"
    and "news.example.com"). `hosts` may hold bare hosts or URLs."""
    cleaned = clean_url(url)
    if cleaned is None:
        return False
    url_host = (urlsplit(cleaned).hostname or "").lower()
    for candidate in hosts:
        host = _host_of(candidate)
        if not host:
            continue
        root = registrable_host(host)
        if url_host in (host, root) or url_host.endswith("." + root):
            return True
    return False


# ---------------------------------------------------------------------------
# classification

_ASSET_EXTENSIONS = frozenset(
    """
    jpg jpeg png gif webp avif bmp tif tiff svg ico heic heif psd raw
    pdf ps eps doc docx xls xlsx ppt pptx odt ods odp rtf csv epub mobi
    mp3 wav ogg oga flac aac m4a opus wma mid midi
    mp4 m4v mov avi wmv mkv webm flv mpg mpeg 3gp ogv m3u8 ts
    zip gz tgz bz2 xz 7z rar tar zst dmg iso exe msi apk deb rpm bin
    css js mjs map json woff woff2 ttf otf eot swf ics vcf txt
    """.split()
)
_FEED_SEGMENTS = frozenset({"feed", "feeds", "rss", "atom", "rss2", "rdf"})
_LISTING_SEGMENTS = frozenset(
    """
    tag tags category categories section sections topic topics author authors archive archives
    search label labels page keyword keywords subject subjects series latest
    """.split()
)
_PAGE_QUERY_NAMES = ("page", "paged", "pg", "pagenum", "page_no", "pageno", "start_page")
_MONTHS = (
    "jan feb mar apr may jun jul aug sep oct nov dec "
    "january february march april june july august september october november december"
).split()
_YEAR_RE = re.compile(r"(19|20)\d\d")
_ISO_DATE_SEGMENT_RE = re.compile(r"(19|20)\d\d-\d\d(-\d\d)?")
_WORD_RE = re.compile(r"[^\W_]+")
_ID_SLUG_RE = re.compile(r"[^\W_]+(?:[-_][^\W_]+)+[-_]\d{5,}$|.*[-_][a-z]*\d{6,}$")


def _path_segments(path: str) -> list[str]:
    return [unquote(s).lower() for s in path.split("/") if s]


def _extension(segment: str) -> str:
    stem, dot, ext = segment.rpartition(".")
    return ext if dot and stem else ""


def _date_span(segments: list[str]) -> tuple[int, int] | None:
    """(start, end) indexes of the first date run: YYYY[/MM|/mon[/DD]] or YYYY-MM[-DD]."""
    for i, seg in enumerate(segments):
        if _ISO_DATE_SEGMENT_RE.fullmatch(seg):
            return i, i + 1
        if not _YEAR_RE.fullmatch(seg):
            continue
        end = i + 1
        if end < len(segments) and _is_month(segments[end]):
            end += 1
            if end < len(segments) and segments[end].isdigit() and 1 <= int(segments[end]) <= 31:
                end += 1
        return i, end  # a bare year counts too: "/2024/" archive, "/2024/some-slug"
    return None


def _is_month(seg: str) -> bool:
    return (seg.isdigit() and len(seg) <= 2 and 1 <= int(seg) <= 12) or seg in _MONTHS


def _slug_words(segment: str) -> int:
    stem = segment.rsplit(".", 1)[0] if _extension(segment) else segment
    if "-" not in stem and "_" not in stem:
        return 1 if stem else 0
    return len(_WORD_RE.findall(stem))


def _has_id_slug(segments: list[str]) -> bool:
    for seg in segments:
        stem = seg.rsplit(".", 1)[0] if _extension(seg) else seg
        if _ID_SLUG_RE.match(stem):
            return True
    # "/article/1234567/some-slug" or "/some-slug/1234567"
    has_number = any(s.isdigit() and len(s) >= 5 for s in segments)
    return has_number and any(_slug_words(s) >= 2 for s in segments)


def _is_strong_article(segments: list[str]) -> bool:
    if not segments:
        return False
    last = segments[-1]
    span = _date_span(segments)
    if span is not None and span[1] < len(segments):
        after = segments[span[1] :]
        if any(not s.isdigit() and s not in _LISTING_SEGMENTS for s in after):
            return True
    if _has_id_slug(segments):
        return True
    if _extension(last) in ("html", "htm", "shtml", "php", "aspx"):
        stem = last.rsplit(".", 1)[0]
        return _slug_words(last) >= 2 or (stem.isdigit() and len(stem) >= 5)
    return False


def page_number(url: str) -> int | None:
    """The page number a listing URL asks for (/page/N, ?page=N, ?paged=N...), or None."""
    parts = _split(url)
    if parts is None:
        return None
    segments = _path_segments(parts.path)
    for i, seg in enumerate(segments[:-1]):
        if seg == "page" and segments[i + 1].isdigit():
            return int(segments[i + 1])
    for _, name, value in _split_query(parts.query):
        if name in _PAGE_QUERY_NAMES and value.strip().isdigit():
            return int(value.strip())
    return None


def url_date(url: str) -> str | None:
    """The publication day a URL spells out ("/2024/06/05/slug", "/2024-06-05-slug/"), as
    ISO "YYYY-MM-DD", or None. Used to order the frontier when no feed or sitemap gave a
    date; a bare year or month is not a day."""
    parts = _split(url)
    if parts is None:
        return None
    match = _URL_DAY_RE.search(parts.path)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, tzinfo=UTC).date().isoformat()
    except ValueError:
        return None


_URL_DAY_RE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d?)[/-](\d\d?)(?=[/\-_.]|$)")


def pagination_depth(url: str) -> int:
    """How many "next page" steps away from the first page this URL is (0 for page 1
    or a URL without pagination)."""
    number = page_number(url)
    return max(number - 1, 0) if number is not None else 0


def _split(url: str) -> SplitResult | None:
    cleaned = clean_url(url)
    return urlsplit(cleaned) if cleaned is not None else None


def classify_url(url: str) -> str:
    """A priority hint: "asset", "feed", "sitemap", "listing", "article" or "unknown".

    Strong article signals (a date followed by a slug, an id-bearing slug like
    "-12345", a slug ending in .html) win over listing markers, so
    "/section/world/2024/05/12/some-story" is an article. Listing markers are the
    home page, tag/category/section/topic/author/archive/search segments,
    pagination, and paths that end on a date. A long hyphenated slug (4+ words)
    without other signals is an article. Extraction has the final word.
    """
    parts = _split(url)
    if parts is None:
        return "unknown"
    segments = _path_segments(parts.path)
    query = {name: value for _, name, value in _split_query(parts.query)}
    last = segments[-1] if segments else ""
    ext = _extension(last)
    # "sitemap.xml", "news-sitemap.xml.gz", "/sitemap": not a slug that merely mentions one
    if last == "sitemap" or "sitemap" in last and ext in ("xml", "gz", "txt"):
        return "sitemap"
    if ext in _ASSET_EXTENSIONS:
        return "asset"
    if _is_feed(segments, ext, query):
        return "feed"
    if _is_strong_article(segments):
        return "article"
    if _is_listing(segments, query, parts.path):
        return "listing"
    if last and _slug_words(last) >= 4:
        return "article"
    return "unknown"


def _is_feed(segments: list[str], ext: str, query: dict[str, str]) -> bool:
    if ext in ("rss", "atom", "rdf", "xml"):
        return True
    if query.get("feed") or query.get("format", "").lower() in ("rss", "atom"):
        return True
    return bool(segments) and segments[-1] in _FEED_SEGMENTS


def _is_listing(segments: list[str], query: dict[str, str], path: str) -> bool:
    if not segments:
        return True  # home page, whatever the query
    if any(seg in _LISTING_SEGMENTS for seg in segments):
        return True
    if any(name in _PAGE_QUERY_NAMES or name in ("s", "q", "query") for name in query):
        return True
    span = _date_span(segments)
    return span is not None and span[1] == len(segments)


# ---------------------------------------------------------------------------
# traps

_SESSION_RE = re.compile(
    r";\s*(jsessionid|phpsessid|sid|sessionid|session_id)=|/\(s\([a-z0-9]{16,}\)\)/",
    re.IGNORECASE,
)
_SESSION_PARAMS = frozenset(
    """
    jsessionid phpsessid sessionid session_id sid cfid cftoken zenid oscsid
    """.split()
)
_CALENDAR_PARAMS = re.compile(r"(year|month|day|date|cal|calendar|ical|event|tribe)", re.IGNORECASE)


def trap_reason(url: str, *, now_year: int | None = None, min_year: int = 1990) -> str | None:
    """Why a URL looks like a crawler trap ("too_long", "too_many_params",
    "session_id", "repeated_segments", "too_deep", "calendar_year"), or None.

    Years count as far away outside [min_year, now_year + 1]; `now_year` defaults to
    the current UTC year.
    """
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        return "too_long"
    if _SESSION_RE.search(url):
        return "session_id"
    parts = _split(url)
    if parts is None:
        return None  # not crawlable at all; clean_url already rejects it
    pairs = _split_query(parts.query)
    if len(pairs) > MAX_QUERY_PARAMS:
        return "too_many_params"
    if any(name in _SESSION_PARAMS and len(value) >= 16 for _, name, value in pairs):
        return "session_id"
    segments = _path_segments(parts.path)
    if len(segments) > MAX_PATH_SEGMENTS:
        return "too_deep"
    if _has_repeated_segments(segments):
        return "repeated_segments"
    year = now_year if now_year is not None else datetime.now(UTC).year
    if _has_far_year(segments, pairs, min_year, year + 1):
        return "calendar_year"
    return None


def without_session_ids(url: str) -> str:
    """The URL without session ids (";jsessionid=..." path parameters, ASP.NET "/(S(...))/"
    segments, PHPSESSID-style query parameters). A cookieless client such as a crawler
    gets one appended to every link by some servers; stripped, the links are the site's
    real URLs instead of traps (Heritrix canonicalises the same way). "sid" alone is only
    a session id when its value is long: elsewhere it can be a story id."""
    parts = urlsplit(url)
    path = _PATH_SESSION_RE.sub("", parts.path)
    path = _ASPNET_SESSION_RE.sub("/", path)
    pairs = [raw for raw, name, value in _split_query(parts.query)
             if not (name in _SESSION_PARAMS and (name != "sid" or len(value) >= 16))]
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(pairs), parts.fragment))


_PATH_SESSION_RE = re.compile(r";\s*(jsessionid|phpsessid|sid|sessionid|session_id)=[^/?#]*",
                              re.IGNORECASE)
_ASPNET_SESSION_RE = re.compile(r"/\([as]\([a-z0-9]{16,}\)\)/", re.IGNORECASE)


def looks_like_trap(url: str) -> bool:
    """True when `trap_reason` finds a reason to skip the URL."""
    reason = trap_reason(url)
    if reason is not None:
        logger.debug("trap %s: %s", reason, url[:200] if isinstance(url, str) else url)
    return reason is not None


def _has_repeated_segments(segments: list[str]) -> bool:
    # Any block of 1..4 segments repeated three times in a row: /a/b/a/b/a/b, /x/x/x.
    for size in range(1, 5):
        for start in range(0, len(segments) - 3 * size + 1):
            block = segments[start : start + size]
            if (
                block
                == segments[start + size : start + 2 * size]
                == segments[start + 2 * size : start + 3 * size]
            ):
                return True
    # A non-numeric segment appearing three times anywhere is a relative-link loop.
    counts: dict[str, int] = {}
    for seg in segments:
        if not seg.isdigit():
            counts[seg] = counts.get(seg, 0) + 1
    return any(count >= 3 for count in counts.values())


def _calendar_years(segments: list[str]) -> list[int]:
    """Years that start a calendar-like run: "2150/01", "1850-03-02". A bare year is
    not enough ("/books/1984/review" is fine)."""
    years = []
    for i, seg in enumerate(segments):
        if re.fullmatch(r"\d{4}-\d\d(-\d\d)?", seg):
            years.append(int(seg[:4]))
        elif re.fullmatch(r"\d{4}", seg) and i + 1 < len(segments) and _is_month(segments[i + 1]):
            years.append(int(seg))
    return years


def _has_far_year(
    segments: list[str], pairs: list[tuple[str, str, str]], low: int, high: int
) -> bool:
    if any(not low <= year <= high for year in _calendar_years(segments)):
        return True
    for _, name, value in pairs:
        match = re.match(r"\s*(\d{4})(?:\D|$)", value)
        if match and _CALENDAR_PARAMS.search(name):
            year = int(match.group(1))
            if not low <= year <= high:
                return True
    return False
