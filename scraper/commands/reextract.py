"""`scraper reextract`: rebuild article rows from their stored raw pages (no network)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config
from ..pipeline import reextract
from . import DEFAULT_DB, EXIT_FAILED, EXIT_OK, EXIT_USAGE, open_store, setup_logging, verbosity


@click.command("reextract")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite database to rebuild.")
@click.option("--site", help="Only pages of this site.")
@click.option("--since", help="Only pages fetched on or after this date (YYYY-MM-DD or ISO 8601).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Site config whose per-site `selectors` to apply (optional).")
@verbosity
def reextract_cmd(db, site, since, config_path, verbose, quiet) -> None:
    """Rebuild article rows from the stored raw pages with the current extractor (no network).

    Each row keeps its canonical URL and site; only the extracted fields are refreshed.
    """
    setup_logging(verbose, quiet)
    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    selectors = None
    if config_path:
        try:
            config = load_config(config_path)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        selectors = {s.name: dict(s.selectors) for s in config.sites}
    with open_store(db) as store:
        summary = reextract(store, site=site, since=since, selectors=selectors)
    click.echo(
        f"re-extracted {summary.pages} articles from their stored pages: {summary.changed} rows changed "
        f"({summary.articles_new} new, {summary.articles_updated} updated), "
        f"{summary.articles_unchanged} unchanged, {summary.not_articles} not articles, "
        f"{summary.failed} failed"
    )
    sys.exit(EXIT_FAILED if summary.pages and summary.failed == summary.pages else EXIT_OK)
