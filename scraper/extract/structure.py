"""The body's structure, for Markdown: each paragraph of `Article.body` with the kind of block
it is on the page (heading, list item, quote, table row, code or paragraph) and its Markdown,
links included when asked.

Not a second extractor. The blocks come from trafilatura's XML of the very extraction the body
text was written from (kept on the Document by `body.extract_body`), rendered by trafilatura's
own Markdown writer and matched to the body's paragraphs one by one: what the body's filters
dropped stays out, nothing else comes in, and a paragraph with no match (a pinned selector's
body, a line the filters rewrote) stays a plain paragraph. Link targets, which that extraction
does not keep, are read from the page's own <a> elements around the same text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from copy import deepcopy
from dataclasses import dataclass

from trafilatura.xml import xmltotxt

from .document import Document, absolute_url, node_text, url_parts

KINDS = ("paragraph", "heading", "item", "quote", "row", "code")
_KIND_OF_TAG = {"head": "heading", "list": "item", "quote": "quote", "table": "row", "code": "code"}
_WORD = re.compile(r"\w+")
_ESCAPED = re.compile(r"\\(.)")
# Markdown's (and trafilatura's plain text's) block markers, left out when lines are compared
_MARKER = re.compile(r"^\s*(?:#{1,6}\s+)?(?:>\s?)?(?:[-*+]\s+|\d{1,9}[.)]\s+)?")
_HEADING = re.compile(r"^(#{1,6})\s+\S")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\S")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_BLOCK_START = re.compile(r"^(\s*)(?:(#{1,6}\s|[-*+]\s|>|\|)|(\d{1,9})([.)]\s))")
_BLOCK_TAGS = {"p", "li", "dd", "dt", "td", "th", "blockquote", "pre", "figcaption", "h1", "h2",
               "h3", "h4", "h5", "h6", "div", "section", "article", "main", "body"}
_LINK_SCHEMES = ("http", "https", "mailto")
_BLOCK_SLACK = 3  # an anchor's block may be this many times longer than the paragraph


@dataclass(frozen=True)
class Block:
    """One paragraph of the body, as a block of the page."""

    kind: str  # one of KINDS
    text: str  # the paragraph exactly as in `Article.body`
    markdown: str  # the same paragraph in Markdown (headings with their #, items with their marker)


def body_blocks(doc: Document, body: str, links: bool = False) -> tuple[Block, ...]:
    """The paragraphs of `body` (the `Article.body` extracted from `doc`) as blocks, in order."""
    sources = _source_lines(doc.body_xml)
    positions: dict[tuple[str, ...], list[int]] = {}
    for position, (key, _kind, _line) in enumerate(sources):
        positions.setdefault(key, []).append(position)
    anchors = _anchors(doc) if links else []
    blocks, start = [], 0
    for paragraph in (p for p in body.split("\n\n") if p.strip()):
        found = _next_position(positions.get(_key(paragraph), []), start)
        if found is None:
            kind, markdown = "paragraph", escape_markdown(paragraph)
        else:
            _key_, kind, markdown = sources[found]
            start = found + 1
        if anchors:
            markdown = _with_links(markdown, paragraph, anchors)
        blocks.append(Block(kind, paragraph, markdown))
    return tuple(blocks)


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that shows the same characters (no emphasis, links or blocks)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _BLOCK_START.sub(
        lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", escaped, count=1)


def _key(text: str) -> tuple[str, ...]:
    """What a line says, whatever its markup: words, case folded, markers and escapes left out."""
    text = _MARKER.sub("", _ESCAPED.sub(r"\1", unicodedata.normalize("NFC", text)))
    return tuple(word.casefold() for word in _WORD.findall(text))


def _next_position(positions: list[int], start: int) -> int | None:
    index = bisect_left(positions, start)
    return positions[index] if index < len(positions) else None


def _source_lines(body_xml) -> list[tuple[tuple[str, ...], str, str]]:
    """(key, kind, Markdown line) for every line trafilatura writes for its extraction."""
    if body_xml is None:
        return []
    lines = []
    for element in body_xml.iterchildren():
        kind = _KIND_OF_TAG.get(element.tag, "paragraph")
        single = deepcopy(element)  # the writer changes the tree it is given
        single.tail = None
        for line in xmltotxt(single, include_formatting=True).splitlines():
            line = line.rstrip()
            if not line.strip() or _FENCE.match(line):
                continue
            lines.append((_key(line), _line_kind(kind, line), line))
    return lines


def _line_kind(kind: str, line: str) -> str:
    if kind != "paragraph":
        return kind
    if _HEADING.match(line):
        return "heading"
    if _ITEM.match(line):
        return "item"
    return "row" if line.startswith("|") else "paragraph"


@dataclass(frozen=True)
class _Anchor:
    text: str
    href: str
    block: str  # the words of the block element around it


def _anchors(doc: Document) -> list[_Anchor]:
    """The page's links with text, in document order, each with the text of its block."""
    found = []
    for node in doc.tree.css("a[href]"):
        text = node_text(node)
        href = absolute_url(doc.url, node.attributes.get("href") or "")
        if not text or not href or url_parts(href).scheme not in _LINK_SCHEMES:
            continue
        block = node.parent
        while block is not None and block.tag not in _BLOCK_TAGS:
            block = block.parent
        found.append(_Anchor(text, href, " ".join(_key(node_text(block)))))
    return found


def _with_links(markdown: str, paragraph: str, anchors: list[_Anchor]) -> str:
    """`markdown` with the text of each link of this paragraph made a Markdown link: links
    whose block on the page is this paragraph (or holds it, being at most a few times
    longer), each at its first occurrence after the previous link (the extraction's Markdown
    has no links of its own)."""
    words = " ".join(_key(paragraph))
    if not words:
        return markdown
    out, cursor = markdown, 0
    for anchor in anchors:
        if not (anchor.block == words or (words in anchor.block
                                          and len(anchor.block) <= _BLOCK_SLACK * len(words))):
            continue
        at = out.find(anchor.text, cursor)
        if at < 0:
            continue
        link = f"[{anchor.text}]({_destination(anchor.href)})"
        out = out[:at] + link + out[at + len(anchor.text):]
        cursor = at + len(link)
    return out


def _destination(href: str) -> str:
    if any(c in href for c in " <>()"):
        return "<" + href.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"
    return href
