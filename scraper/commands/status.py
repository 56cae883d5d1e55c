"""`scraper status`: what the crawls on a database have been doing, without crawling."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import EXIT_OK, EXIT_USAGE, open_store


@click.command()
@click.option("--db", default="data/articles.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database.")
@click.option("--runs", "last", default=10, show_default=True, type=click.IntRange(0),
              help="How many of the last runs to list.")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
def status(db, last, as_json) -> None:
    """Show each site's last run, newest article, pending URLs and failing hosts.

    \b
    Per site: the last run and its outcome, the time since the last new article, the
    pending frontier entries, the hosts failing now and why, the hosts parked by
    Retry-After or robots.txt; then the last runs with their status. Read-only: safe
    while a crawl runs. Exit code 2 when there is no database at --db.

    \b
    Examples:
      scraper status --db data/articles.db
      scraper status --json | jq '.sites[] | select(.failing_hosts != {})'
    """
    from ..status import database_status

    if not db.is_file():
        click.echo(f"error: no database at {db}", err=True)
        sys.exit(EXIT_USAGE)
    with open_store(db, readonly_fallback=True) as store:
        report = database_status(store, db, runs=last)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo("\n".join(report.lines()))
    sys.exit(EXIT_OK)
