"""Crawler-trap detection (`trap_reason`, `looks_like_trap`) and session-id removal
(`without_session_ids`)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from .classify import _is_month, _path_segments
from .clean import _split, _split_query

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 2000
MAX_QUERY_PARAMS = 10
MAX_PATH_SEGMENTS = 15

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
_PATH_SESSION_RE = re.compile(r";\s*(jsessionid|phpsessid|sid|sessionid|session_id)=[^/?#]*",
                              re.IGNORECASE)
_ASPNET_SESSION_RE = re.compile(r"/\([as]\([a-z0-9]{16,}\)\)/", re.IGNORECASE)
_YEAR_MONTH_RE = re.compile(r"\d{4}-\d\d(-\d\d)?")
_YEAR_ONLY_RE = re.compile(r"\d{4}")
_YEAR_VALUE_RE = re.compile(r"\s*(\d{4})(?:\D|$)")


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


def looks_like_trap(url: str) -> bool:
    """True when `trap_reason` finds a reason to skip the URL."""
    reason = trap_reason(url)
    if reason is not None:
        logger.debug("trap %s: %s", reason, url[:200] if isinstance(url, str) else url)
    return reason is not None


def without_session_ids(url: str) -> str:
    """The URL without session ids (";jsessionid=..." path parameters, ASP.NET "/(S(...))/"
    segments, PHPSESSID-style query parameters). A cookieless client such as a crawler
    gets one appended to every link by some servers; stripped, the links are the site's
    real URLs instead of traps (Heritrix canonicalises the same way). "sid" alone is only
    a session id when its value is long: elsewhere it can be a story id."""
    if ";" not in url and "(" not in url and "?" not in url:
        return url  # nothing a session id could hide in
    parts = urlsplit(url)
    path = _PATH_SESSION_RE.sub("", parts.path)
    path = _ASPNET_SESSION_RE.sub("/", path)
    pairs = [raw for raw, name, value in _split_query(parts.query)
             if not (name in _SESSION_PARAMS and (name != "sid" or len(value) >= 16))]
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(pairs), parts.fragment))


def _has_repeated_segments(segments: tuple[str, ...]) -> bool:
    if len(set(segments)) == len(segments):
        return False  # both rules below need a segment that occurs twice
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


def _calendar_years(segments: tuple[str, ...]) -> list[int]:
    """Years that start a calendar-like run: "2150/01", "1850-03-02". A bare year is
    not enough ("/books/1984/review" is fine)."""
    years = []
    for i, seg in enumerate(segments):
        if not seg[:1].isdigit():
            continue  # both forms start with the year
        if _YEAR_MONTH_RE.fullmatch(seg):
            years.append(int(seg[:4]))
        elif _YEAR_ONLY_RE.fullmatch(seg) and i + 1 < len(segments) and _is_month(segments[i + 1]):
            years.append(int(seg))
    return years


def _has_far_year(
    segments: tuple[str, ...], pairs: list[tuple[str, str, str]], low: int, high: int
) -> bool:
    if any(not low <= year <= high for year in _calendar_years(segments)):
        return True
    for _, name, value in pairs:
        match = _YEAR_VALUE_RE.match(value)
        if match and _CALENDAR_PARAMS.search(name):
            year = int(match.group(1))
            if not low <= year <= high:
                return True
    return False
