"""WARC export (warcio, the `warc` extra): for each article, its stored raw response as a
`response` record (status line and headers as received, the body as stored) and a
`metadata` record holding the article as JSON, which refers to the response
(`WARC-Concurrent-To`). One `warcinfo` record opens the file. Every record is its own gzip
member, as pywb, warcio and Common Crawl's tools expect.

The stored body is the decoded one (the fetcher undid any Content-Encoding), so the
`Content-Encoding` and `Transfer-Encoding` headers are left out and `Content-Length` gives
the stored length: the record is self-consistent and replays as received.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from .store import unpack_content

_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}


def warc_date(value: str | None) -> str | None:
    """An ISO 8601 UTC time as WARC-Date wants it (`2024-05-14T07:30:00Z`)."""
    if not value:
        return None
    return value.replace("+00:00", "Z") if value.endswith("+00:00") else value


def _status_line(status: int | None) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except (ValueError, TypeError):
        return f"{status or 200} OK"


def write_warc(records: Iterable[dict[str, Any]], out: BinaryIO, software: str,
               filename: str = "articles.warc.gz") -> int:
    """Write a gzipped WARC of the records (each with its `p_*` page columns); returns how
    many articles were written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": software, "format": "WARC File Format 1.1",
        "description": "news articles exported by `scraper export --format warc`: the raw "
                       "response of each, then its extracted record as JSON (metadata)"}))
    written_pages: set[int] = set()  # an id per page: a page two rows share is written once
    count = 0
    for record in records:
        page = {k[2:]: record.pop(k) for k in list(record) if k.startswith("p_")}
        target = page.get("final_url") or record.get("url") or record.get("canonical_url")
        date = warc_date(page.get("fetched_at") or record.get("updated_at"))
        response_id = None
        page_id = record.get("page_id")
        if page.get("content") is not None and page_id not in written_pages:
            body = unpack_content(page["content"], page.get("content_encoding"))
            headers = [(k, v) for k, v in json.loads(page.get("headers") or "[]")
                       if k.lower() not in _DROPPED]
            headers.append(("Content-Length", str(len(body))))
            http = StatusAndHeaders(_status_line(page.get("status")), headers,
                                    protocol="HTTP/1.1")
            response = writer.create_warc_record(
                target, "response", payload=BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date} if date else None)
            writer.write_record(response)
            response_id = response.rec_headers.get_header("WARC-Record-ID")
            written_pages.add(page_id)
        meta = json.dumps(record, ensure_ascii=False, default=str).encode("utf-8")
        extra = {"WARC-Date": date} if date else {}
        if response_id:
            extra["WARC-Concurrent-To"] = response_id
        writer.write_record(writer.create_warc_record(
            target, "metadata", payload=BytesIO(meta), length=len(meta),
            warc_content_type="application/json", warc_headers_dict=extra))
        count += 1
    return count


def write_warc_file(records: Iterable[dict[str, Any]], path: Path, software: str) -> int:
    with open(path, "wb") as out:
        return write_warc(records, out, software, filename=path.name)
