"""The standfirst (dek): the summary shown between the headline and the body, or None.

Found by walking forward from the displayed headline until the body starts, looking for a
block named like a dek (class/id/itemprop vocabulary) or repeating the page's description.
The meta description alone is never returned: a page that does not show it has no dek."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .document import Document, clean_text, node_text
from .fieldtext import (
    class_words,
    display_text,
    is_hidden,
    is_inside,
    overlap,
    same_node,
    similarity,
    words,
)
from .headline import find_headline_node

_BLOCKS = "h1, h2, h3, h4, h5, h6, p, div, span, section, header, dt, dd, li, blockquote, strong, em, b"
# Names that say "this is the dek"; the weak ones are also used for the body's first paragraph.
_STRONG_WORDS = (
    r"standfirst|dek|deck|sub-?title|sub-?headline|sub-?head|summary|excerpt|description|teaser|"
    r"strapline|strap|abstract|synopsis|tagline|chapo|chapeau|bajada|entradilla|sottotitolo|"
    r"vorspann|blurb|article-?lead|post-?lead|story-?lead"
)
_WEAK_WORDS = r"lead|lede|intro|introduction|kicker-?text"
_STRONG = re.compile(rf"(?:^|[-_\s])(?:{_STRONG_WORDS})(?:$|[-_\s\d])", re.I)
_WEAK = re.compile(rf"(?:^|[-_\s])(?:{_WEAK_WORDS})(?:$|[-_\s\d])", re.I)
_NOT_DEK = re.compile(
    r"author|bio|byline|caption|credit|comment|newsletter|related|promo|share|figure|media|image|"
    r"photo|video|gallery|widget|popular|trending",
    re.I,
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_MIN_CHARS, _MAX_CHARS = 15, 700
_BODY_PARAGRAPH_CHARS = 100  # a longer plain <p> after the headline means the body has begun
_MAX_BLOCKS_SCANNED = 150
_DESCRIPTION_MATCH = 0.8


def page_descriptions(doc: Document) -> list[str]:
    ld = doc.ld_article or {}
    raw = [doc.meta_first("description"), doc.meta_first("og:description"),
           doc.meta_first("twitter:description"), ld.get("description")]
    out: list[str] = []
    for value in raw:
        text = clean_text(value) if isinstance(value, str) else ""
        if len(text) >= _MIN_CHARS and text not in out:
            out.append(text)
    return out


def _vocabulary(node: LexborNode) -> str:
    """'strong', 'weak' or '' by the node's class/id/itemprop naming."""
    names = f"{class_words(node)} {node.attributes.get('itemprop') or ''}"
    names = _CAMEL.sub("-", names)
    if not names.strip() or _NOT_DEK.search(names):
        return ""
    if _STRONG.search(names):
        return "strong"
    if _WEAK.search(names):
        return "weak"
    return ""


def _repeats_description(text: str, descriptions: list[str]) -> bool:
    """The block shows the page description (meta descriptions are often cut with '...',
    so a cut one may cover only the start of a somewhat longer block)."""
    for description in descriptions:
        desc_in_text, text_in_desc = overlap(description, text)
        cut_short = description.endswith(("...", "…")) and len(text) <= 2 * len(description)
        if desc_in_text >= _DESCRIPTION_MATCH and (text_in_desc >= _DESCRIPTION_MATCH or cut_short):
            return True
    return False


def _in_body_text(node: LexborNode) -> bool:
    """Sits among the body's paragraphs: its container holds two more long paragraphs.
    A styled first paragraph (BBC's bold intro, a site's 'summary' lead) is body, not a dek."""
    parent = node.parent
    if parent is None:
        return False
    long_paragraphs = 0
    for child in parent.iter():
        if not same_node(child, node) and child.tag in ("p", "blockquote") and len(node_text(child)) >= _BODY_PARAGRAPH_CHARS:
            long_paragraphs += 1
            if long_paragraphs >= 2:
                return True
    return False


def _blocks_after(doc: Document, anchor: LexborNode) -> list[LexborNode]:
    blocks = doc.tree.css(_BLOCKS)
    for index, node in enumerate(blocks):
        if same_node(node, anchor):
            return blocks[index + 1:index + 1 + _MAX_BLOCKS_SCANNED]
    return []


def _dek_candidate(node: LexborNode, text: str, descriptions: list[str]) -> bool:
    """Named like a dek, or a weakly named / unnamed block repeating the page description;
    never a paragraph of the body itself."""
    repeats = _repeats_description(text, descriptions)
    if text.endswith(("...", "…")) and not repeats:
        return False  # a teaser cut short belongs to another story's card
    if _vocabulary(node) != "strong" and not repeats:
        return False
    return not _in_body_text(node)


def _innermost_candidate(node: LexborNode, descriptions: list[str]) -> LexborNode:
    """A wrapper that matched because of its dek child ("<div><h2 dek/><span>author</span>")
    gives way to that child."""
    best, best_len = node, len(node_text(node))
    for child in node.css(_BLOCKS):
        text = node_text(child)
        if _MIN_CHARS <= len(text) < best_len and _dek_candidate(child, text, descriptions):
            best, best_len = child, len(text)
    return best


def find_standfirst_node(doc: Document, headline_node: LexborNode | None) -> LexborNode | None:
    if headline_node is None:
        return None
    descriptions = page_descriptions(doc)
    headline_text = node_text(headline_node)
    for node in _blocks_after(doc, headline_node):
        if is_inside(node, headline_node):
            continue
        text = node_text(node)
        if not text or len(text) > 4 * _MAX_CHARS:
            continue
        if len(text) >= _MIN_CHARS and len(text) <= _MAX_CHARS and similarity(text, headline_text) < 0.8:
            # no chrome test: deks sit in "byline-social" or "sidebar"-named columns too,
            # and the walk stops where the body begins, before any real sidebar
            if not is_hidden(node) and _dek_candidate(node, text, descriptions):
                return _innermost_candidate(node, descriptions)
        if node.tag == "p" and len(text) >= _BODY_PARAGRAPH_CHARS and not is_hidden(node):
            return None  # the body has started without a dek
    return None


def _is_body_opening(text: str, body: str) -> bool:
    """The candidate is how the body stage's text begins (whatever its paragraph split)."""
    dek_words = words(text)
    opening = " ".join(words(body)[:2 * len(dek_words) + 10])
    return bool(dek_words) and overlap(text, opening)[0] >= 0.9


def _looks_like_body_paragraph(node: LexborNode) -> bool:
    """An unnamed block or a plain paragraph/span, as opposed to a named block or a heading:
    when the body stage begins with it, it is the body's first paragraph, not a dek."""
    if _vocabulary(node) or node.tag.startswith("h"):
        return False
    return node.tag in ("p", "span") or not class_words(node)


def extract_standfirst(doc: Document, headline: str | None, body: str) -> str | None:
    node = find_standfirst_node(doc, find_headline_node(doc))
    if node is None:
        return None
    text = display_text(node)
    if not text or (headline and similarity(text, headline) >= 0.8):
        return None
    if _looks_like_body_paragraph(node) and _is_body_opening(text, body):
        return None
    return text
