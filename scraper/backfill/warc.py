"""Reading WARC files (the only FastWARC importer): each record becomes a `Capture` (an HTTP
response or resource, its payload decoded) or a `Skip` with a reason. Never raises on bad
input: a record that cannot be read is a `Skip("malformed")`, and reading resumes at the next
record the file still holds.

FastWARC reads plain and gzip (one member per record) WARC 1.0/1.1 files. It is asked for the
raw record block only (no HTTP parsing, no decoding): its automatic decoding raises from the
iterator on one bad chunk or gzip stream, which would end the whole file. Here the HTTP head is
split off by hand, chunked transfer coding is undone when it is valid (some archivers store
the body de-chunked but keep the header, so an invalid one is kept as it is, as warcio does),
and Content-Encoding is undone by `scraper.content_coding` under the page size budget.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastwarc.warc import ArchiveIterator

from ..content_coding import CodingError, CodingTooLarge, ContentDecoder

log = logging.getLogger(__name__)

# record types that hold no page: counted, never kept, no row per record in the shard
NOT_PAGES = frozenset({"warcinfo", "request", "metadata", "conversion", "continuation"})
_SCAN = 1 << 20  # bytes read at a time when looking for the next record after bad data
_STATUS = re.compile(rb"HTTP/\d(?:\.\d)?\s+(\d{3})")


@dataclass(frozen=True)
class Capture:
    """One archived HTTP response (or resource record) with its payload decoded."""

    offset: int  # where the record starts in the file (compressed offset for .warc.gz)
    url: str  # WARC-Target-URI
    date: str  # WARC-Date, ISO 8601 UTC
    status: int
    headers: tuple[tuple[str, str], ...]
    payload: bytes
    record_type: str  # "response" or "resource"

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True)
class Skip:
    """A record not kept, and why (`reason` is a short machine-friendly word)."""

    offset: int
    url: str | None
    reason: str
    detail: str = ""


def iter_captures(path: str | Path, max_bytes: int) -> Iterator[Capture | Skip]:
    """Every record of a WARC file as a Capture or a Skip, in file order. Records larger than
    `max_bytes` are skipped unread ("too_large").

    Each record is handed on only once the next one has been found, because a record whose
    bytes were cut out of the middle of a plain file reads as a whole one (its length runs
    into the next record) and only the next read fails: when the next record start found
    then lies inside it, it is reported as malformed instead."""
    size = os.path.getsize(path)
    start: int | None = 0
    while start is not None and start < size:
        pending: tuple[Capture | Skip, int] | None = None  # (item, where its block ends)
        try:
            with open(path, "rb") as stream:
                gzipped = stream.read(2) == b"\x1f\x8b"
                stream.seek(start)
                for record in ArchiveIterator(stream, parse_http=False, auto_decode="none"):
                    if pending:
                        yield pending[0]
                    pending = (_capture(record, max_bytes),
                               record.stream_pos + record.content_length)
            if pending:
                yield pending[0]
            return
        except (OSError, ValueError) as exc:  # FastWARC's parse errors are OSError
            at = pending[0].offset if pending else start
            start = _next_record(path, at + 1)
            if pending:
                item, end = pending
                if not gzipped and start is not None and start < end and isinstance(item, Capture):
                    item = Skip(item.offset, item.url, "malformed",
                                "the record runs into the next one (bytes missing)")
                yield item
            yield Skip(at, None, "malformed", f"unreadable WARC data after offset {at}: {exc}")
            if start is not None:
                log.info("%s: resuming at offset %d after bad data", path, start)


def read_capture(path: str | Path, offset: int, max_bytes: int) -> Capture | Skip:
    """The record that starts at `offset` (as `Capture.offset` gave it), e.g. to re-extract a
    page kept by reference (`backfill --no-raw`)."""
    try:
        with open(path, "rb") as stream:
            stream.seek(offset)
            for record in ArchiveIterator(stream, parse_http=False, auto_decode="none"):
                return _capture(record, max_bytes)
    except (OSError, ValueError) as exc:
        return Skip(offset, None, "malformed", f"cannot read the record at {path}:{offset}: {exc}")
    return Skip(offset, None, "malformed", f"no record at {path}:{offset}")


def _capture(record, max_bytes: int) -> Capture | Skip:
    kind = str(record.record_type)
    headers = record.headers
    offset = record.stream_pos
    url = headers.get("WARC-Target-URI")
    if kind in NOT_PAGES:
        return Skip(offset, url, kind)
    if kind == "revisit":
        return Skip(offset, url, "revisit",
                    f"refers to {headers.get('WARC-Refers-To-Target-URI') or 'an earlier record'}")
    if kind not in ("response", "resource"):
        return Skip(offset, url, "malformed", f"unknown record type {kind!r}")
    if not url or not url.lower().startswith(("http://", "https://")):
        return Skip(offset, url, "not_http", f"target URI {url!r} is not http(s)")
    declared = record.content_length
    if declared > max_bytes + 65536:  # room for the HTTP head
        return Skip(offset, url, "too_large", f"record of {declared} bytes")
    try:
        block = record.reader.read()
    except (OSError, ValueError) as exc:
        return Skip(offset, url, "malformed", f"record unreadable: {exc}")
    if len(block) < declared:
        return Skip(offset, url, "truncated", f"record cut short: {len(block)} of {declared} bytes")
    truncated = headers.get("WARC-Truncated")
    if truncated:
        return Skip(offset, url, "truncated", f"the archiver truncated it (WARC-Truncated: {truncated})")
    date = headers.get("WARC-Date") or ""
    if kind == "resource":
        content_type = headers.get("Content-Type") or ""
        return Capture(offset, url, date, 200, (("Content-Type", content_type),), block, kind)
    head = _split_http(block)
    if isinstance(head, str):
        return Skip(offset, url, "malformed", head)
    status, http_headers, body = head
    body = _decoded(body, http_headers, max_bytes)
    if isinstance(body, tuple):
        return Skip(offset, url, *body)
    return Capture(offset, url, date, status, http_headers, body, kind)


def _split_http(block: bytes) -> tuple[int, tuple[tuple[str, str], ...], bytes] | str:
    """(status, headers, body) of an HTTP response block, or why it is not one."""
    end, gap = block.find(b"\r\n\r\n"), 4
    if end < 0:
        end, gap = block.find(b"\n\n"), 2
    if end < 0:
        return "no end of the HTTP header block"
    lines = re.split(rb"\r?\n", block[:end])
    status = _STATUS.match(lines[0])
    if status is None:
        return f"bad HTTP status line {lines[0][:60]!r}"
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        text = line.decode("latin-1")
        if text[:1] in (" ", "\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}")
        elif ":" in text:
            name, value = text.split(":", 1)
            headers.append((name.strip(), value.strip()))
    return int(status.group(1)), tuple(headers), block[end + gap:]


def _decoded(body: bytes, headers: tuple[tuple[str, str], ...],
             max_bytes: int) -> bytes | tuple[str, str]:
    """The payload with transfer and content codings undone, or (reason, detail)."""
    values = {k.lower(): v for k, v in headers}
    if "chunked" in values.get("transfer-encoding", "").lower():
        body = _dechunk(body) or body
    codings = [c for c in values.get("content-encoding", "").split(",") if c.strip()]
    if not codings:
        return body
    try:
        decoder = ContentDecoder(codings, budget=max_bytes)
        return b"".join(decoder.feed(body))
    except CodingTooLarge as exc:
        return "too_large", str(exc)
    except CodingError as exc:
        return "decode_error", str(exc)


def _dechunk(body: bytes) -> bytes | None:
    """The body of a valid chunked transfer coding, else None."""
    out, at = [], 0
    while True:
        line_end = body.find(b"\r\n", at)
        if line_end < 0:
            return None
        size_text = body[at:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return None
        if size == 0:
            return b"".join(out)
        start = line_end + 2
        if start + size > len(body):
            return None
        out.append(body[start:start + size])
        at = start + size + 2


def _next_record(path: str | Path, after: int) -> int | None:
    """The offset of the next plausible record start after `after`: a gzip member header in a
    compressed file, a "WARC/1.x" line in a plain one."""
    with open(path, "rb") as stream:
        gzipped = stream.read(2) == b"\x1f\x8b"
        marker = b"\x1f\x8b\x08" if gzipped else b"WARC/1."
        at = after
        while True:
            stream.seek(at)
            chunk = stream.read(_SCAN + len(marker))
            if len(chunk) < len(marker):
                return None
            found = chunk.find(marker)
            if found >= 0:
                return at + found
            at += _SCAN
