"""`scraper extract --format json|jsonl|text|markdown|csv`: the seed pages pass exactly through
every format that carries the fields, and Markdown is a rendering of the same extraction (the
body's own paragraphs, with their subheads, lists, quotes and, with --links, links)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from scraper.cli import cli

from .conftest import FIXTURES, SEED, SEED_URL

SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]
STRUCTURED = FIXTURES / "extract_cli" / "structured-story.html"
STRUCTURED_URL = "https://news.example/2024/05/01/bus-plan"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
ESCAPED = re.compile(r"\\(.)")


def run(*args: str):
    return CliRunner().invoke(cli, ["extract", *args], catch_exceptions=False)


def seed(name: str, *args: str) -> tuple[str, dict]:
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    result = run("--html", str(SEED / f"{name}.html"), "--url", SEED_URL, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout, expected


def assert_exact(record: dict, expected: dict) -> None:
    assert record["headline"] == expected["headline"]
    assert record["standfirst"] == expected["standfirst"]
    assert record["byline"] == expected["byline"]
    assert record["published"][:10] == expected["published"]
    paragraphs = record["body"].split("\n\n")
    assert [p for p in expected["body"].split("\n\n") if p.strip() not in paragraphs] == []
    assert [s for s in expected["must_not_contain"] if s in record["body"]] == []


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_pages_exact_in_json_jsonl_and_csv(name):
    out, expected = seed(name)
    assert_exact(json.loads(out), expected)
    out, _ = seed(name, "--format", "jsonl")
    assert len(out.splitlines()) == 1
    assert_exact(json.loads(out), expected)
    out, _ = seed(name, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert_exact(rows[0], expected)


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_pages_exact_in_text(name):
    out, expected = seed(name, "--format", "text")
    lines = out.split("\n")
    assert lines[0] == expected["headline"]
    assert lines[2] == expected["standfirst"]
    assert lines[4].startswith(f"{expected['byline']} | {expected['published']}")
    body = out.split(f"{SEED_URL}\n\n", 1)[1].rstrip("\n")
    assert_exact({**json.loads(seed(name)[0]), "body": body}, expected)


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_pages_exact_in_markdown(name):
    out, expected = seed(name, "--format", "markdown")
    front = dict(line.split(": ", 1) for line in FRONT_MATTER.match(out)[1].splitlines())
    assert json.loads(front["byline"]) == expected["byline"]
    assert json.loads(front["published"])[:10] == expected["published"]
    blocks = FRONT_MATTER.sub("", out).strip("\n").split("\n\n")
    assert blocks[0] == "# " + expected["headline"]
    assert blocks[1] == f"*{expected['standfirst']}*"  # the lead
    body = "\n\n".join(ESCAPED.sub(r"\1", block) for block in blocks[2:])
    assert_exact({"headline": expected["headline"], "standfirst": expected["standfirst"],
                  "byline": expected["byline"], "published": expected["published"],
                  "body": body}, expected)


def test_markdown_keeps_subheads_lists_quotes_and_links():
    result = run("--html", str(STRUCTURED), "--url", STRUCTURED_URL, "--format", "markdown",
                 "--links")
    assert result.exit_code == 0, result.stderr
    md = FRONT_MATTER.sub("", result.stdout)
    assert md.startswith("\n# Council approves the new bus plan\n\n")
    assert "\n\n## What changes\n\n" in md and "\n\n## What residents said\n\n" in md
    assert ("\n\n- Route 4 runs every ten minutes from the station to the hospital.\n"
            "- Route 9 is withdrawn after the works on the bridge are finished.\n\n") in md
    assert ("\n\n> We asked for clearer guidance about deliveries, parking and access during "
            "the works, and we finally have it.\n\n") in md
    assert "\n\n1. Consult the schools on the new timetable before the summer.\n2. Publish" in md
    assert "[a report published by the transport committee](https://example.org/report.pdf)" in md
    assert "[the route maps](https://news.example/maps)" in md  # resolved against the page URL
    assert "Home" not in md and "Test Gazette" not in md.split("---")[-1]  # no page chrome


def test_markdown_is_a_rendering_of_the_body():
    record = json.loads(run("--html", str(STRUCTURED), "--url", STRUCTURED_URL).stdout)
    md = run("--html", str(STRUCTURED), "--url", STRUCTURED_URL, "--format", "markdown").stdout
    assert "](" not in md  # links only with --links
    blocks = FRONT_MATTER.sub("", md).strip("\n").split("\n\n")[1:]  # after the title
    if record["standfirst"]:  # the lead, in italics, is no part of the body
        assert blocks.pop(0) == f"*{record['standfirst']}*"
    lines = [line for block in blocks for line in block.split("\n")]
    plain = [re.sub(r"^(#+ |> |- |\d+\. )", "", ESCAPED.sub(r"\1", line)) for line in lines]
    body = [re.sub(r"^- ", "", p) for p in record["body"].split("\n\n")]
    assert plain == body  # the same paragraphs, in the same order: nothing added or lost


def test_markdown_escapes_what_would_be_markup(tmp_path):
    page = STRUCTURED.read_text().replace(
        "Costs could rise further", "*Costs* could rise [further] # 2 <b>")
    path = tmp_path / "page.html"
    path.write_text(page)
    md = run("--html", str(path), "--url", STRUCTURED_URL, "--format", "markdown").stdout
    assert r"\*Costs\* could rise \[further\] # 2" in md


def test_markdown_of_a_page_that_is_not_an_article_says_so(tmp_path):
    path = tmp_path / "home.html"
    path.write_text("<html><head><title>Home</title></head><body><h1>Home</h1>"
                    "<p>Welcome.</p></body></html>")
    md = run("--html", str(path), "--url", "https://news.example/", "--format", "markdown").stdout
    assert "is_article: false\nnot_article_reason: \"home page\"" in md


def test_several_records_in_text_markdown_and_csv():
    args = ["--html", str(SEED / f"{SEED_PAGES[0]}.html"), "--html", str(STRUCTURED),
            "--url", SEED_URL, "--url", STRUCTURED_URL]
    text = run(*args, "--format", "text").stdout
    assert text.count("\n" + "-" * 72 + "\n") == 1
    md = run(*args, "--format", "markdown").stdout
    assert len(FRONT_MATTER.findall(md)) == 1 and md.count("\n---\nurl: ") == 1  # two documents
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert [r["headline"] for r in rows] == [
        "Grooming Gang Victims still blamed by Police", "Council approves the new bus plan"]
    assert rows[1]["authors"] == "Sam Patel"


def test_csv_cells_cannot_become_formulas(tmp_path):
    page = STRUCTURED.read_text().replace("<h1>Council approves", "<h1>=HYPERLINK() Council approves")
    path = tmp_path / "page.html"
    path.write_text(page)
    rows = list(csv.DictReader(io.StringIO(
        run("--html", str(path), "--url", STRUCTURED_URL, "--format", "csv").stdout)))
    assert rows[0]["headline"].startswith("'=HYPERLINK()")
