"""Memory bench: a sitemap index listing 1,000,000 URLs, crawled with `--max-pages 40`.

    make bench-memory                                  # 1,000,000 URLs, gzip and plain children
    python -m bench.million --urls 100000              # a quick check
    python -m bench.million --variant gzip --runs 1

One host on 127.0.0.2 serves robots.txt (allow all), a home page, and two sitemap indexes of
`--children` children (20 by default; 50,000 URLs each at full size, the protocol's maxima):
/sitemap_index.xml lists gzipped children (sitemap-news-NN.xml.gz), /sitemap_index_plain.xml
lists the same children uncompressed (sitemap-news-NN.xml, about 7 MB each at full size). Each
URL is an article path /news/YYYY/MM/DD/<slug>-<n>.html with a <lastmod> (by default within
the last 14 days, so a 30-day age limit does not hide them; `--lastmod old` dates them years back,
`none` leaves it out); any such path is served as a real corpus page.

Per variant: `scraper crawl --config <site pointing at the index> --db <fresh> --max-pages 40`,
then the same again on that database (the resume: every learnt URL is pending). For each run:
wall time, CPU seconds, peak RSS and PSS of the process tree (sampled every 50 ms), peak RSS of
the main process, the URLs the frontier holds (sqlite count) and how many are pending, the
database size, the requests the server saw, and the crawler's errors by reason.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.world import (
    CACHE,
    CORPUS,
    ROOT,
    USER_AGENT,
    CorpusPage,
    Response,
    WorldServer,
    corpus_index,
    free_port,
    load_page,
)

HOST = "127.0.0.2"
WORDS = ("council", "plan", "city", "bridge", "reopens", "after", "storm", "rail", "strike",
         "talks", "budget", "vote", "school", "hospital", "river", "flood", "police", "court",
         "ruling", "market", "prices", "energy", "bill", "housing", "report", "minister",
         "election", "campaign", "climate", "summit", "football", "final", "festival",
         "museum", "opens", "new", "wing", "tech", "startup", "funding", "farmers", "protest")
VARIANTS = {"gzip": "/sitemap_index.xml", "plain": "/sitemap_index_plain.xml"}


def _dates(lastmod: str, today: datetime) -> list[str]:
    if lastmod == "old":  # 2015..2020
        return [(today - timedelta(days=2000 + d * 7)).strftime("%Y-%m-%d") for d in range(300)]
    return [(today - timedelta(days=d)).strftime("%Y-%m-%d") for d in range(14)]


def _path(n: int, dates: list[str]) -> str:
    """The path of URL number n: /news/YYYY/MM/DD/<four words>-<n>.html."""
    nw = len(WORDS)
    day = dates[n % len(dates)]
    slug = f"{WORDS[n % nw]}-{WORDS[(n // nw) % nw]}-{WORDS[(n * 7 + 3) % nw]}-" \
           f"{WORDS[(n * 13 + 5) % nw]}"
    return f"/news/{day[:4]}/{day[5:7]}/{day[8:10]}/{slug}-{n}.html"


def child_urlset(manifest: dict, child: int) -> bytes:
    """The child sitemap number `child` (0-based), uncompressed."""
    base = f"http://{manifest['host']}:{manifest['port']}"
    per = manifest["urls"] // manifest["children"]
    first = child * per
    last = manifest["urls"] if child == manifest["children"] - 1 else first + per
    dates = _dates(manifest["lastmod"], datetime.fromisoformat(manifest["today"]))
    with_lastmod = manifest["lastmod"] != "none"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for n in range(first, last):
        loc = base + _path(n, dates)
        parts.append(f"<url><loc>{loc}</loc><lastmod>{dates[n % len(dates)]}</lastmod></url>\n"
                     if with_lastmod else f"<url><loc>{loc}</loc></url>\n")
    parts.append("</urlset>\n")
    return "".join(parts).encode("utf-8")


def _index(manifest: dict, suffix: str) -> bytes:
    base = f"http://{manifest['host']}:{manifest['port']}"
    today = manifest["today"][:10]
    items = "".join(f"<sitemap><loc>{base}/sitemaps/sitemap-news-{c + 1:02d}.{suffix}</loc>"
                    f"<lastmod>{today}</lastmod></sitemap>\n"
                    for c in range(manifest["children"]))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">\n{items}</sitemapindex>\n').encode()


def million_routes(manifest: dict):
    """For bench.world's server: ({host: {path: Response}}, dynamic(host, path))."""
    routes: dict[str, Response] = {
        "/robots.txt": Response(200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"),
        VARIANTS["gzip"]: Response(200, "application/xml", _index(manifest, "xml.gz")),
        VARIANTS["plain"]: Response(200, "application/xml", _index(manifest, "xml")),
    }
    for child in range(manifest["children"]):
        plain = child_urlset(manifest, child)
        name = f"/sitemaps/sitemap-news-{child + 1:02d}"
        routes[f"{name}.xml"] = Response(200, "application/xml", plain)
        routes[f"{name}.xml.gz"] = Response(200, "application/x-gzip",
                                            gzip.compress(plain, compresslevel=6, mtime=0))
    pages = [CorpusPage(p["key"], p["url"], p["content_type"]) for p in manifest["pages"]]
    bodies = [load_page(Path(manifest["corpus"]), p) for p in pages]
    articles = {}

    def dynamic(host: str, path: str) -> Response | None:
        if not path.startswith("/news/") or not path.endswith(".html"):
            return None
        if path not in articles:
            try:
                n = int(path.rsplit("-", 1)[1].split(".", 1)[0])
            except (IndexError, ValueError):
                return None
            i = n % len(pages)
            articles[path] = Response(200, pages[i].content_type, bodies[i])
        return articles[path]

    dates = _dates(manifest["lastmod"], datetime.fromisoformat(manifest["today"]))
    sample = "".join(f'<li><a href="{_path(n, dates)}">Story {n}</a></li>'
                     for n in range(0, manifest["urls"], max(1, manifest["urls"] // 10)))
    routes["/"] = Response(200, "text/html; charset=utf-8", (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Million News"
        f"</title></head><body><h1>Million News</h1><ul>{sample}</ul></body></html>").encode())
    return {manifest["host"]: routes}, dynamic


def build_manifest(urls: int, children: int, lastmod: str, corpus: Path) -> dict:
    zyte = [p for p in corpus_index(corpus) if p.key.startswith("zyte/")]
    return {"kind": "million", "host": HOST, "port": free_port([HOST]), "urls": urls,
            "children": children, "lastmod": lastmod, "corpus": str(corpus),
            "today": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "pages": [{"key": p.key, "url": p.url, "content_type": p.content_type}
                      for p in zyte]}


def site_config(manifest: dict, variant: str, delay: float, concurrency: int) -> str:
    base = f"http://{manifest['host']}:{manifest['port']}"
    return "\n".join([
        "[crawl]", f'user_agent = "{USER_AGENT}"', f"per_host_delay = {delay}",
        f"concurrency = {concurrency}", "",
        "[[sites]]", 'name = "million"', f'start_urls = ["{base}/"]',
        f'sitemaps = ["{base}{VARIANTS[variant]}"]', ""])


def frontier_stats(db: Path) -> dict:
    out = {"frontier": None, "pending": None, "db_mb": None}
    if not db.exists():
        return out
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{db}{s}").exists())
    out["db_mb"] = size / 1e6
    con = sqlite3.connect(db)
    try:
        total, pending = con.execute(
            "SELECT count(*), coalesce(sum(state = 'pending'), 0) FROM frontier").fetchone()
        out.update(frontier=total, pending=pending)
    except sqlite3.Error as exc:
        out["error"] = str(exc)
    finally:
        con.close()
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.crawl_bench import _fresh_db, _scraper_command, _summary_errors
    from bench.measure import MB, machine_load, run_measured
    from bench.profile import print_hot_spots, profiled

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000, help="URLs in all the sitemaps")
    parser.add_argument("--children", type=int, default=20, help="child sitemaps")
    parser.add_argument("--variant", choices=("gzip", "plain", "both"), default="both")
    parser.add_argument("--runs", type=int, default=2, help="1: first run only; 2: and resume")
    parser.add_argument("--max-pages", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.0, help="per_host_delay")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lastmod", choices=("recent", "old", "none"), default="recent")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per run, seconds")
    parser.add_argument("--interval", type=float, default=0.05, help="memory sampling, s")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--work", type=Path, default=CACHE / "million")
    parser.add_argument("--profile", action="store_true",
                        help="run each crawl under py-spy and print its top 10 hot spots "
                             "(main process and workers); py-spy's own process is not in the "
                             "memory figures, but it takes some CPU: take speed from a run without")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are printed
    if args.urls < args.children:
        parser.error("--urls must be at least --children")
    args.work.mkdir(parents=True, exist_ok=True)
    manifest = build_manifest(args.urls, args.children, args.lastmod, args.corpus)
    manifest_path = args.work / "manifest.json"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    variants = ["gzip", "plain"] if args.variant == "both" else [args.variant]
    per_child = args.urls // args.children
    plain_mb = len(child_urlset(manifest, 0)) / 1e6
    print(f"memory bench: sitemap index of {args.children} children x {per_child:,} URLs = "
          f"{args.urls:,} URLs (plain child {plain_mb:.1f} MB), lastmod {args.lastmod}; "
          f"scraper crawl --max-pages {args.max_pages}, per_host_delay {args.delay}, "
          f"concurrency {args.concurrency}; {machine_load()}", flush=True)
    head = (f"{'variant':<8}{'run':<8}{'wall s':>8}{'CPU s':>8}{'RSS MB':>8}{'PSS MB':>8}"
            f"{'main MB':>8}{'frontier':>10}{'pending':>10}{'DB MB':>7}{'reqs':>6}  exit  errors")
    rows = []
    for variant in variants:
        config = args.work / f"{variant}.toml"
        config.write_text(site_config(manifest, variant, args.delay, args.concurrency),
                          encoding="utf-8")
        db = _fresh_db(args.work / f"{variant}.db")
        for run in range(1, args.runs + 1):
            label = "first" if run == 1 else f"resume{run - 1 if run > 2 else ''}"
            print(f"{variant} {label} ... (server starting)", file=sys.stderr, flush=True)
            log_path = args.work / f"requests-{variant}-{run}.jsonl"
            cmd = _scraper_command() + ["crawl", "--config", str(config), "--db", str(db),
                                        "--max-pages", str(args.max_pages), "-q", "--json"]
            spy_out = args.work / f"py-spy-{variant}-{label}.txt"
            if args.profile:
                cmd = profiled(cmd, spy_out)
            with WorldServer(manifest_path, log_path) as srv:
                started = time.monotonic()
                measured = run_measured(cmd, cwd=ROOT, interval=args.interval,
                                        timeout=args.timeout)
                log = srv.stop()
            try:
                summary = json.loads(measured.stdout)
            except ValueError:
                summary = None
            stats = frontier_stats(db)
            errors = dict(_summary_errors(summary))
            statuses = Counter(r["status"] for r in log)
            sitemap_reqs = sum(1 for r in log if "/sitemap" in r["path"])
            line = (f"{variant:<8}{label:<8}{measured.wall:>8.1f}{measured.cpu:>8.1f}"
                    f"{measured.peak_rss / MB:>8.0f}{measured.peak_pss / MB:>8.0f}"
                    f"{measured.peak_main_rss / MB:>8.0f}"
                    f"{stats['frontier'] if stats['frontier'] is not None else '?':>10}"
                    f"{stats['pending'] if stats['pending'] is not None else '?':>10}"
                    f"{stats['db_mb'] or 0:>7.0f}{len(log):>6}  {measured.returncode:>4}  "
                    f"{errors or 'none'}")
            rows.append(line)
            print(head if len(rows) == 1 else "", end="\n" if len(rows) == 1 else "")
            print(line, flush=True)
            detail = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
            print(f"{'':16}server: {len(log)} requests ({sitemap_reqs} sitemap), by status "
                  f"{detail}; {time.monotonic() - started:.1f} s with the server"
                  + (f"; frontier error {stats['error']}" if "error" in stats else ""),
                  flush=True)
            if measured.returncode not in (0, 1):
                print(f"{'':16}stderr: {measured.stderr.strip()[-1500:]}", flush=True)
            if args.profile and spy_out.exists():
                print_hot_spots(spy_out, label=f"{variant} {label}")
    print()
    print("summary")
    print(head)
    for line in rows:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
