"""The `scraper` command starts fast: its group imports no heavy library, and every command
it lists loads from its own module under scraper/commands/."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from scraper.cli import COMMANDS, cli

HEAVY = ("trafilatura", "lxml", "httpx", "sqlite_utils", "selectolax", "htmldate")


def test_help_and_version_import_no_heavy_library():
    code = ("import sys, json\nfrom scraper.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    assert json.loads(out) == []


def test_every_listed_command_loads_with_its_name_and_help():
    for name, (_target, short) in COMMANDS.items():
        command = cli.get_command(None, name)
        assert isinstance(command, click.Command)
        assert command.name.replace("_cmd", "") == name
        assert command.help.strip().split("\n")[0] == short  # `scraper --help` tells no lie
    assert cli.get_command(None, "nosuch") is None


def test_package_exports_stay_available_lazily():
    import scraper

    assert scraper.extract_article.__name__ == "extract_article"
    assert scraper.Article.__name__ == "Article"
