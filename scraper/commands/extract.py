"""`scraper extract`: article records from URLs or saved pages, printed (and saved with --save).

One input or a batch: URLs as arguments or one per line with `-i FILE` (`-i -`: stdin), or
saved pages with `--html FILE` (`--html -`: stdin), each with its `--url` or `--base-url`.
Records stream to stdout as they come (see scraper/render.py); a failure prints one line to
stderr and the batch goes on; the exit code is 1 if any input failed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, urljoin

import click

from ..models import CrawlConfig
from ..render import FORMATS, RecordWriter
from . import (
    DEFAULT_DB,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    check_db_dir,
    open_store,
    setup_logging,
    verbosity,
)

# Libraries that log their own troubles (htmldate's "ERROR ... lxml parsing failed" on odd
# input): not the user's business at the default verbosity, shown from -v.
THIRD_PARTY_LOGGERS = ("htmldate", "trafilatura", "courlan", "justext", "charset_normalizer",
                       "readability", "selectolax", "lxml")


@click.command()
@click.argument("urls", nargs=-1)
@click.option("-i", "--input", "url_lists", multiple=True, type=click.File("r", encoding="utf-8"),
              help="Read URLs from this file, one per line ('-': stdin; blank lines and "
                   "# comments skipped). Repeatable.")
@click.option("--html", "html_files", multiple=True, metavar="FILE",
              help="Extract this saved page instead of fetching (no network; gzip and zstd welcome; "
                   "'-': stdin). Repeatable, each with its --url, or with --base-url.")
@click.option("--url", "page_urls", multiple=True,
              help="The URL an --html page was fetched from; repeat it for several files, "
                   "in the same order.")
@click.option("--base-url", help="For --html files without --url: each page's URL is this "
                                 "base joined with the file's name (a .gz suffix dropped).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="json: one object, or an array for a batch (-i or several inputs); jsonl: "
                   "one object per line as it comes; text; markdown; csv.")
@click.option("--links", is_flag=True, help="Markdown: keep the body's links as [text](url).")
@click.option("--save", is_flag=True,
              help=f"Upsert each article and keep its raw page in --db (default {DEFAULT_DB}, "
                   "which must exist then).")
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite database for --save.")
@click.option("--create-dirs", is_flag=True, help="Create the directory of --db if missing.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Site config: the site a URL belongs to lends its name and its `selectors`; "
                   "its [crawl] settings (user agent, delays, timeout) apply.")
@click.option("--timeout", type=click.FloatRange(0.1, 600),
              help=f"Total seconds per request, body included [default: {CrawlConfig.timeout:g}].")
@click.option("--retries", type=click.IntRange(0, 10),
              help="Retries on timeouts, connection errors, 408, 429 and 5xx "
                   f"[default: {CrawlConfig.retries}].")
@click.option("--user-agent", help="User-Agent sent, and matched against robots.txt "
                                   f"[default: {CrawlConfig.user_agent}].")
@verbosity
def extract(urls, url_lists, html_files, page_urls, base_url, fmt, links, save, db, create_dirs,
            config_path, timeout, retries, user_agent, verbose, quiet) -> None:
    """Extract article records from URLs (or a saved page) and print them.

    \b
    Examples:
      scraper extract https://example.com/news/some-story
      scraper extract URL1 URL2 --format json | python -m json.tool     # one JSON array
      scraper extract -i urls.txt --format jsonl > articles.jsonl         # a batch, as it goes
      curl -s URL | scraper extract --html - --url URL --format markdown
      scraper extract --html a.html --html b.html.gz --base-url https://example.com/news/
      scraper extract --save --db data/articles.db https://example.com/news/some-story
    """
    undo = setup_logging(verbose, quiet)
    try:
        _check_usage(urls, url_lists, html_files, page_urls, base_url, fmt, links, save, db)
        config = _load_config(config_path)
        crawl = replace(config.crawl if config else CrawlConfig(), **{
            name: value for name, value in (("timeout", timeout), ("retries", retries),
                                            ("user_agent", user_agent)) if value is not None})
        db_path = _database(db, create_dirs) if save else None
        inputs = _inputs(urls, url_lists, html_files, page_urls, base_url)
        many = bool(url_lists) or len(urls) + len(html_files) > 1
        with _third_party_quiet(verbose):
            _run(inputs, crawl, config.sites if config else (), fmt, many, links, db_path)
    finally:
        if callable(undo):
            undo()


def _check_usage(urls, url_lists, html_files, page_urls, base_url, fmt, links, save, db) -> None:
    if html_files and (urls or url_lists):
        raise click.UsageError("--html reads saved pages: give their URLs with --url or "
                               "--base-url, not as arguments or -i")
    if not (urls or url_lists or html_files):
        raise click.UsageError("give one or more URLs, -i FILE, or --html FILE --url URL")
    if html_files.count("-") > 1:
        raise click.UsageError("--html - (stdin) can be given once")
    if (page_urls or base_url) and not html_files:
        raise click.UsageError("--url and --base-url name the pages of --html files; "
                               "give a URL to fetch as an argument")
    if page_urls and base_url:
        raise click.UsageError("give --url for each --html file, or --base-url, not both")
    if html_files and not base_url and len(page_urls) != len(html_files):
        raise click.UsageError(
            f"--html needs one --url per file, in the same order ({len(html_files)} files, "
            f"{len(page_urls)} URLs), or --base-url")
    if base_url and "-" in html_files:
        raise click.UsageError("--html - (stdin) has no file name: give it --url")
    if links and fmt != "markdown":
        raise click.UsageError("--links is for --format markdown")
    if db and not save:
        raise click.UsageError("--db is where --save writes: give --save too")


def _load_config(config_path):
    if not config_path:
        return None
    from ..config import ConfigError, load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _database(db: str | None, create_dirs: bool) -> Path:
    """Where --save writes: --db, or the documented default when it exists already (a
    forgotten --db must not start a new database in whatever directory one stands in)."""
    if db is None:
        if not Path(DEFAULT_DB).is_file():
            raise click.UsageError(
                f"--save writes to {DEFAULT_DB} by default, and there is none here: give "
                "--db FILE (created if new)")
        return Path(DEFAULT_DB)
    check_db_dir(Path(db), create_dirs)
    return Path(db)


def _inputs(urls, url_lists, html_files, page_urls, base_url) -> Iterator[tuple[str, str, str | None]]:
    """("url", URL, None) or ("html", file, its URL) for each input, in order; URL lists are
    read as they go (a pipe can feed a long batch)."""
    for url in urls:
        yield "url", url, None
    for stream in url_lists:
        for line in stream:
            line = line.strip()
            if line and not line.startswith("#"):
                yield "url", line, None
    for index, name in enumerate(html_files):
        yield "html", name, page_urls[index] if page_urls else _url_of_file(base_url, name)


def _url_of_file(base_url: str, name: str) -> str:
    file_name = Path(name).name.removesuffix(".gz")
    return urljoin(base_url if base_url.endswith("/") else base_url + "/", quote(file_name))


@contextmanager
def _third_party_quiet(verbose: int):
    if verbose:
        yield
        return
    loggers = [logging.getLogger(name) for name in THIRD_PARTY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _run(inputs, crawl: CrawlConfig, sites, fmt: str, many: bool, links: bool,
         db_path: Path | None) -> None:
    """Extract each input and print its record (saving it first with --save), then exit:
    1 if any input failed. With --save the `runs` row records the outcome. Each page is
    extracted in a worker process under the crawl's per-page time limit (`TimedWorker`):
    past it the input fails with extract_timeout and the batch goes on."""
    from ..crawl.extract_pool import TimedWorker
    from ..pipeline import PoliteFetcher, extract_file, extract_html, extract_url, site_for

    store = open_store(db_path) if db_path is not None else None
    writer = RecordWriter(sys.stdout, fmt, many)
    fetcher = PoliteFetcher(crawl)  # robots.txt and the per-host delay hold here too
    limit = TimedWorker()
    options = {"structure": fmt == "markdown", "links": links, "limit": limit}
    counts = {"inputs": 0, "failed": 0, "new": 0, "updated": 0, "unchanged": 0, "not_article": 0}
    try:
        with limit, store.recorded_run("extract") if store else nullcontext() as run:
            if store is not None:
                from ..pipeline import frontier_result

                options["result_of"] = frontier_result(store)
            for kind, source, page_url in inputs:
                counts["inputs"] += 1
                site = site_for(page_url or source, sites)
                if kind == "url":
                    outcome = extract_url(source, crawl, fetcher, site, **options)
                elif source == "-":
                    outcome = extract_html(sys.stdin.buffer.read(), page_url, "stdin", site, **options)
                else:
                    outcome = extract_file(Path(source), page_url, site, **options)
                if not outcome.ok:
                    counts["failed"] += 1
                    _report_failure(outcome)
                    continue
                article = outcome.article
                if store is not None:
                    saved = _save(store, outcome, db_path)
                    counts[saved.outcome] += 1
                    article = replace(article, canonical_url=saved.canonical_url)
                with _output_errors():
                    writer.write(article, outcome.blocks)
            with _output_errors():
                writer.close()
            if run is not None:
                _record(run, counts, db_path)
            sys.exit(EXIT_FAILED if counts["failed"] else EXIT_OK)
    finally:
        if store is not None:
            store.close()


@contextmanager
def _output_errors():
    """A full disk or a closed stdout ends the command with one line, not a traceback (a
    reader that stopped early, `| head`, is click's: exit 1, quietly)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise click.ClickException(f"cannot write the output: {exc.strerror or exc}") from exc


def _save(store, outcome, db_path: Path):
    from ..pipeline import save_outcome
    from ..store import StoreError

    try:
        saved = save_outcome(store, outcome)
    except StoreError as exc:
        raise click.ClickException(f"{db_path}: {exc}") from exc
    if saved.outcome == "not_article":
        click.echo(f"not saved: {saved.canonical_url} is not an article ({saved.reason})", err=True)
    else:
        click.echo(f"saved: {saved.canonical_url} ({saved.outcome}) in {db_path}", err=True)
    return saved


def _record(run, counts: dict[str, int], db_path: Path) -> None:
    saved = counts["new"] + counts["updated"] + counts["unchanged"]
    run.totals.update(fetched=counts["inputs"] - counts["failed"], new_articles=counts["new"],
                      updated_articles=counts["updated"], errors=counts["failed"])
    run.summary.update(counts)
    click.echo(f"saved {saved} of {counts['inputs']} inputs to {db_path} ({counts['new']} new, "
               f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
               f"{counts['not_article']} not articles, {counts['failed']} failed)", err=True)


def _report_failure(outcome) -> None:
    detail = f" ({outcome.error_detail})" if outcome.error_detail else ""
    click.echo(f"error: {outcome.source}: {outcome.error}{detail}", err=True)
