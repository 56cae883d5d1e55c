"""The standfirst (dek): the summary shown between the headline and the body, or None.

Found by walking forward from the displayed headline until the body starts, looking for a
block named like a dek (class/id/itemprop vocabulary) or repeating the page's description.
The meta description alone is never returned: a page that does not show it has no dek."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .byline import is_byline_line
from .clean import main_text_container
from .dates import shows_date
from .document import Document, clean_text, node_text
from .fieldtext import (
    class_words,
    display_text,
    elements_after,
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
# Names that say "dek" outright: such a block heads the text even inside the body's container.
_DEK_NAME = re.compile(r"(?:^|[-_\s])(?:standfirst|dek|deck|sub-?title|sub-?headline)(?:$|[-_\s\d])",
                       re.I)
_DISCLAIMER = re.compile(r"\b(?:opinions?|views?) expressed\b|\bare (?:their|his|her) own\b", re.I)
_DATE_LINE_WORDS = 12
_COPYRIGHT = re.compile(r"[©ⓒ]|\(c\)\s", re.I)
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
# The visible route (no naming): a short block of prose right after the headline.
_VISIBLE_SCAN = 150
_VISIBLE_TAGS = {"p", "h2", "h3", "div", "span", "strong", "em", "b"}
_VISIBLE_MIN_CHARS, _VISIBLE_MAX_CHARS, _VISIBLE_MIN_WORDS = 30, 350, 5
_VISIBLE_LINK_SHARE = 0.3
_INLINE = {"a", "abbr", "b", "bdi", "br", "cite", "code", "em", "i", "mark", "q", "s", "small",
           "span", "strong", "sub", "sup", "time", "u", "wbr", "font"}
_NOT_DEK_TAGS = {"a", "figure", "figcaption", "nav", "aside", "footer", "button", "label", "li",
                 "form", "blockquote", "table"}
_MEDIA = "img, picture, video, iframe, svg"
_CAPTION_LEVELS = 3
_CREDIT = re.compile(r"[©ⓒ]|\(c\)|\b(?:copyright|photo|image|credit|getty|reuters|afp|via)\b",
                     re.I)
# Times, and days with a year, as date and update lines show them ("Posted Nov 19, 6:51 AM").
_STAMP = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b(?:19|20)\d\d\b.*\b(?:by|von|par|por)\b|"
                    r"^\W*(?:posted|updated|published|modified|veröffentlicht|aktualisiert)\b", re.I)
# Share of the elements after the headline with a class or id above which the page names its
# blocks (and the named route decides alone).
_NAMED_SHARE = 0.3


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


def _dek_candidate(node: LexborNode, text: str, descriptions: list[str],
                   doc: Document | None = None,
                   headline_node: LexborNode | None = None) -> bool:
    """Named like a dek, or a weakly named / unnamed block repeating the page description, or
    weakly named ("lead", "intro") beside the headline, outside the container of the body's
    paragraphs; never a paragraph of the body itself."""
    repeats = _repeats_description(text, descriptions)
    if text.endswith(("...", "…")) and not repeats:
        return False  # a teaser cut short belongs to another story's card
    vocabulary = _vocabulary(node)
    heads_text = False
    if vocabulary == "weak" and doc is not None and headline_node is not None:
        container = _body_container(doc)
        heads_text = (container is not None and not is_inside(node, container)
                      and (_beside(node, headline_node) or _heads_container(node, container)))
    if vocabulary != "strong" and not repeats and not heads_text:
        return False
    if is_byline_line(text) or _STAMP.search(text) or _DISCLAIMER.search(text) or (
            shows_date(text) and len(words(text)) <= _DATE_LINE_WORDS) or _COPYRIGHT.search(text):
        return False  # a date, byline, disclaimer or photo credit line in a dek-named block
    if vocabulary != "strong" and _paragraph_count(node) >= 2:
        return False  # a container of paragraphs (a short story's whole text) repeating the description
    if _DEK_NAME.search(_CAMEL.sub("-", class_words(node))) and _opens_its_container(node):
        return True  # named a dek outright, at the head of the text's container
    return not _in_body_text(node)


def _beside(node: LexborNode, headline_node: LexborNode) -> bool:
    """The block's parent or grandparent also holds the headline: the article's header."""
    ancestor = node.parent
    for _ in range(2):
        if ancestor is None or ancestor.tag in ("body", "html"):
            return False
        if is_inside(headline_node, ancestor):
            return True
        ancestor = ancestor.parent
    return False


def _heads_container(node: LexborNode, container: LexborNode) -> bool:
    """The block comes right before the container of the body's paragraphs, with no text of
    its own size between them: a dek in a row of its own above the text, where a grid layout
    keeps it apart from the headline's row."""
    if is_inside(container, node):
        return False
    for following in elements_after(node, _VISIBLE_SCAN):
        if same_node(following, container) or is_inside(following, container):
            return True
        if _is_leaf_block(following) and len(node_text(following)) >= _MIN_CHARS \
                and not is_hidden(following):
            return False
    return False


def _paragraph_count(node: LexborNode) -> int:
    return sum(1 for child in node.css("p") if len(node_text(child)) >= _MIN_CHARS)


def _opens_its_container(node: LexborNode) -> bool:
    """No paragraph of text comes before the block inside its parent."""
    parent = node.parent
    if parent is None:
        return False
    for child in parent.iter(include_text=False):
        if same_node(child, node):
            return True
        if child.tag == "p" and len(node_text(child)) >= _MIN_CHARS:
            return False
    return False


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
    blocks = _blocks_after(doc, headline_node)
    for index, node in enumerate(blocks):
        if is_inside(node, headline_node):
            continue
        text = node_text(node)
        if not text or len(text) > 4 * _MAX_CHARS:
            continue
        if len(text) >= _MIN_CHARS and len(text) <= _MAX_CHARS and similarity(text, headline_text) < 0.8:
            # no chrome test: deks sit in "byline-social" or "sidebar"-named columns too,
            # and the walk stops where the body begins, before any real sidebar
            if not is_hidden(node) and _dek_candidate(node, text, descriptions, doc,
                                                      headline_node):
                return _innermost_candidate(node, descriptions)
        if node.tag == "p" and len(text) >= _BODY_PARAGRAPH_CHARS and not is_hidden(node):
            # the body has started without a dek, unless the paragraph stands before the
            # body's container (a quoted claim, an editor's note) and a dek follows it
            return _dek_after_prelude(doc, node, blocks[index + 1:], descriptions, headline_node)
    return None


def _dek_after_prelude(doc: Document, paragraph: LexborNode, rest: list[LexborNode],
                       descriptions: list[str], headline_node: LexborNode) -> LexborNode | None:
    """A named dek after a long paragraph that is no part of the body: the paragraph lies
    outside the container of the body's paragraphs, the dek too, right before it. A second
    long paragraph ends the search (the body has begun); the container is looked for only
    when a named block of a dek's size comes first."""
    headline_text = node_text(headline_node)
    container = None
    for node in rest:
        if node.tag == "p" and len(node_text(node)) >= _BODY_PARAGRAPH_CHARS:
            return None  # a second long paragraph: the body has begun
        if not _vocabulary(node):
            continue
        text = node_text(node)
        if not _MIN_CHARS <= len(text) <= _MAX_CHARS or similarity(text, headline_text) >= 0.8:
            continue
        if container is None:
            container = _body_container(doc)
            if container is None or is_inside(paragraph, container):
                return None
        if same_node(node, container) or is_inside(node, container):
            return None  # the walk has reached the body
        if not is_hidden(node) and _heads_container(node, container) and \
                _dek_candidate(node, text, descriptions, doc, headline_node):
            return _innermost_candidate(node, descriptions)
    return None


def _body_container(doc: Document) -> LexborNode | None:
    """The container of the body's paragraphs on the page as served (found once per page)."""
    if "body_container" not in doc.memo:
        body = doc.tree.body
        doc.memo["body_container"] = main_text_container(body) if body is not None else None
    return doc.memo["body_container"]


def visible_standfirst_node(doc: Document, headline_node: LexborNode | None) -> LexborNode | None:
    """The dek of a page whose markup names nothing: the first short, distinct block of prose
    between the headline and the body (not a byline, a date, a caption, a link or a widget
    label), before the body's paragraphs begin."""
    if headline_node is None:
        return None
    headline_text = node_text(headline_node)
    following = elements_after(headline_node, _VISIBLE_SCAN)
    named = sum(1 for node in following if class_words(node))
    if named > _NAMED_SHARE * len(following) and page_descriptions(doc):
        # the markup names its blocks and the page describes itself: the named route, which
        # had all its evidence, found no dek
        return None
    container = _body_container(doc)
    for node in following:
        if node.tag not in _VISIBLE_TAGS or not _is_leaf_block(node):
            continue
        text = node_text(node)
        if not text or is_hidden(node):
            continue
        if _in_body_text(node) or (node.tag == "p" and len(text) >= _VISIBLE_MAX_CHARS) or (
                container is not None and is_inside(node, container)):
            return None  # the body has begun
        if _is_visible_dek(node, text, headline_text):
            return node
    return None


def _is_leaf_block(node: LexborNode) -> bool:
    """Holds text and inline markup only: a paragraph, not a wrapper of paragraphs."""
    for child in node.iter(include_text=False):
        if child.tag not in _INLINE:
            return False
    return True


def _is_visible_dek(node: LexborNode, text: str, headline_text: str) -> bool:
    if not _VISIBLE_MIN_CHARS <= len(text) <= _VISIBLE_MAX_CHARS or len(words(text)) < _VISIBLE_MIN_WORDS:
        return False
    if text.endswith((":", "...", "…")) or similarity(text, headline_text) >= 0.8:
        return False
    if is_byline_line(text) or shows_date(text) or _CREDIT.search(text) or _STAMP.search(text) \
            or _DISCLAIMER.search(text):
        return False
    if _inside_tag(node, _NOT_DEK_TAGS) or _near_media(node):
        return False
    links = sum(len(node_text(a)) for a in node.css("a"))
    return links < _VISIBLE_LINK_SHARE * len(text)


def _inside_tag(node: LexborNode, tags: set[str]) -> bool:
    current = node
    while current is not None and current.tag not in ("body", "html"):
        if current.tag in tags:
            return True
        current = current.parent
    return False


def _near_media(node: LexborNode) -> bool:
    """A caption: the block shares a small container with an image or a video."""
    container = node.parent
    for _ in range(_CAPTION_LEVELS):
        if container is None or container.tag in ("body", "html", "article", "main"):
            return False
        if container.css_first(_MEDIA) is not None and len(node_text(container)) <= 2 * len(node_text(node)) + 40:
            return True
        container = container.parent
    return False


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
    headline_node = find_headline_node(doc)
    node = find_standfirst_node(doc, headline_node) or visible_standfirst_node(doc, headline_node)
    if node is None:
        return None
    text = display_text(node)
    if not text or (headline and similarity(text, headline) >= 0.8):
        return None
    if _looks_like_body_paragraph(node) and _is_body_opening(text, body) and \
            not _before_body_container(doc, node):
        return None
    return text


def _before_body_container(doc: Document, node: LexborNode) -> bool:
    """The block heads the article rather than opening its text, even when the body stage
    took it in: it sits outside the container of the body's paragraphs, and a byline or a
    date line comes between it and that container."""
    container = _body_container(doc)
    if container is None or is_inside(node, container):
        return False
    for following in elements_after(node, _VISIBLE_SCAN):
        if same_node(following, container) or is_inside(following, container):
            return False
        text = node_text(following) if _is_leaf_block(following) else ""
        if text and len(text) <= _VISIBLE_MAX_CHARS and (
                is_byline_line(text) or shows_date(text) or _STAMP.search(text)):
            return True
    return False
