"""`scraper extract` checks what it is given: gzipped pages and zstd ones (as the database keeps
them) are decompressed; empty and binary
input (files, stdin, or a server that calls an image text/html) is refused with one line and
exit 1; third-party log lines stay out at the default verbosity; a timeout says how long was
waited."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from scraper.cli import cli
from scraper.pipeline import binary_kind, checked_content
from scraper.store import pack_content

from .conftest import SEED, SEED_URL
from .sitesim import Route

SEED_HTML = (SEED / "desiblitz-grooming-gang-victims.html").read_bytes()
HEADLINE = "Grooming Gang Victims still blamed by Police"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\x00\x01" * 200


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, ["extract", *args], input=stdin, catch_exceptions=False)


def extract_file(tmp_path, name: str, content: bytes, *args: str):
    path = tmp_path / name
    path.write_bytes(content)
    return run("--html", str(path), "--url", SEED_URL, *args)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_a_gzipped_page_gives_the_same_record(tmp_path):
    plain = json.loads(extract_file(tmp_path, "page.html", SEED_HTML).stdout)
    result = extract_file(tmp_path, "page.html.gz", gzip.compress(SEED_HTML))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == plain
    piped = run("--html", "-", "--url", SEED_URL, stdin=gzip.compress(SEED_HTML))
    assert json.loads(piped.stdout) == plain


def test_a_page_copied_out_of_the_database_gives_the_same_record(tmp_path):
    """`pages.content` holds zstd (pack_content writes it): a blob saved to a file as it is
    (`sqlite3 ... "SELECT writefile('p.zst', content) ..."`) extracts like the page itself,
    and so do several frames one after another (`cat a.zst b.zst`)."""
    plain = json.loads(extract_file(tmp_path, "page.html", SEED_HTML).stdout)
    result = extract_file(tmp_path, "page.zst", pack_content(SEED_HTML).data)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == plain
    half = len(SEED_HTML) // 2
    frames = (zstandard.ZstdCompressor().compress(SEED_HTML[:half])
              + zstandard.ZstdCompressor().compress(SEED_HTML[half:]))
    assert checked_content(frames) == (SEED_HTML, None, None)


def test_a_zstd_bomb_stops_at_the_limit():
    bomb = zstandard.ZstdCompressor().compress(b"<p>" + b"a" * 2_000_000)
    content, error, detail = checked_content(bomb, limit=1_000_000)
    assert error == "too_large" and "1,000,000" in detail


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.html", b"", "empty (no bytes)"),
    ("blank.html", b"  \n\t\n", "empty (nothing but whitespace)"),
    ("photo.html", PNG, "not_html (a PNG image, not an HTML page)"),
    ("paper.html", PDF, "not_html (a PDF document, not an HTML page)"),
    ("noise.html", bytes(range(256)) * 16, "not_html (binary data, not an HTML page)"),
    ("photo.png.gz", gzip.compress(PNG), "not_html (a PNG image, not an HTML page)"),
    ("broken.html.gz", gzip.compress(SEED_HTML)[:200], "bad_gzip"),
    ("broken.html.zst", pack_content(SEED_HTML).data[:200], "bad_zstd"),
])
def test_empty_and_binary_files_are_refused_with_a_reason(tmp_path, name, content, reason):
    result = extract_file(tmp_path, name, content)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_lines(result) == [line for line in result.stderr.splitlines() if line]
    assert len(error_lines(result)) == 1 and "Traceback" not in result.stderr
    assert error_lines(result)[0].startswith(f"error: {tmp_path / name}: {reason}")


def test_binary_stdin_is_refused():
    result = run("--html", "-", "--url", SEED_URL, stdin=PNG)
    assert result.exit_code == 1
    assert error_lines(result) == ["error: stdin: not_html (a PNG image, not an HTML page)"]


def test_a_page_in_utf16_is_text_not_binary(tmp_path):
    page = SEED_HTML.decode("utf-8").replace('charset="UTF-8"', "").encode("utf-16")
    result = extract_file(tmp_path, "wide.html", page)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["headline"] == HEADLINE


def test_a_binary_body_served_as_html_is_refused(server):
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add_page("/story", PNG)  # text/html, says the server
    result = run("--retries", "0", server.url("/story"))
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"error: {server.url('/story')}: not_html (a PNG image, not an HTML page)"]


def test_a_gzip_bomb_stops_at_the_limit():
    bomb = gzip.compress(b"<p>" + b"a" * 2_000_000)
    content, error, detail = checked_content(bomb, limit=1_000_000)
    assert error == "too_large" and "1,000,000" in detail


def test_sniffing_names_what_it_finds():
    assert binary_kind(PNG) == "a PNG image"
    assert binary_kind(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "a JPEG image"
    assert binary_kind(b"PK\x03\x04" + b"\x00" * 30).startswith("a ZIP archive")
    assert binary_kind(b"\x00\x00\x00\x18ftypmp42") == "an MP4 or HEIF file"
    assert binary_kind(SEED_HTML) is None
    assert binary_kind("<p>café</p>".encode("utf-16-le")) is None  # UTF-16 without a BOM
    assert binary_kind(b"\xef\xbb\xbf<html>") is None


def test_third_party_log_noise_stays_out_at_the_default_verbosity(tmp_path):
    # trafilatura logs "WARNING trafilatura.core: discarding data: URL" on a page with no text
    # (htmldate's ERROR lines on odd markup are kept out the same way). The real command: the
    # page is extracted in a worker process, whose stderr is the command's
    path = tmp_path / "odd.html"
    path.write_bytes(b"<html><body><!-- nothing here yet --></body></html>")
    command = [str(Path(sys.executable).parent / "scraper"), "extract", "--html", str(path),
               "--url", SEED_URL]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout)["is_article"] is False
    loud = subprocess.run([*command, "-v"], capture_output=True, text=True, timeout=120)
    assert "trafilatura.core: discarding data" in loud.stderr  # shown when asked for


def test_a_timeout_says_how_long_was_waited(server):
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add("/slow", Route(body=SEED_HTML, delay=3.0))
    server.add("/trickle", Route(body=SEED_HTML[:20_000], trickle=0.2))
    result = run("--timeout", "0.5", "--retries", "0", server.url("/slow"), server.url("/trickle"))
    assert result.exit_code == 1
    slow, trickle = error_lines(result)
    assert slow == f"error: {server.url('/slow')}: read_timeout (no response in 0.5s)"
    assert trickle.startswith(f"error: {server.url('/trickle')}: read_timeout (body not complete "
                              "in 0.5s")
