"""Per-host politeness and scheduling: which frontier entry may be fetched next, and when.

Rules (the hard ones are tested from the test server's own request log):

* robots.txt comes first: RFC 9309 scopes it to an origin (scheme, host, port), so an entry
  is handed out only once the policy of its origin is known; until then only robots
  entries (which sort before everything else) leave that host;
* at most one request in flight per host;
* the per-host delay runs from the END of one response to the START of the next request to
  the same host: `release()` is called when the response has been read;
* the delay is the larger of `per_host_delay` and the robots.txt Crawl-delay, the latter
  capped at `max_crawl_delay` (the cap is logged);
* Retry-After makes the host ineligible until then (no worker sleeps); one longer than
  `max_crawl_delay` parks the host until the next run;
* a retried entry waits for its own backoff time (`not_before`) in the scheduler;
* a site whose page budget is spent hands out nothing more (its entries stay pending);
* robots.txt, feeds, sitemaps and start pages go first; after that a host alternates between
  its best article and its best listing (or unknown) page, so neither a backlog of articles
  (a big archive sitemap) starves discovery of today's stories on the listings, nor a
  listing trap (facets, calendars) starves the articles.

* memory stays flat however large the frontier: each host holds at most `WINDOW` entries
  per lane in memory, the best by priority; the rest wait in the `frontier` table and are
  read back in order (`load`, an index walk) when the window runs low. Every entry pushed
  here, except robots.txt entries, is already persisted as pending.

* a pick costs the same with 20 hosts or 1,000 (`python -m bench.scheduler`): hosts are
  indexed by their best entry (ready now) or by the time they may be asked, and only a host
  whose state changed is evaluated again (`_pick`).

Workers call `await scheduler.next()` and get an entry, or None when the run is over, then
`release()` it when the response has been read. A key handed out is never read back from
the database in the same run (only an explicit push, a retry say, brings it back).
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import logging
import time
from collections.abc import Callable, Container
from dataclasses import dataclass, field

from .frontier import ROBOTS, FrontierEntry
from .models import CrawlConfig
from .robots import RobotsPolicy

log = logging.getLogger(__name__)

__all__ = ["MARGIN", "WINDOW", "HostState", "Scheduler"]

# Added to every per-host wait. We time the delay from when we finished reading a response;
# the server (or whoever watches its log) may note that end a few milliseconds later under
# load. Being 10 ms more patient keeps the rule true from their side too.
MARGIN = 0.01
# Entries of one host lane held in memory; refilled from the database below half of it.
WINDOW = 64

# load(host, lane, limit, skip) -> the next pending entries of that host lane, in order
Loader = Callable[[str, int, int, Container[str]], list[FrontierEntry]]
Item = tuple[tuple, int, FrontierEntry]


@dataclass
class HostState:
    """Mutable per-host bookkeeping; lives only inside the Scheduler."""

    host: str
    delay: float
    # robots.txt policies by origin ("http://host:port"); the key None is a policy for
    # every origin of the host
    robots: dict[str | None, RobotsPolicy] = field(default_factory=dict)
    busy: bool = False
    next_ok: float = 0.0  # monotonic time before which no request may start
    last_end: float | None = None  # monotonic end of the last response from this host
    parked: str | None = None  # why this host gets no more requests this run
    # sorted windows (best first) of the two lanes: 0 the rest, 1 listing and unknown pages
    queue: list[Item] = field(default_factory=list)
    browse: list[Item] = field(default_factory=list)
    waiting: list[FrontierEntry] = field(default_factory=list)  # retries not yet due
    browse_turn: bool = False  # the next pick prefers a listing page
    more: list[bool] = field(default_factory=lambda: [False, False])  # per lane: on disk too
    # bumped at every evaluation: the scheduler's index entries of older versions are void
    version: int = 0

    def policy(self, origin: str) -> RobotsPolicy | None:
        """The robots.txt policy for an origin of this host, if known."""
        found = self.robots.get(origin)
        return found if found is not None else self.robots.get(None)

    def lane(self, number: int) -> list[Item]:
        return self.browse if number else self.queue

    def heap_for(self, entry: FrontierEntry) -> list[Item]:
        return self.lane(entry.lane)

    def top(self) -> Item | None:
        """The entry this host would hand out next (see the alternation rule above)."""
        main = self.queue[0] if self.queue else None
        browse = self.browse[0] if self.browse else None
        if main is None or browse is None:
            return main or browse
        if main[0][0] <= _SEED_CLASS or not self.browse_turn:
            return main
        return browse


_SEED_CLASS = 2  # priority class of start pages; robots, feeds and sitemaps are below it


class Scheduler:
    """Hands out frontier entries host by host, politely. Not thread-safe: one event loop."""

    def __init__(self, config: CrawlConfig, budget_left: Callable[[FrontierEntry], bool],
                 deadline: float | None = None, load: Loader | None = None,
                 window: int = WINDOW) -> None:
        self.config = config
        self.budget_left = budget_left
        self.deadline = deadline  # monotonic
        self.load = load
        self.window = window
        self.hosts: dict[str, HostState] = {}
        self._changed = asyncio.Event()
        self._counter = 0
        self._queued: dict[str, FrontierEntry] = {}  # key -> the entry version that counts
        self._handed: set[str] = set()  # keys handed out this run: never loaded again
        self.stopped: str | None = None
        # The index a pick reads instead of visiting every host (see `_pick`): hosts whose
        # state changed since they were last evaluated, hosts ready now by their top entry's
        # priority, and hosts that will be ready (or have a retry due) by monotonic time.
        self._dirty: dict[str, None] = {}
        self._ready: list[tuple[tuple, int, int, str]] = []  # (priority, seq, version, host)
        self._timed: list[tuple[float, int, str]] = []  # (due, version, host)
        self._busy: set[str] = set()

    # -- hosts and policies

    def host(self, name: str) -> HostState:
        state = self.hosts.get(name)
        if state is None:
            state = self.hosts[name] = HostState(name, self.config.per_host_delay)
            self._dirty[name] = None
        return state

    def more_on_disk(self, name: str) -> None:
        """Both lanes of host `name` may have pending entries in the database (a run's
        start: what earlier runs left)."""
        state = self.host(name)
        state.more = [True, True]
        self._touch(state)

    def set_robots(self, name: str, policy: RobotsPolicy, origin: str | None = None) -> None:
        """The robots.txt policy of `origin` on host `name` (None: of every origin). The
        host's delay is the largest any of its origins asks for."""
        state = self.host(name)
        state.robots[origin] = policy
        asked = policy.crawl_delay(self.config.user_agent)
        delay = self.config.per_host_delay
        if asked is not None and asked > delay:
            if asked > self.config.max_crawl_delay:
                log.warning("%s asks for Crawl-delay %.1fs; capped at max_crawl_delay %.1fs",
                            name, asked, self.config.max_crawl_delay)
                asked = self.config.max_crawl_delay
            delay = max(delay, asked)
        state.delay = max(state.delay, delay)
        if state.last_end is not None:  # a Crawl-delay learnt late still counts from there
            state.next_ok = max(state.next_ok, state.last_end + delay + MARGIN)
        self._touch(state)

    def park(self, name: str, reason: str) -> None:
        state = self.host(name)
        if state.parked is None:
            log.warning("host %s parked for the rest of this run: %s", name, reason)
        state.parked = reason
        self._touch(state)

    # -- queueing

    def queued(self, key: str) -> FrontierEntry | None:
        """The entry of `key` held in memory, if any (others may wait on disk)."""
        return self._queued.get(key)

    def on_disk(self, host: str) -> None:
        """Entries of `host` were written to the frontier without being pushed (a bulk
        admission): read its windows again from the database, in order."""
        state = self.host(host)
        for number in (0, 1):
            lane = state.lane(number)
            # robots.txt entries are not in the database, retries were handed out already
            kept = [item for item in lane if item[2].kind == ROBOTS or item[2].attempts]
            for item in lane:
                if item not in kept and self._queued.get(item[2].key) is item[2]:
                    del self._queued[item[2].key]
            lane[:] = kept
            state.more[number] = True
        self._touch(state)

    def push(self, entry: FrontierEntry) -> bool:
        """Queue an entry. If the same key is already queued, the new one replaces it only
        when it is shallower (found closer to a start page), a front-page story the old one
        was not, or a retry. An entry that does not make its host's window stays on disk
        only. True if queued."""
        old = self._queued.get(entry.key)
        if old is not None and old.depth <= entry.depth and entry.attempts <= old.attempts \
                and not (entry.front and not old.front):
            return False
        state = self.host(entry.host)
        if entry.not_before > time.time():
            self._queued[entry.key] = entry
            state.waiting.append(entry)
        else:
            self._hold(state, entry)
        self._touch(state)
        return True

    def _hold(self, state: HostState, entry: FrontierEntry) -> None:
        """Into the host's window, if it is among the best `window` of its lane; the
        worst one is left to the database when the window overflows."""
        lane = state.heap_for(entry)
        self._counter += 1
        item = (entry.priority(), self._counter, entry)
        if entry.kind != ROBOTS and len(lane) >= self.window and item >= lane[-1]:
            state.more[entry.lane] = True  # persisted: read back in its turn
            return
        self._queued[entry.key] = entry  # an older version left in a window is skipped later
        bisect.insort(lane, item)
        if len(lane) > self.window and lane[-1][2].kind != ROBOTS:
            dropped = lane.pop()[2]
            if self._queued.get(dropped.key) is dropped:
                del self._queued[dropped.key]
            state.more[entry.lane] = True

    def pending(self) -> int:
        """Entries held in memory (the frontier table has the rest)."""
        return sum(len(h.queue) + len(h.browse) + len(h.waiting) for h in self.hosts.values()
                   if h.parked is None)

    def busy(self) -> int:
        return len(self._busy)

    def stop(self, reason: str) -> None:
        if self.stopped is None:
            log.info("stopping: %s", reason)
            self.stopped = reason
        self._wake()

    # -- handing out work

    async def next(self) -> FrontierEntry | None:
        """The next entry to fetch, once its host is free and its delay has passed; None
        when the run is over (nothing left, or stopped)."""
        while True:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.stop("max_duration reached")
            if self.stopped:
                return None
            entry, wait = self._pick()
            if entry is not None:
                return entry
            if wait is None and self.busy() == 0:
                self._wake()  # let the other workers see the end too
                return None
            self._changed.clear()
            timeout = None if wait is None else max(0.0, wait)
            if self.deadline is not None:
                remaining = max(0.0, self.deadline - time.monotonic())
                timeout = remaining if timeout is None else min(timeout, remaining)
            try:
                await asyncio.wait_for(self._changed.wait(), timeout)
            except TimeoutError:
                pass

    def release(self, entry: FrontierEntry, *, requested: bool = True,
                retry_after: float | None = None) -> None:
        """The worker is done with the host: start the delay clock if a request was made."""
        state = self.host(entry.host)
        state.busy = False
        self._busy.discard(state.host)
        self._handed.add(entry.key)
        if self._queued.get(entry.key) is entry:
            del self._queued[entry.key]
        now = time.monotonic()
        if requested:
            state.last_end = now
            state.next_ok = max(state.next_ok, now + state.delay + MARGIN)
        if retry_after:
            if retry_after > self.config.max_crawl_delay:
                self.park(entry.host, f"Retry-After {retry_after:.0f}s > max_crawl_delay")
            else:
                state.next_ok = max(state.next_ok, now + retry_after)
        self._touch(state)

    def _pick(self) -> tuple[FrontierEntry | None, float | None]:
        """(entry, None) if one is ready; else (None, seconds until one may be) or
        (None, None) when nothing is queued at all.

        The entry is the best top entry of all hosts that may be asked now, as if every
        host were visited; but only hosts whose state changed (`_touch`) or whose time
        came (`_timed`) are evaluated, so a pick costs a few heap operations however many
        hosts the crawl knows. A ready host's indexed priority can only be too good, never
        too bad (what improves a host's top, a push, a refill, a retry falling due,
        touches it; what spoils it, another host's newer copy of a key or a site's budget
        running out, is found below): so the best indexed host is evaluated once more
        before it is handed out, and put back by its real priority if that changed."""
        now = time.monotonic()
        wall = time.time()
        while self._timed and self._timed[0][0] <= now:
            _, version, name = heapq.heappop(self._timed)
            if self.hosts[name].version == version:
                self._dirty[name] = None
        while self._dirty:
            dirty, self._dirty = self._dirty, {}
            for name in dirty:  # a refill may learn (and touch) a new host
                self._evaluate(self.hosts[name], now, wall)
        self._compact()
        while self._ready:
            priority, seq, version, name = heapq.heappop(self._ready)
            state = self.hosts[name]
            if state.version != version:
                continue  # evaluated again since: a newer entry stands for it
            top = self._evaluate(state, now, wall)
            if top is None or top[:2] != (priority, seq):
                continue  # spoilt since it was indexed: back by its real priority, if ready
            entry = top[2]
            state.heap_for(entry).pop(0)
            state.browse_turn = entry.lane == 0
            state.busy = True
            state.version += 1  # handed out: its index entries are void until released
            self._busy.add(name)
            self._handed.add(entry.key)
            return entry, None
        soonest = self._soonest(now)
        if soonest is None and self._busy:
            return None, 1.0  # something in flight may queue more work
        return None, soonest

    def _evaluate(self, state: HostState, now: float, wall: float) -> Item | None:
        """Bring one host up to date (retries due, stale and spent entries out, its
        windows refilled) and index it: by its top entry if it may be asked now, by the
        time it may be (its delay, a retry's `not_before`) otherwise. Its top entry if
        ready."""
        state.version += 1
        if state.parked or state.busy or not (state.queue or state.browse or state.waiting
                                              or state.more[0] or state.more[1]):
            return None  # (a release, a push or a refill touches it again)
        self._promote_due(state, wall)
        self._drop_stale(state)
        self._drop_spent(state)
        self._refill(state)
        if state.waiting:  # a retry falling due may outrank the top: look again then
            due = now + min(e.not_before for e in state.waiting) - wall
            heapq.heappush(self._timed, (due, state.version, state.host))
        top = state.top()
        if top is None:
            return None
        if top[2].kind != ROBOTS and state.policy(top[2].origin) is None:
            return None  # robots.txt of its origin is in flight or queued: set_robots touches it
        if state.next_ok > now:
            heapq.heappush(self._timed, (state.next_ok, state.version, state.host))
            return None
        heapq.heappush(self._ready, (top[0], top[1], state.version, state.host))
        return top

    def _compact(self) -> None:
        """Drop the void entries of the index once they outnumber the hosts: every
        evaluation adds one and only the best are ever popped, so a long run would
        otherwise keep one per link found."""
        limit = 2 * len(self.hosts) + 64
        for heap in (self._ready, self._timed):
            if len(heap) > limit:
                heap[:] = [item for item in heap if self.hosts[item[-1]].version == item[-2]]
                heapq.heapify(heap)

    def _soonest(self, now: float) -> float | None:
        """Seconds until the first host indexed by time may be asked, None if none is. A
        host whose site spent its budget meanwhile has nothing left to wait for: waiting
        out its delay would only hold up the end of the run."""
        while self._timed:
            due, version, name = self._timed[0]
            state = self.hosts[name]
            if state.version == version:
                self._drop_spent(state)
                if state.top() is not None or state.waiting or any(state.more):
                    return due - now
            heapq.heappop(self._timed)
        return None

    def _refill(self, state: HostState) -> None:
        """Read the next entries of a lane from the database when its window is low."""
        if self.load is None:
            return
        for number in (0, 1):
            lane = state.lane(number)
            if not state.more[number] or len(lane) > self.window // 2:
                continue
            want = self.window - len(lane)
            skip = _Skip(self._queued, self._handed)
            loaded = self.load(state.host, number, want, skip)
            if len(loaded) < want:
                state.more[number] = False
            for entry in loaded:
                self._counter += 1
                self._queued[entry.key] = entry
                bisect.insort(lane, (entry.priority(), self._counter, entry))

    def _promote_due(self, state: HostState, wall: float) -> None:
        if not state.waiting:
            return
        still = []
        for entry in state.waiting:
            if entry.not_before <= wall:
                self._counter += 1
                bisect.insort(state.heap_for(entry), (entry.priority(), self._counter, entry))
            else:
                still.append(entry)
        state.waiting = still

    def _drop_stale(self, state: HostState) -> None:
        """Heap entries replaced by a newer version of the same key are skipped."""
        for heap in (state.queue, state.browse):
            while heap and self._queued.get(heap[0][2].key) is not heap[0][2]:
                heap.pop(0)

    def _drop_spent(self, state: HostState) -> None:
        """Entries of sites whose budget is spent leave the queue (they stay pending)."""
        for heap in (state.queue, state.browse):
            while heap and heap[0][2].kind != ROBOTS and not self.budget_left(heap[0][2]):
                entry = heap.pop(0)[2]
                self._queued.pop(entry.key, None)

    def _touch(self, state: HostState) -> None:
        """`state` changed: evaluate it again at the next pick."""
        self._dirty[state.host] = None
        self._changed.set()

    def _wake(self) -> None:
        self._changed.set()


class _Skip:
    """Keys a refill must leave out: held in memory already, or handed out this run."""

    def __init__(self, queued: dict[str, FrontierEntry], handed: set[str]) -> None:
        self.queued = queued
        self.handed = handed

    def __contains__(self, key: object) -> bool:
        return key in self.queued or key in self.handed
