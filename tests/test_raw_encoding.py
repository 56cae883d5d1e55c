"""Raw pages are kept as zstd now and as gzip by earlier versions: both read back the same,
through the store, the WARC export and a backfill merge of an old shard (real SQLite files)."""

from __future__ import annotations

import gzip
import hashlib
import json

from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from scraper.cli import cli
from scraper.store import Store, pack_content, sniff_encoding, unpack_content

from .test_store import make_article, make_page

HTML = ("<html><body>" + "".join(f"<p>Paragraph {i} of the story, told once.</p>"
                                 for i in range(400)) + "</body></html>").encode()


def _insert_gzip_row(store: Store, url: str) -> int:
    """A `pages` row as versions before zstd wrote it."""
    store.db.execute(
        "INSERT INTO pages (url, final_url, site, status, headers, content, content_encoding, "
        "content_hash, size, fetched_at, elapsed_ms) VALUES (?, ?, 'example', 200, ?, ?, "
        "'gzip', ?, ?, '2024-05-01T10:00:00+00:00', 0)",
        [url, url, json.dumps([["Content-Type", "text/html"]]), gzip.compress(HTML),
         hashlib.sha256(HTML).hexdigest(), len(HTML)])
    store.db.conn.commit()
    return store.db.execute("SELECT id FROM pages WHERE url = ?", [url]).fetchone()[0]


def test_new_pages_are_zstd_old_gzip_rows_read_back_the_same(tmp_path):
    with Store(tmp_path / "a.db") as store:
        new = store.save_page(make_page(HTML, url="https://news.example/new"), site="example")
        old = _insert_gzip_row(store, "https://news.example/old")
        rows = dict(store.db.execute("SELECT id, content_encoding FROM pages").fetchall())
        assert rows == {new: "zstd", old: "gzip"}
        assert store.load_page(new).content == HTML and store.load_page(old).content == HTML
        packed = store.db.execute("SELECT content FROM pages WHERE id = ?", [new]).fetchone()[0]
        assert packed != HTML and len(packed) < len(gzip.compress(HTML, 3))


def test_the_warc_export_reads_both_encodings(tmp_path):
    with Store(tmp_path / "a.db") as store:
        ids = [store.save_page(make_page(HTML, url="https://news.example/new"), site="example"),
               _insert_gzip_row(store, "https://news.example/old")]
        for page_id, url in zip(ids, ["https://news.example/new", "https://news.example/old"],
                                strict=True):
            store.upsert_article(make_article(url=url, canonical_url=url, body=url), page_id)
    out = tmp_path / "both.warc.gz"
    result = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "a.db"), "--format",
                                      "warc", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with out.open("rb") as fh:
        bodies = [r.content_stream().read() for r in ArchiveIterator(fh)
                  if r.rec_type == "response"]
    assert bodies == [HTML, HTML]


def test_unlabelled_packed_bytes_are_sniffed():
    assert sniff_encoding(pack_content(HTML).data) == "zstd"
    assert sniff_encoding(gzip.compress(HTML)) == "gzip"
    assert sniff_encoding(HTML) == "identity"
    for data in (pack_content(HTML).data, gzip.compress(HTML), HTML):
        assert unpack_content(data, sniff_encoding(data)) == HTML
