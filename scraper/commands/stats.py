"""`scraper stats`: counts with their shares and field coverage, as a table, JSON or CSV;
optionally a chart of articles per day per site."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from . import DEFAULT_DB, EXIT_USAGE, open_store


def _usage_error(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--by", type=click.Choice(("site", "day", "week", "author", "section")),
              default="site", show_default=True, help="What one row counts.")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--since", help="Published on or after (YYYY-MM-DD or ISO 8601, UTC).")
@click.option("--until", help="Published on or before (YYYY-MM-DD: that whole day).")
@click.option("--author", "authors", multiple=True, help="Only articles by this person.")
@click.option("--query", help="Count articles matching these words; the share is then of "
              "all articles of the same period and group (normalised attention).")
@click.option("--fts", "raw", is_flag=True, help="--query is raw SQLite FTS5 syntax.")
@click.option("--format", "fmt", type=click.Choice(("table", "json", "csv")), default="table",
              show_default=True)
@click.option("--plot", "plot_path", help="Also draw articles per day per site to this "
              ".png or .svg file (needs matplotlib, the plot extra).")
@click.option("--force", is_flag=True, help="Overwrite the --plot file if it exists.")
def stats(db, by, sites, since, until, authors, query, raw, fmt, plot_path, force) -> None:
    """Count articles per site, day, week, author or section, with shares and field coverage.

    \b
    Each row: period (a publisher's day, a week named by its Monday, or "all"), group,
    articles, total (all articles of that period) and share = articles / total. Coverage is
    the share of rows with a byline, a standfirst, a language and a date.
    Exit codes: 0 ok; 2 bad filter or --plot file.

    \b
    Examples:
      scraper stats --db data/articles.db --by day --since 2024-05-01
      scraper stats --db data/articles.db --by week --query 'flood' --format csv
      scraper stats --db data/articles.db --by author --site bbc --format json
      scraper stats --db data/articles.db --plot per-day.png
    """
    from ..query import FilterError, Filters
    from ..stats import compute, daily_per_site

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    if plot_path:
        from ..plot import SUFFIXES

        target = Path(plot_path)
        if target.suffix.lower() not in SUFFIXES:
            _usage_error(f"--plot {plot_path}: give a .png or .svg file name")
        if target.exists() and not force:
            _usage_error(f"{target} exists: use --force to overwrite it")
    filters = Filters(sites=sites, since=since, until=until, authors=authors, query=query,
                      raw=raw)
    with open_store(db, readonly_fallback=True) as store, store.recorded_run(f"stats --by {by}") as run:
        run.summary = {"by": by, "filters": filters.described()}
        try:
            result = compute(store.db.conn, filters, by)
            daily = daily_per_site(store.db.conn, filters) if plot_path else None
        except FilterError as exc:
            _usage_error(str(exc))
        run.summary.update(articles=result.articles, rows=len(result.rows))
    _print(result, fmt)
    if plot_path:
        try:
            import matplotlib  # noqa: F401

            from ..plot import plot_daily
        except ImportError:
            raise click.ClickException("--plot needs matplotlib: pip install "
                                       "'scraper[plot]'") from None
        plot_daily(daily, Path(plot_path), f"Articles per day per site ({db})")
        click.echo(f"plot written to {plot_path}", err=True)


def _print(result, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout,
                                fieldnames=["period", "group", "articles", "total", "share"])
        writer.writeheader()
        writer.writerows(result.rows)
        click.echo("coverage: " + _coverage_line(result), err=True)
        return
    label = "site" if result.by in ("day", "week") else result.by
    width = max([len(label)] + [len(str(r["group"])) for r in result.rows])
    periods = result.by in ("day", "week")
    head = (f"{'period':<10}  " if periods else "") + f"{label:<{width}}  articles  total   share"
    click.echo(head)
    for r in result.rows:
        share = f"{r['share']:.1%}" if r["share"] is not None else "-"
        click.echo((f"{r['period']:<10}  " if periods else "")
                   + f"{r['group']:<{width}}  {r['articles']:>8}  {r['total']:>5}  {share:>6}")
    click.echo(f"\n{result.articles} articles"
               + (f" ({result.undated} undated, left out above)" if result.undated else ""))
    click.echo("coverage: " + _coverage_line(result))


def _coverage_line(result) -> str:
    if not result.coverage:
        return "no articles"
    return ", ".join(f"{name} {share:.0%}" for name, share in result.coverage.items())
