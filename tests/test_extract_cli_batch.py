"""`scraper extract` on batches and pipes, against a real local server and real files: one JSON
array for several inputs, JSON Lines as it goes, URL lists from a file or stdin, pages from
stdin, several saved pages with their URLs; a failure is one line on stderr and the batch
goes on; bad combinations of options are usage errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli

from .conftest import SEED, SEED_URL
from .sitesim import article_html

SEED_HTML = (SEED / "desiblitz-grooming-gang-victims.html").read_bytes()
TD_HTML = (SEED / "desiblitz-grooming-gang-victims.tdtheme.html").read_bytes()
HEADLINE = "Grooming Gang Victims still blamed by Police"
SCRAPER = Path(sys.executable).parent / "scraper"


def run(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(cli, ["extract", *args], input=stdin, catch_exceptions=False)


@pytest.fixture
def quick(tmp_path) -> str:
    """A config whose [crawl] table asks for no delay between requests to one host (its one
    site is elsewhere): batches against one local server stay fast."""
    config = tmp_path / "quick.toml"
    config.write_text('[crawl]\nper_host_delay = 0.0\nuser_agent = "testbot/1.0"\n'
                      '[[sites]]\nname = "elsewhere"\nstart_urls = ["https://elsewhere.example/"]\n')
    return str(config)


@pytest.fixture
def stories(server) -> list[str]:
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add_page("/news/seed", SEED_HTML)
    server.add_page("/news/td", TD_HTML)
    server.add_page("/news/third", article_html("Third story", server.url("/news/third"),
                                                "2024-05-01T10:00:00Z"))
    return [server.url("/news/seed"), server.url("/news/td"), server.url("/news/third")]


def test_several_urls_print_one_json_array(quick, stories):
    result = run("--config", quick, stories[0], stories[2])
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)  # one document, not objects back to back
    assert [r["headline"] for r in records] == [HEADLINE, "Third story"]


def test_one_url_prints_one_object(quick, stories):
    result = run("--config", quick, stories[0])
    assert json.loads(result.stdout)["headline"] == HEADLINE


def test_jsonl_is_one_object_per_line(quick, stories):
    result = run("--config", quick, "--format", "jsonl", *stories)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line)["headline"] for line in lines] == [
        HEADLINE, HEADLINE, "Third story"]


def test_url_list_from_a_file_and_from_stdin(tmp_path, quick, stories):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today's stories\n{stories[0]}\n\n  {stories[2]}  \n")
    from_file = run("--config", quick, "-i", str(listing))
    assert [r["headline"] for r in json.loads(from_file.stdout)] == [HEADLINE, "Third story"]
    from_stdin = run("--config", quick, "-i", "-", "--format", "jsonl",
                     stdin=f"{stories[1]}\n{stories[2]}\n")
    assert from_stdin.exit_code == 0, from_stdin.stderr
    assert [json.loads(x)["headline"] for x in from_stdin.stdout.splitlines()] == [
        HEADLINE, "Third story"]


def test_a_list_of_one_url_is_still_an_array(tmp_path, quick, stories):
    listing = tmp_path / "urls.txt"
    listing.write_text(stories[0] + "\n")
    assert len(json.loads(run("--config", quick, "-i", str(listing)).stdout)) == 1
    empty = tmp_path / "none.txt"
    empty.write_text("# nothing today\n")
    result = run("--config", quick, "-i", str(empty))
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_a_page_from_stdin():
    result = run("--html", "-", "--url", SEED_URL, "--format", "jsonl", stdin=SEED_HTML)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["headline"] == HEADLINE


def test_several_saved_pages_each_with_its_url(tmp_path):
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    first.write_bytes(SEED_HTML)
    second.write_text(article_html("Second story", "https://news.example/b", "2024-05-01T10:00:00Z"))
    result = run("--html", str(first), "--html", str(second),
                 "--url", SEED_URL, "--url", "https://news.example/b")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [(r["headline"], r["url"]) for r in records] == [
        (HEADLINE, SEED_URL), ("Second story", "https://news.example/b")]


def test_saved_pages_with_a_base_url_take_their_file_names(tmp_path):
    import gzip

    page = tmp_path / "grooming-story.html.gz"
    page.write_bytes(gzip.compress(SEED_HTML))
    other = tmp_path / "other story.html"
    other.write_text(article_html("Other story", "https://news.example/x", "2024-05-01T10:00:00Z"))
    result = run("--html", str(page), "--html", str(other), "--base-url", "https://news.example/n",
                 "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(x)["url"] for x in result.stdout.splitlines()] == [
        "https://news.example/n/grooming-story.html", "https://news.example/n/other%20story.html"]


def test_a_failure_is_one_line_and_the_batch_goes_on(quick, server, stories):
    server.add_page("/photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    targets = [stories[0], server.url("/missing"), server.url("/photo.png"), "not-a-url", stories[2]]
    result = run("--config", quick, "--format", "jsonl", "--retries", "0", *targets)
    assert result.exit_code == 1  # some inputs failed
    assert [json.loads(x)["headline"] for x in result.stdout.splitlines()] == [
        HEADLINE, "Third story"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3 and "Traceback" not in result.stderr
    assert errors[0].startswith(f"error: {server.url('/missing')}: http_404")


def test_failures_in_a_json_batch_leave_valid_json(quick, server, stories):
    result = run("--config", quick, "--retries", "0", server.url("/missing"), stories[2])
    assert result.exit_code == 1
    assert [r["headline"] for r in json.loads(result.stdout)] == ["Third story"]
    result = run("--config", quick, "--retries", "0", server.url("/missing"), server.url("/gone"))
    assert result.exit_code == 1 and json.loads(result.stdout) == []


def test_a_missing_saved_page_fails_alone(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(SEED_HTML)
    result = run("--html", str(tmp_path / "nope.html"), "--html", str(page),
                 "--url", "https://news.example/a", "--url", SEED_URL, "--format", "jsonl")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert "nope.html: unreadable_file (No such file or directory)" in result.stderr


@pytest.mark.parametrize("args", [
    ["--html", "page.html", "--url", SEED_URL, SEED_URL],  # a saved page and a URL to fetch
    ["--html", "page.html", "-i", "urls.txt", "--url", SEED_URL],
    ["--html", "a.html", "--html", "b.html", "--url", SEED_URL],  # two files, one URL
    ["--html", "a.html", "--url", SEED_URL, "--base-url", "https://x.example/"],
    ["--html", "-", "--html", "-", "--url", SEED_URL, "--url", SEED_URL],
    ["--html", "-", "--base-url", "https://x.example/"],  # stdin has no file name
    ["--url", SEED_URL],  # a URL for no file
    [SEED_URL, "--links"],  # links are a Markdown option
    [SEED_URL, "--db", "x.db"],  # a database without --save
    [],
])
def test_bad_combinations_are_usage_errors(tmp_path, args):
    (tmp_path / "urls.txt").write_text(SEED_URL + "\n")
    result = CliRunner().invoke(cli, ["extract", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_the_installed_command_in_a_pipe(tmp_path, quick, stories):
    """The acceptance commands: `scraper extract URL1 URL2 --format json | python -m json.tool`
    and JSON Lines read with a JSON parser per line."""
    pipe = subprocess.run(
        f"'{SCRAPER}' extract --config '{quick}' '{stories[0]}' '{stories[2]}' --format json"
        f" | '{sys.executable}' -m json.tool", shell=True, capture_output=True, text=True,
        timeout=120, cwd=tmp_path)
    assert pipe.returncode == 0, pipe.stderr
    assert [r["headline"] for r in json.loads(pipe.stdout)] == [HEADLINE, "Third story"]
    lines = subprocess.run([str(SCRAPER), "extract", "--config", quick, "--format", "jsonl",
                            *stories], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert lines.returncode == 0, lines.stderr
    assert [json.loads(line)["headline"] for line in lines.stdout.splitlines()] == [
        HEADLINE, HEADLINE, "Third story"]
    assert lines.stderr == ""  # nothing but records, and no third-party noise


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_an_output_that_cannot_be_written_is_one_line(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(SEED_HTML)
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(SCRAPER), "extract", "--html", str(page), "--url", SEED_URL],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: cannot write the output: No space left on device"
