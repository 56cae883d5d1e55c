"""URL hints from the path and query alone: `classify_url`, `page_number`, `url_date`,
`pagination_depth`. They order and prioritise the frontier; extraction has the final word."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import unquote

from .clean import _split, _split_query

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
_URL_DAY_RE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d?)[/-](\d\d?)(?=[/\-_.]|$)")


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


def pagination_depth(url: str) -> int:
    """How many "next page" steps away from the first page this URL is (0 for page 1
    or a URL without pagination)."""
    number = page_number(url)
    return max(number - 1, 0) if number is not None else 0


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


# ---------------------------------------------------------------------------
# path helpers (the trap checks use _path_segments and _is_month too)


@lru_cache(maxsize=256)  # classify_url and trap_reason read the same path in turn
def _path_segments(path: str) -> tuple[str, ...]:
    return tuple(unquote(s).lower() for s in path.split("/") if s)


def _extension(segment: str) -> str:
    stem, dot, ext = segment.rpartition(".")
    return ext if dot and stem else ""


def _date_span(segments: tuple[str, ...]) -> tuple[int, int] | None:
    """(start, end) indexes of the first date run: YYYY[/MM|/mon[/DD]] or YYYY-MM[-DD]."""
    for i, seg in enumerate(segments):
        if not seg[:1].isdigit():
            continue  # both forms start with the year
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


def _has_id_slug(segments: tuple[str, ...]) -> bool:
    for seg in segments:
        stem = seg.rsplit(".", 1)[0] if _extension(seg) else seg
        if _ID_SLUG_RE.match(stem):
            return True
    # "/article/1234567/some-slug" or "/some-slug/1234567"
    has_number = any(s.isdigit() and len(s) >= 5 for s in segments)
    return has_number and any(_slug_words(s) >= 2 for s in segments)


def _is_strong_article(segments: tuple[str, ...]) -> bool:
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


def _is_feed(segments: tuple[str, ...], ext: str, query: dict[str, str]) -> bool:
    if ext in ("rss", "atom", "rdf", "xml"):
        return True
    if query.get("feed") or query.get("format", "").lower() in ("rss", "atom"):
        return True
    return bool(segments) and segments[-1] in _FEED_SEGMENTS


def _is_listing(segments: tuple[str, ...], query: dict[str, str], path: str) -> bool:
    if not segments:
        return True  # home page, whatever the query
    if any(seg in _LISTING_SEGMENTS for seg in segments):
        return True
    if any(name in _PAGE_QUERY_NAMES or name in ("s", "q", "query") for name in query):
        return True
    span = _date_span(segments)
    return span is not None and span[1] == len(segments)
