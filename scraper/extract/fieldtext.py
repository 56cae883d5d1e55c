"""Shared helpers of the headline, standfirst and byline stages: displayed text, hidden/chrome
checks and fuzzy text matching. Read-only on the DOM."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from selectolax.lexbor import LexborNode

from .document import clean_text

# Tags whose boundaries are line breaks when rendered: their text must not glue to a neighbour.
_BREAKING_TAGS = {
    "br", "p", "div", "li", "ul", "ol", "dt", "dd", "dl", "h1", "h2", "h3", "h4", "h5", "h6",
    "td", "th", "tr", "section", "article", "header", "footer", "figure", "figcaption", "blockquote",
}
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select", "option"})
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
_CACHED_TEXTS = 1024  # word bags kept by `overlap`: a page compares at most a few hundred texts
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def same_node(a: LexborNode | None, b: LexborNode | None) -> bool:
    """Identity of DOM nodes (LexborNode == compares serialised HTML, which is slow)."""
    return a is not None and b is not None and a.mem_id == b.mem_id


def is_inside(node: LexborNode, container: LexborNode) -> bool:
    """node is a strict descendant of container."""
    target = container.mem_id
    parent = node.parent
    while parent is not None:
        if parent.mem_id == target:
            return True
        parent = parent.parent
    return False


def _inside_any(node: LexborNode, containers: set[int], root: LexborNode) -> bool:
    if not containers:
        return False
    parent = node.parent
    while parent is not None and parent.mem_id != root.mem_id:
        if parent.mem_id in containers:
            return True
        parent = parent.parent
    return False


def elements_after(anchor: LexborNode, limit: int) -> list[LexborNode]:
    """Up to `limit` elements following the anchor in document order, outside it."""
    found: list[LexborNode] = []
    node: LexborNode | None = anchor
    while node is not None and node.next is None:
        node = node.parent
    node = node.next if node is not None else None
    while node is not None and len(found) < limit:
        if node.is_element_node:
            found.append(node)
        if node.child is not None:
            node = node.child
            continue
        while node is not None and node.next is None:
            node = node.parent
        node = node.next if node is not None else None
    return found


def display_lines(node: LexborNode | None, field_mark: str = "",
                  skipped_tags: frozenset[str] = SKIPPED_TAGS) -> list[str]:
    """The node's text as a reader sees it, one string per rendered line: block and <br>
    boundaries break lines, scripts, buttons and the like are skipped. With a field_mark,
    the start of an inline element that begins a new word is marked (bylines glue name, role
    and paper in adjacent spans: "Meg James<span>Staff Writer</span>")."""
    if node is None:
        return []
    lines: list[str] = []
    current: list[str] = []
    skipped: set[int] = set()
    pending_mark = False
    for item in node.traverse(include_text=True):
        tag = item.tag
        if tag == "-text":
            if _inside_any(item, skipped, node):
                continue
            text = item.text_content or ""
            if pending_mark and text.strip() and not _continues_word(current, text):
                current.append(field_mark)
            pending_mark = pending_mark and not text.strip()
            current.append(text)
        elif tag in skipped_tags:
            if item.mem_id != node.mem_id:
                skipped.add(item.mem_id)
        elif tag in _BREAKING_TAGS:
            lines.append("".join(current))
            current, pending_mark = [], False
        elif field_mark and item.mem_id != node.mem_id:
            pending_mark = True
    lines.append("".join(current))
    return [line for line in (clean_text(raw) for raw in lines) if line]


def _continues_word(current: list[str], text: str) -> bool:
    """"Molly Woo<span>d</span>": a lower-case letter right after a letter goes on the word."""
    before = "".join(current[-2:])
    return bool(before) and before[-1].isalpha() and text[0].islower()


def display_text(node: LexborNode | None) -> str:
    """The node's text as a reader sees it: block and <br> boundaries become spaces,
    inline tags do not (so "Word<em>s</em>" stays "Words"), scripts and buttons are skipped."""
    return " ".join(display_lines(node))


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
        if tag == "header" and not _ARTICLE_WORDS.search(words) and current.css_first("h1") is None:
            header_seen = True  # a <header> holding the <h1> is the article's own header
        if words and _CHROME_WORDS.search(words) and not _ARTICLE_WORDS.search(words):
            return True
        current = current.parent
    return header_seen


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold().translate(_QUOTES))


@lru_cache(maxsize=_CACHED_TEXTS)
def _word_bag(text: str) -> tuple[Counter[str], int]:
    """The words of a text as a multiset, and how many there are. Cached: the field stages
    compare the same texts (titles, candidate blocks) over and over. Shared: never modify it."""
    bag = Counter(words(text))
    return bag, sum(bag.values())


def overlap(a: str | None, b: str | None) -> tuple[float, float]:
    """Share of a's words found in b, and of b's words found in a (multiset)."""
    (wa, size_a), (wb, size_b) = _word_bag(a or ""), _word_bag(b or "")
    if not size_a or not size_b:
        return 0.0, 0.0
    if len(wa) > len(wb):
        wa, wb = wb, wa
    common = sum(min(count, wb[word]) for word, count in wa.items() if word in wb)
    return common / size_a, common / size_b


def similarity(a: str | None, b: str | None) -> float:
    """Dice coefficient on word multisets: 1.0 for the same words, 0.0 for none shared."""
    ra, rb = overlap(a, b)
    return 2 * ra * rb / (ra + rb) if ra + rb else 0.0
