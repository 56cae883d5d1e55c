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


def decode_html(data: bytes | str, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Undecodable bytes become U+FFFD, never an exception."""
    if isinstance(data, str):
        return data, "str"
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    encoding = charset_from_headers(headers)
    if encoding is None:
        match = _META_CHARSET.search(data[:4096])
        encoding = _codec(match.group(1).decode("ascii", "ignore")) if match else None
    if encoding is None:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = detect_charset(data)
    encoding = encoding or "utf-8"
    return data.decode(encoding, errors="replace"), encoding
