"""The scheduler's cost per pick as the number of hosts grows (the event loop pays it for
every request): `python -m bench.scheduler [--hosts 20 200 1000] [--picks 4000]`.

Each host gets an allow-all robots.txt and 40 article entries; the loop picks, keeps 8 in
flight (the crawl's default concurrency) and releases the oldest, with no per-host delay,
so every idle host is a candidate at every pick. Prints microseconds per pick (CPU, median
of 3 rounds)."""

from __future__ import annotations

import argparse
import statistics
import time

from scraper.frontier import FrontierEntry
from scraper.models import CrawlConfig
from scraper.politeness import Scheduler
from scraper.robots import RobotsPolicy

IN_FLIGHT = 8
ENTRIES_PER_HOST = 40


def _scheduler(hosts: int) -> Scheduler:
    scheduler = Scheduler(CrawlConfig(user_agent="bench/1", per_host_delay=0.0,
                                      concurrency=IN_FLIGHT), budget_left=lambda _entry: True)
    policy = RobotsPolicy(time.time(), 200, "User-agent: *\nAllow: /\n")
    for h in range(hosts):
        host = f"h{h}.example:80"
        scheduler.set_robots(host, policy)
        for i in range(ENTRIES_PER_HOST):
            url = f"http://{host}/news/story-{i}-about-things-here.html"
            scheduler.push(FrontierEntry(key=url, url=url, site=f"s{h}", kind="article"))
    return scheduler


def per_pick(hosts: int, picks: int) -> float:
    """CPU microseconds per pick over `picks` picks (fewer if the entries run out)."""
    scheduler = _scheduler(hosts)
    in_flight: list[FrontierEntry] = []
    done = 0
    start = time.process_time()
    while done < picks:
        entry, _wait = scheduler._pick()
        if entry is None:
            if not in_flight:
                break
            scheduler.release(in_flight.pop(0))
            continue
        in_flight.append(entry)
        done += 1
        if len(in_flight) >= IN_FLIGHT:
            scheduler.release(in_flight.pop(0))
    return (time.process_time() - start) / max(1, done) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[20, 200, 1000])
    parser.add_argument("--picks", type=int, default=4000)
    args = parser.parse_args(argv)
    for hosts in args.hosts:
        rounds = [per_pick(hosts, args.picks) for _ in range(3)]
        print(f"{hosts:5d} hosts: {statistics.median(rounds):8.0f} us per pick "
              f"(rounds {', '.join(f'{r:.0f}' for r in rounds)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
