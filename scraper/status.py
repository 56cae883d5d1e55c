"""What an operator asks without crawling: `scraper status` (the state of a database) and
`scraper crawl --check` (what a run would fetch first). Read-only: derived from the `runs`,
`articles`, `frontier` and `robots_cache` tables (the queries are at the end of
`Store`, "status (operators)") and the crawl lock; nothing is fetched.

Per site: the last run and its outcome (a run names its sites in `runs.command`, its
figures per site are in `runs.summary`), the time since the last new article, the pending
frontier entries, the hosts failing now and why, and the hosts parked by Retry-After or
robots.txt, as the last run that finished for the site saw them.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .frontier import FrontierEntry
from .lock import lock_holder
from .models import Config
from .progress import elapsed
from .robots import robots_url
from .store import Store

SCAN_RUNS = 500  # runs read back to find each site's last one


@dataclass(frozen=True)
class RunInfo:
    """One row of `runs`, as status shows it."""

    id: int
    command: str
    sites: tuple[str, ...]
    started_at: str
    finished_at: str | None
    status: str
    exit_code: int | None
    new_articles: int | None
    errors: int | None
    duration: float | None = None


@dataclass(frozen=True)
class SiteStatus:
    name: str
    last_run: RunInfo | None = None
    last_figures: dict[str, Any] = field(default_factory=dict)  # of the last finished run
    articles: int = 0
    last_new_article: str | None = None  # first_seen of the newest article (UTC ISO)
    since_new_article: float | None = None  # seconds
    pending: int = 0
    failing_hosts: dict[str, str] = field(default_factory=dict)
    parked_hosts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatabaseStatus:
    db: str
    running_pid: int | None  # who holds the crawl lock now
    sites: tuple[SiteStatus, ...]
    runs: tuple[RunInfo, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"db": self.db, "running_pid": self.running_pid,
                "sites": [asdict(s) for s in self.sites], "runs": [asdict(r) for r in self.runs]}

    def lines(self, now: float | None = None) -> list[str]:
        now = time.time() if now is None else now
        lock = f"a crawl is running (pid {self.running_pid})" if self.running_pid \
            else "no crawl running"
        out = [f"database {self.db}: {sum(s.articles for s in self.sites)} articles, "
               f"{sum(s.pending for s in self.sites)} pending; {lock}"]
        if not self.sites:
            out.append("no crawl has run on this database yet")
        for site in self.sites:
            out.append(f"site {site.name}")
            out.append(f"  last run:         {_run_phrase(site.last_run, site.last_figures, now)}")
            if site.last_new_article:
                out.append(f"  last new article: {_ago(site.since_new_article)} ago "
                           f"({site.last_new_article}); {site.articles} stored")
            else:
                out.append("  last new article: never")
            budget = " (budget reached in the last run)" \
                if site.last_figures.get("budget_reached") else ""
            out.append(f"  pending:          {site.pending}{budget}")
            out.append("  failing hosts:    " + _hosts(site.failing_hosts))
            out.append("  parked hosts:     " + _hosts(site.parked_hosts))
        out.append(f"last {len(self.runs)} run(s):" if self.runs else "no runs yet")
        for run in self.runs:
            took = f"{run.duration:.1f}s" if run.duration is not None else "-"
            code = "-" if run.exit_code is None else str(run.exit_code)
            figures = "" if run.new_articles is None else \
                f"  {run.new_articles} new, {run.errors or 0} errors"
            out.append(f"  #{run.id:<5} {run.started_at}  {run.status:<11} exit {code:<4}"
                       f"{took:>8}  {run.command}{figures}")
        return out


def database_status(store: Store, db_path: Path, runs: int = 10,
                    now: float | None = None) -> DatabaseStatus:
    """The status of the database `store` has open (`db_path` names its lock)."""
    now = time.time() if now is None else now
    rows = store.status_runs(max(SCAN_RUNS, runs))
    infos = [_run_info(row) for row in rows]
    pending = store.status_pending()
    articles = store.status_articles()
    names: list[str] = []
    for info in infos:
        names += [n for n in info.sites if n not in names]
    names += sorted(n for n in pending if n not in names)
    sites = []
    for name in sorted(names):
        last = next((i for i in infos if name in i.sites), None)
        figures: dict[str, Any] = {}
        for info, row in zip(infos, rows, strict=True):
            if name in info.sites and row["summary"]:
                figures = (_summary(row).get("sites") or {}).get(name) or {}
                if figures:
                    break
        count, newest = articles.get(name, (0, None))
        sites.append(SiteStatus(
            name=name, last_run=last, last_figures=figures, articles=count,
            last_new_article=newest, since_new_article=_seconds_since(newest, now),
            pending=pending.get(name, 0),
            failing_hosts=dict(figures.get("failing_hosts") or {}),
            parked_hosts=dict(figures.get("parked_hosts") or {})))
    return DatabaseStatus(db=str(db_path), running_pid=lock_holder(db_path),
                          sites=tuple(sites), runs=tuple(infos[:runs]))


def check_plan(config: Config, db_path: Path, names: list[str] | None = None,
               now: float | None = None, show: int = 5) -> list[str]:
    """`scraper crawl --check`: the config is valid (the caller loaded it); what a run
    would fetch first per site, in the order it would (robots.txt, feeds and sitemaps,
    start pages, then what earlier runs left pending). Fetches nothing; reads the
    database only if it exists."""
    now = time.time() if now is None else now
    known = {s.name: s for s in config.sites}
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise ValueError(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(known)})")
    chosen = [known[n] for n in names] if names else list(config.sites)
    db = Path(db_path)
    out = [f"config: ok, {len(config.sites)} site(s)"]
    store: Store | None = None
    if db.exists():
        store = Store(db)
        holder = lock_holder(db)
        out.append(f"database {db}: exists" + (f"; a crawl is running now (pid {holder}): "
                                                f"a run would exit 3" if holder else ""))
    elif db.parent.is_dir():
        out.append(f"database {db}: will be created")
    else:
        out.append(f"database {db}: its directory {db.parent} does not exist: a run fails "
                   "with exit 2 unless --create-dirs is given")
    try:
        for site in chosen:
            budget = site.max_pages or config.crawl.max_pages_per_site
            out.append(f"site {site.name} (at most {budget} pages and "
                       f"{config.crawl.max_sitemaps_per_site} sitemaps per run)")
            out += ["  " + line for line in _site_plan(site, store, config, now, show)]
    finally:
        if store is not None:
            store.close()
    return out


def _site_plan(site, store: Store | None, config: Config, now: float, show: int) -> list[str]:
    seeds = [FrontierEntry(key=url, url=url, site=site.name, kind=kind, source=kind, seq=i)
             for i, (kind, url) in enumerate(
                 [("feed", u) for u in site.feeds] + [("sitemap", u) for u in site.sitemaps]
                 + [("start", u) for u in site.start_urls])]
    lines, origins = [], []
    for entry in seeds:
        if entry.origin not in origins:
            origins.append(entry.origin)
    for origin in origins:
        url = robots_url(origin + "/") or origin + "/robots.txt"
        cached = store.robots_get(origin) if store is not None else None
        state = "to fetch first"
        if cached is not None:
            age = now - (cached["fetched_at"] or 0.0)
            if age < config.crawl.robots_cache_ttl:
                state = f"cached {_ago(age)} ago (status {cached['status'] or 'none'}): " \
                        "not fetched"
        lines.append(f"robots.txt {url} ({state})")
    for entry in sorted(seeds, key=FrontierEntry.priority):
        lines.append(f"{entry.kind:<10} {entry.url}")
    if store is not None:
        waiting = store.status_pending().get(site.name, 0)
        if waiting:
            lines.append(f"then {waiting} pending from earlier runs, first:")
            for row in store.status_next(site.name, show):
                lines.append(f"  {row['kind']:<8} {row['url']}")
    return lines


def _run_info(row: dict[str, Any]) -> RunInfo:
    words = (row["command"] or "").split()
    summary = _summary(row)
    return RunInfo(id=row["id"], command=row["command"], sites=tuple(words[1:]),
                   started_at=row["started_at"], finished_at=row["finished_at"],
                   status=row["status"], exit_code=row["exit_code"],
                   new_articles=row["new_articles"], errors=row["errors"],
                   duration=summary.get("duration"))


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(row["summary"] or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _run_phrase(run: RunInfo | None, figures: dict[str, Any], now: float) -> str:
    if run is None:
        return "never"
    when = _seconds_since(run.started_at, now)
    text = f"#{run.id} {run.status}"
    if run.exit_code is not None:
        text += f" (exit {run.exit_code})"
    text += f", started {_ago(when)} ago"
    if run.status == "killed":
        text += " (never finished: killed)"
    if figures and run.finished_at:
        text += (f"; {figures.get('new_articles', 0)} new articles, "
                 f"{sum((figures.get('errors') or {}).values())} errors")
        if figures.get("failed"):
            text += "; this site FAILED"
    return text


def _hosts(hosts: dict[str, str]) -> str:
    return "; ".join(f"{host}: {why}" for host, why in sorted(hosts.items())) or "none"


def _seconds_since(iso: str | None, now: float) -> float | None:
    if not iso:
        return None
    try:
        return max(0.0, now - datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:.0f}d"
    return elapsed(seconds)
