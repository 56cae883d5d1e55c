"""Bytes -> text. Order: BOM, Content-Type header, <meta charset>, detection. Never raises."""

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
