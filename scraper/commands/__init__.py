"""The `scraper` commands, one module per verb (Scrapy's `commands/` layout). Each is thin:
parse options, call one library function, print a summary, exit with the documented code.
`scraper/cli.py` loads a command's module only when that command runs, so `scraper --help`
stays fast. This module holds what they share, and imports nothing heavy.

Exit codes (all commands): 0 ok; 1 the job failed (a URL could not be extracted, a crawl reached
nothing); 2 bad usage or configuration; 3 another crawl holds the database lock.
"""

from __future__ import annotations

import logging
import sys

import click

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
DEFAULT_DB = "data/articles.db"


def setup_logging(verbose: int, quiet: int) -> None:
    """WARNING by default; -v INFO, -vv DEBUG (httpx's request lines only from -vv)."""
    level = logging.WARNING - 10 * verbose + 10 * quiet
    logging.basicConfig(level=max(logging.DEBUG, min(level, logging.CRITICAL)),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if verbose < 2:
        logging.getLogger("httpx").setLevel(logging.WARNING)


def verbosity(func):
    func = click.option("-q", "--quiet", count=True, help="Less output (repeatable).")(func)
    return click.option("-v", "--verbose", count=True, help="More output (repeatable).")(func)


def open_store(db):
    """The Store at `db`, or a one-line ClickException."""
    from ..store import Store, StoreError

    try:
        return Store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
