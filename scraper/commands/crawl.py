"""`scraper crawl` and `scraper demo`: parse options, call `run_crawl` / `run_demo`, log the
summary, exit with the documented code.

Exit codes: 0 ok; 1 the run failed (every site that had work reached nothing); 2 bad usage or
configuration; 3 another crawl holds the lock on this database; 4 partial failure (some
sites failed, others did not); 130 / 143 stopped by SIGINT / SIGTERM (the summary is still
logged and the run recorded as interrupted).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config
from ..crawl import CrawlSummary, Interrupts, LockedError, run_crawl
from ..lock import LockFileError
from ..logs import SUMMARY
from ..store import StoreError
from . import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    check_db_dir,
    log_options,
    setup_logging,
)

log = logging.getLogger("scraper.cli")
summary_log = logging.getLogger(SUMMARY)


def _report(summary: CrawlSummary, as_json: bool) -> None:
    """The summary: JSON on stdout with --json, else log lines (hidden by -qq)."""
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2))
        return
    for level, message, extra in summary.records():
        summary_log.log(logging.getLevelName(level), "%s", message, extra=extra)


def _db_options(func):
    func = click.option("--create-dirs", is_flag=True,
                        help="Create the directory of --db if it does not exist (otherwise "
                             "a missing directory is an error: a typo would start a second, "
                             "empty database).")(func)
    return func


@click.command()
@click.option("--config", "config_path", default="config/sites.toml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="TOML site list and settings.")
@click.option("--db", default="data/articles.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database.")
@_db_options
@click.option("--site", "sites", multiple=True, help="Only this site (by name; repeatable).")
@click.option("--max-pages", type=click.IntRange(1), help="Stop after this many requests.")
@click.option("--max-duration", type=click.FloatRange(min=1), help="Stop after this many "
              "seconds (default: crawl.max_duration); the rest waits for the next run.")
@click.option("--check", is_flag=True, help="Validate the config and show what a run would "
              "fetch first per site, without fetching anything (like nginx -t).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON on stdout.")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less output: -q no progress, -qq no summary "
              "either (warnings and errors are always shown).")
@log_options
def crawl(config_path, db, create_dirs, sites, max_pages, max_duration, check, as_json,
          verbose, quiet, log_file, log_format) -> None:
    """Crawl the configured news sites politely and store new articles.

    \b
    Incremental and resumable: run it from cron as often as you like. Every log line
    has a UTC timestamp and the run id; SIGINT/SIGTERM stop it gracefully (a second
    one at once).
    Exit codes: 0 ok; 1 every site failed; 2 bad config or usage; 3 locked;
    4 some sites failed (partial failure); 130/143 stopped by SIGINT/SIGTERM.

    \b
    Examples:
      scraper crawl --config config/sites.toml --db data/articles.db
      scraper crawl --site bbc --max-duration 600 -q --log-file data/crawl.log
      scraper crawl --check
    """
    restore = setup_logging(verbose, quiet, log_file, log_format)
    try:
        code = _crawl(config_path, db, create_dirs, sites, max_pages, max_duration, check,
                      as_json, quiet)
    finally:
        restore()
    sys.exit(code)


def _crawl(config_path, db, create_dirs, sites, max_pages, max_duration, check, as_json,
           quiet) -> int:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            log.error("%s", line)
        return EXIT_USAGE
    if check:
        from ..status import check_plan

        try:
            lines = check_plan(config, db, list(sites) or None)
        except ValueError as exc:  # unknown --site
            log.error("%s", exc)
            return EXIT_USAGE
        click.echo("\n".join(lines))
        return EXIT_OK
    try:
        check_db_dir(db, create_dirs)
    except click.UsageError as exc:
        log.error("%s", exc.message)
        return EXIT_USAGE
    try:
        with Interrupts() as interrupts:
            summary = run_crawl(config, db, list(sites) or None, max_pages, max_duration,
                                progress=quiet == 0, interrupts=interrupts)
            _report(summary, as_json)
    except ValueError as exc:  # unknown --site
        log.error("%s", exc)
        return EXIT_USAGE
    except LockedError as exc:
        log.error("%s", exc)
        return EXIT_LOCKED
    except (StoreError, LockFileError) as exc:
        log.error("%s", exc)
        return EXIT_FAILED
    return summary.exit_code


@click.command()
@click.option("--db", default="data/demo.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database.")
@_db_options
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON on stdout.")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less output.")
@log_options
def demo(db, create_dirs, as_json, verbose, quiet, log_file, log_format) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and crawl it (offline, end to end).

    \b
    Example:
      scraper demo --db data/demo.db && sqlite3 data/demo.db 'select headline from articles'
    """
    from ..demo import run_demo

    restore = setup_logging(verbose, quiet, log_file, log_format)
    try:
        check_db_dir(db, create_dirs)
        with Interrupts() as interrupts:
            summary = run_demo(db, progress=quiet == 0, interrupts=interrupts)
            _report(summary, as_json)
        code = summary.exit_code
    except click.UsageError as exc:
        log.error("%s", exc.message)
        code = EXIT_USAGE
    except LockedError as exc:
        log.error("%s", exc)
        code = EXIT_LOCKED
    except (StoreError, LockFileError) as exc:
        log.error("%s", exc)
        code = EXIT_FAILED
    finally:
        restore()
    sys.exit(code)
