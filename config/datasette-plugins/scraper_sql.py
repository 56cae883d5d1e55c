"""Datasette plugin (loaded by `make explore` with --plugins-dir): SQL functions for the
canned queries of config/datasette.yml.

- `page_text(content, content_encoding)`: a `pages.content` blob as text, decompressed as its
  `content_encoding` says (zstd, or gzip in rows of earlier versions), to read an article's
  raw page; `gunzip_text(content)`, its name before zstd, still works (it tells the two
  apart by their first bytes);
- `author_key(name)`: a name as `authors.key` normalises it (case, accents, punctuation), so
  "everything by an author" finds the person however the name is typed.
"""

from __future__ import annotations

from datasette import hookimpl


def page_text(content: bytes | None, encoding: str | None = None) -> str | None:
    from scraper.store import sniff_encoding, unpack_content

    if content is None:
        return None
    content = bytes(content)
    try:
        raw = unpack_content(content, encoding or sniff_encoding(content))
    except Exception:  # noqa: BLE001 - corrupt or mislabelled: shown as stored
        raw = content
    return raw.decode("utf-8", errors="replace")


def gunzip_text(content: bytes | None) -> str | None:
    return page_text(content)


def author_key(name: str | None) -> str | None:
    from scraper.authors import author_key as key

    return key(name) if name else None


@hookimpl
def prepare_connection(conn):
    conn.create_function("page_text", 2, page_text, deterministic=True)
    conn.create_function("gunzip_text", 1, gunzip_text, deterministic=True)
    conn.create_function("author_key", 1, author_key, deterministic=True)
