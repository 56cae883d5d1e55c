"""`scraper backfill` and `scraper merge` with the local engine, on WARC files written here
(bench/warcs.py: the corpus's real pages mixed with the non-page records of a real archive)."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.warcs import NOISE_REASONS, WARC_DATE, corpus_pages, damage, write_warc, write_warcs
from scraper.backfill import BackfillOptions, backfill, expand_inputs, merge_shards
from scraper.backfill import shard as shards
from scraper.backfill.select import skip_reason
from scraper.backfill.warc import Capture, Skip, iter_captures
from scraper.commands.backfill import backfill_cmd
from scraper.commands.merge import merge_cmd
from scraper.extract import extract_article
from scraper.models import SiteConfig
from scraper.store import Store

PAGES = 15
FILES = 3


@pytest.fixture(scope="module")
def pages():
    return corpus_pages(limit=PAGES)


@pytest.fixture(scope="module")
def articles_expected(pages):
    """The corpus pages the crawler's verdict calls articles."""
    return {p.url for p in pages if extract_article(p.html, p.url).is_article}


@pytest.fixture(scope="module")
def warcs(tmp_path_factory, pages):
    return write_warcs(tmp_path_factory.mktemp("warcs"), pages, FILES)


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, warcs):
    """One uninterrupted backfill (two worker processes): (db path, summary)."""
    db = tmp_path_factory.mktemp("db") / "articles.db"
    return db, backfill(warcs, db, BackfillOptions(), workers=2)


def rows(db: Path, table: str, skip: tuple[str, ...] = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        got = [tuple((k, r[k]) for k in r.keys() if k not in skip)
               for r in conn.execute(f"SELECT * FROM {table}")]
    finally:
        conn.close()
    return sorted(got, key=repr)


ARTICLE_VOLATILE = ("first_seen", "updated_at", "run_id")


def same_database(a: Path, b: Path) -> None:
    left = {dict(r)["canonical_url"]: dict(r) for r in rows(a, "articles", ARTICLE_VOLATILE)}
    right = {dict(r)["canonical_url"]: dict(r) for r in rows(b, "articles", ARTICLE_VOLATILE)}
    assert sorted(left) == sorted(right)
    differing = {(url, k): (v, right[url][k]) for url, row in left.items()
                 for k, v in row.items() if right[url][k] != v}
    assert differing == {}
    assert rows(a, "pages") == rows(b, "pages")
    assert rows(a, "article_keys") == rows(b, "article_keys")


def capture(payload: bytes, content_type: str | None = "text/html", status: int = 200,
            **headers: str) -> Capture:
    pairs = ([("Content-Type", content_type)] if content_type is not None else [])
    pairs += [(k.replace("_", "-"), v) for k, v in headers.items()]
    return Capture(0, "https://example.com/a", WARC_DATE, status, tuple(pairs), payload, "response")


# -- choosing the records to extract


@pytest.mark.parametrize(("payload", "content_type", "status", "reason"), [
    (b"<!doctype html><html><body><p>Hi</p></body></html>", "text/html; charset=utf-8", 200, None),
    (b"\n\n  <html lang=en><p>x</p></html>", "application/xhtml+xml", 200, None),
    (b"<!DOCTYPE html><html><p>no type</p></html>", None, 200, None),
    (b"<html><p>octet-stream</p></html>", "application/octet-stream", 200, None),
    ("\ufeff<html><p>UTF-16</p></html>".encode("utf-16-le"), "text/html", 200, None),
    (b"<script>var a = 1;</script><div>news</div>", "text/html", 200, None),
    (b"\x89PNG\r\n\x1a\n....", "image/png", 200, "not_html"),
    (b'{"a": 1}', "application/json", 200, "not_html"),
    (b"\x89PNG\r\n\x1a\n....", "text/html", 200, "not_html"),
    (b'  {"html": "<p>x</p>"}', "text/html", 200, "not_html"),
    (b"(function(){window.x=1})();", "text/html", 200, "not_html"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "text/html", 200, "not_html"),
    (b"just some words", None, 200, "not_html"),
    (b"GIF89a\x00\x00", None, 200, "not_html"),
    (b"", "text/html", 200, "empty"),
    (b"<html>gone</html>", "text/html", 404, "http_404"),
    (b"<html>partial</html>", "text/html", 206, "http_206"),
    (b"", None, 301, "redirect"),
])
def test_html_is_chosen_by_content_type_and_a_payload_sniff(payload, content_type, status, reason):
    verdict = skip_reason(capture(payload, content_type, status))
    assert (verdict[0] if verdict else None) == reason
    if verdict:
        assert verdict[1]  # every skip says why


def test_a_javascript_heavy_news_page_is_kept(pages):
    """datatrove's libmagic guess called most real news pages JavaScript; we keep them all."""
    assert [p.url for p in pages if skip_reason(capture(p.html, "text/html"))] == []


# -- reading WARC files


def read_all(path: Path) -> tuple[list[Capture], list[Skip]]:
    items = list(iter_captures(path, 5_000_000))
    return ([i for i in items if isinstance(i, Capture)], [i for i in items if isinstance(i, Skip)])


@pytest.fixture
def plain_warc(tmp_path, pages):
    return write_warc(tmp_path / "plain.warc", pages[:4], gz=False, noise=False)


def test_reading_goes_on_after_garbage_between_records(tmp_path, plain_warc):
    good, _ = read_all(plain_warc)
    got, skips = read_all(damage(plain_warc, tmp_path / "garbage.warc", "garbage"))
    assert [s.reason for s in skips if s.reason == "malformed"] == ["malformed"]
    assert [c.url for c in got] == [c.url for c in good]  # nothing lost around the garbage


def test_a_record_cut_short_is_skipped_and_the_next_one_read(tmp_path, plain_warc):
    good, _ = read_all(plain_warc)
    got, skips = read_all(damage(plain_warc, tmp_path / "cut.warc", "cut_record"))
    assert "malformed" in {s.reason for s in skips} | {"truncated"} & {s.reason for s in skips}
    assert [c.url for c in got] == [c.url for c in good][1:]  # only the damaged record is lost


def test_a_file_cut_short_ends_with_a_truncated_record(tmp_path, plain_warc):
    good, _ = read_all(plain_warc)
    got, skips = read_all(damage(plain_warc, tmp_path / "end.warc", "cut_file"))
    assert skips[-1].reason == "truncated" and "cut short" in skips[-1].detail
    assert [c.url for c in got] == [c.url for c in good][:-1]


def test_payload_codings_are_undone_and_bad_ones_skipped(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    html = b"<html><body><p>hello</p></body></html>"
    chunked = b"6\r\n<html>\r\n" + f"{len(html) - 6:x}".encode() + b"\r\n" + html[6:] + b"\r\n0\r\n\r\n"
    cases = [("gz", gzip.compress(html), [("Content-Encoding", "gzip")]),
             ("chunked", chunked, [("Transfer-Encoding", "chunked")]),
             ("bad-gz", b"not gzip at all", [("Content-Encoding", "gzip")]),
             ("after", html, [])]
    path = tmp_path / "codings.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for name, body, headers in cases:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *headers],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.com/{name}", "response", payload=io.BytesIO(body),
                http_headers=http))
    got, skips = read_all(path)
    assert {c.url.rsplit("/", 1)[1]: c.payload for c in got} == {
        "gz": html, "chunked": html, "after": html}
    assert [(s.url.rsplit("/", 1)[1], s.reason) for s in skips] == [("bad-gz", "decode_error")]


def test_a_file_that_is_not_a_warc_is_one_malformed_record(tmp_path):
    path = tmp_path / "notes.warc"
    path.write_bytes(b"hello, this is not an archive\n" * 100)
    got, skips = read_all(path)
    assert got == [] and [s.reason for s in skips] == ["malformed"]


# -- backfill end to end


def test_backfill_keeps_every_article_and_counts_every_skip(backfilled, articles_expected):
    db, summary = backfilled
    with Store(db) as store:
        urls = {row[0] for row in store.db.execute("SELECT url FROM articles")}
        pages = store.db.execute("SELECT count(*) FROM pages").fetchone()[0]
        run = store.db.execute("SELECT command, status, new_articles, summary FROM runs").fetchall()
    assert urls == articles_expected
    assert pages == len(articles_expected)
    assert summary.counts["articles"] == len(articles_expected)
    assert summary.counts["not_article"] == PAGES - len(articles_expected)
    noise_sets = sum(len(range(0, len(range(i, PAGES, FILES)), 10)) for i in range(FILES))
    for reason, n in NOISE_REASONS.items():
        assert summary.counts[reason] == n * noise_sets, reason
    assert summary.counts["warcinfo"] == FILES
    assert summary.merged.new == len(articles_expected) and summary.failed == []
    assert summary.peak_rss_kb > 0
    assert [r[:3] for r in run] == [("backfill", "ok", len(articles_expected))]
    assert json.loads(run[0][3])["skipped"]["not_html"] == summary.counts["not_html"]


def test_each_skip_is_kept_in_the_shard_with_its_reason(backfilled):
    db, summary = backfilled
    reasons: dict[str, int] = {}
    for path in sorted(Path(summary.shard_dir).glob("*.shard")):
        for batch in shards.iter_rows(path, "skipped"):
            for row in batch:
                assert row["detail"] or row["reason"] == "not_article"
                reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
    assert reasons["not_html"] == summary.counts["not_html"]
    assert reasons["truncated"] == summary.counts["truncated"]
    assert "request" not in reasons  # records that never hold a page are only counted


def test_a_second_backfill_of_the_same_files_changes_nothing(backfilled, warcs, tmp_path):
    db, first = backfilled
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    again = backfill(warcs, copy, BackfillOptions(), workers=2, shard_dir=first.shard_dir)
    assert again.reused == FILES  # no WARC file read again
    assert (again.merged.new, again.merged.updated) == (0, 0)
    assert again.merged.unchanged == first.merged.records  # merged into this database too
    third = backfill(warcs, copy, BackfillOptions(), workers=2, shard_dir=first.shard_dir)
    assert third.reused == FILES and third.merged.records == 0  # merged here already
    merged, refused = merge_shards(sorted(Path(first.shard_dir).glob("*.shard")), copy)
    assert refused == [] and merged.new == 0 and merged.updated == 0
    assert merged.unchanged == first.merged.records
    same_database(db, copy)


def test_merge_into_a_fresh_database_equals_the_backfill(backfilled, tmp_path):
    db, summary = backfilled
    fresh = tmp_path / "fresh.db"
    result = CliRunner().invoke(merge_cmd, [summary.shard_dir, "--db", str(fresh), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["merged"]["new"] == summary.merged.new
    same_database(db, fresh)


def test_an_unfinished_shard_is_refused_by_merge(backfilled, tmp_path):
    _db, summary = backfilled
    finished = sorted(Path(summary.shard_dir).glob("*.shard"))[0]
    partial = tmp_path / "half.shard"
    partial.write_bytes(finished.read_bytes())
    with sqlite3.connect(partial) as conn:
        conn.execute("DELETE FROM shard WHERE key = 'done'")
    result = CliRunner().invoke(merge_cmd, [str(partial), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 1
    assert "not finished" in result.stdout


def test_the_crawlers_identity_rules_fold_url_variants_and_copies(tmp_path, pages):
    """A tracking-parameter variant, a redirect and a copy at another URL of one site all
    land on the article's one row, with every URL as a key of it."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = next(p for p in pages if extract_article(p.html, p.url).is_article
                and len(extract_article(p.html, p.url).body.split()) > 60)
    host = page.url.split("/")[2]
    variants = [page.url + "?utm_source=newsletter&utm_medium=email",
                f"https://{host}/print/copy-of-the-story"]
    path = tmp_path / "identity.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, status, body, headers in [
            (page.url, "200 OK", page.html, [("Content-Type", "text/html")]),
            (variants[0], "200 OK", page.html, [("Content-Type", "text/html")]),
            (variants[1], "200 OK", page.html.replace(b"rel=\"canonical\"", b"rel=\"x\""),
             [("Content-Type", "text/html")]),
            (f"https://{host}/old-address", "301 Moved Permanently", b"", [("Location", page.url)]),
        ]:
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1")))
    db = tmp_path / "identity.db"
    summary = backfill([path], db, BackfillOptions())
    with Store(db) as store:
        assert store.count_articles() == 1
        canonical = store.db.execute("SELECT canonical_url FROM articles").fetchone()[0]
        from scraper.urls import url_key

        for url in [page.url, *variants, f"https://{host}/old-address"]:
            assert store.article_key(url_key(url)) == canonical, url
    assert summary.merged.aliases == 1


def test_site_filter_config_and_dates_choose_the_articles(backfilled, warcs, tmp_path, pages,
                                                          articles_expected):
    host = pages[0].url.split("/")[2]
    wanted = {u for u in articles_expected if u.split("/")[2] == host}
    by_filter = backfill(warcs, tmp_path / "f.db", BackfillOptions(host_filter=(host,)))
    assert by_filter.counts["articles"] == len(wanted)
    assert by_filter.counts["off_site"] > 0
    site = SiteConfig(name="chosen", start_urls=(f"https://{host}/",))
    by_config = backfill(warcs, tmp_path / "c.db", BackfillOptions(sites=(site,)))
    with Store(tmp_path / "c.db") as store:
        assert {r[0] for r in store.db.execute("SELECT DISTINCT site FROM articles")} <= {"chosen"}
    assert by_config.counts["articles"] == len(wanted)
    future = backfill(warcs, tmp_path / "d.db", BackfillOptions(since="2030-01-01"))
    assert future.counts["articles"] == 0 and future.counts["out_of_range"] > 0
    with Store(backfilled[0]) as store:
        days = sorted(d for (d,) in store.db.execute("SELECT substr(published, 1, 10) FROM articles")
                      if d)
    middle = days[len(days) // 2]
    until = backfill(warcs, tmp_path / "u.db", BackfillOptions(until=middle))
    assert 0 < until.counts["articles"] < len(articles_expected)


def test_no_raw_keeps_a_reference_that_reextract_reads(backfilled, warcs, tmp_path):
    db = tmp_path / "noraw.db"
    summary = backfill(warcs, db, BackfillOptions(keep_raw=False))
    assert summary.merged.new == backfilled[1].merged.new
    with Store(db) as store:
        encodings = {r[0] for r in store.db.execute("SELECT content_encoding FROM pages")}
        size = store.db.execute("SELECT sum(length(content)) FROM pages").fetchone()[0]
    assert encodings == {"warc"} and size < 200 * summary.merged.new
    result = CliRunner().invoke(_reextract(), ["--db", str(db), "--workers", "2",
                                               "--shard-size", "5"])
    assert result.exit_code == 0, result.output
    assert f"re-extracted {summary.merged.new} articles" in result.stdout
    assert "0 rows changed" in result.stdout and " 0 failed" in result.stdout


def _reextract():
    from scraper.commands.reextract import reextract_cmd

    return reextract_cmd


def test_reextract_in_parallel_restores_rows_over_page_ranges(backfilled, tmp_path):
    db = tmp_path / "re.db"
    with sqlite3.connect(backfilled[0]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET body = 'damaged', record_hash = 'old' "
                     "WHERE rowid % 2 = 0")
        damaged = conn.execute("SELECT changes()").fetchone()[0]
    result = CliRunner().invoke(_reextract(), ["--db", str(db), "--engine", "local",
                                               "--workers", "2", "--shard-size", "4"])
    assert result.exit_code == 0, result.output
    assert f"{damaged} rows changed (0 new, {damaged} updated)" in result.stdout
    assert rows(db, "articles", ARTICLE_VOLATILE + ("record_hash",)) != []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE body = 'damaged'").fetchone()[0] == 0
        assert conn.execute("SELECT command, status FROM runs ORDER BY id DESC").fetchone() == (
            "reextract", "ok")


# -- the command


def test_backfill_command_prints_a_summary_and_json(warcs, tmp_path, articles_expected):
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(backfill_cmd, [*map(str, warcs[:1]), "--db", str(db), "--json",
                                               "--workers", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == 1 and data["records"] > data["articles"] > 0
    assert data["skipped"]["truncated"] >= 1
    text = CliRunner().invoke(backfill_cmd, [str(warcs[0].parent / "*.warc.gz"), "--db", str(db)])
    assert text.exit_code == 0, text.output
    assert "3 WARC files (1 finished before)" in text.stdout
    assert "skipped:" in text.stdout and "not_html" in text.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["nothing-here-*.warc.gz"], "no WARC file matches"),
    (["{warc}", "--site-filter", "a.com", "--config", "x.toml"], "not both"),
    (["{warc}", "--since", "yesterday"], "expected a date"),
])
def test_backfill_usage_errors_exit_2(warcs, tmp_path, args, message):
    args = [a.replace("{warc}", str(warcs[0])) for a in args]
    result = CliRunner().invoke(backfill_cmd, [*args, "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert message in result.stderr


def test_backfill_waits_for_no_one_holding_the_database_lock(warcs, tmp_path):
    from scraper.lock import RunLock

    db = tmp_path / "locked.db"
    with RunLock(db):
        result = CliRunner().invoke(backfill_cmd, [str(warcs[0]), "--db", str(db)])
    assert result.exit_code == 3


def test_inputs_are_expanded_in_order_once(warcs):
    folder = warcs[0].parent
    assert expand_inputs([str(warcs[1]), str(folder)]) == [warcs[1], *[w for w in warcs if w != warcs[1]]]


def test_damaged_files_are_counted_and_never_stop_the_job(tmp_path, plain_warc):
    garbage = damage(plain_warc, tmp_path / "garbage.warc", "garbage")
    cut = damage(plain_warc, tmp_path / "cut.warc", "cut_file")
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"\x00\x01 not an archive " * 50)
    result = CliRunner().invoke(backfill_cmd, [str(garbage), str(cut), str(junk), "--db",
                                               str(tmp_path / "d.db"), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failed"] == [] and data["files"] == 3
    assert data["skipped"]["malformed"] == 2 and data["skipped"]["truncated"] == 1
    assert data["merged"]["new"] == 4  # every page of the damaged copies is still stored


def test_shards_of_an_earlier_version_with_gzip_pages_still_merge(backfilled, tmp_path):
    """Shards keep raw pages without a label; before zstd they held gzip. A backfill resumed
    after an upgrade merges such shards: each page is stored as it was packed, and reads
    back to the bytes its hash names."""
    import gzip
    import hashlib
    import shutil

    import zstandard

    _, summary = backfilled
    old = tmp_path / "old-shards"
    shutil.copytree(summary.shard_dir, old)
    repacked = 0
    for shard in sorted(old.glob("*.shard")):
        with sqlite3.connect(shard) as conn:
            for rowid, content in conn.execute(
                    "SELECT rowid, content FROM records WHERE content IS NOT NULL").fetchall():
                raw = zstandard.ZstdDecompressor().decompress(content)
                conn.execute("UPDATE records SET content = ? WHERE rowid = ?",
                             [gzip.compress(raw), rowid])
                repacked += 1
    assert repacked > 0
    db = tmp_path / "merged.db"
    merged, refused = merge_shards(sorted(old.glob("*.shard")), db)
    assert refused == [] and merged.new == summary.merged.new
    with Store(db) as store:
        pages = store.db.execute("SELECT id, content_encoding, content_hash FROM pages").fetchall()
        assert {encoding for _, encoding, _ in pages} == {"gzip"}
        for page_id, _, content_hash in pages:
            assert hashlib.sha256(store.load_page(page_id).content).hexdigest() == content_hash
