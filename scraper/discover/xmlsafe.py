"""The XML safety layer: bytes -> a parsed element tree, or a reason why not.

All XML goes through defusedxml (entity declarations, external references and so
billion-laughs/XXE documents are refused); gzip bodies are inflated incrementally under a
hard cap so a gzip bomb costs at most `limit` bytes. Also the small element helpers the
feed and sitemap parsers share (namespace-blind names, child text).
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from html.entities import html5 as HTML5_ENTITIES
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 50_000_000  # sitemaps protocol: at most 50 MB uncompressed
GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_CHUNK = 1 << 20


@dataclass(frozen=True)
class _Inflated:
    data: bytes = b""
    error: str | None = None


@dataclass(frozen=True)
class _ParsedXml:
    root: Element | None = None
    error: str | None = None


# ---------------------------------------------------------------------------
# bytes -> XML tree


def inflate_capped(data: bytes, limit: int) -> _Inflated:
    """Gunzip `data` (all members) without ever holding more than `limit` + 1 MiB of
    output; more than `limit` bytes gives error "too_large"."""
    out = bytearray()
    pending = data
    try:
        while pending.startswith(GZIP_MAGIC):
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            chunk = pending
            while True:
                piece = inflater.decompress(chunk, min(_INFLATE_CHUNK, limit + 1 - len(out)))
                out += piece
                if len(out) > limit:
                    logger.debug("gzip body inflates past %d bytes", limit)
                    return _Inflated(error="too_large")
                chunk = inflater.unconsumed_tail
                if inflater.eof or (not chunk and not piece):
                    break
            if not inflater.eof:
                return _Inflated(error="gzip_error: truncated stream")
            pending = inflater.unused_data  # a further gzip member, or trailing junk
    except zlib.error as exc:
        logger.debug("gzip error: %s", exc)
        return _Inflated(error=f"gzip_error: {exc}")
    return _Inflated(data=bytes(out))


def _unwrap(content: bytes, limit: int) -> _Inflated:
    if content.startswith(GZIP_MAGIC):
        return inflate_capped(content, limit)
    if len(content) > limit:
        logger.debug("body of %d bytes exceeds %d", len(content), limit)
        return _Inflated(error="too_large")
    return _Inflated(data=content)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED_ENCODING_RE = re.compile(
    rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_BAD_XML_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED_ENTITY_RE = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})


def _sniff_encoding(content: bytes) -> str:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    if content.startswith(b"<\x00"):
        return "utf-16-le"
    if content.startswith(b"\x00<"):
        return "utf-16-be"
    match = _DECLARED_ENCODING_RE.match(content[:1024])
    if match:
        name = match.group(1).decode("ascii")
        try:
            return codecs.lookup(name).name
        except LookupError:
            logger.debug("unknown declared XML encoding %r, using UTF-8", name)
    return "utf-8"


def decode_xml(content: bytes) -> str:
    """XML bytes as text: BOM, then the declared encoding, then UTF-8 (with
    replacement). Expat only knows a few encodings, so we decode ourselves."""
    text = content.decode(_sniff_encoding(content), errors="replace")
    return text.removeprefix("\ufeff")


def _html_entity_to_ref(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    chars = HTML5_ENTITIES.get(name + ";")
    if chars is None:
        return match.group(0)  # unknown: expat will report it
    return "".join(f"&#{ord(c)};" for c in chars)


def _parse_xml(content: bytes | str, limit: int) -> _ParsedXml:
    if isinstance(content, str):  # already decoded by the caller
        return _parse_xml_text(content.removeprefix("\ufeff"))
    unwrapped = _unwrap(content, limit)
    if unwrapped.error:
        return _ParsedXml(error=unwrapped.error)
    return _parse_xml_text(decode_xml(unwrapped.data))


def _clean_xml_text(text: str) -> str:
    """Lenient on what real feeds get wrong: stray control characters and HTML entities.
    The XML declaration goes too (the text is re-encoded as UTF-8)."""
    text = _XML_DECL_RE.sub("", text, count=1)
    text = _BAD_XML_CHARS_RE.sub("", text)
    return _NAMED_ENTITY_RE.sub(_html_entity_to_ref, text)


def _parse_xml_text(text: str) -> _ParsedXml:
    text = _clean_xml_text(text)
    try:
        root = DefusedET.fromstring(
            text.encode("utf-8"), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        logger.debug("refused XML: %r", exc)
        return _ParsedXml(error=f"xml_forbidden: {type(exc).__name__}")
    except (ParseError, ValueError, LookupError) as exc:  # LookupError: a bad encoding name
        logger.debug("malformed XML: %s", exc)
        return _ParsedXml(error=f"xml_error: {exc}")
    return _ParsedXml(root=root)


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return _local_name(tag)


@lru_cache(maxsize=256)  # a document has a handful of distinct tags, met again and again
def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element: Element, *names: str) -> str | None:
    """Text of the first direct child with one of `names` (in order of preference)."""
    for name in names:
        for child in _children(element, name):
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None
