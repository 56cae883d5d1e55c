"""httpx's errors translated into short failure reasons with a human detail (the phase a
request was in, where it was connecting to, how long was waited), and the state of one fetch
across its redirect hops."""

from __future__ import annotations

import re
import socket
import ssl
import time

import httpx

from ..models import Page
from .policy import elapsed_ms, redact


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
                    fetched_at=fetched_at, elapsed_ms=elapsed_ms(started), redirects=tuple(self.hops),
                    error=reason, error_detail=redact(detail))


