"""`OriginPools`: an httpx transport that keeps one small connection pool per origin.

One pool for every host does not fit a crawl. httpx's pool is bounded in connections (the
crawl's concurrency, twice over), and a crawl visits more hosts than that in turn: each
request then finds its host's idle connection closed to make room for another host's, and
opens a new one (a TCP handshake, and on a real site a TLS one, for every page). Raising the
bound keeps the connections but costs more than it saves: for every request the pool checks
every idle connection it holds (a system call each). A pool per origin holds a connection or
two and finds its own at once.

The pools are kept in least-recently-used order, at most `max_origins` of them plus those
with a request in flight (a response still being read), so idle sockets stay bounded however
many hosts a crawl meets; a pool dropped closes its idle connections. All pools share one
TLS context (loading the system's CA certificates takes milliseconds per context).

A proxy from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY, as httpx reads
them when given no transport of ours) is chosen per origin, when its pool is made.
"""

from __future__ import annotations

import collections
import urllib.request
from collections.abc import AsyncIterator

import httpx

MAX_ORIGINS = 64  # pools kept at once (idle ones beyond are closed, least recently used first)
KEEPALIVE_PER_ORIGIN = 2  # the crawl keeps one request per host in flight; a redirect hop may reuse


class OriginPools(httpx.AsyncBaseTransport):
    """Dispatches each request to the pool of its origin (scheme, host, port)."""

    def __init__(self, max_origins: int = MAX_ORIGINS, max_connections: int | None = None,
                 keepalive: int = KEEPALIVE_PER_ORIGIN, keepalive_expiry: float = 5.0) -> None:
        self.max_origins = max(1, max_origins)
        self._limits = httpx.Limits(max_connections=max_connections,
                                    max_keepalive_connections=keepalive,
                                    keepalive_expiry=keepalive_expiry)
        self._tls = httpx.create_ssl_context()
        self._pools: collections.OrderedDict[tuple, httpx.AsyncHTTPTransport] = \
            collections.OrderedDict()
        self._in_flight: collections.Counter[tuple] = collections.Counter()
        self.opened = 0  # pools created over the transport's life (for tests and figures)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pool(origin)
        self._in_flight[origin] += 1
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            self._release(origin)
            raise
        response.stream = _Released(response.stream, lambda: self._release(origin))
        await self._drop_idle_pools()
        return response

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.aclose()

    @property
    def origins(self) -> int:
        """Pools currently kept."""
        return len(self._pools)

    def _pool(self, origin: tuple) -> httpx.AsyncHTTPTransport:
        pool = self._pools.get(origin)
        if pool is None:
            proxy = _environment_proxy(*origin[:2])
            try:
                pool = httpx.AsyncHTTPTransport(verify=self._tls, limits=self._limits,
                                                proxy=proxy)
            except (ValueError, httpx.InvalidURL) as exc:  # a proxy variable that is no URL
                raise httpx.ProxyError(f"unusable proxy in the environment: {exc}") from exc
            self._pools[origin] = pool
            self.opened += 1
        else:
            self._pools.move_to_end(origin)
        return pool

    def _release(self, origin: tuple) -> None:
        self._in_flight[origin] -= 1
        if self._in_flight[origin] <= 0:
            del self._in_flight[origin]

    async def _drop_idle_pools(self) -> None:
        """Close the least recently used pools beyond `max_origins`, skipping any whose
        response is still being read."""
        excess = len(self._pools) - self.max_origins
        if excess <= 0:
            return
        for origin in [o for o in self._pools if o not in self._in_flight][:excess]:
            await self._pools.pop(origin).aclose()


def _environment_proxy(scheme: str, host: str) -> str | None:
    """The proxy the environment names for this scheme and host, if any."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


class _Released(httpx.AsyncByteStream):
    """A response stream that reports when it is closed (its request no longer in flight)."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close) -> None:
        self._stream = stream
        self._on_close = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            await self._stream.aclose()
        finally:
            if on_close is not None:
                on_close()
