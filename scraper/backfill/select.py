"""Which archived responses are HTML pages to extract: the HTTP status, the declared
Content-Type, and a cheap look at the first bytes of the payload. Pure, no I/O.

Never libmagic alone (datatrove's WARC reader kept records by libmagic's guess and dropped
more than half of real news pages as "JavaScript"). The declared type decides, and the sniff
only overrules it on evidence that is cheap and certain: binary magic numbers, NUL bytes,
JSON, no markup at all, or an RSS/Atom/sitemap root. A page sent without a usable type
(none, application/octet-stream, text/plain) is kept only when it starts like HTML, the
WHATWG sniffing rule. A doubtful page is rather kept: extraction's article verdict is the
next filter, and it is a better judge than a byte pattern.
"""

from __future__ import annotations

import re

from .warc import Capture

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream", "unknown/unknown",
                     "application/unknown", "text/plain"})
SNIFF_BYTES = 2048

_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF file (WebP, WAV, AVI)"), (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"BM", "a BMP image"),
    (b"\x00\x00\x01\x00", "an icon"), (b"ID3", "an MP3 file"), (b"OggS", "an Ogg file"),
    (b"\x00asm", "WebAssembly"), (b"wOFF", "a web font"), (b"wOF2", "a web font"),
)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p"
    rb"|meta|link)[\s>/]|<!--")
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf|urlset|sitemapindex)[\s>]")


def skip_reason(capture: Capture) -> tuple[str, str] | None:
    """None when `capture` is an HTML page to extract, else (reason, detail)."""
    status = capture.status
    if 300 <= status < 400:
        return "redirect", f"HTTP {status} to {capture.header('location') or '?'}"
    if not 200 <= status < 300 or status in (204, 205, 206):
        return f"http_{status}", f"HTTP {status}"
    content_type = (capture.header("content-type") or "").split(";")[0].strip().lower()
    if not capture.payload.strip():
        return "empty", "no payload"
    head = _text_head(capture.payload[:SNIFF_BYTES])
    if content_type in HTML_TYPES:
        problem = _not_html(head)
        return ("not_html", f"declared {content_type}, but {problem}") if problem else None
    if content_type in UNTYPED:
        if _looks_like_html(head):
            return None
        return "not_html", f"{content_type or 'no content type'}, and no HTML markup at the start"
    return "not_html", content_type


def _text_head(head: bytes) -> bytes:
    """The first bytes as ASCII-compatible text: UTF-16 (with a BOM) re-encoded, BOM dropped."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, "replace").encode("utf-8", "replace")
    return head.removeprefix(b"\xef\xbb\xbf")


def _not_html(head: bytes) -> str | None:
    """What a payload declared as HTML is instead, when the first bytes prove it."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return f"the payload is {kind}"
    if b"\x00" in head:
        return "the payload is binary (NUL bytes)"
    text = head.lstrip().lower()
    if "<" not in text.decode("latin-1"):
        if text[:1] in (b"{", b"["):
            return "the payload is JSON"
        return f"no markup in the first {len(head)} bytes"
    if not text.startswith(b"<?xml") and text[:1] in (b"{", b"["):
        return "the payload is JSON"
    if _FEED_ROOT.search(text[:400]) and b"<html" not in text:
        return "the payload is a feed or sitemap"
    return None


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip().lower()
    if _HTML_START.match(text):
        return True
    return text.startswith(b"<?xml") and b"<html" in text
