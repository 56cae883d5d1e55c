"""`scraper export`: the stored articles as a file (or stdout for the text formats)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import DEFAULT_DB, EXIT_USAGE, open_store


def _usage_error(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("jsonl", "json", "csv", "parquet", "warc")),
              default="jsonl", show_default=True,
              help="parquet and warc need -o and the parquet / warc extra.")
@click.option("-o", "--output", help="Write here (default: stdout, text formats only).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--since", help="Published on or after (YYYY-MM-DD or ISO 8601, UTC).")
@click.option("--until", help="Published on or before (YYYY-MM-DD: that whole day).")
@click.option("--author", "authors", multiple=True,
              help="Only articles by this person (case and accents ignored; repeatable).")
@click.option("--language", "languages", multiple=True, help="Only this language code (repeatable).")
@click.option("--query", help="Only articles matching these words (full-text search).")
@click.option("--fts", "raw", is_flag=True, help="--query is raw SQLite FTS5 syntax.")
@click.option("--fields", help="Comma-separated fields to export (default: all).")
def export(db, fmt, output, force, sites, since, until, authors, languages, query, raw,
           fields) -> None:
    """Export stored articles as JSON Lines, JSON, CSV, Parquet or WARC, newest first.

    \b
    Streams in constant memory. Every record carries its provenance: first_seen,
    updated_at, fetched_at, page_id, record_hash, extractor and run_id.
    Exit codes: 0 ok; 2 bad filter, unknown field, or OUTPUT exists without --force.

    \b
    Examples:
      scraper export --db data/articles.db > articles.jsonl
      scraper export --db data/articles.db --format csv --site bbc --site cnn -o news.csv
      scraper export --db data/articles.db --format parquet --since 2024-05-01 -o may.parquet
      scraper export --db data/articles.db --format warc -o articles.warc.gz
    """
    from ..export import TEXT_FORMATS, iter_records, parse_fields, write_records
    from ..query import FilterError, Filters, resolve

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    try:
        chosen = parse_fields(fields)
    except ValueError as exc:
        _usage_error(str(exc))
    if fmt not in TEXT_FORMATS and output in (None, "-"):
        _usage_error(f"--format {fmt} writes a binary file: give -o FILE")
    target = None if output in (None, "-") else Path(output)
    if target is not None and target.exists() and not force:
        _usage_error(f"{target} exists: use --force to overwrite it")
    filters = Filters(sites=sites, since=since, until=until, authors=authors,
                      languages=languages, query=query, raw=raw)
    with open_store(db, readonly_fallback=True) as store, store.recorded_run(f"export {fmt}") as run:
        run.summary = {"format": fmt, "output": output or "-", "filters": filters.described()}
        try:
            where = resolve(store.db.conn, filters)
        except FilterError as exc:
            _usage_error(str(exc))
        records = iter_records(store.db.conn, where, chosen, with_page=fmt == "warc")
        try:
            if target is None:
                count = write_records(records, sys.stdout, fmt)
            else:
                count = _write_file(records, target, fmt, chosen)
        finally:
            records.close()
        run.summary["articles"] = count
    click.echo(f"exported {count} articles" + (f" to {target}" if target else ""), err=True)


def _write_file(records, target: Path, fmt: str, fields: list[str]) -> int:
    """Write to a temporary file beside `target`, renamed into place when complete: a
    failed or interrupted export never leaves half a file under the name asked for."""
    from ..export import write_records

    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        if fmt == "parquet":
            count = _parquet(records, partial, fields)
        elif fmt == "warc":
            count = _warc(records, partial, target.name)
        else:
            with open(partial, "w", encoding="utf-8", newline="") as out:
                count = write_records(records, out, fmt)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _parquet(records, path: Path, fields: list[str]) -> int:
    try:
        import pyarrow  # noqa: F401

        from ..export_parquet import write_parquet
    except ImportError:
        raise click.ClickException("Parquet needs pyarrow: pip install 'scraper[parquet]'") from None
    return write_parquet(records, path, fields)


def _warc(records, path: Path, name: str) -> int:
    try:
        import warcio  # noqa: F401
    except ImportError:
        raise click.ClickException("WARC needs warcio: pip install 'scraper[warc]'") from None
    from ..export_warc import write_warc
    from ..extract import extractor_version

    with open(path, "wb") as out:
        return write_warc(records, out, extractor_version(), filename=name)
