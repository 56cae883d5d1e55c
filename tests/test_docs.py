"""The README is part of the interface: every table, column, command and Make target is documented."""

from __future__ import annotations

import re
from pathlib import Path

from scraper.cli import cli
from scraper.store import Store

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def documented_columns(table: str) -> set[str]:
    section = README.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
    return set(re.findall(r"`(\w+)`", section))


def test_every_table_and_column_is_described(tmp_path):
    with Store(tmp_path / "docs.db") as store:
        tables = [t for t in store.db.table_names() if not t.startswith("articles_fts")]
        undocumented = []
        for table in tables:
            assert f"### `{table}`" in README, f"table {table} has no README section"
            columns = {c.name for c in store.db[table].columns}
            undocumented += [f"{table}.{c}" for c in sorted(columns - documented_columns(table))]
    assert undocumented == []


def test_every_view_and_its_columns_are_described(tmp_path):
    with Store(tmp_path / "docs.db") as store:
        undocumented = []
        for view in store.db.view_names():
            assert f"### `{view}`" in README, f"view {view} has no README section"
            columns = {c.name for c in store.db[view].columns}
            undocumented += [f"{view}.{c}" for c in sorted(columns - documented_columns(view))]
    assert undocumented == []


def test_every_command_is_in_the_readme():
    names = cli.list_commands(None)
    assert {"crawl", "extract", "search", "export"} <= set(names)
    missing = [name for name in names if f"scraper {name}" not in README]
    assert missing == []


def test_every_make_target_is_in_the_readme():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    missing = [t for t in phony if t != "clean" and f"make {t}" not in README]
    assert missing == []


def test_settings_table_in_readme_is_current():
    from scraper.config import settings_markdown

    assert settings_markdown().strip() in README


def test_every_module_the_architecture_page_names_exists():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(scraper/[\w/]+(?:\.py|/))`", page))
    assert len(named) > 20  # the page names the modules, one by one
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []
    assert "docs/architecture.md" in README


def test_every_package_module_is_on_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [p.relative_to(ROOT) for p in (ROOT / "scraper").rglob("*.py")
               if p.name != "__init__.py"]
    # extraction's field modules are named by their package; every other module by its path
    unnamed = sorted(m.as_posix() for m in modules
                     if f"`{m.as_posix()}`" not in page and m.parts[1] != "extract")
    assert unnamed == [], "modules the architecture page does not name"
