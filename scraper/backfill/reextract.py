"""`scraper reextract` through the backfill engines: map over rowid ranges of `pages`, one
writer applies what the workers return.

1. `page_ranges`: the ids of the pages stored articles were extracted from (with the
   `--site`/`--since` filters), cut into ranges of `shard_size` pages;
2. each range is a job (`reextract_range`, in a pool process, a Ray task or this process):
   it opens the database read-only in effect (WAL: it never waits for the writer), reads the
   raw pages, a page kept by reference (`backfill --no-raw`) from its WARC file, and
   extracts each with the site's selectors, in a worker process of its own under the
   crawl's per-page time limit (`TimedWorker`: past it the page fails, extract_timeout
   logged, and its row is left as it was). It returns the fresh records;
3. the writer (this process) applies each range in one transaction, as `pipeline.reextract`
   does it: the row keeps its canonical URL and site (identity never moves), a page that is
   not an article now leaves its row alone, anything else is `Store.upsert_article`.

On a cluster (`--engine ray --ray-address`) every worker must see the database file at the
same path (a shared filesystem), since workers read the pages themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..crawl.extract_pool import TimedWorker
from ..extract import extract_article
from ..models import Article, CrawlConfig
from ..pipeline import HTML_TYPES, ReextractSummary, limit_detail
from ..store import Store
from .merge import WARC_REFERENCE, warc_reference
from .warc import Skip, read_capture

log = logging.getLogger(__name__)

DEFAULT_SHARD_SIZE = 1000


@dataclass(frozen=True)
class PageRange:
    index: int
    db: str
    first: int  # pages.id, inclusive
    last: int  # pages.id, inclusive
    site: str | None = None
    since: str | None = None
    selectors: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


@dataclass(frozen=True)
class Fresh:
    """What re-extraction made of one stored article."""

    canonical_url: str
    site: str | None
    page_id: int
    article: Article | None = None  # None: `outcome` says why not
    outcome: str = "article"  # "article", "not_article" or "failed"


@dataclass(frozen=True)
class RangeResult:
    index: int
    items: tuple[Fresh, ...] = field(default=())


def _where(site: str | None, since: str | None) -> tuple[str, list]:
    conditions, params = [], []
    if site:
        conditions.append("a.site = ?")
        params.append(site)
    if since:
        conditions.append("p.fetched_at >= ?")
        params.append(since)
    return "".join(f" AND {c}" for c in conditions), params


def page_ranges(store: Store, site: str | None, since: str | None,
                size: int) -> list[tuple[int, int]]:
    """(first, last) page ids of ranges holding `size` article pages each."""
    where, params = _where(site, since)
    cursor = store.db.execute(
        f"SELECT DISTINCT p.id FROM articles a JOIN pages p ON p.id = a.page_id "
        f"WHERE 1 = 1{where} ORDER BY p.id", params)
    ranges, first, count, last = [], None, 0, None
    for (page_id,) in cursor:
        if first is None:
            first = page_id
        count, last = count + 1, page_id
        if count == size:
            ranges.append((first, last))
            first, count = None, 0
    if first is not None:
        ranges.append((first, last))
    return ranges


def reextract_range(job: PageRange, report: Callable[[int], None] | None = None) -> RangeResult:
    """Step 2 for one range of page ids."""
    selectors = {site: dict(pinned) for site, pinned in job.selectors}
    where, params = _where(job.site, job.since)
    items = []
    with Store(job.db) as store, TimedWorker() as limit:
        rows = store.db.execute(
            f"SELECT a.canonical_url, a.site, p.id, p.content_encoding FROM articles a "
            f"JOIN pages p ON p.id = a.page_id WHERE p.id BETWEEN ? AND ?{where} "
            f"ORDER BY p.id, a.canonical_url", [job.first, job.last, *params]).fetchall()
        for canonical_url, site, page_id, encoding in rows:
            items.append(_fresh(store, canonical_url, site, page_id, encoding,
                                selectors.get(site or ""), limit))
    if report:
        report(len(items))
    return RangeResult(job.index, tuple(items))


def _fresh(store: Store, canonical_url: str, site: str | None, page_id: int,
           encoding: str | None, pinned: Mapping[str, str] | None,
           limit: TimedWorker) -> Fresh:
    page = store.load_page(page_id)
    if page is not None and encoding == WARC_REFERENCE:
        path, offset = warc_reference(page.content)
        capture = read_capture(path, offset, CrawlConfig.max_body_bytes)
        if isinstance(capture, Skip):
            log.warning("page %d: %s (%s)", page_id, capture.reason, capture.detail)
            page = None
        else:
            page = replace(page, content=capture.payload)
    if page is None or page.content_type not in HTML_TYPES:
        return Fresh(canonical_url, site, page_id, outcome="failed")
    try:
        fresh = limit.run(_extract, page.content, page.final_url, dict(page.headers),
                          dict(pinned) if pinned else None)
    except Exception:  # a bug must cost the page, not the run
        log.exception("page %d: extraction failed", page_id)
        return Fresh(canonical_url, site, page_id, outcome="failed")
    if isinstance(fresh, str):  # extract_timeout or extract_crashed
        log.warning("page %d (%s): %s: %s; its row is left as it was", page_id,
                    page.final_url, fresh, limit_detail(fresh, limit))
        return Fresh(canonical_url, site, page_id, outcome="failed")
    if not fresh.is_article:
        return Fresh(canonical_url, site, page_id, outcome="not_article")
    return Fresh(canonical_url, site, page_id, fresh)


def _extract(content: bytes, url: str, headers: dict[str, str],
             pinned: dict[str, str] | None) -> Article:
    """`extract_article`, in the TimedWorker's process."""
    return extract_article(content, url, headers, pinned)


def reextract_parallel(store: Store, site: str | None = None, since: str | None = None,
                       selectors: Mapping[str, Mapping[str, str]] | None = None, *,
                       engine: str = "local", workers: int | None = None,
                       shard_size: int = DEFAULT_SHARD_SIZE, ray_address: str | None = None,
                       on_progress: Callable[[int], None] | None = None) -> ReextractSummary:
    """Steps 1-3. Returns the same summary as `pipeline.reextract`."""
    frozen = tuple((name, tuple(sorted(pinned.items())))
                   for name, pinned in sorted((selectors or {}).items()))
    db = str(Path(store.path).resolve())
    jobs = [PageRange(n, db, first, last, site, since, frozen)
            for n, (first, last) in enumerate(page_ranges(store, site, since, shard_size))]
    counts = {"new": 0, "updated": 0, "unchanged": 0, "not_article": 0, "failed": 0, "pages": 0}
    if engine == "ray":
        from .ray_engine import run_ray

        results = run_ray(reextract_range, jobs, workers, ray_address, on_progress)
    else:
        from .local import default_workers, run_local

        results = run_local(reextract_range, jobs, workers or default_workers(), on_progress)
    for result in results:
        with store.transaction():
            for item in result.items:
                counts["pages"] += 1
                if item.article is None:
                    counts[item.outcome] += 1
                    continue
                fresh = replace(item.article, canonical_url=item.canonical_url, site=item.site)
                counts[store.upsert_article(fresh, item.page_id)] += 1
    return ReextractSummary(counts["pages"], counts["new"], counts["updated"],
                            counts["unchanged"], counts["not_article"], counts["failed"])
