"""`scraper search`: full-text search of the stored articles."""

from __future__ import annotations

from pathlib import Path

import click

from ..store import StoreError
from . import DEFAULT_DB, open_store


@click.command()
@click.argument("query")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--limit", default=20, show_default=True)
def search(query, db, limit) -> None:
    """Full-text search over headline, standfirst and body (SQLite FTS5 syntax)."""
    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    with open_store(db) as store:
        try:
            rows = store.search(query, limit=limit)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
    for row in rows:
        click.echo(f"{row['headline']}\n  {row['canonical_url']}")
    click.echo(f"{len(rows)} results", err=True)
