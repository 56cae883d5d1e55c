"""Fetching: one URL -> one `Page`, success or failure. The only module that imports httpx.

Every httpx error is translated here into a short reason on `Page.error` (failures are data),
with a human `Page.error_detail`:

    network:  dns_error, connect_refused, connect_timeout ("no connection in 10.0s"),
              tls_error, read_timeout ("no response in 10.0s", "body not complete in 10.0s"),
              protocol_error (a malformed or cut-off response), proxy_error (the proxy is
              unreachable or refused the tunnel), connect_error and network_error (other
              connection and transport failures), timeout (no connection from the pool)
    response: decode_error, bad_response, too_large, not_html, not_xml, redirect_loop,
              too_many_redirects, redirect_without_location, bad_redirect (a Location that
              is no usable URL), http_<status> (e.g. http_404, http_503; a 304 is *not* an
              error: `Page.not_modified`)
    request:  bad_url, bad_scheme

A timeout is named after the phase it struck in (found with httpcore's `trace` extension):
connecting (TCP or TLS handshake), waiting for the response, or reading the body.

Limits applied to every request: a total deadline (`CrawlConfig.timeout`, body included;
the caller's waits between redirect hops excluded), a content-type check before the body is
read, manual redirects with a limit and loop detection, http/https only, TLS verified, and a
body budget of `max_body_bytes` counted on the *decoded* stream: the raw bytes are read and
each Content-Encoding layer (at most two) is undone incrementally within that budget
(content_coding.py), so a few KB of stacked gzip cannot inflate into gigabytes.
robots.txt (`ACCEPT_ANY`) is never refused for its size: its first 500 KiB are kept and the
rest ignored (RFC 9309 section 2.5).

URLs with credentials (`user:pass@`) are redacted in every log line and error detail written
here, and in httpx's own request log; request headers (Authorization, Proxy-Authorization)
are never logged.

`Fetcher` is the async client the crawler uses (one attempt per call: the crawler's per-host
scheduler owns retries so that a Retry-After never puts a worker to sleep). `fetch_url` is a
synchronous convenience with tenacity retries for one-off use (`scraper extract URL`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from .content_coding import (
    ACCEPT_ENCODING,
    SLICE,
    CodingError,
    CodingTooLarge,
    ContentDecoder,
)
from .models import CrawlConfig, Page
from .robots import MAX_ROBOTS_BYTES

log = logging.getLogger(__name__)

__all__ = [
    "ACCEPT_ANY",
    "ACCEPT_HTML",
    "ACCEPT_XML",
    "RETRYABLE_STATUSES",
    "Fetcher",
    "backoff_delay",
    "fetch_url",
    "is_transient",
    "parse_retry_after",
    "redact",
]

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


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _type_refused(ctype: str, accept: str) -> str | None:
    if not ctype or accept == ACCEPT_ANY:
        return None
    if accept == ACCEPT_HTML and ctype not in _HTML_TYPES:
        return "not_html"
    if accept == ACCEPT_XML and ctype not in _XML_TYPES and not ctype.endswith("+xml"):
        return "not_xml"
    return None


def _classify_exception(exc: BaseException, state: _Hops, timeout: float) -> tuple[str, str]:
    """Translate an httpx (or asyncio) exception into (reason, detail). `state` says which
    phase the request was in and where it was connecting to (a proxy, perhaps)."""
    detail = f"{type(exc).__name__}: {exc}".strip()
    if isinstance(exc, httpx.PoolTimeout):
        return "timeout", f"no free connection in {state.waited():.1f}s"
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return _timeout_reason(exc, state, timeout)
    if isinstance(exc, httpx.ProxyError):
        return "proxy_error", detail
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "bad_scheme", detail
    if isinstance(exc, httpx.InvalidURL):
        return "bad_url", detail
    if isinstance(exc, httpx.ConnectError):
        return _connect_reason(exc, state)
    if isinstance(exc, httpx.DecodingError):
        return "decode_error", detail
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc).lower():
        return "bad_redirect", detail  # httpx parses Location itself, even unfollowed
    if isinstance(exc, httpx.ProtocolError):
        return "protocol_error", detail
    if isinstance(exc, ValueError | httpx.StreamError | httpx.CookieConflict):
        return "bad_response", detail
    return "network_error", detail


def _timeout_reason(exc: BaseException, state: _Hops, timeout: float) -> tuple[str, str]:
    waited = state.waited()
    phase = state.phase
    if isinstance(exc, httpx.ConnectTimeout) and phase not in ("connect", "tls"):
        phase = "connect"
    elif isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout) and phase in ("connect", "tls"):
        phase = "response"
    if phase == "connect":
        where = state.connecting_to or "the server"
        if state.via_proxy():
            return "proxy_error", f"proxy {where} accepted no connection in {waited:.1f}s"
        return "connect_timeout", f"no connection to {where} in {waited:.1f}s"
    if phase == "tls":
        return "connect_timeout", f"TLS handshake not complete in {waited:.1f}s"
    via = f" via proxy {state.connecting_to}" if state.via_proxy() else ""
    if phase == "body":
        return "read_timeout", (f"body not complete in {waited:.1f}s{via} "
                                f"({state.received} bytes received, {timeout:g}s deadline)")
    return "read_timeout", f"no response in {waited:.1f}s{via}"


def _connect_reason(exc: httpx.ConnectError, state: _Hops) -> tuple[str, str]:
    """A failed connection: DNS, refused, TLS or the proxy; the root cause is the detail."""
    chain = _causes(exc)
    root = chain[-1]
    message = re.sub(r"^\[Errno -?\d+\]\s*", "", str(root) or type(root).__name__)
    if any(isinstance(e, ssl.SSLError) for e in chain) or "CERTIFICATE" in str(exc).upper():
        return "tls_error", message
    if state.via_proxy():
        return "proxy_error", f"proxy {state.connecting_to} unreachable: {message}"
    if isinstance(root, socket.gaierror):
        return "dns_error", message
    if isinstance(root, ConnectionRefusedError):
        return "connect_refused", message
    return "connect_error", message


def _causes(exc: BaseException) -> list[BaseException]:
    """An exception and its causes, innermost last (through exception groups, where anyio
    gathers its attempts at each address)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in chain):
        chain.append(current)
        if isinstance(current, BaseExceptionGroup) and current.exceptions:
            current = current.exceptions[0]
        else:
            current = current.__cause__ or current.__context__
    return chain


# Everything httpx (and the URL parsing around it) may raise for what a server or a URL
# does: HTTPError covers transport, decoding and protocol errors; InvalidURL, StreamError
# and CookieConflict are not HTTPErrors; ValueError (UnicodeError included) comes from
# parsing a malformed URL or header.
_LIBRARY_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict,
                   TimeoutError, OSError, ssl.SSLError, ValueError)


class _Stop(Exception):
    """Internal: end a fetch early with a reason."""

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status


class Fetcher:
    """An async HTTP client with the project's limits. Use as `async with Fetcher(cfg) as f`."""

    def __init__(self, config: CrawlConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client or httpx.AsyncClient(
            verify=True,
            follow_redirects=False,
            headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(config.timeout),
            limits=httpx.Limits(max_connections=max(1, config.concurrency) * 2,
                                max_keepalive_connections=max(1, config.concurrency)),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, *, accept: str = ACCEPT_HTML, etag: str | None = None,
                    last_modified: str | None = None,
                    on_redirect: RedirectHook | None = None,
                    validators: Validators | None = None,
                    max_bytes: int | None = None) -> Page:
        """One attempt at `url` (following redirects). Never raises for network trouble, nor
        for anything a server sends (a bad Location, a malformed response): every library
        error becomes a `Page` error. The deadline covers the network, not the time spent
        in `on_redirect` (the caller's politeness waits between hops). `max_bytes` replaces
        `max_body_bytes` for this fetch (sitemaps may be 50 MB)."""
        started = time.monotonic()
        fetched_at = now_iso()
        state = _Hops(url)
        state.max_bytes = max_bytes or self.config.max_body_bytes
        try:
            async with asyncio.timeout(self.config.timeout) as deadline:
                hook = _outside_deadline(on_redirect, deadline)
                return await self._fetch(state, accept, etag, last_modified, hook,
                                         started, fetched_at, validators)
        except _Stop as stop:
            return state.failure(stop.reason, stop.detail, stop.status, started, fetched_at)
        except _LIBRARY_ERRORS as exc:
            reason, detail = _classify_exception(exc, state, self.config.timeout)
            log.debug("fetch %s failed: %s (%s)", redact(state.current), reason, redact(detail))
            return state.failure(reason, detail, state.status, started, fetched_at)

    async def _fetch(self, state: _Hops, accept: str, etag: str | None,
                     last_modified: str | None, on_redirect: RedirectHook | None,
                     started: float, fetched_at: str, validators: Validators | None) -> Page:
        while True:
            _check_scheme(state.current)
            if state.hops:  # the first URL's validators say nothing about this one
                etag, last_modified = validators(state.current) if validators else (None, None)
            headers = _conditional_headers(etag, last_modified)
            request = self._client.build_request("GET", state.current, headers=headers,
                                                 extensions={"trace": state.trace})
            state.begin()
            response = await self._client.send(request, stream=True)
            try:
                state.phase = "body"
                state.status = response.status_code
                target = _redirect_target(response, state.current)
                if target is None:
                    return await self._finish(response, state, accept, started, fetched_at)
            finally:
                await response.aclose()
            state.follow(target, self.config.max_redirects)
            if on_redirect is not None:
                refusal = await on_redirect(target)
                if refusal:
                    raise _Stop(refusal, f"redirect to {target} not followed: {refusal}",
                                state.status)

    async def _finish(self, response: httpx.Response, state: _Hops, accept: str,
                      started: float, fetched_at: str) -> Page:
        status = response.status_code
        headers = tuple((k, v) for k, v in response.headers.multi_items())
        common = dict(url=state.start, final_url=state.current, status=status, headers=headers,
                      fetched_at=fetched_at, redirects=tuple(state.hops))
        if status == 304:
            return Page(**common, elapsed_ms=_ms(started))
        if status >= 400 or status < 200 or status in REDIRECT_STATUSES:
            return Page(**common, elapsed_ms=_ms(started), error=f"http_{status}",
                        error_detail=f"HTTP {status} {response.reason_phrase}",
                        retry_after=parse_retry_after(response.headers.get("retry-after")))
        refused = _type_refused(_content_type(response), accept)
        if refused:
            return Page(**common, elapsed_ms=_ms(started), error=refused,
                        error_detail=f"content type {_content_type(response)!r} not downloaded")
        content = await self._read_body(response, state, accept)
        return Page(**common, content=content, elapsed_ms=_ms(started))

    async def _read_body(self, response: httpx.Response, state: _Hops, accept: str) -> bytes:
        """The decoded body within the budget. robots.txt is cut at MAX_ROBOTS_BYTES, whatever
        `max_body_bytes` says (one byte more is kept, so `robots.decode_robots` knows the
        file went on and drops the line the cut went through); anything else past
        `max_body_bytes` (or the fetch's `max_bytes`) is too_large."""
        limit = state.max_bytes
        cut = MAX_ROBOTS_BYTES + 1 if accept == ACCEPT_ANY else None
        declared = response.headers.get("content-length", "")
        if cut is None and declared.isdigit() and int(declared) > limit:
            raise _Stop("too_large", f"Content-Length {declared} > {limit} bytes",
                        response.status_code)
        if cut is not None:
            limit = max(limit, cut)
        encodings = response.headers.get_list("content-encoding", split_commas=True)
        try:  # a cut robots.txt stops pulling before its decoder reaches the budget
            decoder = ContentDecoder(encodings, budget=limit + (SLICE if cut else 0))
        except CodingError as exc:
            raise _Stop("decode_error", str(exc), response.status_code) from exc
        chunks: list[bytes] = []
        size = 0
        try:
            async for raw in response.aiter_raw():
                state.received += len(raw)
                for piece in decoder.feed(raw):
                    if cut is not None and size + len(piece) >= cut:
                        chunks.append(piece[:cut - size])
                        log.info("robots.txt %s is longer than %d bytes: the rest is ignored",
                                 redact(state.current), MAX_ROBOTS_BYTES)
                        return b"".join(chunks)
                    size += len(piece)
                    if size > limit:
                        raise _Stop("too_large", _too_large(limit, decoder, state.received),
                                    response.status_code)
                    chunks.append(piece)
        except CodingTooLarge as exc:
            raise _Stop("too_large", _too_large(limit, decoder, state.received, exc.inner),
                        response.status_code) from exc
        except CodingError as exc:
            raise _Stop("decode_error", str(exc), response.status_code) from exc
        return b"".join(chunks)


def _too_large(limit: int, decoder: ContentDecoder, received: int, inner: bool = False) -> str:
    if not decoder.encoded:
        return f"body exceeds {limit} bytes"
    where = " in an inner layer" if inner else ""
    return (f"body exceeds {limit} bytes once decoded{where} (Content-Encoding: "
            f"{decoder.label}; {received} bytes received)")


class _Hops:
    """The redirect chain of one fetch: loop detection and the hop limit live here."""

    def __init__(self, start: str) -> None:
        self.start = start
        self.current = start
        self.hops: list[str] = []
        self.seen = {start}
        self.status: int | None = None
        # where the current hop is: None (not started, or waiting for a pooled connection),
        # "connect", "tls", "request", "response" (headers awaited), "body"
        self.phase: str | None = None
        self.sent_at = time.monotonic()
        self.connecting_to: str | None = None  # "host:port" of the last TCP connect
        self.received = 0  # raw body bytes of the current hop
        self.max_bytes = 0  # the decoded body budget of this fetch

    def begin(self) -> None:
        self.phase, self.connecting_to, self.received = None, None, 0
        self.sent_at = time.monotonic()

    def waited(self) -> float:
        return time.monotonic() - self.sent_at

    async def trace(self, event: str, info: dict) -> None:
        """httpcore's `trace` extension: note the phase the request is in."""
        if event.endswith("connect_tcp.started"):
            self.phase = "connect"
            self.connecting_to = f"{info.get('host')}:{info.get('port')}"
        elif event.endswith("start_tls.started"):
            self.phase = "tls"
        elif event.endswith("send_request_headers.started"):
            self.phase = "request"
        elif event.endswith("receive_response_headers.started"):
            self.phase = "response"

    def via_proxy(self) -> bool:
        """Was the last TCP connection made to another host than the URL's (a proxy)?"""
        if self.connecting_to is None:
            return False
        try:
            url = httpx.URL(self.current)
        except (httpx.InvalidURL, ValueError):
            return False
        port = url.port or (443 if url.scheme == "https" else 80)
        host = url.raw_host.decode("ascii", "replace")  # as httpcore connects (IDNA)
        return self.connecting_to.lower() != f"{host}:{port}".lower()

    def follow(self, target: str, limit: int) -> None:
        if target in self.seen:
            raise _Stop("redirect_loop", f"redirect loop back to {target}", self.status)
        if len(self.hops) >= limit:
            raise _Stop("too_many_redirects", f"more than {limit} redirects", self.status)
        self.hops.append(self.current)
        self.seen.add(target)
        self.current = target

    def failure(self, reason: str, detail: str, status: int | None, started: float,
                fetched_at: str) -> Page:
        return Page(url=self.start, final_url=self.current, status=status,
                    fetched_at=fetched_at, elapsed_ms=_ms(started), redirects=tuple(self.hops),
                    error=reason, error_detail=redact(detail))


def _check_scheme(url: str) -> None:
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # each raises ValueError if malformed
    except ValueError as exc:
        raise _Stop("bad_url", f"unparsable URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise _Stop("bad_scheme", f"only http and https are fetched, not {parts.scheme!r}")
    if not host:
        raise _Stop("bad_url", f"no host in {url!r}")


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _redirect_target(response: httpx.Response, current: str) -> str | None:
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise _Stop("redirect_without_location", "redirect without a Location header",
                    response.status_code)
    try:
        target = urljoin(current, location.strip()).split("#", 1)[0]
        httpx.URL(target)  # parses it as the next request will
        _check_scheme(target)  # a broken IPv6 host or a port out of range
    except (ValueError, httpx.InvalidURL) as exc:
        raise _Stop("bad_redirect", f"unusable Location {location!r}: {exc}",
                    response.status_code) from exc
    except _Stop as stop:
        if stop.reason == "bad_scheme":
            raise  # a redirect to ftp: and the like keeps its documented reason
        raise _Stop("bad_redirect", f"unusable Location {location!r}: {stop.detail}",
                    response.status_code) from stop
    return target


def _outside_deadline(hook: RedirectHook | None,
                      deadline: asyncio.Timeout) -> RedirectHook | None:
    """`hook` with the fetch deadline suspended while it runs: a politeness wait between
    redirect hops (a Crawl-delay may exceed the timeout) is not network time."""
    if hook is None:
        return None

    async def suspended(target: str) -> str | None:
        loop = asyncio.get_running_loop()
        when = deadline.when()
        left = None if when is None else when - loop.time()
        deadline.reschedule(None)
        try:
            return await hook(target)
        finally:
            if left is not None:
                deadline.reschedule(loop.time() + left)

    return suspended


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


# --- synchronous convenience -------------------------------------------------------------


def fetch_url(url: str, config: CrawlConfig | None = None, *, accept: str = ACCEPT_HTML,
              on_redirect: RedirectHook | None = None) -> Page:
    """Fetch one URL synchronously, retrying transient failures (tenacity, exponential backoff
    with jitter, honouring Retry-After) up to `config.retries` extra attempts. Never raises for
    network trouble: the last attempt's `Page` is returned, with `error` set if it failed.

    `on_redirect` (see `RedirectHook`) is called before every redirect hop of every attempt,
    so a one-off caller can check robots.txt or wait for the host before following it."""
    config = config or CrawlConfig()
    return asyncio.run(_fetch_with_retries(url, config, accept, on_redirect))


async def _fetch_with_retries(url: str, config: CrawlConfig, accept: str,
                              on_redirect: RedirectHook | None = None) -> Page:
    async with Fetcher(config) as fetcher:
        retrying = AsyncRetrying(
            retry=retry_if_result(is_transient),
            stop=stop_after_attempt(max(1, config.retries + 1)),
            wait=_wait_with_retry_after(config.max_crawl_delay),
            retry_error_callback=lambda state: state.outcome.result(),
            before_sleep=lambda state: log.info(
                "fetch %s: %s, retry %d", redact(url), state.outcome.result().error,
                state.attempt_number),
        )
        return await retrying(fetcher.fetch, url, accept=accept, on_redirect=on_redirect)


def _wait_with_retry_after(cap: float) -> Callable[[RetryCallState], float]:
    exponential = wait_exponential(multiplier=1.0, max=cap) + wait_random(0, 1.0)

    def wait(state: RetryCallState) -> float:
        page = state.outcome.result() if state.outcome and not state.outcome.failed else None
        retry_after = page.retry_after if isinstance(page, Page) else None
        return min(cap, max(exponential(state), retry_after or 0.0))

    return wait
