"""The `scraper` commands, one module per verb (Scrapy's `commands/` layout). Each is thin:
parse options, call one library function, print a summary, exit with the documented code.
`scraper/cli.py` loads a command's module only when that command runs, so `scraper --help`
stays fast. This module holds what they share (logging options, the database path check),
and imports nothing heavy.

Exit codes (all commands): 0 ok; 1 the job failed (a URL could not be extracted, a crawl reached
nothing); 2 bad usage or configuration; 3 another crawl holds the database lock; 4 a crawl in
which some sites failed and others did not (partial failure); 130 / 143 a crawl stopped by
SIGINT / SIGTERM (128 + the signal number).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import click

from .. import logs

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_PARTIAL = 0, 1, 2, 3, 4
DEFAULT_DB = "data/articles.db"

log = logging.getLogger("scraper.cli")


def setup_logging(verbose: int, quiet: int, log_file: Path | str | None = None,
                  log_format: str = "text") -> Callable[[], None]:
    """Every line timestamped with the run id (scraper/logs.py). Warnings and errors are
    always shown; -q hides progress, -qq the summary too; -v INFO, -vv DEBUG (httpx's
    request lines only from -vv). Returns the function that undoes it. A log file that
    cannot be opened is a usage error (exit 2)."""
    try:
        return logs.configure(verbose, quiet, str(log_file) if log_file else None, log_format)
    except OSError as exc:
        raise click.UsageError(f"cannot open the log file {log_file}: {exc.strerror}") from exc


def verbosity(func):
    func = click.option("-q", "--quiet", count=True, help="Less output (repeatable).")(func)
    return click.option("-v", "--verbose", count=True, help="More output (repeatable).")(func)


def log_options(func):
    """--log-file and --log-format."""
    func = click.option("--log-format", type=click.Choice(logs.FORMATS), default="text",
                        show_default=True,
                        help="Log lines as text or as one JSON object per line.")(func)
    return click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
                        help="Append log lines to this file instead of stderr (errors go to "
                             "stderr too, so cron still mails them).")(func)


def check_db_dir(db: Path, create_dirs: bool) -> None:
    """A database in a directory that does not exist is a usage error (a typo would start a
    second, empty database), unless `create_dirs` says to make it."""
    parent = Path(db).expanduser().parent
    if parent.is_dir():
        return
    if parent.exists():
        raise click.UsageError(f"--db {db}: {parent} is not a directory")
    if not create_dirs:
        raise click.UsageError(f"--db {db}: the directory {parent} does not exist "
                               "(give --create-dirs to create it)")
    parent.mkdir(parents=True, exist_ok=True)


def open_store(db, readonly_fallback: bool = False):
    """The Store at `db`, or a one-line ClickException. `readonly_fallback` (commands that
    only read): a database that cannot be opened for writing (read-only media) is opened
    read-only instead."""
    from ..store import Store, StoreError

    try:
        return Store(db)
    except StoreError as exc:
        if not readonly_fallback:
            raise click.ClickException(str(exc)) from exc
        try:
            return Store(db, readonly=True)
        except StoreError as again:
            raise click.ClickException(f"{exc}; read-only: {again}") from again
