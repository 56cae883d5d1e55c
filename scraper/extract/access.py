"""Is the whole article on the page? `access` is "full", or "paywalled", "truncated" or
"blocked" with a reason, so a teaser, a consent wall or a bot challenge is never stored as if
it were the article (and never replaces one stored whole: see `Store.upsert_article`).

Signals: JSON-LD `isAccessibleForFree: false` (on the article or a part of it); a body far
shorter than the JSON-LD `wordCount`; a consent wall or a bot challenge in place of the text.
A 401, 402 or 451 response is refused by fetching (`http_401`, ...) and never reaches
extraction; `access_for_status` names what such a status means for callers that keep them.
"""

from __future__ import annotations

import re

from .document import Document, word_count

_TRUNCATED_RATIO = 0.5  # a body under half the declared wordCount is a teaser
_MIN_DECLARED_WORDS = 150
_SHORT_BODY = 150  # words: walls and challenges show little text
_CHALLENGE_TITLE = re.compile(
    r"just a moment|attention required|access denied|are you a robot|verify you are (?:a )?human|"
    r"security check|checking your browser|bot verification|pardon our interruption|captcha",
    re.I)
_CHALLENGE_MARKUP = re.compile(
    r"_cf_chl_opt|cf-browser-verification|px-captcha|_Incapsula_Resource|captcha-delivery\.com",
    re.I)  # challenge pages only: the scripts such services add to ordinary pages do not count
_CONSENT_TEXT = re.compile(
    r"before you continue|we value your privacy|your privacy choices|consent to (?:the use of )?"
    r"cookies|accept all cookies|manage (?:your )?(?:cookie|privacy) (?:settings|preferences)|"
    r"reject all|agree and continue|this site uses cookies", re.I)
_STATUS = {401: ("blocked", "HTTP 401 Unauthorized"),
           402: ("paywalled", "HTTP 402 Payment Required"),
           451: ("blocked", "HTTP 451 Unavailable For Legal Reasons")}


def access_for_status(status: int | None) -> tuple[str, str] | None:
    """What a 401, 402 or 451 response means for access; None for other statuses."""
    return _STATUS.get(status or 0)


def _not_free(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _declared_words(value: object) -> int | None:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


def access_verdict(doc: Document, body: str, headline: str | None) -> tuple[str, str | None]:
    """("full", None), or (paywalled | truncated | blocked, reason)."""
    words = word_count(body)
    ld = doc.ld_article or {}
    parts = ld.get("hasPart") if isinstance(ld.get("hasPart"), list) else [ld.get("hasPart")]
    if _not_free(ld.get("isAccessibleForFree")) or any(
            isinstance(p, dict) and _not_free(p.get("isAccessibleForFree")) for p in parts):
        return "paywalled", "JSON-LD isAccessibleForFree is false"
    declared = _declared_words(ld.get("wordCount"))
    if declared and declared >= _MIN_DECLARED_WORDS and words < declared * _TRUNCATED_RATIO:
        return "truncated", f"body has {words} words, JSON-LD wordCount says {declared}"
    if words < _SHORT_BODY:
        title = doc.tree.css_first("title")
        title_text = title.text() if title is not None else ""
        if _CHALLENGE_TITLE.search(title_text) or _CHALLENGE_TITLE.search(headline or ""):
            return "blocked", f"bot challenge page (title {title_text.strip()[:60]!r})"
        marker = _CHALLENGE_MARKUP.search(doc.html)
        if marker:
            return "blocked", f"bot challenge page ({marker.group(0)})"
        consent = _CONSENT_TEXT.search(body) or _CONSENT_TEXT.search(headline or "")
        if consent:
            return "blocked", f"consent wall ({consent.group(0)!r} in place of the article)"
    return "full", None
