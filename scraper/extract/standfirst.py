"""The standfirst (dek): the summary shown between the headline and the body, or None.

Found by walking forward from the displayed headline until the body starts, looking for a
block named like a dek (class/id/itemprop vocabulary) or repeating the page's description.
The meta description alone is never returned: a page that does not show it has no dek."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .document import Document, clean_text, node_text
from .fieldtext import class_words, display_text, in_chrome, is_hidden, overlap, similarity
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
    r"photo|video|gallery",
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
    """The block shows the page description (meta descriptions are often cut with '...')."""
    for description in descriptions:
        desc_in_text, text_in_desc = overlap(description, text)
        truncated = description.endswith(("...", "…"))
        if desc_in_text >= _DESCRIPTION_MATCH and (text_in_desc >= _DESCRIPTION_MATCH or truncated):
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
        if child != node and child.tag in ("p", "blockquote") and len(node_text(child)) >= _BODY_PARAGRAPH_CHARS:
            long_paragraphs += 1
            if long_paragraphs >= 2:
                return True
    return False


def _is_inside(node: LexborNode, container: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent == container:
            return True
        parent = parent.parent
    return False


def _blocks_after(doc: Document, anchor: LexborNode) -> list[LexborNode]:
    blocks = doc.tree.css(_BLOCKS)
    for index, node in enumerate(blocks):
        if node == anchor:
            return blocks[index + 1:index + 1 + _MAX_BLOCKS_SCANNED]
    return []


def _dek_candidate(node: LexborNode, text: str, descriptions: list[str]) -> bool:
    """Named like a dek, or a weakly named / unnamed block repeating the page description;
    never a paragraph of the body itself."""
    vocabulary = _vocabulary(node)
    if vocabulary != "strong" and not _repeats_description(text, descriptions):
        return False
    return not _in_body_text(node)


def find_standfirst_node(doc: Document, headline_node: LexborNode | None) -> LexborNode | None:
    if headline_node is None:
        return None
    descriptions = page_descriptions(doc)
    headline_text = node_text(headline_node)
    # on pages whose article column is named like chrome ("sidebar"), chrome says nothing
    check_chrome = not in_chrome(headline_node)
    for node in _blocks_after(doc, headline_node):
        if _is_inside(node, headline_node):
            continue
        text = node_text(node)
        if not text or len(text) > 4 * _MAX_CHARS:
            continue
        if len(text) >= _MIN_CHARS and len(text) <= _MAX_CHARS and similarity(text, headline_text) < 0.8:
            if (not is_hidden(node) and not (check_chrome and in_chrome(node))
                    and _dek_candidate(node, text, descriptions)):
                return node
        if node.tag == "p" and len(text) >= _BODY_PARAGRAPH_CHARS and not is_hidden(node):
            return None  # the body has started without a dek
    return None


def _is_body_opening(text: str, body: str) -> bool:
    """The candidate is the body's first paragraph (the body stage kept it as text)."""
    first = clean_text(body.split("\n\n", 1)[0]) if body else ""
    return bool(first) and similarity(first, text) >= 0.9


def extract_standfirst(doc: Document, headline: str | None, body: str) -> str | None:
    node = find_standfirst_node(doc, find_headline_node(doc))
    if node is None:
        return None
    text = display_text(node)
    if not text or (headline and similarity(text, headline) >= 0.8):
        return None
    if node.tag == "p" and not _vocabulary(node) and _is_body_opening(text, body):
        return None
    return text
