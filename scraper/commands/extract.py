"""`scraper extract`: article records from URLs or saved pages, printed (and saved with --save)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..models import Article, CrawlConfig
from ..pipeline import ExtractOutcome, PoliteFetcher, extract_file, extract_url, save_outcome
from ..store import StoreError
from . import DEFAULT_DB, EXIT_FAILED, EXIT_OK, open_store, setup_logging, verbosity


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


@click.command()
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
