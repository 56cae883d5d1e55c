"""Step 5's redirect hops: a same-host hop waits for the host's delay, another host or
origin is not followed inside the fetch (its target is queued as a link of its own, so that
host's politeness and robots.txt apply), and a hop robots.txt disallows is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from ..frontier import FrontierEntry
from ..politeness import MARGIN, HostState

RedirectHook = Callable[[str], Awaitable[str | None]]


def redirect_hook(state: HostState, entry: FrontierEntry, user_agent: str,
                  robots: bool = False) -> RedirectHook:
    """The `on_redirect` hook for fetching `entry` from the host `state`: it returns a
    reason to stop at a hop ("redirect_offsite", "robots_disallowed") or None to follow it.
    `robots`: the entry is a robots.txt itself, which is fetched whatever the policy."""

    async def hook(target: str) -> str | None:
        parts = urlsplit(target)
        if parts.netloc.lower() != entry.host:
            return "redirect_offsite"  # the target is queued as a link of its own
        policy = state.policy(f"{parts.scheme}://{parts.netloc.lower()}")
        if not robots and policy is None:
            return "redirect_offsite"  # another origin (http -> https): queued, its
            # robots.txt asked first
        if not robots and not policy.allowed(target, user_agent):
            return "robots_disallowed"
        await asyncio.sleep(state.delay + MARGIN)  # same host: the delay between hops
        return None

    return hook
