"""`scraper backfill`: read WARC files into article rows, through shards merged by one writer."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import click

from . import (
    DEFAULT_DB,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    check_db_dir,
    setup_logging,
    verbosity,
)

PROGRESS_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


def parse_day(value: str | None, option: str) -> str | None:
    """YYYY-MM-DD (an ISO 8601 time is cut to its day), or a UsageError."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise click.UsageError(f"{option} {value!r}: expected a date, YYYY-MM-DD") from None


def engine_options(func):
    """--engine, --workers and --ray-address (backfill and reextract)."""
    func = click.option("--ray-address", metavar="HOST:PORT",
                        help="A running Ray cluster's head (default: start a local Ray).")(func)
    func = click.option("--workers", type=click.IntRange(1, 4096),
                        help="Worker processes (local) or CPUs of the local Ray "
                             "[default: one per core].")(func)
    return click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
                        show_default=True,
                        help="local: a process pool on this machine; ray: Ray tasks, on a "
                             "local Ray or a cluster (pip install 'scraper[ray]').")(func)


def check_engine(engine: str) -> None:
    if engine == "ray":
        from ..backfill.ray_engine import ray_available

        if not ray_available():
            raise click.UsageError("--engine ray needs Ray: pip install 'scraper[ray]'")


class Progress:
    """Files and records so far: a rich progress bar on a terminal, a line every 10 s
    otherwise, nothing with -q."""

    def __init__(self, files: int, enabled: bool) -> None:
        self.files_total, self.files, self.records = files, 0, 0
        self.enabled = enabled
        self.bar = None
        self.started = self.last = time.monotonic()

    def __enter__(self) -> Progress:
        if self.enabled and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TextColumn("{task.fields[records]} records"),
                                transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task("WARC files", total=self.files_total, records=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def __call__(self, files: int, records: int) -> None:
        self.files += files
        self.records += records
        if self.bar is not None:
            self.bar.update(self.task, completed=self.files, records=self.records)
        elif self.enabled and time.monotonic() - self.last >= PROGRESS_EVERY:
            self.last = time.monotonic()
            click.echo(f"progress: {self.files}/{self.files_total} WARC files, "
                       f"{self.records} records", err=True)


@click.command("backfill")
@click.argument("warcs", nargs=-1, required=True, metavar="WARC...")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite database the articles are merged into.")
@click.option("--create-dirs", is_flag=True, help="Create the database's directory if needed.")
@click.option("--site-filter", "site_filter", multiple=True, metavar="HOSTS",
              help="Only pages of these hosts and their subdomains (comma-separated, "
                   "repeatable). The site of a row is the host's site root.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Only pages of the config's sites, named, keyed and extracted (selectors) "
                   "as a crawl of them would.")
@click.option("--since", help="Only articles published on or after this day (YYYY-MM-DD; the "
                              "capture day when a page gives no date).")
@click.option("--until", help="Only articles published on or before this day.")
@engine_options
@click.option("--shard-dir", type=click.Path(file_okay=False),
              help="Where the shards go [default: DB.shards beside the database].")
@click.option("--no-raw", is_flag=True,
              help="Keep each page as a reference to its WARC file and offset, not a copy.")
@click.option("--no-merge", is_flag=True,
              help="Only write the shards (merge them later with `scraper merge`).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@verbosity
def backfill_cmd(warcs, db, create_dirs, site_filter, config_path, since, until, engine,
                 workers, ray_address, shard_dir, no_raw, no_merge, as_json, verbose,
                 quiet) -> None:
    """Extract articles from WARC files (Common Crawl, Browsertrix, wget, Heritrix) into the database.

    Each WARC file becomes a shard (SQLite) in the shard folder; finished shards are merged
    into --db in input order with the same idempotent upserts as a crawl, so a second
    backfill of the same files changes nothing. Kill it at any point: the next run skips
    finished shards and merges what is left.

    \b
    scraper backfill 'archive/*.warc.gz' --db data/articles.db
    scraper backfill crawl.warc.gz --config config/sites.toml --since 2024-01-01
    scraper backfill 'cc-news/*.warc.gz' --site-filter bbc.co.uk,apnews.com --engine ray
    """
    restore = setup_logging(verbose, quiet)
    try:
        code = _backfill(warcs, db, create_dirs, site_filter, config_path, since, until, engine,
                         workers, ray_address, shard_dir, no_raw, no_merge, as_json, quiet)
    finally:
        if restore:  # (a callable once logging is configurable per run)
            restore()
    sys.exit(code)


def _backfill(warcs, db, create_dirs, site_filter, config_path, since, until, engine, workers,
              ray_address, shard_dir, no_raw, no_merge, as_json, quiet) -> int:
    from ..backfill import BackfillError, BackfillOptions, backfill, expand_inputs
    from ..config import ConfigError, load_config
    from ..lock import LockedError, RunLock

    try:
        check_db_dir(Path(db), create_dirs)
        check_engine(engine)
        if site_filter and config_path:
            raise click.UsageError("give --site-filter or --config, not both")
        sites = ()
        if config_path:
            try:
                sites = load_config(config_path).sites
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from None
        hosts = tuple(h.strip() for value in site_filter for h in value.split(",") if h.strip())
        options = BackfillOptions(sites=sites, host_filter=hosts,
                                  since=parse_day(since, "--since"),
                                  until=parse_day(until, "--until"), keep_raw=not no_raw)
        sources = expand_inputs(warcs)
    except (click.UsageError, BackfillError) as exc:
        click.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        return EXIT_USAGE
    try:
        with RunLock(Path(db)), Progress(len(sources), quiet == 0) as progress:
            summary = backfill(sources, db, options, engine=engine, workers=workers,
                               ray_address=ray_address, shard_dir=shard_dir, merge=not no_merge,
                               on_progress=progress)
    except LockedError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_LOCKED
    _report(summary, as_json, quiet, merged=not no_merge)
    return EXIT_FAILED if summary.files and len(summary.failed) == summary.files else EXIT_OK


def _report(summary, as_json: bool, quiet: int, merged: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    if quiet >= 2:
        return
    c, m = summary.counts, summary.merged
    now = (f"{summary.read} read now in {summary.seconds:.1f}s, "
           f"{summary.read / summary.seconds:.1f} records/s" if summary.read and summary.seconds
           else "none read now")
    click.echo(f"backfill: {summary.files} WARC files ({summary.reused} finished before), "
               f"{c['records']} records ({now})")
    click.echo(f"  articles: {c['articles']}"
               + (f" ({m.new} new, {m.updated} updated, {m.unchanged} unchanged)" if merged else ""))
    skipped = ", ".join(f"{k} {v}" for k, v in summary.skipped.items()) or "none"
    click.echo(f"  skipped: {skipped}")
    for source, why in summary.failed:
        click.echo(f"  failed: {source}: {why}")
    how = (f"{m.shards} merged, {m.records} rows at {m.rate:.0f} rows/s" if merged
           else "not merged (--no-merge): scraper merge SHARDS --db PATH")
    click.echo(f"  shards: {summary.shard_dir} ({how})")
