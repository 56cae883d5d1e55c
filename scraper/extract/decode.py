"""Bytes -> text. Order: BOM, Content-Type header, <meta charset>, detection. Never raises.

Bytes that are no text at all (an image, an archive, random data served as text/html) are
recognised first, from their opening bytes, by `binary_kind`: decoding and parsing them
costs seconds and hundreds of MB for nothing."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I
)
# A valid UTF-8 encoding of a non-ASCII character.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Browsers treat these labels as windows-1252 (WHATWG Encoding Standard), and so do we.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252"}


# `binary_kind`: the opening bytes looked at, the file signatures it names, and the C0 control
# bytes no text holds (tab, newlines, form feed and escape aside).
SNIFF_BYTES = 8192
_MAGIC = (
    (b"%PDF-", "a PDF document"), (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"), (b"PK\x03\x04", "a ZIP archive (or an Office "
    "or EPUB document)"), (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"), (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg file"), (b"\x1a\x45\xdf\xa3", "a WebM video"), (b"wOFF", "a font"),
    (b"wOF2", "a font"), (b"\x00\x00\x01\x00", "an icon"),
)
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_CONTROL = bytes(sorted(set(range(0x20)) - {0x09, 0x0a, 0x0c, 0x0d, 0x1b}))
# Control bytes (NUL included) beyond this share of the opening bytes: no text, unless those
# bytes are valid UTF-8 (a page with stray NULs or control characters is still a page) ...
_CONTROL_SHARE = 0.05
# ... or beyond this share, valid UTF-8 or not (megabytes of NULs)
_CONTROL_SHARE_ANYWAY = 0.30


def binary_kind(data: bytes) -> str | None:
    """What `data` is when it is no text ("a PNG image", "binary data"), or None. Read from
    the first SNIFF_BYTES only: file signatures, then the share of control bytes where UTF-8
    decoding fails. UTF-16 (with a BOM or without) is text."""
    head = data[:SNIFF_BYTES]
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "an MP4 or HEIF file"
    if head.startswith(_TEXT_BOMS) or _utf16_without_bom(head):
        return None
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > _CONTROL_SHARE_ANYWAY * len(head):
        return "binary data"
    if controls > _CONTROL_SHARE * len(head) and not _is_utf8_head(head, len(data)):
        return "binary data"
    return None


def _utf16_without_bom(head: bytes) -> bool:
    """ASCII-range text in UTF-16: every other byte is zero, and the others are not."""
    if len(head) < 8:
        return False
    even, odd = head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])
    return (even > 0.8 and odd < 0.2) or (odd > 0.8 and even < 0.2)


def _is_utf8_head(head: bytes, size: int) -> bool:
    """`head` is valid UTF-8, but for a character cut at its end when the data goes on."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return size > len(head) and exc.reason == "unexpected end of data"
    return True


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_headers(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type":
            match = _HEADER_CHARSET.search(value or "")
            return _codec(match.group(1)) if match else None
    return None


def detect_charset(data: bytes) -> str | None:
    """Guess with charset-normalizer, leaning to windows-1252 (the web's most common legacy
    charset) when it fits about as well as the best guess: Latin code pages often tie."""
    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        if (_codec(match.encoding) == "cp1252" and match.chaos <= best.chaos + 0.15
                and match.coherence >= best.coherence - 0.05):
            return "cp1252"
    return _codec(best.encoding)


def charset_from_meta(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    encoding = _codec(match.group(1).decode("ascii", "ignore")) if match else None
    # a <meta> readable as ASCII cannot sit in a UTF-16/32 page: browsers read such pages as UTF-8
    return "utf-8" if encoding and encoding.startswith(("utf-16", "utf-32")) else encoding


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(data: bytes) -> bool:
    """More of the non-ASCII characters decode as UTF-8 than fail: a UTF-8 page with a few
    broken bytes rather than a legacy page mislabelled UTF-8."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    if not invalid:
        return True
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - invalid > invalid


def _resolve_declared(data: bytes, declared: str) -> str | None:
    """The declared charset, unless the bytes prove it wrong: valid UTF-8 with multi-byte
    characters declared as a single-byte charset is UTF-8 (legacy text essentially never forms
    valid UTF-8), and "UTF-8" that is mostly invalid is a legacy charset to detect (None)."""
    if declared == "utf-8":
        return declared if _mostly_utf8(data) else None
    if _is_single_byte(declared) and _UTF8_MULTIBYTE.search(data) and _is_utf8(data):
        return "utf-8"
    return declared


def _is_single_byte(encoding: str) -> bool:
    return encoding.startswith(("cp125", "iso8859", "koi8", "mac-", "cp874", "latin"))


def decode_html(data: bytes | str, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Undecodable bytes become U+FFFD, never an exception."""
    if isinstance(data, str):
        return data, "str"
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    declared = charset_from_headers(headers) or charset_from_meta(data)
    encoding = _resolve_declared(data, declared) if declared else None
    if encoding is None:
        if _is_utf8(data):
            return data.decode("utf-8"), "utf-8"
        encoding = detect_charset(data)
    encoding = encoding or "utf-8"
    return data.decode(encoding, errors="replace"), encoding
