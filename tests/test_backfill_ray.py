"""The Ray engine end to end: a local Ray instance (2 CPUs) backfills a few WARC files and
re-extracts the result; the databases equal those of the local engine.

In `make stress` (marked slow): starting Ray alone takes 5 s on an idle 2-core machine and
over 20 s on a busy one, so the module takes about a minute."""

from __future__ import annotations

import sqlite3

import pytest

from bench.warcs import corpus_pages, write_warcs
from scraper.backfill import BackfillOptions, backfill
from scraper.backfill.reextract import reextract_parallel
from scraper.store import Store

from .test_backfill import same_database

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

pytestmark = [pytest.mark.ray, pytest.mark.slow]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_backfills_and_reextracts_like_the_process_pool(local_ray, tmp_path):
    warcs = write_warcs(tmp_path / "warcs", corpus_pages(limit=12), 3)
    by_ray = backfill(warcs, tmp_path / "ray.db", BackfillOptions(), engine="ray", workers=2)
    by_pool = backfill(warcs, tmp_path / "pool.db", BackfillOptions(), engine="local", workers=2)
    assert by_ray.failed == [] and by_ray.counts == by_pool.counts
    assert by_ray.merged.new == 12
    same_database(tmp_path / "pool.db", tmp_path / "ray.db")

    with sqlite3.connect(tmp_path / "ray.db") as conn:
        conn.execute("UPDATE articles SET body = 'damaged', record_hash = 'old'")
    with Store(tmp_path / "ray.db") as store:
        summary = reextract_parallel(store, engine="ray", workers=2, shard_size=5)
    assert (summary.pages, summary.articles_updated, summary.failed) == (12, 12, 0)
    same_database(tmp_path / "pool.db", tmp_path / "ray.db")


def test_a_ray_task_on_another_machine_sends_its_shard_back(local_ray, tmp_path, monkeypatch):
    """Tasks that land on another node than the driver's write a temporary shard there and
    return its bytes (simulated: the driver's node id is made to differ)."""
    import scraper.backfill.ray_engine as engine

    warcs = write_warcs(tmp_path / "warcs", corpus_pages(limit=4), 2)
    monkeypatch.setattr(engine, "_driver_node", lambda _ray: "another-node")
    summary = backfill(warcs, tmp_path / "shipped.db", BackfillOptions(), engine="ray", workers=2)
    assert summary.failed == [] and summary.merged.new == 4
    assert len(list((tmp_path / "shipped.db.shards").glob("*.shard"))) == 2
