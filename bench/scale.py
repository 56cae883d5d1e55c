"""`make bench-scale`: backfill throughput with the local engine at 1 and 2 processes and with
a local Ray at 2 workers, Ray's overhead against the bare process pool, peak RSS per worker,
and the merge rate. WARC files are made here from the corpus pages (bench/warcs.py), with the
non-page records of a real archive mixed in.

    python -m bench.scale [--files 8] [--pages 0] [--no-ray] [--json out.json]

Each engine writes its own shards (no merge: the engine's wall time is reading, choosing and
extraction); the merge is then timed on its own, into a fresh database.

Ray against the pool: local Ray is started once (its start is reported apart), then
`--pairs` interleaved pairs are run (pool at 2 processes, Ray at 2 workers, again), so a busy
spell of the shared machine hits both; the overhead is the median of the pairs' own ratios.
Ray's idle daemons run during the pool's runs too, so both sides pay for them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from scraper.backfill import BackfillOptions, backfill, merge_shards

from .warcs import CORPUS, corpus_pages, write_warcs

WEB_CHECKS = CORPUS.parent / "web-checks-dev"


def run_engine(name: str, warcs: list[Path], work: Path, engine: str, workers: int) -> dict:
    shard_dir = work / f"shards-{name}"
    summary = backfill(warcs, work / f"{name}.db", BackfillOptions(), engine=engine,
                       workers=workers, shard_dir=shard_dir, merge=False)
    records, pages = summary.counts["records"], summary.counts["articles"] + \
        summary.counts["not_article"]
    return {"engine": name, "seconds": round(summary.seconds, 2), "records": records,
            "html_pages": pages, "articles": summary.counts["articles"],
            "records_per_s": round(records / summary.seconds, 1),
            "pages_per_s": round(pages / summary.seconds, 1),
            "cpu_seconds": round(summary.cpu_seconds, 2),
            "pages_per_cpu_s": round(pages / summary.cpu_seconds, 1),
            "peak_rss_mb_per_worker": round(summary.peak_rss_kb / 1024, 1),
            "shard_dir": str(shard_dir)}


def best(repeat: int, *args) -> dict:
    runs = []
    for _ in range(max(1, repeat)):
        shutil.rmtree(args[2] / f"shards-{args[0]}", ignore_errors=True)
        runs.append(run_engine(*args))
    return min(runs, key=lambda r: r["seconds"])


def _ready_task() -> None:
    import scraper.backfill.work  # noqa: F401  (warm_up did it at the worker's start)

    time.sleep(0.5)  # hold this worker, so the other task starts the second one



def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=8, help="WARC files (default 8)")
    parser.add_argument("--pages", type=int, default=0,
                        help="corpus pages to use (default 0: all of zyte-dev and web-checks-dev)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray engine")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per local engine, the fastest kept (a busy machine is noisy)")
    parser.add_argument("--pairs", type=int, default=3,
                        help="interleaved pool/Ray pairs for Ray's overhead (median of ratios)")
    args = parser.parse_args(argv)

    pages = corpus_pages() + (corpus_pages(WEB_CHECKS) if WEB_CHECKS.exists() else [])
    pages = pages[:args.pages] if args.pages else pages
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        warcs = write_warcs(work / "warcs", pages, args.files)
        size = sum(w.stat().st_size for w in warcs)
        print(f"{len(warcs)} WARC files, {size / 1e6:.1f} MB, {len(pages)} pages + noise records")
        results = [best(args.repeat, "local-1", warcs, work, "local", 1),
                   best(args.repeat, "local-2", warcs, work, "local", 2)]
        figures: dict = {"files": len(warcs), "warc_mb": round(size / 1e6, 1), "runs": results}
        if not args.no_ray:
            import ray

            from scraper.backfill.ray_engine import start_ray

            ready = ray.remote(num_cpus=1)(_ready_task)

            started = time.monotonic()
            start_ray(ray, 2)
            ray.get([ready.remote() for _ in range(2)])  # both workers up, extractor imported
            ray_start = time.monotonic() - started
            pairs: list[tuple[dict, dict]] = []
            try:
                for _ in range(max(1, args.pairs)):
                    pool_run = best(1, "local-2", warcs, work, "local", 2)
                    pairs.append((pool_run, best(1, "ray-2", warcs, work, "ray", 2)))
            finally:
                ray.shutdown()
            ratios = sorted(r["seconds"] / p["seconds"] for p, r in pairs)
            by_time = sorted((r for _, r in pairs), key=lambda r: r["seconds"])
            ray_run = by_time[(len(by_time) - 1) // 2]  # the median Ray run, for the table
            ray_run["ray_start_seconds"] = round(ray_start, 2)
            results.append(ray_run)
            pool_median = statistics.median(p["seconds"] for p, _ in pairs)
            figures["ray_overhead"] = round(statistics.median(ratios), 3)
            figures["ray_overhead_pairs"] = [round(x, 3) for x in ratios]
            figures["ray_overhead_with_start"] = round(
                (statistics.median(r["seconds"] for _, r in pairs) + ray_start) / pool_median, 3)
        shard_paths = sorted(Path(results[1]["shard_dir"]).glob("*.shard"))
        cpu = time.process_time()
        merged, _ = merge_shards(shard_paths, work / "merged.db")
        cpu = time.process_time() - cpu
        figures["merge"] = {"rows": merged.records, "seconds": round(merged.seconds, 2),
                            "rows_per_s": round(merged.rate, 1), "cpu_seconds": round(cpu, 2),
                            "rows_per_cpu_s": round(merged.records / cpu, 1)}
        figures["load_average"] = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'engine':<9} {'seconds':>8} {'records':>8} {'records/s':>10} {'pages/s':>8} "
          f"{'pages/CPU-s':>12} {'peak RSS/worker':>16}")
    for r in figures["runs"]:
        print(f"{r['engine']:<9} {r['seconds']:>8.2f} {r['records']:>8} {r['records_per_s']:>10.1f} "
              f"{r['pages_per_s']:>8.1f} {r['pages_per_cpu_s']:>12.1f} "
              f"{r['peak_rss_mb_per_worker']:>13.1f} MB")
    if "ray_overhead" in figures:
        pairs_text = ", ".join(f"{x:.2f}" for x in figures["ray_overhead_pairs"])
        print(f"Ray against the pool (2 workers): {figures['ray_overhead']:.2f}x, median of "
              f"{len(figures['ray_overhead_pairs'])} interleaved pairs ({pairs_text}); target "
              f"<= 1.25x ({figures['ray_overhead_with_start']:.2f}x counting Ray's start, "
              f"{figures['runs'][-1]['ray_start_seconds']:.1f} s)")
    m = figures["merge"]
    print(f"merge: {m['rows']} rows in {m['seconds']:.2f} s, {m['rows_per_s']:.0f} rows/s "
          f"({m['rows_per_cpu_s']:.0f} rows per CPU-second)")
    print(f"load average at the end: {figures['load_average']:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows the wall-clock figures, not the per-CPU-second ones)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
