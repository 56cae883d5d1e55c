"""The `scraper` command: a click group whose commands live in `scraper/commands/`, one
module per verb, imported only when that command runs (so `scraper --help` and
`scraper --version` start fast: no trafilatura, lxml, httpx or sqlite-utils).

Exit codes (all commands): 0 ok; 1 the job failed (a URL could not be extracted, a crawl reached
nothing); 2 bad usage or configuration; 3 another crawl holds the database lock.
"""

from __future__ import annotations

import importlib

import click

# name -> (module:attribute, the one-line help shown by `scraper --help`)
COMMANDS = {
    "crawl": ("scraper.commands.crawl:crawl",
              "Crawl the configured news sites politely and store new articles."),
    "demo": ("scraper.commands.crawl:demo",
             "Serve the bundled demo news site on 127.0.0.1 and crawl it (offline, end to end)."),
    "extract": ("scraper.commands.extract:extract",
                "Extract article records from URLs (or a saved page) and print them."),
    "reextract": ("scraper.commands.reextract:reextract_cmd",
                  "Rebuild article rows from the stored raw pages with the current extractor "
                  "(no network)."),
    "backfill": ("scraper.commands.backfill:backfill_cmd",
                 "Extract articles from WARC files (Common Crawl, Browsertrix, wget, Heritrix) "
                 "into the database."),
    "merge": ("scraper.commands.merge:merge_cmd",
              "Merge backfill shards (written here or on a cluster) into the database."),
    "search": ("scraper.commands.search:search",
               "Full-text search over headline, standfirst and body, best match first (bm25)."),
    "history": ("scraper.commands.history:history",
                "Show an article's stored versions and a word diff between each and the next."),
    "stats": ("scraper.commands.stats:stats",
              "Count articles per site, day, week, author or section, with shares and field "
              "coverage."),
    "export": ("scraper.commands.export:export",
               "Export stored articles as JSON Lines, JSON, CSV, Parquet or WARC, newest first."),
    "status": ("scraper.commands.status:status",
               "Show each site's last run, newest article, pending URLs and failing hosts."),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when the command is run (the
    pattern of click's documentation, "Lazily Loading Subcommands")."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def cli() -> None:
    """A polite news crawler and article extractor that stores clean records in SQLite."""


def main() -> None:
    cli()


if __name__ == "__main__":  # python -m scraper.cli crawl ...
    main()
