"""Datasette plugin (loaded by `make explore` with --plugins-dir): SQL functions for the
canned queries of config/datasette.yml.

- `gunzip_text(content)`: a `pages.content` blob (gzip) as text, to read an article's raw page;
- `author_key(name)`: a name as `authors.key` normalises it (case, accents, punctuation), so
  "everything by an author" finds the person however the name is typed.
"""

from __future__ import annotations

import gzip

from datasette import hookimpl


def gunzip_text(content: bytes | None) -> str | None:
    if content is None:
        return None
    try:
        return gzip.decompress(content).decode("utf-8", errors="replace")
    except (OSError, EOFError):  # not gzip: stored as is
        return bytes(content).decode("utf-8", errors="replace")


def author_key(name: str | None) -> str | None:
    from scraper.authors import author_key as key

    return key(name) if name else None


@hookimpl
def prepare_connection(conn):
    conn.create_function("gunzip_text", 1, gunzip_text, deterministic=True)
    conn.create_function("author_key", 1, author_key, deterministic=True)
