"""`scraper merge`: merge finished backfill shards into a database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import (
    DEFAULT_DB,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    check_db_dir,
    setup_logging,
    verbosity,
)


@click.command("merge")
@click.argument("shards", nargs=-1, required=True, metavar="SHARDS...")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite database the shards are merged into.")
@click.option("--create-dirs", is_flag=True, help="Create the database's directory if needed.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@verbosity
def merge_cmd(shards, db, create_dirs, as_json, verbose, quiet) -> None:
    """Merge backfill shards (written here or on a cluster) into the database.

    SHARDS are shard files, folders of them, or globs, merged in the order given with the
    same idempotent upserts as a crawl: merging a shard twice changes nothing. An
    unfinished shard (no done marker) is refused and named.

    \b
    scraper merge data/articles.db.shards --db data/articles.db
    scraper merge 'cluster-out/*.shard' --db data/articles.db
    """
    restore = setup_logging(verbose, quiet)
    try:
        code = _merge(shards, db, create_dirs, as_json)
    finally:
        if restore:  # (a callable once logging is configurable per run)
            restore()
    sys.exit(code)


def _merge(patterns, db, create_dirs, as_json) -> int:
    from ..backfill import BackfillError, expand_shards, merge_shards
    from ..lock import LockedError, RunLock

    try:
        check_db_dir(Path(db), create_dirs)
        paths = expand_shards(patterns)
    except (click.UsageError, BackfillError) as exc:
        click.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        return EXIT_USAGE
    try:
        with RunLock(Path(db)):
            counts, refused = merge_shards(paths, db)
    except LockedError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_LOCKED
    if as_json:
        click.echo(json.dumps({"merged": vars(counts) | {"rate": counts.rate},
                               "refused": refused}, indent=2))
    else:
        click.echo(f"merged {counts.shards} shards: {counts.records} rows ({counts.new} new, "
                   f"{counts.updated} updated, {counts.unchanged} unchanged) at "
                   f"{counts.rate:.0f} rows/s")
        for path, why in refused:
            click.echo(f"  refused: {path}: {why}")
    return EXIT_FAILED if refused and not counts.shards else EXIT_OK
