"""`scraper search`: full-text search of the stored articles, best match first."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from . import DEFAULT_DB, EXIT_USAGE, open_store

FORMATS = ("table", "json", "jsonl", "csv")
FIELDS = ("canonical_url", "site", "published", "published_utc", "headline", "byline",
          "snippet", "score")


@click.command()
@click.argument("query")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--since", help="Published on or after (YYYY-MM-DD or ISO 8601, UTC).")
@click.option("--until", help="Published on or before (YYYY-MM-DD: that whole day).")
@click.option("--author", "authors", multiple=True,
              help="Only articles by this person (case and accents ignored; repeatable).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1),
              help="Results shown (the total is always counted).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--fts", "raw", is_flag=True,
              help="QUERY is raw SQLite FTS5 syntax (NEAR, OR, NOT, column:, prefix*).")
def search(query, db, sites, since, until, authors, limit, fmt, raw) -> None:
    """Full-text search over headline, standfirst and body, best match first (bm25).

    \b
    Plain words just work: each word must appear (hyphens and quotes are fine; "a phrase"
    in double quotes is a phrase). --fts passes SQLite FTS5 syntax through.
    Dates are compared in UTC (published_utc). Exit codes: 0 ok (even with no match);
    2 bad query or filter.

    \b
    Examples:
      scraper search --db data/articles.db trade-war
      scraper search --db data/articles.db --site bbc --since 2024-05-01 'bridge reopened'
      scraper search --db data/articles.db --fts 'NEAR(bridge reopened, 5)' --format json
    """
    from ..query import FilterError, Filters
    from ..query import search as run_search

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    filters = Filters(sites=sites, since=since, until=until, authors=authors, query=query, raw=raw)
    marks = ("\x1b[1m", "\x1b[0m") if fmt == "table" and sys.stdout.isatty() else ("[", "]")
    with open_store(db, readonly_fallback=True) as store, store.recorded_run(f"search {query}") as run:
        run.summary = {"filters": filters.described(), "limit": limit}
        try:
            result = run_search(store.db.conn, filters, limit, marks)
        except FilterError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        run.summary["results"] = result.total
        _print(result.rows, fmt)
        click.echo(f"{len(result.rows)} of {result.total} results", err=True)


def _print(rows: list[dict], fmt: str) -> None:
    out = sys.stdout
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        from ..export import csv_safe

        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_safe(v) for k, v in row.items()})
    else:
        for number, row in enumerate(rows, 1):
            meta = " | ".join(x for x in (row["site"], row["published"], row["byline"]) if x)
            click.echo(f"{number}. {row['headline'] or '(no headline)'}\n   {meta}\n"
                       f"   {row['canonical_url']}\n   {' '.join(row['snippet'].split())}\n")
