"""Crawl benchmark: `scraper crawl` against Scrapy + trafilatura on the same local world.

    make bench-crawl                                   # full size: 20 hosts, 2,200 articles, 2 pairs
    python -m bench.crawl_bench --pairs 1 --hosts 4 --articles 200     # a quick look

Interleaved pairs (A B A B ...): A = `scraper crawl --config <generated toml> --db <tmp>` with
per_host_delay = 0, B = the Scrapy spider of bench/scrapy_spider.py, both with the same overall
concurrency and one request in flight per host. A fresh world server (bench/world.py, a
subprocess) serves each run and logs every request. Per side, the medians of: pages/s
(article rows stored / wall seconds of the whole command), CPU seconds per page (user + sys
of the process tree), cores used (CPU s / wall s), peak RSS and PSS of the process tree
(sampled every 50 ms), and their ratios. Per run also the cores of the top process alone
("main": the crawler's event loop, Scrapy's only process) and of the world's server
("server": it shares the two cores, so neither side can have both to itself). After each
pair, the ceiling: extract_article alone over the same pages on all cores (a
ProcessPoolExecutor), and each pair's crawl pages/s divided by its own ceiling (the machine's
speed drifts over a bench).

Correctness, printed for every run: each article page of the world stored exactly once (rows
against the world's article list), for the crawler the stored bodies equal to extract_article
on the same HTML (a sample), and no politeness violation in the server's log (no two requests
to one host in flight at once; `--delay` also checks the gap). Body F1 against the zyte-dev
ground truth is printed for the rows of both sides that come from zyte-dev pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import MB, Measurement, machine_load, run_measured
from bench.profile import print_hot_spots, profiled
from bench.world import (
    CACHE,
    CORPUS,
    ROOT,
    CorpusPage,
    WorldServer,
    article_urls,
    build_world,
    crawler_config,
    expected_requests,
    load_page,
    politeness,
    write_manifest,
)

OURS, SCRAPY = "scraper", "scrapy"
LABELS = {OURS: "scraper crawl", SCRAPY: "Scrapy+trafilatura"}


@dataclass
class Run:
    side: str
    pair: int
    measured: Measurement
    rows: int  # article rows stored
    world_rows: int  # rows whose URL is an article of the world
    missing: int
    extra: int
    duplicates: int
    polite: dict
    statuses: Counter
    bodies_checked: int = 0
    bodies_equal: int = 0
    body_mismatches: list[str] = field(default_factory=list)
    summary: dict | None = None  # the crawler's --json summary
    server_cpu: float = 0.0  # CPU seconds of the world's server, on the same two cores

    @property
    def pages_per_s(self) -> float:
        return self.world_rows / self.measured.wall if self.measured.wall else 0.0

    @property
    def cpu_per_page(self) -> float:
        return self.measured.cpu / self.world_rows if self.world_rows else float("nan")

    @property
    def stored_once(self) -> bool:
        return self.missing == 0 and self.extra == 0 and self.duplicates == 0


def _fresh_db(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _scraper_command() -> list[str]:
    script = Path(sys.executable).with_name("scraper")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scraper.cli"]


def _rows(db: Path, side: str) -> list[tuple[str, str, str | None]]:
    """(url, body, headline) of every stored article row."""
    query = ("SELECT url, body, headline FROM articles" if side == OURS
             else "SELECT url, text, title FROM articles")
    if not db.exists():
        return []
    con = sqlite3.connect(db)
    try:
        return con.execute(query).fetchall()
    except sqlite3.Error:
        return []
    finally:
        con.close()


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = args.work
        self.work.mkdir(parents=True, exist_ok=True)
        self.manifest = build_world(args.hosts, args.articles, args.sections,
                                    sitemap=args.sitemap, corpus=args.corpus)
        self.manifest_path = write_manifest(self.manifest, self.work)
        self.config_path = self.work / "world.toml"
        self.config_path.write_text(crawler_config(self.manifest, args.concurrency, args.delay),
                                    encoding="utf-8")
        self.articles = article_urls(self.manifest)
        self._html: dict[str, bytes] = {}

    def html(self, key: str) -> bytes:
        if key not in self._html:
            info = self.manifest["pages"][key]
            self._html[key] = load_page(Path(self.manifest["corpus"]),
                                        CorpusPage(key, info["url"], info["content_type"]))
        return self._html[key]

    def content_type(self, key: str) -> str:
        return self.manifest["pages"][key]["content_type"]

    # -- one run

    def run(self, side: str, pair: int) -> Run:
        db = _fresh_db(self.work / f"{side}-{pair}.db")
        if side == OURS:
            cmd = _scraper_command() + ["crawl", "--config", str(self.config_path), "--db",
                                        str(db), "-q", "--json"]
        else:
            cmd = [sys.executable, "-m", "bench.scrapy_spider", "--manifest",
                   str(self.manifest_path), "--db", str(db), "--concurrency",
                   str(self.args.concurrency), "--reactor", self.args.scrapy_reactor]
        spy_out = self.work / f"py-spy-{side}-{pair}.txt"
        if self.args.profile:
            cmd = profiled(cmd, spy_out)
        with WorldServer(self.manifest_path, self.work / f"requests-{side}-{pair}.jsonl") as srv:
            measured = run_measured(cmd, cwd=ROOT, interval=self.args.interval)
            log = srv.stop()
            server_cpu = srv.cpu
        if self.args.profile and spy_out.exists():
            print_hot_spots(spy_out, label=f"{side} pair {pair}")
        rows = _rows(db, side)
        urls = Counter(url for url, _, _ in rows)
        in_world = [u for u in urls if u in self.articles]
        run = Run(side=side, pair=pair, measured=measured, rows=len(rows),
                  world_rows=len(in_world), missing=len(self.articles) - len(in_world),
                  extra=sum(1 for u in urls if u not in self.articles),
                  duplicates=sum(n - 1 for n in urls.values() if n > 1),
                  polite=politeness(log, min_gap=self.args.delay),
                  statuses=Counter(r["status"] for r in log), server_cpu=server_cpu)
        if side == OURS:
            try:
                run.summary = json.loads(measured.stdout)
            except ValueError:
                run.summary = None
            self.check_bodies(run, rows)
        if measured.returncode != 0:
            print(f"  ! {side} exited {measured.returncode}: {measured.stderr.strip()[-1500:]}",
                  file=sys.stderr)
        return run

    def check_bodies(self, run: Run, rows: list) -> None:
        """A sample of stored rows against extract_article on the very HTML served."""
        from scraper import extract_article

        stored = [(u, b, h) for u, b, h in rows if u in self.articles]
        sample = random.Random(run.pair).sample(stored, min(self.args.sample, len(stored)))
        for url, body, _headline in sample:
            key = self.articles[url][1]
            again = extract_article(self.html(key), url,
                                    headers={"Content-Type": self.content_type(key)})
            run.bodies_checked += 1
            if again.body == body:
                run.bodies_equal += 1
            else:
                run.body_mismatches.append(url)

    # -- the ceiling

    def ceiling(self) -> tuple[float, int, int]:
        """Pages/s of extract_article alone over every article page of the world, on all
        cores; (pages/s, pages, workers)."""
        workers = self.args.ceiling_workers or os.cpu_count() or 1
        jobs = [(self.html(key), url, self.content_type(key))
                for url, (_, key) in self.articles.items()]
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_warm, range(workers * 2)))  # workers started and imported
            start = time.monotonic()
            done = sum(pool.map(_extract, jobs, chunksize=4))
            wall = time.monotonic() - start
        return done / wall, done, workers


def _warm(_: int) -> int:
    import scraper.extract  # noqa: F401

    return 0


def _extract(job: tuple[bytes, str, str]) -> int:
    from scraper import extract_article

    html, url, ctype = job
    extract_article(html, url, headers={"Content-Type": ctype})
    return 1


# ----------------------------------------------------------------------------- report


def _median(values: list[float]) -> float:
    values = [v for v in values if v == v]  # NaN out
    return statistics.median(values) if values else float("nan")


def _zyte_f1(bench: Bench, runs: list[Run]) -> dict[str, float | None]:
    """Body F1 (the corpus metric) of stored rows from zyte-dev pages, per side, over the
    runs' rows pooled."""
    from scraper.bench import body_scores

    truth_path = Path(bench.manifest["corpus"]) / "zyte-dev" / "ground-truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    out: dict[str, float | None] = {}
    for side in (OURS, SCRAPY):
        precisions, recalls = [], []
        for run in (r for r in runs if r.side == side):
            db = bench.work / f"{side}-{run.pair}.db"
            for url, body, _ in _rows(db, side):
                key = bench.articles.get(url, (None, ""))[1]
                if key.startswith("zyte/"):
                    p, r = body_scores(truth[key.split("/", 1)[1]]["articleBody"], body or "")
                    precisions.append(p or 0.0 if p is not None else None)
                    recalls.append(r)
        ps = [p for p in precisions if p is not None]
        rs = [r for r in recalls if r is not None]
        if ps and rs:
            p, r = sum(ps) / len(ps), sum(rs) / len(rs)
            out[side] = 2 * p * r / (p + r) if p + r else 0.0
        else:
            out[side] = None
    return out


def _summary_errors(summary: dict | None) -> Counter:
    """Errors by reason over the sites of a `scraper crawl --json` summary."""
    errors: Counter = Counter()
    sites = (summary or {}).get("sites") or {}
    for site in sites.values() if isinstance(sites, dict) else sites:
        errors.update(site.get("errors") or {})
    return errors


def report(bench: Bench, runs: list[Run], ceilings: list[tuple[float, int, int]]) -> bool:
    args = bench.args
    m = bench.manifest
    print()
    print(f"crawl bench: {len(m['hosts'])} hosts on 127.0.0.x, {len(bench.articles)} article "
          f"pages ({len(m['pages'])} distinct corpus pages), {expected_requests(m)} requests "
          f"expected; concurrency {args.concurrency}, one per host, per_host_delay "
          f"{args.delay}; {args.pairs} interleaved pair(s); {machine_load()}")
    head = (f"{'pair':>4}  {'side':<19}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'CPU s/pg':>9}"
            f"{'cores':>7}{'main':>6}{'server':>7}{'RSS MB':>8}{'PSS MB':>8}{'procs':>6}"
            f"{'rows':>6}{'reqs':>6}")
    print(head)
    for r in runs:
        mm = r.measured
        print(f"{r.pair:>4}  {LABELS[r.side]:<19}{mm.wall:>8.1f}{r.pages_per_s:>9.1f}"
              f"{mm.cpu:>8.1f}{r.cpu_per_page:>9.3f}{mm.cores:>7.2f}"
              f"{mm.main_cpu / mm.wall if mm.wall else 0:>6.2f}"
              f"{r.server_cpu / mm.wall if mm.wall else 0:>7.2f}{mm.peak_rss / MB:>8.0f}"
              f"{mm.peak_pss / MB:>8.0f}{mm.peak_processes:>6}{r.world_rows:>6}"
              f"{r.polite['requests']:>6}")
    med = {side: {
        "pages/s": _median([r.pages_per_s for r in runs if r.side == side]),
        "CPU s per page": _median([r.cpu_per_page for r in runs if r.side == side]),
        "cores used": _median([r.measured.cores for r in runs if r.side == side]),
        "peak RSS of the tree, MB": _median([r.measured.peak_rss / MB for r in runs
                                             if r.side == side]),
        "peak PSS of the tree, MB": _median([r.measured.peak_pss / MB for r in runs
                                             if r.side == side]),
        "wall s": _median([r.measured.wall for r in runs if r.side == side]),
    } for side in (OURS, SCRAPY) if any(r.side == side for r in runs)}
    print()
    print(f"{'median':<28}" + "".join(f"{LABELS[s]:>20}" for s in med)
          + (f"{'ratio':>9}" if len(med) == 2 else ""))
    for name in med[next(iter(med))]:
        values = [med[s][name] for s in med]
        cells = "".join(f"{v:>20.3f}" if name == "CPU s per page" else f"{v:>20.1f}"
                        for v in values)
        ratio = (f"{values[0] / values[1]:>8.2f}x" if len(values) == 2 and values[1]
                 else "")
        if name == "cores used":
            cells = "".join(f"{v:>20.2f}" for v in values)
        print(f"{name:<28}{cells}{ratio}")
    if ceilings:
        rates = [rate for rate, _, _ in ceilings]
        _, pages, workers = ceilings[0]
        print()
        print(f"ceiling: extract_article alone, {workers} worker processes, {pages} pages, "
              f"measured after each pair: {', '.join(f'{r:.1f}' for r in rates)} pages/s "
              f"(median {_median(rates):.1f}, {_median(rates) / workers:.1f} per worker)")
        ours = {r.pair: r.pages_per_s for r in runs if r.side == OURS}
        ratios = [ours[pair] / rate for pair, rate in enumerate(rates, 1) if pair in ours]
        if ratios:
            print(f"crawl pages/s / ceiling, each pair against its own ceiling: "
                  f"{', '.join(f'{x:.2f}' for x in ratios)} (median {_median(ratios):.2f})")
    f1 = _zyte_f1(bench, runs)
    shown = {s: v for s, v in f1.items() if v is not None}
    if shown:
        print("body F1 of stored rows from zyte-dev pages (ground truth): "
              + ", ".join(f"{LABELS[s]} {v:.3f}" for s, v in shown.items()))
    print()
    print("correctness:")
    all_ok = True
    for r in runs:
        p = r.polite
        stored = (f"stored {r.world_rows}/{len(bench.articles)} article pages, missing "
                  f"{r.missing}, extra rows {r.extra}, duplicate rows {r.duplicates} -> "
                  f"{'OK' if r.stored_once else 'FAIL'}")
        polite = (f"politeness: {p['requests']} requests on {p['hosts']} hosts, overlaps "
                  f"{p['overlaps']} (+{p['overlaps_within_slack']} within {p['slack_ms']:.0f} ms "
                  f"slack, worst {p['worst_overlap_ms']:.1f} ms), gap violations "
                  f"{p['gap_violations']}, min gap {p['min_gap_ms']:.1f} ms, max in flight per "
                  f"host {p['max_in_flight_per_host']} -> {'OK' if p['ok'] else 'VIOLATION'}; "
                  f"connections opened {p.get('connections', 0)}")
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items()))
        print(f"  pair {r.pair} {LABELS[r.side]}: {stored}")
        if r.side == OURS:
            ok = r.bodies_equal == r.bodies_checked
            print(f"      bodies equal to extract_article on the same HTML: "
                  f"{r.bodies_equal}/{r.bodies_checked} -> {'OK' if ok else 'FAIL'}"
                  + (f" (e.g. {r.body_mismatches[0]})" if r.body_mismatches else ""))
            all_ok &= ok and r.stored_once and p["ok"]
            errors = _summary_errors(r.summary)
            if errors:
                print(f"      crawler errors: {dict(errors)}")
        print(f"      {polite}")
        print(f"      responses by status: {statuses}; exit code {r.measured.returncode}")
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2, help="interleaved pairs (default 2)")
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--articles", type=int, default=2200, help="article pages in all")
    parser.add_argument("--sections", type=int, default=10, help="section pages per host")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight overall")
    parser.add_argument("--delay", type=float, default=0.0, help="crawler per_host_delay")
    parser.add_argument("--sitemap", action="store_true", help="each robots.txt names a sitemap")
    parser.add_argument("--sample", type=int, default=50, help="bodies compared per run")
    parser.add_argument("--only", choices=(OURS, SCRAPY), help="run one side only")
    parser.add_argument("--scrapy-reactor", choices=("epoll", "asyncio"), default="epoll",
                        help="asyncio breaks Scrapy's one-per-host limit (see scrapy_spider)")
    parser.add_argument("--no-ceiling", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="run each crawl under py-spy (--nonblocking) and print its top 10 "
                             "hot spots, main process and workers apart; take speed figures "
                             "from a run without it")
    parser.add_argument("--ceiling-workers", type=int, default=0, help="default: all cores")
    parser.add_argument("--interval", type=float, default=0.05, help="memory sampling, s")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--work", type=Path, default=CACHE / "crawl",
                        help="world, configs, databases and request logs (kept)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are printed
    if shutil.which("scraper") is None and not Path(sys.executable).with_name("scraper").exists():
        print("note: no scraper console script beside this Python; using -m scraper.cli",
              file=sys.stderr)
    bench = Bench(args)
    sides = [args.only] if args.only else [OURS, SCRAPY]
    runs: list[Run] = []
    ceilings: list[tuple[float, int, int]] = []
    for pair in range(1, args.pairs + 1):
        for side in sides:
            print(f"pair {pair}: {LABELS[side]} ...", file=sys.stderr, flush=True)
            runs.append(bench.run(side, pair))
        if not args.no_ceiling:  # beside each pair: the machine's speed drifts over a bench
            print(f"pair {pair}: ceiling, extraction alone ...", file=sys.stderr, flush=True)
            ceilings.append(bench.ceiling())
    ok = report(bench, runs, ceilings)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
