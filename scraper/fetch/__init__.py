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

The package: `policy.py` (types, retries, backoff, masking), `failures.py` (httpx errors ->
reasons), `client.py` (`Fetcher`), `retrying.py` (`fetch_url`); decoding is in
`scraper/content_coding.py`.
"""

from .client import Fetcher
from .policy import (
    ACCEPT_ANY,
    ACCEPT_HTML,
    ACCEPT_XML,
    RETRYABLE_STATUSES,
    RedirectHook,
    Validators,
    backoff_delay,
    is_transient,
    now_iso,
    parse_retry_after,
    redact,
)
from .retrying import fetch_url

__all__ = [
    "ACCEPT_ANY",
    "ACCEPT_HTML",
    "ACCEPT_XML",
    "RETRYABLE_STATUSES",
    "Fetcher",
    "RedirectHook",
    "Validators",
    "backoff_delay",
    "fetch_url",
    "is_transient",
    "now_iso",
    "parse_retry_after",
    "redact",
]
