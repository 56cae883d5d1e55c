"""`fetch_url`: a synchronous fetch with tenacity retries, for one-off use (`scraper extract
URL`); the crawler's scheduler owns its own retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from ..models import CrawlConfig, Page
from .client import Fetcher
from .policy import ACCEPT_HTML, RedirectHook, is_transient, redact

log = logging.getLogger("scraper.fetch")

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
