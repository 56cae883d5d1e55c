"""`make bench`'s extraction throughput and scaling section.

Throughput, not latency: the same pages extracted by a process pool of 1 and of 2 workers,
ours (`extract_article`) and plain trafilatura (`bare_extraction(with_metadata=True)`) side by
side, in interleaved rounds (ours 1, trafilatura 1, ours 2, trafilatura 2, then again), so a
busy spell of the shared machine hits both. Each pool is started and warmed up (every worker
has imported its libraries and extracted a page) before the clock starts; a round's time is
the wall time of `pool.map` over all the pages. Per side: the median pages/s over the rounds
with 1 worker (pages/s per core), with 2, and the speedup (2 workers / 1 worker, each
round's own pair, median). A speedup below the core count on a loaded machine says as much
about the other jobs as about us: the load average is printed beside it.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from .bench_corpora import Page

SIDES = ("scraper", "trafilatura")


def _extract(args: tuple[str, str | bytes, str]) -> int:
    side, html, url = args
    if side == "scraper":
        from scraper.extract import extract_article

        return len(extract_article(html, url).body)
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    return len((doc.text or "") if doc is not None else "")


def _timed_round(pool: ProcessPoolExecutor, side: str, pages: list[Page]) -> float:
    """Pages per second of one pass over `pages` through `pool`."""
    work = [(side, p.html, p.url) for p in pages]
    start = time.perf_counter()
    list(pool.map(_extract, work, chunksize=1))
    return len(pages) / (time.perf_counter() - start)


def _pool(workers: int, side: str, pages: list[Page]) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(workers)
    warm = [(side, pages[i % len(pages)].html, pages[i % len(pages)].url)
            for i in range(workers * 2)]
    list(pool.map(_extract, warm, chunksize=1))  # every worker imported and extracted once
    return pool


def report_scaling(pages: list[Page], sample: int = 120, rounds: int = 3) -> dict:
    """Print the section; returns its figures (for tests and the per-page file)."""
    chosen = random.Random(12).sample(pages, min(sample, len(pages)))
    cores = os.cpu_count() or 1
    workers = (1, 2) if cores >= 2 else (1,)
    rates: dict[tuple[str, int], list[float]] = {(s, w): [] for s in SIDES for w in workers}
    pools = {(s, w): _pool(w, s, chosen) for s in SIDES for w in workers}
    try:
        for _ in range(rounds):
            for w in workers:
                for side in SIDES:
                    rates[side, w].append(_timed_round(pools[side, w], side, chosen))
    finally:
        for pool in pools.values():
            pool.shutdown()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nextraction throughput and scaling: {len(chosen)} pages (zyte-dev and "
          f"web-checks-dev), process pools of {' and '.join(map(str, workers))} workers, "
          f"{rounds} interleaved rounds, medians; {cores} cores, load average {load}")
    figures: dict = {}
    for side in SIDES:
        one = statistics.median(rates[side, 1])
        figures[side] = {"pages_per_s_1": one}
        line = f"{'pages/s, 1 worker (per core), ' + side:<44}{one:>8.1f}"
        if 2 in workers:
            two = statistics.median(rates[side, 2])
            speedup = statistics.median(b / a for a, b in zip(rates[side, 1], rates[side, 2],
                                                               strict=True))
            figures[side].update(pages_per_s_2=two, speedup=speedup)
            line += f"   2 workers {two:>6.1f}   speedup {speedup:.2f}x"
        print(line)
    ratio = figures["scraper"]["pages_per_s_1"] / max(figures["trafilatura"]["pages_per_s_1"],
                                                      1e-9)
    print(f"{'pages/s per core, scraper / trafilatura':<44}{ratio:>8.2f}")
    if 2 in workers:
        print(f"{'2-worker speedup, scraper':<44}{figures['scraper']['speedup']:>8.2f}"
              "  target >= 1.8")
    figures["ratio_per_core"] = ratio
    return figures
