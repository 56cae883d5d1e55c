"""Export stored articles, newest first (`published_utc`), streamed from one SQLite cursor:
memory stays flat whatever the number of rows. One record per article: the README's
columns, the page's fetch time, and provenance (`first_seen`, `updated_at`, `fetched_at`,
`page_id`, `record_hash`, `extractor`, `run_id`).

Formats: JSON Lines, JSON (one array, written element by element), CSV, Parquet (typed
columns, `export_parquet.py`, pyarrow) and WARC (the stored raw responses plus a metadata
record per article, `export_warc.py`, warcio).

CSV cells that a spreadsheet would run as a formula (they begin with `=`, `+`, `-`, `@`, a
tab or a carriage return) are prefixed with a single quote, as OWASP recommends against CSV
injection: a hostile headline stays text. JSON is written as stored.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .models import Article
from .query import Where

FORMATS = ("jsonl", "json", "csv", "parquet", "warc")
TEXT_FORMATS = ("jsonl", "json", "csv")
# every exported field, in order, with the SQL that reads it (articles a, pages p)
FIELDS: dict[str, str] = {name: f"a.{name}" for name in (
    "canonical_url", "url", "site", "headline", "standfirst", "body", "byline", "authors",
    "published", "published_utc", "published_date_only", "published_day", "modified",
    "modified_utc", "modified_date_only", "language", "description", "image", "section",
    "tags", "word_count", "access", "access_reason", "published_source", "byline_source",
    "first_seen", "updated_at")}
FIELDS["fetched_at"] = "p.fetched_at"
FIELDS.update({name: f"a.{name}" for name in ("page_id", "record_hash", "extractor", "run_id")})
_LIST_FIELDS = ("authors", "tags")
_FLAG_FIELDS = ("published_date_only", "modified_date_only")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# the raw page, for WARC only
PAGE_FIELDS = {"p_url": "p.url", "p_final_url": "p.final_url", "p_status": "p.status",
               "p_headers": "p.headers", "p_content": "p.content",
               "p_content_encoding": "p.content_encoding", "p_fetched_at": "p.fetched_at"}


def csv_safe(value: object) -> object:
    """A cell that cannot start a spreadsheet formula (OWASP CSV injection): text beginning
    with = + - @ tab or CR gets a leading single quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def parse_fields(spec: str | None) -> list[str]:
    """`--fields a,b,c` -> the list, checked; None -> every field. Raises ValueError."""
    if not spec:
        return list(FIELDS)
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIELDS]
    if unknown or not names:
        raise ValueError(f"--fields: unknown {', '.join(map(repr, unknown)) or 'nothing given'}"
                         f" (fields: {', '.join(FIELDS)})")
    return list(dict.fromkeys(names))


def iter_records(conn: sqlite3.Connection, where: Where, fields: list[str],
                 with_page: bool = False) -> Iterator[dict[str, Any]]:
    """The filtered articles as export records, newest first, one row in memory at a time.
    With `with_page`, each record also carries its raw page (`p_*` keys, for WARC)."""
    columns = {name: FIELDS[name] for name in fields}
    if with_page:
        columns.update(PAGE_FIELDS)
    sql = (f"SELECT {', '.join(f'{sql} AS {name}' for name, sql in columns.items())} "
           f"FROM articles a LEFT JOIN pages p ON p.id = a.page_id WHERE {where.sql} "
           "ORDER BY a.published_utc DESC, a.canonical_url")
    cursor = conn.execute(sql, where.params)
    names = [d[0] for d in cursor.description]
    try:
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            for name in _LIST_FIELDS:
                if name in record:
                    record[name] = json.loads(record[name] or "[]")
            for name in _FLAG_FIELDS:
                if name in record and record[name] is not None:
                    record[name] = bool(record[name])
            yield record
    finally:
        try:
            cursor.close()
        except sqlite3.ProgrammingError:  # the database was closed first
            pass


def write_records(records: Iterable[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Write records as JSON Lines, JSON or CSV to a text stream; returns how many."""
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"unknown text export format {fmt!r}; use one of {', '.join(TEXT_FORMATS)}")
    count = 0
    writer = None
    if fmt == "json":
        out.write("[")
    for record in records:
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif fmt == "json":
            out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record))
                writer.writeheader()
            for name in _LIST_FIELDS:  # lists become "a; b" so a spreadsheet shows them
                if name in record:
                    record[name] = "; ".join(record[name])
            writer.writerow({key: csv_safe(value) for key, value in record.items()})
        count += 1
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    return count


def write_articles(articles: Iterable[Article], out: TextIO, fmt: str) -> int:
    """Write Article records (not read from a database) as JSON Lines, JSON or CSV."""
    return write_records((a.to_dict() for a in articles), out, fmt)
