"""The scheduler's index (politeness.Scheduler._pick evaluates only the hosts whose state
changed or whose time came) hands out exactly what a visit of every host would: random runs
of pushes, picks, releases, retries, Retry-After, robots.txt learnt late, parked hosts,
spent budgets and refills from disk, driven through both with one fake clock.

`ScanScheduler` is the oracle: the scheduler as it was before the index, visiting every
host at every pick (the same per-host steps, so only the choice of hosts differs)."""

from __future__ import annotations

import random
import time as real_time
from dataclasses import replace

import pytest

import scraper.politeness as politeness
from scraper.frontier import ROBOTS, FrontierEntry
from scraper.models import CrawlConfig
from scraper.politeness import Scheduler
from scraper.robots import RobotsPolicy


class Clock:
    """monotonic() and time() of the politeness module, moved by the test only."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:  # another origin, the same pace (small: exact enough floats)
        return 500.0 + self.now


class ScanScheduler(Scheduler):
    """The oracle: every host visited at every pick."""

    def _pick(self):
        now = politeness.time.monotonic()
        wall = politeness.time.time()
        best = None
        soonest = None
        for state in list(self.hosts.values()):
            if state.parked or state.busy or not (state.queue or state.browse or state.waiting
                                                  or state.more[0] or state.more[1]):
                continue
            self._promote_due(state, wall)
            self._drop_stale(state)
            self._drop_spent(state)
            self._refill(state)
            top = state.top()
            if top is None:
                if state.waiting:
                    due = min(e.not_before for e in state.waiting) - wall
                    soonest = due if soonest is None else min(soonest, due)
                continue
            if top[2].kind != ROBOTS and state.policy(top[2].origin) is None:
                continue
            if state.next_ok > now:
                due = state.next_ok - now
                soonest = due if soonest is None else min(soonest, due)
                continue
            if best is None or top[:2] < best[0][:2]:
                best = (top, state)
        if best is None:
            if soonest is None and self.busy():
                return None, 1.0
            return None, soonest
        (_, _, entry), state = best
        state.heap_for(entry).pop(0)
        state.browse_turn = entry.lane == 0
        state.busy = True
        self._busy.add(state.host)
        self._handed.add(entry.key)
        return entry, None


class Disk:
    """The frontier table as the scheduler's loader sees it: every entry pushed (but
    robots.txt) stays pending on disk until handed out; like the crawl's loader, it reads
    only sites whose budget is not spent."""

    def __init__(self, spent: set[str]) -> None:
        self.entries: dict[str, FrontierEntry] = {}
        self.done: set[str] = set()
        self.spent = spent

    def load(self, host, lane, limit, skip):
        found = sorted((e for e in self.entries.values()
                        if e.host == host and e.lane == lane and e.key not in self.done
                        and e.key not in skip and e.attempts == 0
                        and e.site not in self.spent),
                       key=lambda e: (e.priority(), e.key))
        return found[:limit]


class Run:
    def __init__(self, cls, spent: set[str], window: int) -> None:
        self.disk = Disk(spent)
        self.scheduler = cls(CrawlConfig(user_agent="t/1", per_host_delay=0.0,
                                         max_crawl_delay=5.0),
                             budget_left=lambda e: e.site not in spent,
                             load=self.disk.load, window=window)
        self.in_flight: list[FrontierEntry] = []

    def push(self, entry: FrontierEntry, persist: bool = True) -> None:
        if persist and entry.kind != ROBOTS:
            self.disk.entries.setdefault(entry.key, entry)
        self.scheduler.push(entry)


KINDS = ("article", "article", "article", "listing", "unknown", "feed", "start")
ALLOW = RobotsPolicy(0.0, 200, "User-agent: *\nAllow: /\n")
SLOW = RobotsPolicy(0.0, 200, "User-agent: *\nCrawl-delay: 0.3\nAllow: /\n")


def _entry(rng: random.Random, host: str, n: int) -> FrontierEntry:
    """A link on `host`. Some share a key with a link on another host (url_key folds
    variants of a URL), some belong to a second site sharing the hosts: then one host's
    top can go stale or spent through what happens elsewhere."""
    kind = rng.choice(KINDS)
    day = rng.randint(1, 28)
    story = n if rng.random() < 0.8 else rng.randint(0, 30)
    url = f"http://{host}/news/2024/05/{day:02d}/story-{story}.html"
    key = url if story == n else f"shared/{day}/{story}"
    site = host.split(".")[0] if rng.random() < 0.8 else "wire"
    return FrontierEntry(key=key, url=url, site=site, kind=kind,
                         source=rng.choice(("page", "sitemap", "start", "feed")),
                         depth=rng.randint(0, 3), seq=n)


def _drive(seed: int, hosts: int, steps: int, window: int) -> int:
    """Apply one random history to both schedulers; assert every pick agrees. Returns the
    number of entries handed out."""
    rng = random.Random(seed)
    clock = Clock()
    spent: set[str] = set()
    runs = [Run(ScanScheduler, spent, window), Run(Scheduler, spent, window)]
    names = [f"h{i}.test:80" for i in range(hosts)]
    counter = 0
    handed = 0
    politeness.time = clock
    try:
        for name in names:  # robots.txt known for most hosts from the start
            if rng.random() < 0.8:
                policy = SLOW if rng.random() < 0.2 else ALLOW
                for run in runs:
                    run.scheduler.set_robots(name, policy)
        for _ in range(steps):
            op = rng.random()
            if op < 0.35:  # a link found
                counter += 1
                entry = _entry(rng, rng.choice(names), counter)
                for run in runs:
                    run.push(entry)
            elif op < 0.70:  # a worker asks
                picks = [run.scheduler._pick() for run in runs]
                (old, old_wait), (new, new_wait) = picks
                assert (old and old.key) == (new and new.key), (seed, counter, picks)
                if old is None:
                    assert (old_wait is None) == (new_wait is None) or old_wait is None, picks
                    if old_wait is not None:
                        assert new_wait <= old_wait + 1e-9, picks
                else:
                    handed += 1
                    for run, entry in zip(runs, (old, new), strict=True):
                        run.in_flight.append(entry)
                        run.disk.done.add(entry.key)
            elif op < 0.85 and runs[0].in_flight:  # a response read
                i = rng.randrange(len(runs[0].in_flight))
                requested = rng.random() < 0.9
                retry_after = rng.choice((None,) * 12 + (0.2, 0.2, 9.0))
                retry = rng.random() < 0.15
                backoff = rng.random() * 0.2
                for run in runs:
                    entry = run.in_flight.pop(i)
                    run.scheduler.release(entry, requested=requested, retry_after=retry_after)
                    if retry:
                        run.push(replace(entry, attempts=entry.attempts + 1,
                                         not_before=clock.time() + backoff), persist=False)
            elif op < 0.93:  # time passes
                clock.now += rng.random() * 0.05
            elif op < 0.96:  # robots.txt of a host learnt (late)
                name, policy = rng.choice(names), rng.choice((ALLOW, SLOW))
                for run in runs:
                    run.scheduler.set_robots(name, policy)
            elif op < 0.965:
                name = rng.choice(names)
                for run in runs:
                    run.scheduler.park(name, "test")
            elif op < 0.967:
                spent.add(rng.choice(names + ["wire.test"]).split(".")[0])
            else:  # a sitemap's rows written straight to disk
                name = rng.choice(names)
                for _ in range(rng.randint(1, 5)):
                    counter += 1
                    entry = _entry(rng, name, counter)
                    for run in runs:
                        run.disk.entries.setdefault(entry.key, entry)
                for run in runs:
                    run.scheduler.on_disk(name)
        # drain: release everything and pick until both are done, time moving on
        for _ in range(20_000):
            for run in runs:
                while run.in_flight:
                    run.scheduler.release(run.in_flight.pop())
            picks = [run.scheduler._pick() for run in runs]
            (old, old_wait), (new, new_wait) = picks
            assert (old and old.key) == (new and new.key), (seed, picks)
            if old is None:
                if old_wait is None:
                    assert new_wait is None, picks  # the index ends when the scan ends
                    break
                assert new_wait is not None
                clock.now += max(0.001, min(old_wait, new_wait)) + 1e-9  # just past the due
            else:
                handed += 1
                for run, entry in zip(runs, (old, new), strict=True):
                    run.in_flight.append(entry)
                    run.disk.done.add(entry.key)
        else:
            pytest.fail("the drain did not end")
    finally:
        politeness.time = real_time
    return handed


@pytest.mark.parametrize("seed", range(12))
def test_the_index_picks_what_a_scan_of_every_host_picks(seed):
    handed = _drive(seed, hosts=25, steps=3000, window=8)
    assert handed > 100  # the histories hand out real work, not only waits


def test_many_hosts_small_windows_agree():
    assert _drive(99, hosts=300, steps=6000, window=4) > 1000


def test_a_spent_site_does_not_hold_up_the_end_of_the_run():
    """Its host is waiting out its delay when the site's budget runs out: nothing is left
    to wait for, so the run ends now, not when the delay would have passed."""
    clock = Clock()
    spent: set[str] = set()
    scheduler = Scheduler(CrawlConfig(user_agent="t/1", per_host_delay=5.0),
                          budget_left=lambda e: e.site not in spent)
    politeness.time = clock
    try:
        scheduler.set_robots("a.test:80", ALLOW)
        for n in range(3):
            url = f"http://a.test:80/news/2024/05/01/story-{n}.html"
            scheduler.push(FrontierEntry(key=url, url=url, site="a", kind="article", seq=n))
        entry, _ = scheduler._pick()
        scheduler.release(entry)
        assert scheduler._pick() == (None, pytest.approx(5.01))  # the delay, while it has budget
        spent.add("a")
        assert scheduler._pick() == (None, None)
    finally:
        politeness.time = real_time


def test_the_index_stays_bounded_however_many_links_are_found():
    """Every push re-indexes its host; void entries are dropped once they outnumber the
    hosts, so a long run does not keep one per link found."""
    scheduler = Scheduler(CrawlConfig(user_agent="t/1", per_host_delay=0.0),
                          budget_left=lambda e: True)
    hosts = [f"h{i}.test:80" for i in range(5)]
    for host in hosts:
        scheduler.set_robots(host, ALLOW)
    in_flight: list[FrontierEntry] = []
    handed = 0
    for n in range(8_000):
        for host in hosts:  # each page finds links on every host
            url = f"http://{host}/news/2024/05/01/story-{n}.html"
            scheduler.push(FrontierEntry(key=url, url=url, site="s", kind="article", seq=n))
        entry, _ = scheduler._pick()
        if entry is not None:
            handed += 1
            in_flight.append(entry)
        if len(in_flight) >= 3 or entry is None and in_flight:
            scheduler.release(in_flight.pop(0))
        assert len(scheduler._ready) + len(scheduler._timed) <= 2 * (2 * 5 + 64) + 5
    assert handed > 500  # (each release holds its host MARGIN seconds)
