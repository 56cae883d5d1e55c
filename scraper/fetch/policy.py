"""What a fetch may download and when to try again: accepted types, retryable failures,
Retry-After and backoff, and the masking of credentials in logs. No HTTP library here."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState, wait_exponential, wait_random

from ..models import Page

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT_ERRORS = frozenset({
    "timeout", "connect_error", "network_error", "dns_error", "connect_refused",
    "connect_timeout", "read_timeout", "protocol_error", "proxy_error",
})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# What a caller wants to download in full. Anything else is refused before the body is read.
ACCEPT_HTML = "html"  # articles, listing and start pages
ACCEPT_XML = "xml"  # feeds and sitemaps (XML, gzip, and HTML-served feeds)
ACCEPT_ANY = "any"  # robots.txt: any type; cut at 500 KiB (RFC 9309), never too_large
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = _HTML_TYPES | frozenset({
    "application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
    "application/rdf+xml", "application/x-gzip", "application/gzip", "application/x-xml",
    "application/octet-stream", "text/plain", "application/feed+json",
})

# Called before following a redirect to `url`. Returns None to follow it, or an error reason
# (e.g. "robots_disallowed", "redirect_offsite") to stop there. The crawler uses it to wait
# for the per-host delay between hops and to check robots.txt for the next hop.
RedirectHook = Callable[[str], Awaitable[str | None]]
# The (ETag, Last-Modified) held for a URL reached through a redirect, so that a known page
# behind a redirect (/section/page/1/ -> /section/) is still answered with a 304.
Validators = Callable[[str], tuple[str | None, str | None]]


_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it masked: `https://user:pass@host/` ->
    `https://***@host/`."""
    return _USERINFO.sub("***@", text)


class _RedactCredentials(logging.Filter):
    """httpx logs each request's URL in full, password included (`HTTP Request: GET
    http://user:pass@...`): mask it before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's business, not ours
            return True
        if "@" in message:
            record.msg, record.args = redact(message), ()
        return True


for _name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2",
              "httpcore.proxy", "httpcore.socks"):
    logging.getLogger(_name).addFilter(_RedactCredentials())


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_transient(page: Page) -> bool:
    """Worth retrying: timeouts, connection errors, and 408/429/500/502/503/504."""
    if page.error in TRANSIENT_ERRORS:
        return True
    return page.error is not None and page.status in RETRYABLE_STATUSES


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date. None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, retry_after: float | None = None,
                  initial: float = 1.0, maximum: float = 60.0) -> float:
    """Seconds to wait before retry number `attempt` (1-based): tenacity's exponential backoff
    with jitter, never shorter than the server's Retry-After."""
    wait = wait_exponential(multiplier=initial, max=maximum) + wait_random(0, initial)
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    return max(wait(state), retry_after or 0.0)


def _type_refused(ctype: str, accept: str) -> str | None:
    if not ctype or accept == ACCEPT_ANY:
        return None
    if accept == ACCEPT_HTML and ctype not in _HTML_TYPES:
        return "not_html"
    if accept == ACCEPT_XML and ctype not in _XML_TYPES and not ctype.endswith("+xml"):
        return "not_xml"
    return None


def elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
