"""The `scraper` command: thin click commands over the library.

Exit codes (all commands): 0 ok; 1 the job failed (a URL could not be extracted, a crawl reached
nothing); 2 bad usage or configuration; 3 another crawl holds the database lock.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from .config import ConfigError, load_config
from .export import FORMATS, write_articles
from .models import Article, CrawlConfig
from .pipeline import (
    ExtractOutcome,
    PoliteFetcher,
    extract_file,
    extract_url,
    reextract,
    save_outcome,
)
from .store import Store, StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
DEFAULT_DB = "data/articles.db"


def setup_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING - 10 * verbose + 10 * quiet
    logging.basicConfig(level=max(logging.DEBUG, min(level, logging.CRITICAL)),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def verbosity(func):
    func = click.option("-q", "--quiet", count=True, help="Less output (repeatable).")(func)
    return click.option("-v", "--verbose", count=True, help="More output (repeatable).")(func)


def open_store(db: str) -> Store:
    try:
        return Store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def format_article(article: Article, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    lines = [article.headline or "(no headline)"]
    if article.standfirst:
        lines += ["", article.standfirst]
    meta = [x for x in (article.byline, article.published, article.site) if x]
    lines += ["", " | ".join(meta), article.canonical_url]
    if not article.is_article:
        lines.append(f"(not an article: {article.not_article_reason})")
    lines += ["", article.body]
    return "\n".join(lines)


def report_failure(outcome: ExtractOutcome) -> None:
    detail = f" ({outcome.error_detail})" if outcome.error_detail else ""
    click.echo(f"error: {outcome.source}: {outcome.error}{detail}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def cli() -> None:
    """A polite news crawler and article extractor that stores clean records in SQLite."""


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Extract this saved HTML file instead of fetching (no network). Needs --url.")
@click.option("--url", "page_url", help="The URL the --html file was fetched from.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
@click.option("--save", is_flag=True, help="Upsert the record and keep the raw page in --db.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="SQLite database for --save.")
@click.option("--timeout", type=float, default=CrawlConfig.timeout, show_default=True,
              help="Total seconds per request, body included.")
@click.option("--retries", type=click.IntRange(0, 10), default=CrawlConfig.retries, show_default=True,
              help="Retries on timeouts, connection errors, 408, 429 and 5xx.")
@click.option("--user-agent", default=CrawlConfig.user_agent, show_default=True)
@verbosity
def extract(urls, html_file, page_url, fmt, save, db, timeout, retries, user_agent, verbose, quiet) -> None:
    """Extract article records from URLs (or a saved page) and print them.

    \b
    Examples:
      scraper extract https://example.com/news/some-story
      scraper extract --html page.html --url https://example.com/news/some-story --format text
      scraper extract --save --db data/articles.db https://example.com/news/some-story
    """
    setup_logging(verbose, quiet)
    if html_file and not page_url:
        raise click.UsageError("--html needs --url (the address the page was fetched from)")
    if not html_file and not urls:
        raise click.UsageError("give one or more URLs, or --html FILE --url URL")
    config = CrawlConfig(timeout=timeout, user_agent=user_agent, retries=retries)
    outcomes = [extract_file(html_file, page_url)] if html_file else []
    fetcher = PoliteFetcher(config)  # robots.txt and the per-host delay hold here too
    outcomes += [extract_url(url, config, fetcher) for url in urls]
    store = open_store(db) if save else None
    failures = 0
    for outcome in outcomes:
        if not outcome.ok:
            failures += 1
            report_failure(outcome)
            continue
        click.echo(format_article(outcome.article, fmt))
        if store is not None:
            try:
                result = save_outcome(store, outcome)
            except StoreError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"saved: {outcome.article.canonical_url} ({result})", err=True)
    if store is not None:
        store.close()
    sys.exit(EXIT_FAILED if failures else EXIT_OK)


@cli.command("reextract")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite database to rebuild.")
@click.option("--site", help="Only pages of this site.")
@click.option("--since", help="Only pages fetched on or after this date (YYYY-MM-DD or ISO 8601).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Site config whose per-site `selectors` to apply (optional).")
@verbosity
def reextract_cmd(db, site, since, config_path, verbose, quiet) -> None:
    """Rebuild article rows from the stored raw pages with the current extractor (no network).

    Each row keeps its canonical URL and site; only the extracted fields are refreshed.
    """
    setup_logging(verbose, quiet)
    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    selectors = None
    if config_path:
        try:
            config = load_config(config_path)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        selectors = {s.name: dict(s.selectors) for s in config.sites}
    with open_store(db) as store:
        summary = reextract(store, site=site, since=since, selectors=selectors)
    click.echo(
        f"re-extracted {summary.pages} articles from their stored pages: {summary.changed} rows changed "
        f"({summary.articles_new} new, {summary.articles_updated} updated), "
        f"{summary.articles_unchanged} unchanged, {summary.not_articles} not articles, "
        f"{summary.failed} failed"
    )
    sys.exit(EXIT_FAILED if summary.pages and summary.failed == summary.pages else EXIT_OK)


@cli.command()
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


@cli.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--site", help="Only articles of this site.")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write here instead of stdout.")
def export(db, fmt, site, since, output) -> None:
    """Export stored articles as JSON Lines or CSV, newest first.

    \b
    Examples:
      scraper export --db data/articles.db > articles.jsonl
      scraper export --db data/articles.db --format csv --site bbc -o bbc.csv
    """
    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    with open_store(db) as store:
        count = write_articles(store.iter_articles(site=site, since=since), output, fmt)
    click.echo(f"exported {count} articles", err=True)


def _register_crawl_commands() -> None:
    """The crawl commands live beside the crawler; registered here so the CLI stays one place."""
    try:
        from .commands_crawl import crawl, demo
    except ModuleNotFoundError as exc:  # only while the crawler module is not there yet
        if exc.name != "scraper.commands_crawl":
            raise
        return
    cli.add_command(crawl)
    cli.add_command(demo)


_register_crawl_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
