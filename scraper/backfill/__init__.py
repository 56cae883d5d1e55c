"""Backfill from web archives, and re-extraction at scale: WARC files in, article rows out,
through the same extraction, identity rules and idempotent upserts as a crawl.

The path of one WARC file (`scraper backfill`), module by module:
1. `driver.py`: inputs expanded, one shard planned per file; finished shards are reused;
2. `local.py` (a process pool, the default) or `ray_engine.py` (one Ray task per file) runs
   `work.process_warc` for each file left;
3. `warc.py` (the only FastWARC importer) reads each record into a Capture or a Skip;
4. `select.py` keeps HTML pages by HTTP status, Content-Type and a cheap payload sniff;
5. `work.py` extracts them (`extract_article`), applies the article verdict and picks each
   article's identity candidate (`scraper/crawl/identity.py`);
6. `shard.py` writes the file's shard (SQLite), renamed into place when finished;
7. `merge.py`, the single writer, folds each shard into the database in input order with the
   store's upserts (`scraper merge` does the same for shards written elsewhere).

`reextract.py` maps `scraper reextract` over rowid ranges of `pages` with the same engines.
"""

from .driver import (
    BackfillError,
    BackfillSummary,
    backfill,
    default_shard_dir,
    expand_inputs,
    expand_shards,
    merge_shards,
)
from .work import BackfillOptions

__all__ = ["BackfillError", "BackfillOptions", "BackfillSummary", "backfill",
           "default_shard_dir", "expand_inputs", "expand_shards", "merge_shards"]
