"""The displayed headline: the visible heading that agrees with og:title / JSON-LD headline."""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborNode, SelectolaxError

from .document import Document, clean_text, node_text
from .fieldtext import display_text, in_chrome, is_hidden, similarity

_WORD = re.compile(r"\w+")
_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+")
# Elements that can carry a headline; only h1 is trusted without agreeing with the metadata.
_CANDIDATES = 'h1, h2, h3, [itemprop="headline"], [class*="headline"], [class*="title"], dt'
_MATCH = 0.8  # word-set agreement with a metadata title that identifies the displayed headline
_MAX_LEN = 400
_NOT_SHOWN = {"script", "style", "noscript", "template", "title", "option", "select", "textarea", "a"}


def strip_site_affixes(title: str, site_name: str | None = None) -> str:
    """Drop " | Site" / " - Site" suffixes and "Opinion |" prefixes."""
    parts = _SEPARATORS.split(title)
    if len(parts) > 1:
        longest = max(parts, key=len)
        if len(longest) >= 0.5 * len(title) or (site_name and site_name.lower() in title.lower()):
            return longest.strip()
    return title.strip()


def metadata_titles(doc: Document) -> list[str]:
    """Titles the page declares, each also without its site affixes, best source first."""
    ld = doc.ld_article or {}
    raw = [ld.get("headline"), ld.get("name"), doc.meta_first("og:title"),
           doc.meta_first("twitter:title"), node_text(doc.tree.css_first("title"))]
    site = doc.meta_first("og:site_name")
    titles: list[str] = []
    for value in raw:
        # sites often escape twice: "&#8216;" left in og:title after parsing is a quote mark
        text = clean_text(html.unescape(value)) if isinstance(value, str) else ""
        for variant in (text, strip_site_affixes(text, site)):
            if variant and variant not in titles:
                titles.append(variant)
    return titles


def _agreement(text: str, titles: list[str]) -> float:
    return max((similarity(text, title) for title in titles), default=0.0)


def _rank(node: LexborNode, score: float) -> float:
    """Agreement with metadata, nudged towards real headline markup and away from chrome."""
    bonus = 0.0
    if node.tag == "h1":
        bonus += 0.1
    elif node.attributes.get("itemprop") == "headline" or node.tag in ("h2", "h3"):
        bonus += 0.05
    if in_chrome(node):
        bonus -= 0.2
    return score + bonus


def _looks_like_site_name(text: str, doc: Document, titles: list[str]) -> bool:
    """A logo/site-name h1: equals og:site_name or is only the affix part of the <title>."""
    site = doc.meta_first("og:site_name", "application-name")
    if site and similarity(text, site) >= 0.8:
        return True
    for title in titles:
        parts = _SEPARATORS.split(title)
        if len(parts) > 1 and any(similarity(text, part) >= 0.8 for part in parts[1:]):
            if similarity(text, parts[0]) < 0.8:
                return True
    return False


def find_headline_node(doc: Document) -> LexborNode | None:
    """The element showing the headline, or None when no visible element qualifies (computed
    once per page: the standfirst, byline, dates and body stages all start from it)."""
    if "headline_node" not in doc.memo:
        doc.memo["headline_node"] = _find_headline_node(doc)
    return doc.memo["headline_node"]


def _find_headline_node(doc: Document) -> LexborNode | None:
    titles = metadata_titles(doc)
    best: tuple[float, LexborNode] | None = None
    first_h1: LexborNode | None = None
    first_chrome_h1: LexborNode | None = None
    for node in doc.tree.css(_CANDIDATES):
        text = node_text(node)
        if not 3 <= len(text) <= _MAX_LEN or is_hidden(node):
            continue
        score = _agreement(text, titles)
        if score >= _MATCH:
            rank = _rank(node, score)
            if best is None or rank > best[0]:
                best = (rank, node)
        if node.tag == "h1" and first_h1 is None and not _looks_like_site_name(text, doc, titles):
            if not in_chrome(node):
                first_h1 = node
            elif first_chrome_h1 is None:
                first_chrome_h1 = node
    if best is not None and best[1].tag == "h1":
        return best[1]
    if first_h1 is None or best is not None:
        shown = _any_element_showing(doc, titles)
        if shown is not None and (best is None or shown[0] > best[0]):
            best = shown
    if best is not None:
        return best[1]
    # a bare <header><h1> can be the article's own header; trust it only without metadata
    return first_h1 or (first_chrome_h1 if not titles else None)


def _any_element_showing(doc: Document, titles: list[str]) -> tuple[float, LexborNode] | None:
    """(rank, node) of the visible element, whatever its tag or class, whose text agrees best
    with a declared title: the headline of a page without headline markup (a styled <div>,
    obfuscated class names). Looked for among the elements containing each title's longest word."""
    if not titles or doc.tree.body is None:
        return None
    best: tuple[float, LexborNode] | None = None
    seen: set[int] = set()
    longest_words = dict.fromkeys(max(_WORD.findall(title), key=len, default="") for title in titles)
    for word in filter(None, longest_words):
        for node in _elements_containing(doc, word):
            if node.mem_id in seen or node.tag in _NOT_SHOWN:
                continue
            seen.add(node.mem_id)
            text = node_text(node)
            if not 3 <= len(text) <= _MAX_LEN:
                continue
            score = _agreement(text, titles)
            if score >= _MATCH and not is_hidden(node):
                rank = _rank(node, score)
                if best is None or rank > best[0]:
                    best = (rank, node)
    return best


def _elements_containing(doc: Document, word: str) -> list[LexborNode]:
    try:
        return doc.tree.body.css(f':lexbor-contains("{word}" i)')
    except SelectolaxError:  # a word lexbor's selector parser refuses: no candidates from it
        return []


def extract_headline(doc: Document) -> str | None:
    node = find_headline_node(doc)
    if node is not None:
        return display_text(node) or None
    titles = metadata_titles(doc)
    if not titles:
        return None
    return strip_site_affixes(titles[0], doc.meta_first("og:site_name"))
