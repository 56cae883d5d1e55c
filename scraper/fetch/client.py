"""`Fetcher`: the async HTTP client the crawler uses, one attempt per call, with the
project's limits (deadline, type check, manual redirects, decoded body budget)."""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urljoin, urlsplit

import httpx

from ..content_coding import ACCEPT_ENCODING, SLICE, CodingError, CodingTooLarge, ContentDecoder
from ..models import CrawlConfig, Page
from ..robots import MAX_ROBOTS_BYTES
from .failures import _LIBRARY_ERRORS, _classify_exception, _Hops, _Stop
from .policy import (
    ACCEPT_ANY,
    ACCEPT_HTML,
    REDIRECT_STATUSES,
    RedirectHook,
    Validators,
    _type_refused,
    elapsed_ms,
    now_iso,
    parse_retry_after,
    redact,
)
from .pools import MAX_ORIGINS, OriginPools

log = logging.getLogger("scraper.fetch")

class Fetcher:
    """An async HTTP client with the project's limits. Use as `async with Fetcher(cfg) as f`."""

    def __init__(self, config: CrawlConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client or httpx.AsyncClient(
            verify=True,
            follow_redirects=False,
            headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(config.timeout),
            transport=OriginPools(max_origins=max(MAX_ORIGINS, 4 * config.concurrency),
                                  max_connections=max(1, config.concurrency)),
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
            return Page(**common, elapsed_ms=elapsed_ms(started))
        if status >= 400 or status < 200 or status in REDIRECT_STATUSES:
            return Page(**common, elapsed_ms=elapsed_ms(started), error=f"http_{status}",
                        error_detail=f"HTTP {status} {response.reason_phrase}",
                        retry_after=parse_retry_after(response.headers.get("retry-after")))
        refused = _type_refused(_content_type(response), accept)
        if refused:
            return Page(**common, elapsed_ms=elapsed_ms(started), error=refused,
                        error_detail=f"content type {_content_type(response)!r} not downloaded")
        content = await self._read_body(response, state, accept)
        return Page(**common, content=content, elapsed_ms=elapsed_ms(started))

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


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


