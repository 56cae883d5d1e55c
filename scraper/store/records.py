"""What the store reads and writes, as plain records: rows <-> `Article` and `Page`, the
record hash that tells an updated article from an unchanged one, packed raw pages, and the
store's one error type. No database connection here."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import zstandard

from ..migrations import date_columns
from ..models import Article, Page


class StoreError(Exception):
    """The database could not be opened or written (translated from sqlite3 errors)."""


@dataclass(frozen=True)
class StoredPage:
    """A raw page read back from `pages`, ready for re-extraction."""

    id: int
    site: str | None
    page: Page


# what a new version of an article is: a change in one of these (README, `article_versions`)
VERSIONED_FIELDS = ("headline", "standfirst", "body", "byline")
_PROVENANCE = ("url", "extractor", "published_source", "byline_source")


def _record_hash(article: Article) -> str:
    """Hash of what the extractor produced, to tell 'updated' from 'unchanged'. Provenance
    (where a field came from) is no content; `access` counts only when the page is not whole,
    so rows stored before it existed keep their hash."""
    data = article.to_dict()
    for volatile in _PROVENANCE:
        data.pop(volatile, None)
    if data.get("access") == "full":
        data.pop("access", None)
        data.pop("access_reason", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _article_row(article: Article, page_id: int | None, now: str,
                 run_id: int | None = None) -> dict[str, Any]:
    return {
        "canonical_url": article.canonical_url,
        "url": article.url,
        "site": article.site,
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": article.body,
        "byline": article.byline,
        "authors": json.dumps(list(article.authors), ensure_ascii=False),
        "published": article.published,
        "modified": article.modified,
        "language": article.language,
        "description": article.description,
        "image": article.image,
        "section": article.section,
        "tags": json.dumps(list(article.tags), ensure_ascii=False),
        "word_count": article.word_count,
        "extractor": article.extractor,
        "record_hash": _record_hash(article),
        "page_id": page_id,
        "first_seen": now,
        "updated_at": now,
        **date_columns(article.published, article.modified),
        "published_source": article.published_source,
        "byline_source": article.byline_source,
        "access": article.access or "full",
        "access_reason": article.access_reason,
        "run_id": run_id,
    }


def article_from_row(row: dict[str, Any]) -> Article:
    return Article(
        url=row["url"], canonical_url=row["canonical_url"], site=row["site"],
        headline=row["headline"], standfirst=row["standfirst"], body=row["body"] or "",
        byline=row["byline"], authors=tuple(json.loads(row["authors"] or "[]")),
        published=row["published"], modified=row["modified"], language=row["language"],
        description=row["description"], image=row["image"], section=row["section"],
        tags=tuple(json.loads(row["tags"] or "[]")), word_count=row["word_count"] or 0,
        extractor=row["extractor"] or "",
        published_source=row.get("published_source"), byline_source=row.get("byline_source"),
        access=row.get("access") or "full", access_reason=row.get("access_reason"),
    )


def _page_from_row(row: dict[str, Any]) -> Page:
    content = unpack_content(row["content"] or b"", row["content_encoding"])
    return Page(url=row["url"], final_url=row["final_url"], status=row["status"],
                headers=tuple(tuple(h) for h in json.loads(row["headers"] or "[]")),
                content=content, fetched_at=row["fetched_at"], elapsed_ms=row["elapsed_ms"] or 0.0)


def _filters(site: str | None, since_column: str, since: str | None,
             *fixed: str) -> tuple[str, list[str]]:
    """A WHERE clause for the optional --site and --since filters of the CLI."""
    conditions, params = list(fixed), []
    if site:
        conditions.append("site = ?")
        params.append(site)
    if since:
        conditions.append(f"{since_column} >= ?")
        params.append(since)
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


@dataclass
class RunRecord:
    """What a command tells its `runs` row (`Store.recorded_run`)."""

    id: int
    totals: dict[str, int] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


# How `pages.content` holds a raw page written now. Rows written before keep theirs ("gzip"),
# and every reader goes through `unpack_content`. zstd at level 3, against gzip at level 3,
# over the 607 corpus pages (145 KB on average): 0.49 ms a page instead of 1.28, and 10 %
# smaller (0.197 of the page's size against 0.220).
RAW_ENCODING = "zstd"
ZSTD_LEVEL = 3
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZSTD_STEP = 1024  # compressed bytes fed at a time when decompressing within a limit
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class PackedContent:
    """A raw page as `pages` keeps it: compressed bytes, the SHA-256 of the original, and
    the compression (`pages.content_encoding`)."""

    data: bytes
    sha256: str
    encoding: str = RAW_ENCODING


def pack_content(content: bytes) -> PackedContent:
    """Compress a raw page for `pages` (RAW_ENCODING). A compressor per call: this runs in
    threads and processes alike, and one costs microseconds."""
    return PackedContent(zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(content),
                         hashlib.sha256(content).hexdigest())


def unpack_content(data: bytes, encoding: str | None) -> bytes:
    """A raw page back from `pages.content` compressed as `encoding` says ("zstd", "gzip",
    or "identity"/None for bytes kept as they are)."""
    if encoding == "zstd":
        return zstandard.ZstdDecompressor().decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    return data


def unzstd_bounded(data: bytes, limit: int) -> bytes:
    """zstd bytes from outside (a raw page copied out of `pages.content` into a file), every
    frame decompressed; OverflowError past `limit` bytes, ValueError if they do not
    decompress or end mid-frame. Fed `_ZSTD_STEP` bytes at a time: a zstd block expands at
    most about 32,000 times, so a bomb overshoots the limit by 32 MB at most."""
    out: list[bytes] = []
    size = 0
    try:
        while data:
            frame = zstandard.ZstdDecompressor().decompressobj()
            pos = 0
            while not frame.eof and pos < len(data):
                chunk = frame.decompress(data[pos:pos + _ZSTD_STEP])
                pos += _ZSTD_STEP
                size += len(chunk)
                out.append(chunk)
                if size > limit:
                    raise OverflowError
            if not frame.eof:
                raise ValueError("truncated zstd data")
            data = frame.unused_data + data[pos:]
    except zstandard.ZstdError as exc:
        raise ValueError(str(exc)) from exc
    return b"".join(out)


def sniff_encoding(data: bytes) -> str:
    """The compression of packed bytes kept without a label (a backfill shard's raw pages,
    written as gzip by earlier versions and as RAW_ENCODING now; a saved page given to
    `scraper extract`), by their first bytes."""
    if data.startswith(_ZSTD_MAGIC):
        return "zstd"
    return "gzip" if data.startswith(_GZIP_MAGIC) else "identity"


