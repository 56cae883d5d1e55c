"""robots.txt policy per RFC 9309, on top of protego. Pure: the fetcher hands us the
status and body, we answer questions about URLs.

Status handling (RFC 9309 section 2.3.1):

* 2xx: parse the body (UTF-8 with replacement, BOM stripped, first 500 KiB only);
* 3xx: the fetcher already followed up to 5 redirects, so a 3xx here means it gave up;
  we treat that like "unavailable" (4xx) and allow all;
* 4xx (404, 410, 401, 403, ...): allow all, except 429 (Too Many Requests), which we
  treat like 5xx to stay polite, as Google does;
* 5xx or no response (None: timeout, DNS, connection error): disallow all. Such a
  policy is only considered fresh for `UNREACHABLE_TTL` seconds so we retry soon.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from scraper.urls import clean_url

logger = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least 500 KiB
DEFAULT_TTL = 86_400.0  # RFC 9309 section 2.4: do not cache more than 24 hours
UNREACHABLE_TTL = 600.0  # a disallow-all caused by a server error is retried after 10 min
# Sitemap lines used from one robots.txt: publishers name a few, at most some hundreds (one per
# section or month); 500 KiB of them would be 11,000, each a frontier row for one run's budget.
MAX_ROBOTS_SITEMAPS = 1_000

ALLOW_ALL = "allow_all"
DISALLOW_ALL = "disallow_all"
PARSED = "parsed"

_PRODUCT_TOKEN_RE = re.compile(r"[A-Za-z_-]+")


def rule_for_status(status: int | None) -> str:
    """How a robots.txt response status maps to a policy: PARSED, ALLOW_ALL or DISALLOW_ALL."""
    if status is None or status < 200:
        return DISALLOW_ALL
    if 200 <= status < 300:
        return PARSED
    if status == 429 or status >= 500:
        return DISALLOW_ALL
    return ALLOW_ALL


def product_token(user_agent: str) -> str:
    """The robots.txt product token of a User-Agent: "scraper" from
    "scraper/0.1 (+https://example.org)". RFC 9309 allows only [a-zA-Z_-] in it."""
    match = _PRODUCT_TOKEN_RE.match(user_agent.strip())
    return match.group(0).lower() if match else "*"


@dataclass(frozen=True)
class RobotsPolicy:
    """A robots.txt outcome for one origin. `text` is the decoded, capped body for a
    2xx (empty otherwise); `url` (optional) is where it came from and is used to
    resolve relative Sitemap lines. Rebuild from stored fields with
    `RobotsPolicy(fetched_at, status, text, url)`."""

    fetched_at: float
    status: int | None
    text: str = ""
    url: str | None = None
    _parser: Protego | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rule == PARSED:
            object.__setattr__(self, "_parser", Protego.parse(self.text))

    @property
    def rule(self) -> str:
        return rule_for_status(self.status)

    def allowed(self, url: str, user_agent: str) -> bool:
        """May `user_agent` fetch `url`? Groups are matched on the product token of the
        User-Agent (case-insensitive), falling back to the "*" group; the most specific
        (longest) matching Allow/Disallow path wins, Allow on ties (protego)."""
        if self.rule == ALLOW_ALL:
            return True
        if self._parser is None:
            logger.debug("robots: %s disallowed, robots.txt status %s", url, self.status)
            return False
        allowed = self._parser.can_fetch(url, product_token(user_agent))
        if not allowed:
            logger.debug("robots: %s disallowed for %s", url, product_token(user_agent))
        return allowed

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests asked for this agent: the larger of Crawl-delay and
        the delay implied by Request-rate (e.g. "1/5" -> 5.0), or None if neither."""
        if self._parser is None:
            return None
        token = product_token(user_agent)
        delays = []
        delay = self._parser.crawl_delay(token)
        if delay is not None:
            delays.append(float(delay))
        rate = self._parser.request_rate(token)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None

    @property
    def sitemaps(self) -> tuple[str, ...]:
        """Sitemap URLs listed in the file (cleaned, deduplicated, in file order, the first
        MAX_ROBOTS_SITEMAPS); relative ones are resolved against `url` when it is known."""
        if self._parser is None:
            return ()
        found: dict[str, None] = {}  # a list's `in` made a 500 KiB file quadratic: seconds
        for raw in self._parser.sitemaps:
            cleaned = clean_url(raw, self.url)
            if cleaned is None:
                logger.debug("robots: ignoring sitemap line %r", raw)
                continue
            if cleaned not in found and len(found) == MAX_ROBOTS_SITEMAPS:
                logger.info("robots: %s names more than %d sitemaps; the first %d are used",
                            self.url or "a robots.txt", MAX_ROBOTS_SITEMAPS, MAX_ROBOTS_SITEMAPS)
                break
            found[cleaned] = None
        return tuple(found)

    def is_fresh(self, now: float, ttl: float = DEFAULT_TTL) -> bool:
        """True while the cached policy may still be used: for at most `ttl` seconds,
        and at most `UNREACHABLE_TTL` (10 minutes) for a disallow-all caused by a
        server error or no response, so a temporary outage does not block a site all
        day. A fetched_at in the future (clock change) counts as fresh."""
        limit = min(ttl, UNREACHABLE_TTL) if self.rule == DISALLOW_ALL else ttl
        return now - self.fetched_at < limit


def decode_robots(body: bytes) -> str:
    """First 500 KiB as UTF-8 (invalid bytes replaced), BOM removed. A line cut by the
    cap is dropped rather than parsed as a shorter, different rule."""
    truncated = len(body) > MAX_ROBOTS_BYTES
    if truncated:
        body = body[:MAX_ROBOTS_BYTES]
        body = body[: body.rfind(b"\n") + 1]
    text = body.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def robots_from_response(
    status: int | None, body: bytes, fetched_at: float, *, url: str | None = None
) -> RobotsPolicy:
    """Build the policy for a robots.txt response (see the module docstring for how
    each status is treated). `body` is ignored unless the status is 2xx."""
    text = decode_robots(body or b"") if rule_for_status(status) == PARSED else ""
    policy = RobotsPolicy(fetched_at=fetched_at, status=status, text=text, url=url)
    if policy.rule != PARSED:
        logger.debug("robots: status %s for %s means %s", status, url, policy.rule)
    return policy


def robots_url(url: str) -> str | None:
    """The robots.txt URL for the scheme, host and port of `url` (None when `url` is
    not a crawlable http(s) URL)."""
    cleaned = clean_url(url)
    if cleaned is None:
        return None
    parts = urlsplit(cleaned)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"
