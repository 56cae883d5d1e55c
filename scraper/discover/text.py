"""Dates, plain text and ordering shared by the parsers: feed/sitemap dates to ISO 8601,
HTML fragments to short plain text, links newest first."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from scraper.models import Link

logger = logging.getLogger(__name__)

SUMMARY_CHARS = 500
TITLE_CHARS = 300

# ---------------------------------------------------------------------------
# dates and text

# Zone names RFC 822 parsing does not know but news feeds use.
_EXTRA_ZONES = {
    "CET": 1, "CEST": 2, "BST": 1, "IST": 5.5, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1,
    "MSK": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "NZST": 12,
    "NZDT": 13, "UTC": 0, "Z": 0,
}  # fmt: skip
_ZONE_SUFFIX_RE = re.compile(r"\s([A-Z]{1,4})$")


def parse_date(text: str | None) -> str | None:
    """An ISO 8601 string from an RFC 822 or ISO/W3C date, keeping the time zone when
    one is given; a bare date stays a date ("2024-05-12"). None when unparsable."""
    if not text:
        return None
    text = " ".join(text.split())
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    return _parse_rfc822(text)


def _parse_rfc822(text: str) -> str | None:
    zone_offset = None
    match = _ZONE_SUFFIX_RE.search(text)
    if match and match.group(1) in _EXTRA_ZONES:
        zone_offset = _EXTRA_ZONES[match.group(1)]
        text = text[: match.start()] + " +0000"
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        logger.debug("unparsable date %r", text)
        return None
    if zone_offset is not None:
        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=zone_offset)))
    return parsed.isoformat()


def _collapse(text: str) -> str:
    return " ".join(text.split())


def plain_text(markup: str) -> str:
    """Visible text of an HTML fragment (or already plain text), whitespace collapsed."""
    if "<" not in markup and "&" not in markup:
        return _collapse(markup)
    tree = LexborHTMLParser(markup)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    return _collapse(root.text(separator=" ") if root is not None else "")


def truncate(text: str, limit: int) -> str:
    """Cut at a word boundary so the result, with its ellipsis, has at most `limit` chars."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def _plain_or_none(markup: str | None, limit: int) -> str | None:
    if not markup:
        return None
    text = truncate(plain_text(markup), limit)
    return text or None


# ---------------------------------------------------------------------------
# ordering


def _timestamp(published: str | None) -> float | None:
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # naive dates are taken as UTC
    return moment.timestamp()


def newest_first(links: Iterable[Link]) -> list[Link]:
    """Links by `published`, newest first; undated (or unparsable) ones after, in their
    original order. Naive times count as UTC."""
    indexed = [(i, link, _timestamp(link.published)) for i, link in enumerate(links)]
    dated = sorted((x for x in indexed if x[2] is not None), key=lambda x: (-x[2], x[0]))
    undated = [x for x in indexed if x[2] is None]
    return [link for _, link, _ in dated + undated]
