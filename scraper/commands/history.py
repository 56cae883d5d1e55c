"""`scraper history URL`: an article's stored versions and what changed between them."""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path

import click

from . import DEFAULT_DB, EXIT_USAGE, open_store


@click.command()
@click.argument("url")
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
def history(url, db, fmt) -> None:
    """Show an article's stored versions and a word diff between each and the next.

    \b
    URL may be the canonical URL, the URL it was fetched from, or any variant the crawler
    folded into it (tracking parameters, AMP, ...). In the diff, [-words-] were removed and
    {+words+} added. Exit codes: 0 ok; 2 no article stored under URL.

    \b
    Example:
      scraper history --db data/articles.db https://example.com/news/some-story
    """
    from ..versions import changes, find_article, versions

    if not Path(db).exists():
        raise click.ClickException(f"no database at {db}")
    with open_store(db, readonly_fallback=True) as store, store.recorded_run(f"history {url}") as run:
        canonical = find_article(store.db.conn, url)
        if canonical is None:
            click.echo(f"error: no article stored under {url}", err=True)
            sys.exit(EXIT_USAGE)
        kept = versions(store.db.conn, canonical)
        run.summary = {"canonical_url": canonical, "versions": len(kept)}
    diffs = [changes(older, newer) for older, newer in pairwise(kept)]
    if fmt == "json":
        click.echo(json.dumps({
            "canonical_url": canonical,
            "versions": [{"version": v.number, "current": v.current, "written": v.written,
                          "replaced": v.replaced, "record_hash": v.record_hash,
                          "page_id": v.page_id, "run_id": v.run_id, **v.fields} for v in kept],
            "diffs": [{"from": i + 1, "to": i + 2, "changes": d} for i, d in enumerate(diffs)],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"{kept[-1].fields['headline'] or '(no headline)'}\n{canonical}\n")
    for v in kept:
        state = "current" if v.current else f"replaced {v.replaced}"
        click.echo(f"version {v.number}  written {v.written}  {state}  run {v.run_id}  "
                   f"page {v.page_id}  hash {v.record_hash[:12]}  {v.fields['word_count']} words")
    if len(kept) == 1:
        click.echo("\none version: the article has not changed since it was first stored")
    for i, diff in enumerate(diffs):
        click.echo(f"\n--- version {i + 1} -> version {i + 2}")
        for name, text in diff.items():
            click.echo(f"{name}: {text}")
