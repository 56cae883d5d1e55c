"""Shared helpers of the headline, standfirst and byline stages: displayed text, hidden/chrome
checks and fuzzy text matching. Read-only on the DOM."""

from __future__ import annotations

import re
from collections import Counter

from selectolax.lexbor import LexborNode

from .document import clean_text

# Tags whose boundaries are line breaks when rendered: their text must not glue to a neighbour.
_BREAKING_TAGS = {
    "br", "p", "div", "li", "ul", "ol", "dt", "dd", "dl", "h1", "h2", "h3", "h4", "h5", "h6",
    "td", "th", "tr", "section", "article", "header", "footer", "figure", "figcaption", "blockquote",
}
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "svg", "button", "select", "option"}
_HIDDEN_CLASSES = {
    "hidden", "hide", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
    "screen-reader-only", "d-none", "is-hidden", "u-hidden", "offscreen", "element-invisible",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CHROME_TAGS = {"nav", "footer", "aside", "menu"}
# Class/id words of site chrome: menus, mastheads, sidebars, widgets, related-story lists.
_CHROME_WORDS = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|masthead|logo|site-?title|site-?name|brand|footer|"
    r"sidebar|widget|related|recommended|trending|popular|promo|newsletter|breadcrumbs?|modal|"
    r"popup|cookie|comments?|share|sharing|social|most-?read|more-?stories|teaser-list)(?:$|[-_\s\d])",
    re.I,
)
_ARTICLE_WORDS = re.compile(r"article|post|entry|story|content|main", re.I)
_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def display_text(node: LexborNode | None) -> str:
    """The node's text as a reader sees it: block and <br> boundaries become spaces,
    inline tags do not (so "Word<em>s</em>" stays "Words"), scripts and buttons are skipped."""
    if node is None:
        return ""
    parts: list[str] = []
    skip_depth_nodes: list[LexborNode] = []
    for item in node.traverse(include_text=True):
        tag = item.tag
        if tag == "-text":
            if not _inside_any(item, skip_depth_nodes, node):
                parts.append(item.text_content or "")
        elif tag in _SKIPPED_TAGS and item is not node:
            skip_depth_nodes.append(item)
        elif tag in _BREAKING_TAGS:
            parts.append(" ")
    return clean_text("".join(parts))


def _inside_any(item: LexborNode, containers: list[LexborNode], root: LexborNode) -> bool:
    if not containers:
        return False
    parent = item.parent
    while parent is not None and parent != root:
        if any(parent == c for c in containers):
            return True
        parent = parent.parent
    return False


def class_words(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()


def is_hidden(node: LexborNode) -> bool:
    """Hidden by attribute, inline style or a hiding utility class, on the node or an ancestor."""
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html"):
        attrs = current.attributes
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        if _HIDDEN_STYLE.search(attrs.get("style") or ""):
            return True
        classes = set((attrs.get("class") or "").lower().split())
        if classes & _HIDDEN_CLASSES:
            return True
        current = current.parent
    return False


def in_chrome(node: LexborNode) -> bool:
    """Inside navigation, footer, sidebar or a site header (not an article's own header)."""
    current: LexborNode | None = node.parent if node.tag != "header" else node
    header_seen = False
    while current is not None and current.tag not in ("body", "html"):
        tag = current.tag
        if tag in ("article", "main"):
            return False
        if tag in _CHROME_TAGS:
            return True
        words = class_words(current)
        if tag == "header" and not _ARTICLE_WORDS.search(words):
            header_seen = True
        if words and _CHROME_WORDS.search(words) and not _ARTICLE_WORDS.search(words):
            return True
        current = current.parent
    return header_seen


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold().translate(_QUOTES))


def overlap(a: str | None, b: str | None) -> tuple[float, float]:
    """Share of a's words found in b, and of b's words found in a (multiset)."""
    wa, wb = Counter(words(a)), Counter(words(b))
    if not wa or not wb:
        return 0.0, 0.0
    common = sum((wa & wb).values())
    return common / sum(wa.values()), common / sum(wb.values())


def similarity(a: str | None, b: str | None) -> float:
    """Dice coefficient on word multisets: 1.0 for the same words, 0.0 for none shared."""
    ra, rb = overlap(a, b)
    return 2 * ra * rb / (ra + rb) if ra + rb else 0.0
