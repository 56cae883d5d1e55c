"""The frontier lives on disk and the scheduler holds a bounded window of it per host lane,
read back in priority order from a real SQLite file (politeness.Scheduler with
store.frontier_window); migration 003 backfills the order columns of older databases."""

from __future__ import annotations

import asyncio
import sqlite3

import sqlite_utils

from scraper.frontier import ARTICLE, LISTING, FrontierEntry
from scraper.migrations import MIGRATIONS
from scraper.models import CrawlConfig
from scraper.politeness import Scheduler
from scraper.robots import robots_from_response
from scraper.store import Store

HOST = "news.example"


def story(i: int, day: int, kind: str = ARTICLE) -> FrontierEntry:
    url = f"https://{HOST}/2024/05/{day:02d}/story-{i}"
    return FrontierEntry(key=url, url=url, site="s", kind=kind, source="sitemap",
                         published=f"2024-05-{day:02d}T12:00:00+00:00", seq=i)


def test_window_reads_pending_entries_in_priority_order_and_skips(tmp_path):
    entries = [story(i, 1 + i % 28) for i in range(200)]
    with Store(tmp_path / "f.db") as store:
        store.frontier_queue(entries)
        best = sorted(entries, key=lambda e: e.priority())
        got = store.frontier_window(HOST, 0, ["s"], 10, skip=set())
        assert [e.key for e in got] == [e.key for e in best[:10]]
        skipped = store.frontier_window(HOST, 0, ["s"], 5, skip={best[0].key, best[2].key})
        assert [e.key for e in skipped] == [e.key for e in (best[1], *best[3:7])]
        assert store.frontier_window(HOST, 1, ["s"], 10, skip=set()) == []  # no listings
        assert store.frontier_window(HOST, 0, ["other"], 10, skip=set()) == []
        assert store.frontier_hosts(["s"]) == [HOST]


def drain(scheduler: Scheduler, window_sizes: list[int]) -> list[str]:
    async def run() -> list[str]:
        handed = []
        while (entry := await scheduler.next()) is not None:
            state = scheduler.host(entry.host)
            window_sizes.append(max(len(state.queue), len(state.browse)))
            handed.append(entry.key)
            scheduler.release(entry, requested=False)
        return handed

    return asyncio.run(run())


def test_scheduler_holds_a_bounded_window_and_hands_out_everything_in_order(tmp_path):
    newest_first = [story(i, 1 + i % 28) for i in range(300)]
    listings = [FrontierEntry(key=f"https://{HOST}/section/{i}",
                              url=f"https://{HOST}/section/{i}", site="s", kind=LISTING,
                              depth=1 + i % 3, seq=i) for i in range(40)]
    with Store(tmp_path / "f.db") as store:
        store.frontier_queue(newest_first + listings)

        def load(host, lane, limit, skip):
            return store.frontier_window(host, lane, ["s"], limit, skip)

        scheduler = Scheduler(CrawlConfig(per_host_delay=0.0), lambda site: True, load=load,
                              window=16)
        scheduler.set_robots(HOST, robots_from_response(404, b"", 0.0))
        scheduler.host(HOST).more = [True, True]
        sizes: list[int] = []
        handed = drain(scheduler, sizes)
    assert sorted(handed) == sorted(e.key for e in newest_first + listings)  # each once
    assert max(sizes) <= 16
    articles = [k for k in handed if "/story-" in k]
    expected = [e.key for e in sorted(newest_first, key=lambda e: e.priority())]
    assert articles == expected  # newest first across every refill
    # the host alternates lanes: a listing follows within the first few articles
    assert any("/section/" in k for k in handed[:4])


def test_pushing_more_than_the_window_leaves_the_rest_on_disk(tmp_path):
    entries = [story(i, 1 + i % 28) for i in range(100)]
    with Store(tmp_path / "f.db") as store:
        store.frontier_queue(entries)

        def load(host, lane, limit, skip):
            return store.frontier_window(host, lane, ["s"], limit, skip)

        scheduler = Scheduler(CrawlConfig(per_host_delay=0.0), lambda site: True, load=load,
                              window=8)
        scheduler.set_robots(HOST, robots_from_response(404, b"", 0.0))
        for entry in entries:
            scheduler.push(entry)
        assert len(scheduler.host(HOST).queue) == 8
        handed = drain(scheduler, [])
    assert sorted(handed) == sorted(e.key for e in entries)
    order = {e.key: e.priority()[:3] for e in entries}  # ties may come in either order
    assert [order[k] for k in handed] == sorted(order[k] for k in handed)


def test_migration_003_backfills_the_order_of_an_older_frontier(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, migrate in MIGRATIONS[:2]:  # a database written before the window existed
        migrate(db)
        db.execute("INSERT INTO schema_migrations VALUES (?, '2024-01-01')", [name])
    db.execute("INSERT INTO frontier (key, url, site, kind, source, depth, published, "
               "discovered_at, updated_at) VALUES (?, ?, 's', 'article', 'sitemap', 0, "
               "'2024-05-03T12:00:00+00:00', 'x', 'x')", [story(1, 3).key, story(1, 3).url])
    db.close()
    with Store(path) as store:
        row = store.db.execute("SELECT host, lane, prio_class, prio_time FROM frontier").fetchone()
        assert row == (HOST, 0, *story(1, 3).priority()[:2])
        assert [e.key for e in store.frontier_window(HOST, 0, ["s"], 5, set())] == [story(1, 3).key]
