"""`scraper crawl` and `scraper demo`: parse options, call `run_crawl` / `run_demo`, print
the summary, exit with the documented code.

Exit codes: 0 ok; 1 the run failed (nothing reachable, every fetch failed); 2 bad usage or
configuration; 3 another crawl holds the lock on this database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config
from ..crawl import CrawlSummary, LockedError, run_crawl
from ..store import StoreError
from . import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE, setup_logging


def _report(summary: CrawlSummary, as_json: bool, quiet: int) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2))
    elif quiet < 2:
        click.echo("\n".join(summary.lines()))


@click.command()
@click.option("--config", "config_path", default="config/sites.toml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="TOML site list and settings.")
@click.option("--db", default="data/articles.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database.")
@click.option("--site", "sites", multiple=True, help="Only this site (by name; repeatable).")
@click.option("--max-pages", type=click.IntRange(1), help="Stop after this many requests.")
@click.option("--max-duration", type=click.FloatRange(min=1), help="Stop after this many "
              "seconds (default: crawl.max_duration); the rest waits for the next run.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less output: no progress; -qq no summary.")
def crawl(config_path, db, sites, max_pages, max_duration, as_json, verbose, quiet) -> None:
    """Crawl the configured news sites politely and store new articles.

    \b
    Incremental and resumable: run it from cron as often as you like.
    Exit codes: 0 ok; 1 nothing reachable / every fetch failed; 2 bad config; 3 locked.

    \b
    Examples:
      scraper crawl --config config/sites.toml --db data/articles.db
      scraper crawl --site bbc --max-duration 600 -q
    """
    setup_logging(verbose, quiet)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        summary = run_crawl(config, db, list(sites) or None, max_pages, max_duration,
                            progress=quiet == 0)
    except ValueError as exc:  # unknown --site
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except LockedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    _report(summary, as_json, quiet)
    sys.exit(summary.exit_code)


@click.command()
@click.option("--db", default="data/demo.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less output.")
def demo(db, as_json, verbose, quiet) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and crawl it (offline, end to end).

    \b
    Example:
      scraper demo --db data/demo.db && sqlite3 data/demo.db 'select headline from articles'
    """
    from ..demo import run_demo

    setup_logging(verbose, quiet)
    try:
        summary = run_demo(db, progress=quiet == 0)
    except LockedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    _report(summary, as_json, quiet)
    sys.exit(summary.exit_code)
