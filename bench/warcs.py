"""Small WARC files made here, for the backfill tests and `make bench-scale` (warcio writes
them; nothing is downloaded): the corpus's real article pages as HTTP responses, mixed with
the records a real archive also holds — request and metadata records, images, JSON, CSS,
redirects, 404s, revisit records, a record the archiver truncated, an HTML-declared PNG,
and a page with no Content-Type — and, on request, damage: garbage between records, a
record cut short in the middle of a file, a file cut short at its end.

    from bench.warcs import corpus_pages, write_warcs
    paths = write_warcs(out_dir, corpus_pages(), files=4, noise=True)
"""

from __future__ import annotations

import gzip
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "zyte-dev"
WARC_DATE = "2024-05-01T12:00:00Z"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")


@dataclass(frozen=True)
class CorpusPage:
    url: str
    html: bytes


def corpus_pages(corpus: Path = CORPUS, limit: int | None = None) -> list[CorpusPage]:
    """A corpus's pages with their original URLs, in a stable order (zyte-dev by default;
    web-checks-dev, whose index is checks.json, works too)."""
    index = corpus / "ground-truth.json"
    if not index.exists():
        index = corpus / "checks.json"
    truth = json.loads(index.read_text(encoding="utf-8"))
    pages = [CorpusPage(truth[key]["url"].strip(),
                        gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()))
             for key in sorted(truth)]
    return pages[:limit] if limit else pages


def _writer(stream, gz: bool):
    from warcio.warcwriter import WARCWriter

    return WARCWriter(stream, gzip=gz)


def _response(w, url: str, body: bytes, headers: list[tuple[str, str]], status: str = "200 OK",
              extra: dict[str, str] | None = None):
    from warcio.statusandheaders import StatusAndHeaders

    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    return w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                warc_headers_dict={"WARC-Date": WARC_DATE, **(extra or {})})


def noise_records(w, base: str, n: int) -> list:
    """Records of a real archive that are not pages to extract (one of each kind)."""
    from warcio.statusandheaders import StatusAndHeaders

    request = w.create_warc_record(
        f"{base}/page-{n}", "request", payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET /page-{n} HTTP/1.1", [("Host", "example.org")],
                                      is_http_request=True),
        warc_headers_dict={"WARC-Date": WARC_DATE})
    metadata = w.create_warc_record(f"{base}/page-{n}", "metadata",
                                    payload=io.BytesIO(b"via: test\r\n"),
                                    warc_content_type="application/warc-fields",
                                    warc_headers_dict={"WARC-Date": WARC_DATE})
    revisit = w.create_revisit_record(f"{base}/again-{n}", digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                      refers_to_uri=f"{base}/page-{n}", refers_to_date=WARC_DATE,
                                      warc_headers_dict={"WARC-Date": WARC_DATE})
    return [
        request, metadata, revisit,
        _response(w, f"{base}/img-{n}.png", PNG, [("Content-Type", "image/png")]),
        _response(w, f"{base}/api-{n}.json", b'{"items": [1, 2, 3]}',
                  [("Content-Type", "application/json")]),
        _response(w, f"{base}/style-{n}.css", b"body { color: red }", [("Content-Type", "text/css")]),
        _response(w, f"{base}/old-{n}", b"", [("Location", f"{base}/page-{n}")], "301 Moved Permanently"),
        _response(w, f"{base}/missing-{n}", b"<html><body>Not found</body></html>",
                  [("Content-Type", "text/html")], "404 Not Found"),
        _response(w, f"{base}/fake-{n}.html", PNG, [("Content-Type", "text/html")]),
        _response(w, f"{base}/cut-{n}", b"<html><head><title>Cut", [("Content-Type", "text/html")],
                  extra={"WARC-Truncated": "length"}),
        _response(w, f"{base}/js-{n}", b"(function(){var a=1;window.x=a;})();",
                  [("Content-Type", "text/html")]),
    ]


NOISE_REASONS = {"request": 1, "metadata": 1, "revisit": 1, "not_html": 5, "redirect": 1,
                 "http_404": 1, "truncated": 1}  # per noise_records() call


def write_warc(path: Path, pages: list[CorpusPage], *, gz: bool = True, noise: bool = True,
               seed: int = 0, untyped: bool = False) -> Path:
    """One WARC file: a warcinfo record, then each page as a response (the redirect of one
    page's old URL first), and a set of noise records after every 10 pages. `untyped`: the
    first page is served with no Content-Type (kept by the HTML sniff)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        w = _writer(stream, gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "bench.warcs"}))
        for n, page in enumerate(pages):
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if untyped and n == 0:
                headers = []
            if rng.random() < 0.3:  # some pages as sent compressed
                body = gzip.compress(page.html, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            else:
                body = page.html
            w.write_record(_response(w, page.url, body, headers))
            if noise and n % 10 == 0:
                for record in noise_records(w, f"https://noise{seed}.example.org", n):
                    w.write_record(record)
    return path


def write_warcs(out: Path, pages: list[CorpusPage], files: int, *, gz: bool = True,
                noise: bool = True) -> list[Path]:
    """`pages` dealt round-robin into `files` WARC files under `out`."""
    return [write_warc(out / f"part-{i:03d}.warc{'.gz' if gz else ''}", pages[i::files], gz=gz,
                       noise=noise, seed=i)
            for i in range(files)]


def damage(path: Path, out: Path, kind: str) -> Path:
    """A damaged copy of a plain (not gzip) WARC file: `garbage` between its 2nd and 3rd
    records, `cut_record` (the 2nd record loses its second half, the file goes on), or
    `cut_file` (the file ends in the middle of its last record)."""
    data = path.read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"WARC/1.", i)]
    if kind == "garbage":
        data = data[:starts[2]] + b"THIS IS NOT A WARC RECORD\r\nat all\r\n\r\n" + data[starts[2]:]
    elif kind == "cut_record":
        middle = (starts[1] + starts[2]) // 2
        data = data[:middle] + data[starts[2]:]
    elif kind == "cut_file":
        data = data[:(starts[-1] + len(data)) // 2]
    else:
        raise ValueError(kind)
    out.write_bytes(data)
    return out
