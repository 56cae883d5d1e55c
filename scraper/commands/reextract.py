"""`scraper reextract`: rebuild article rows from their stored raw pages (no network)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config
from . import DEFAULT_DB, EXIT_FAILED, EXIT_OK, EXIT_USAGE, open_store, setup_logging, verbosity
from .backfill import check_engine, engine_options


@click.command("reextract")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite database to rebuild.")
@click.option("--site", help="Only pages of this site.")
@click.option("--since", help="Only pages fetched on or after this date (YYYY-MM-DD or ISO 8601).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Site config whose per-site `selectors` to apply (optional).")
@engine_options
@click.option("--shard-size", type=click.IntRange(1, 10_000_000), default=1000,
              show_default=True, help="Stored pages per job (a range of page ids).")
@verbosity
def reextract_cmd(db, site, since, config_path, engine, workers, ray_address, shard_size,
                  verbose, quiet) -> None:
    """Rebuild article rows from the stored raw pages with the current extractor (no network).

    Each row keeps its canonical URL and site; only the extracted fields are refreshed.
    Ranges of --shard-size pages are extracted in parallel (--engine local: one process per
    core; --engine ray: Ray tasks, whose workers must see the database file) and written by
    this process alone.
    """
    from ..backfill.reextract import reextract_parallel

    restore = setup_logging(verbose, quiet)
    try:
        if not Path(db).exists():
            raise click.ClickException(f"no database at {db}")
        try:
            check_engine(engine)
        except click.UsageError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(EXIT_USAGE)
        selectors = None
        if config_path:
            try:
                config = load_config(config_path)
            except ConfigError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(EXIT_USAGE)
            selectors = {s.name: dict(s.selectors) for s in config.sites}
        with open_store(db) as store, store.recorded_run("reextract") as run:
            summary = reextract_parallel(store, site=site, since=since, selectors=selectors,
                                         engine=engine, workers=workers, shard_size=shard_size,
                                         ray_address=ray_address)
            run.totals = {"fetched": summary.pages, "new_articles": summary.articles_new,
                          "updated_articles": summary.articles_updated, "errors": summary.failed}
            run.summary = {"pages": summary.pages, "unchanged": summary.articles_unchanged,
                           "not_articles": summary.not_articles, "engine": engine}
    finally:
        if restore:  # (a callable once logging is configurable per run)
            restore()
    click.echo(
        f"re-extracted {summary.pages} articles from their stored pages: {summary.changed} rows changed "
        f"({summary.articles_new} new, {summary.articles_updated} updated), "
        f"{summary.articles_unchanged} unchanged, {summary.not_articles} not articles, "
        f"{summary.failed} failed"
    )
    sys.exit(EXIT_FAILED if summary.pages and summary.failed == summary.pages else EXIT_OK)
