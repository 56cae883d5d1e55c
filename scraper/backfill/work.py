"""The work of one WARC file, run by a worker (a pool process or a Ray task): read its
records, keep the HTML pages, extract them, decide each article's identity candidate, and
write everything to the file's shard. Nothing here touches the database.

For each record, in order (each skip is counted by its reason, and kept in the shard's
`skipped` table with a detail unless it is a record that never holds a page):
1. `warc.iter_captures`: the record as a Capture, or a Skip (warcinfo, request, metadata,
   revisit, not_http, truncated, malformed, too_large, decode_error);
2. `select.skip_reason`: the HTTP status, the declared Content-Type and a cheap sniff of the
   payload (redirect, http_404, empty, not_html); a redirect's target is noted, so the merge
   can make the redirecting URL a key of the article it leads to;
3. the site: a config site whose hosts hold the URL (`--config`), or the host's site root
   (`registrable_host`), limited to `--site-filter` hosts when given (off_site otherwise);
4. captured before `--since`: out_of_range before any work (a page is published before it is
   captured);
5. `extract_article` with the site's selectors, under a time limit (extract_error,
   extract_timeout), then the crawler's verdict: `is_article` (not_article otherwise);
6. `--since`/`--until` on the publication day (the capture day when there is none);
7. identity candidate, as the crawler decides it (`scraper/crawl/identity.py`): the page's
   canonical link when `trusted_canonical` allows it, else the captured URL, cleaned
   (`clean_url`); its `url_key` and the per-site `content_key`. The fold onto rows already
   stored needs the whole database, so it is the merge's (`merge.py`);
8. the shard row: the raw page (compressed as `pages` keeps it) or, with `--no-raw`, only its
   place in the WARC file; the article record as JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
import resource
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..crawl.identity import content_key, site_hosts, trusted_canonical
from ..extract import extract_article
from ..models import CrawlConfig, SiteConfig
from ..store import pack_content
from ..urls import clean_url, registrable_host, same_site, url_key
from . import shard as shards
from .select import skip_reason
from .warc import NOT_PAGES, Capture, Skip, iter_captures

log = logging.getLogger(__name__)

EXTRACT_TIME_LIMIT = 60  # seconds per page, as the crawler's extraction pool
REPORT_EVERY = 100  # records between progress reports
# reasons that say something about the input rather than about our choices
DAMAGE = frozenset({"malformed", "truncated", "decode_error", "extract_error", "extract_timeout"})

Report = Callable[[int], None]


@dataclass(frozen=True)
class BackfillOptions:
    """What decides a shard's content (a finished shard is reused only for the same)."""

    sites: tuple[SiteConfig, ...] = ()  # from --config: names, hosts, start pages, selectors
    host_filter: tuple[str, ...] = ()  # --site-filter
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    keep_raw: bool = True  # False: --no-raw, pages referenced by WARC file and offset
    max_bytes: int = CrawlConfig.max_body_bytes

    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha1(text.encode()).hexdigest()


@dataclass(frozen=True)
class WarcJob:
    index: int  # position among the inputs: shards are merged in this order
    source: str
    shard: str
    options: BackfillOptions


@dataclass(frozen=True)
class ShardResult:
    index: int
    source: str
    shard: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_kb: int = 0
    cpu_seconds: float = 0.0  # CPU time of the worker on this file
    error: str | None = None  # the file could not be read at all
    data: bytes | None = None  # the shard itself, when shipped back from another machine
    reused: bool = False  # finished by an earlier run


@dataclass(frozen=True)
class SiteRule:
    name: str
    hosts: tuple[str, ...]
    start_keys: frozenset[str] = frozenset()
    selectors: tuple[tuple[str, str], ...] = ()


class SiteMap:
    """Which site a captured URL belongs to, as `--config` or `--site-filter` say."""

    def __init__(self, options: BackfillOptions) -> None:
        self.rules = [SiteRule(s.name, site_hosts(s), frozenset(url_key(u) for u in s.start_urls),
                               s.selectors) for s in options.sites]
        self.filter = tuple(h.strip().lower() for h in options.host_filter if h.strip())

    def site_of(self, url: str) -> SiteRule | None:
        if self.rules:
            return next((r for r in self.rules if same_site(url, r.hosts)), None)
        if self.filter:
            matched = next((h for h in self.filter if same_site(url, (h,))), None)
            if matched is None:
                return None
            root = registrable_host(matched)
            return SiteRule(root, (root,))
        host = (urlsplit(url).hostname or "").lower()
        return SiteRule(registrable_host(host), (host,)) if host else None


def process_warc(job: WarcJob, report: Report | None = None) -> ShardResult:
    """Read one WARC file into its shard. Never raises for bad input: a file that cannot be
    read at all gives a result with `error`."""
    started, cpu = time.monotonic(), time.process_time()
    options = job.options
    sites = SiteMap(options)
    counts: Counter[str] = Counter()
    since_capture = _day_before(options.since)
    try:
        info = {**shards.source_identity(job.source), "options": options.key(),
                "started": time.time()}
    except OSError as exc:
        return ShardResult(job.index, job.source, job.shard, error=f"cannot read: {exc}")
    with shards.ShardWriter(job.shard, info) as shard:
        for item in iter_captures(job.source, options.max_bytes):
            counts["records"] += 1
            if report and counts["records"] % REPORT_EVERY == 0:
                report(REPORT_EVERY)
            if isinstance(item, Skip):
                _skip(shard, counts, item.offset, item.url, item.reason, item.detail)
                continue
            outcome = _article_row(item, sites, options, since_capture)
            if isinstance(outcome, tuple):
                reason, detail = outcome
                if reason == "redirect" and item.header("location"):
                    target = clean_url(item.header("location") or "", base=item.url)
                    if target:
                        shard.add_redirect(item.url, target)
                _skip(shard, counts, item.offset, item.url, reason, detail)
                continue
            shard.add_record(outcome)
            counts["articles"] += 1
        if report:
            report(counts["records"] % REPORT_EVERY)
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        rss = _peak_rss_kb()
        shard.finish({"counts": dict(counts), "seconds": seconds, "cpu_seconds": cpu,
                      "peak_rss_kb": rss, "finished": time.time()})
    return ShardResult(job.index, job.source, job.shard, dict(counts), seconds, rss, cpu)


def _skip(shard: shards.ShardWriter, counts: Counter[str], offset: int, url: str | None,
          reason: str, detail: str) -> None:
    counts[reason] += 1
    if reason not in NOT_PAGES and reason not in ("off_site", "out_of_range"):
        shard.add_skip(offset, url, reason, detail)
    if reason in DAMAGE:
        log.info("%s at offset %d: %s (%s)", url or "record", offset, reason, detail)


def _article_row(capture: Capture, sites: SiteMap, options: BackfillOptions,
                 since_capture: str | None) -> dict[str, Any] | tuple[str, str]:
    """Steps 2-8 for one capture: the shard row, or (reason, detail)."""
    refused = skip_reason(capture)
    if refused:
        return refused
    site = sites.site_of(capture.url)
    if site is None:
        return "off_site", "not a host of the sites asked for"
    captured = capture.date[:10]
    if since_capture and captured and captured < since_capture:
        return "out_of_range", f"captured {captured}"
    try:
        with _time_limit(EXTRACT_TIME_LIMIT):
            article = extract_article(capture.payload, capture.url, dict(capture.headers),
                                      dict(site.selectors) or None)
    except _TimeUp:
        return "extract_timeout", f"extraction took more than {EXTRACT_TIME_LIMIT}s"
    except Exception as exc:  # a bug must cost the page, not the file
        log.exception("%s: extraction failed", capture.url)
        return "extract_error", f"{type(exc).__name__}: {exc}"
    if not article.is_article:
        return "not_article", article.not_article_reason or ""
    day = (article.published or capture.date)[:10]
    if (options.since and day < options.since) or (options.until and day > options.until):
        return "out_of_range", f"published {day}"
    candidate = article.canonical_url
    if not candidate or not trusted_canonical(candidate, capture.url, site.hosts,
                                              set(site.start_keys), _nothing_known):
        candidate = capture.url
    canonical = clean_url(candidate) or capture.url
    article = replace(article, canonical_url=canonical, site=site.name)
    row: dict[str, Any] = {
        "warc_offset": capture.offset, "url": capture.url, "site": site.name,
        "status": capture.status, "headers": json.dumps(list(capture.headers)),
        "fetched_at": capture.date, "size": len(capture.payload),
        "canonical_url": canonical, "url_key": url_key(canonical),
        "content_key": content_key(article, site.name),
        "article": json.dumps(article.to_dict(), ensure_ascii=False),
    }
    if options.keep_raw:
        packed = pack_content(capture.payload)
        row["content"], row["content_hash"] = packed.data, packed.sha256
    else:
        row["content_hash"] = hashlib.sha256(capture.payload).hexdigest()
    return row


def _nothing_known(_key: str) -> None:
    """A backfill has no frontier: no URL is known to be a listing page."""
    return None


def _day_before(day: str | None) -> str | None:
    """The day before `day`: a capture a day earlier may still hold a page published on
    `day` in a timezone ahead of UTC."""
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat() if day else None


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


class _TimeUp(Exception):
    pass


@contextmanager
def _time_limit(seconds: int):
    """SIGALRM after `seconds` (main thread only; elsewhere no limit). Pure-C work such as
    parsing is interrupted when it returns to Python; extraction caps its own input sizes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def shipped(job: WarcJob, tmp_dir: str | Path, report: Report | None = None) -> ShardResult:
    """`process_warc` on a machine that cannot see the shard folder: the shard is written
    under `tmp_dir` and its bytes come back in the result (`data`)."""
    local = Path(tmp_dir) / Path(job.shard).name
    result = process_warc(replace(job, shard=str(local)), report)
    if result.error is None:
        data = local.read_bytes()
        local.unlink()
        return replace(result, shard=job.shard, data=data)
    return replace(result, shard=job.shard)
