"""`scraper export`: the stored articles as a file."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import FORMATS, write_articles
from . import DEFAULT_DB, open_store


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--site", help="Only articles of this site.")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write here instead of stdout.")
def export(db, fmt, site, since, output) -> None:
    """Export stored articles as JSON Lines or CSV, newest first.

    \b
    Examples:
      scraper export --db data/articles.db > articles.jsonl
      scraper export --db data/articles.db --format csv --site bbc -o bbc.csv
    """
    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    with open_store(db) as store:
        count = write_articles(store.iter_articles(site=site, since=since), output, fmt)
    click.echo(f"exported {count} articles", err=True)
