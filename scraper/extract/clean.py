"""Boilerplate pre-cleaning: a copy of the page DOM with widgets removed, ready for trafilatura.

Widgets are found by structure (nav, aside, hidden nodes, hover cards) and by the vocabulary of
their class/id/role (share, poll, related, newsletter, ...). The container holding most of the
page's prose, its ancestors and any node with a large share of the prose are never removed: such
words also sit on article containers ("post-related", "has-comments").
"""

from __future__ import annotations

import re
from html import escape

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from .document import Document, node_text, parse_html
from .fieldtext import display_lines
from .headline import find_headline_node

# Structural widgets; `form` and `header` are left alone (whole pages sit in an ASP.NET form).
_WIDGET_TAGS = {"nav", "aside", "footer", "figcaption", "button", "select", "textarea", "dialog",
                "template", "iframe"}

# Elements that never hold the article's text (trafilatura removes them with their content too).
# Not <noscript>, <object>, <video> and the like: a stray unclosed one can hold the whole page.
# Not <script> either: trafilatura's choice between its passes weighs the page's script text
# (without it, its default pass returns the menu of tests/fixtures/robustness/headline-in-div).
_NEVER_TEXT_TAGS = ("style", "template", "svg", "math", "link", "meta")

_WIDGET_ROLES = {"navigation", "complementary", "contentinfo", "dialog", "alertdialog", "search",
                 "menu", "menubar", "toolbar", "tooltip", "banner"}

# A class/id token starting with one of these names a widget ("shareButtons", "related-posts").
_WIDGET_PREFIXES = (
    "share", "sharing", "social", "poll", "newsletter", "related", "trending", "subscri", "cookie",
    "consent", "comment", "advert", "sponsor", "promo", "outbrain", "taboola", "recommend",
    "breadcrumb", "sidebar", "popup", "modal", "signup", "caption", "tooltip", "popover",
    "rollover", "hovercard", "whatsnew", "readmore", "morefrom", "disqus", "byline", "credit",
)
_NOT_WIDGET_PREFIXES = ("commentary", "sharp", "socialis")  # opinion columns, "sharpness"...

# Whole class/id tokens that name a widget but are too short to use as prefixes.
_WIDGET_TOKENS = {
    "ad", "ads", "adv", "nav", "navbar", "navigation", "menu", "footer", "tags", "taglist", "bio",
    "author", "widget", "skip", "offscreen", "visuallyhidden", "follow", "donate",
}

# Multi-token names, matched on the dash-joined token sequence.
_WIDGET_PHRASES = (
    "whats-new", "what-s-new", "more-from", "read-more", "you-may-like", "also-like",
    "more-stories", "more-news", "top-stories", "most-read", "most-popular", "most-viewed",
    "about-the-author", "about-author", "author-box", "author-info", "author-card", "post-tags",
    "see-also", "also-read", "read-also", "in-case-you-missed", "pull-quote", "pullquote",
    "visually-hidden", "screen-reader", "sr-only", "further-reading", "next-article",
    "prev-article", "previous-article", "next-post", "prev-post",
)

# Names page builders give every block ("elementor-widget", "steps-list-nav"): a widget only
# when the block holds no prose of its own.
_GENERIC_BLOCK_NAMES = re.compile(r"(?:^|[^a-z])(?:widget|nav)(?:$|[^a-z])", re.I)
_PROSE_BLOCK_RUNS = 2
_PROSE_BLOCK_CHARS = 200
_PROSE_BLOCK_LINK_SHARE = 0.3
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_PROSE_RUN = 40
_PARAGRAPH_TAGS = {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dd", "dt"}
_NON_PROSE_PARENTS = {"a", "script", "style", "noscript", "template", "button", "option"}

# Share of the page's prose above which a node is taken for the article itself.
_ARTICLE_SHARE = 0.35

_CARD_MIN_LINKS = 3
_LINK_LIST_MIN_ITEMS = 2
_STORY_TITLE_MIN_WORDS = 4  # shorter link items are navigation, which trafilatura drops anyway
_LINK_SHARE = 0.9

_LOOSE_TEXT_CONTAINERS = "div, td, section, article, main, center, font"

# An element with this many element ancestors (html counted) is too deep for lxml.
_MAX_DEPTH = 200
_TOO_DEEP = " > ".join(["*"] * _MAX_DEPTH)

_INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "font",
    "-text", "-comment", "img",
}


def cleaned_tree(doc: Document) -> LexborHTMLParser:
    """A boilerplate-free copy of `doc.tree`; the original stays intact for the other fields."""
    tree = copy_tree(doc)
    if tree.body is None:
        return tree
    tree.strip_tags(list(_NEVER_TEXT_TAGS))  # trafilatura drops them too: less to walk and parse
    _flatten_deep_nesting(tree)
    _remove_other_posts(tree, find_headline_node(doc))
    for node in _widget_nodes(tree):
        node.decompose()
    _remove_hover_cards(tree)
    _remove_link_lists(tree)
    _promote_div_paragraphs(tree)
    _wrap_loose_text(tree)
    _join_split_text(tree)
    return tree


def _remove_other_posts(tree: LexborHTMLParser, headline: LexborNode | None) -> None:
    """Other articles appended to the page (an infinite scroll's next stories, a blog's next
    posts in full): blocks of the same named kind as the block holding the headline, each an
    <article> with a headline of the same tag and text of its own. The headline's block is
    the article."""
    if headline is None or len(tree.css(headline.tag)) < 2:
        return
    title = node_text(headline)
    node = next((h for h in tree.css(headline.tag) if node_text(h) == title), None)
    if node is None:
        return
    while node.parent is not None and node.parent.tag not in ("body", "html"):
        node = node.parent
        kind = (node.tag, node.attributes.get("class") or "")
        if not kind[1].strip() and kind[0] != "article":
            continue  # unnamed <div>s side by side are no evidence of a template
        others = [sibling for sibling in _element_siblings(node)
                  if (sibling.tag, sibling.attributes.get("class") or "") == kind
                  and sibling.css_first(headline.tag) is not None and _is_article(sibling)
                  and _prose_chars(sibling)]
        if others:
            if _prose_chars(node):
                for other in others:
                    other.decompose()
            return


def _is_article(node: LexborNode) -> bool:
    """An <article> of its own: not a section of the text (those carry <h1> subheads too)."""
    return node.tag == "article" or node.css_first("article") is not None


def _element_siblings(node: LexborNode) -> list[LexborNode]:
    parent = node.parent
    if parent is None:
        return []
    return [child for child in parent.iter(include_text=False) if child.mem_id != node.mem_id]


def _join_split_text(tree: LexborHTMLParser) -> None:
    """An article split across sibling containers of the same named kind, the template
    closing the text's container for a full-width row without prose (an ad, a video) and
    opening another: the following parts' paragraphs are moved into the first, or
    trafilatura keeps only the first part."""
    container = main_text_container(tree.body) if tree.body is not None else None
    if container is None or container.parent is None or container.tag in ("body", "html"):
        return
    kind = (container.tag, container.attributes.get("class") or "")
    if not kind[1].strip():
        return  # unnamed <div>s next to each other are no evidence of one text
    following, sibling = [], container.next
    while sibling is not None:
        if sibling.is_element_node:
            same_kind = (sibling.tag, sibling.attributes.get("class") or "") == kind
            if same_kind and _prose_chars(sibling) and sibling.css_first("p") is not None:
                following.append(sibling)
            elif _prose_chars(sibling):
                break  # other prose between the parts: a different text
        sibling = sibling.next
    if following:
        container.inner_html = container.inner_html + "".join(part.inner_html for part in following)
        for part in following:
            part.decompose()




def copy_tree(doc: Document) -> LexborHTMLParser:
    """An independent copy of the page's tree. lexbor cannot clone some documents (a
    `<!DOCTYPE html SYSTEM "about:legacy-compat">`, legal HTML written by XSLT pipelines, makes
    clone() raise): those are parsed again from the page's text, which gives the same tree."""
    try:
        return doc.tree.clone()
    except SelectolaxError:
        return parse_html(doc.html)


def _flatten_deep_nesting(tree: LexborHTMLParser) -> None:
    """Markup nested deeper than lxml parses (libxml2 stops at 256 levels, and trafilatura
    would see none of that text) becomes plain paragraphs, one per displayed line, under the
    deepest element kept. Real pages nest a few dozen levels: this only fires on broken markup."""
    deep = tree.css(_TOO_DEEP)
    if not deep:
        return
    deep_ids = {node.mem_id for node in deep}
    for node in deep:
        if node.parent is not None and node.parent.mem_id not in deep_ids:
            node.inner_html = "".join(f"<p>{escape(line)}</p>" for line in display_lines(node))


def _prose_runs(node: LexborNode):
    """Sentence-long text nodes outside links and code: the article's own text, whether it
    sits in <p>, in <div>s or between <br>s."""
    for child in node.traverse(include_text=True):
        if child.is_text_node:
            text = child.text_content
            if text and len(text) > _PROSE_RUN and child.parent.tag not in _NON_PROSE_PARENTS:
                yield child, len(text.strip())


def _prose_chars(node: LexborNode) -> int:
    return sum(size for _, size in _prose_runs(node))


def prose_chars(tree: LexborHTMLParser) -> int:
    """Characters of sentence-long text on the page (outside links and code)."""
    return _prose_chars(tree.body) if tree.body is not None else 0


def _main_text_container(body: LexborNode) -> tuple[LexborNode | None, int]:
    """The container holding the most prose, and the page's prose size. The container is the
    parent of the paragraphs (or the <br>-text block itself)."""
    credit: dict[int, int] = {}
    nodes: dict[int, LexborNode] = {}
    total = 0
    for text, size in _prose_runs(body):
        block = text.parent
        while block.tag in _INLINE_TAGS and block.parent is not None:
            block = block.parent
        container = block.parent if block.tag in _PARAGRAPH_TAGS and block.parent else block
        credit[container.mem_id] = credit.get(container.mem_id, 0) + size
        nodes[container.mem_id] = container
        total += size
    if not credit:
        return None, 0
    return nodes[max(credit, key=credit.__getitem__)], total


def main_text_container(body: LexborNode) -> LexborNode | None:
    return _main_text_container(body)[0]


def _main_text_path(body: LexborNode) -> tuple[set[int], int]:
    """Ids of the main text container and of its ancestors, and the page's prose size."""
    node, total = _main_text_container(body)
    path = set()
    while node is not None:
        path.add(node.mem_id)
        node = node.parent
    return path, total


def _holds_article_text(node: LexborNode, article_chars: int) -> bool:
    return article_chars > 0 and _prose_chars(node) >= _ARTICLE_SHARE * article_chars


def _widget_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Outermost widget nodes, found by a walk that does not descend into what it removes.
    Never the main text container, its ancestors, or a node with a large share of the prose."""
    protected, article_chars = _main_text_path(tree.body)
    found: list[LexborNode] = []
    stack = [tree.body]
    while stack:
        node = stack.pop()
        child = node.last_child
        while child is not None:
            if child.is_element_node:
                if (_looks_like_widget(child) and child.mem_id not in protected
                        and not _holds_article_text(child, article_chars)):
                    found.append(child)
                else:
                    stack.append(child)
            child = child.prev
    return found


def _looks_like_widget(node: LexborNode) -> bool:
    if node.tag in _WIDGET_TAGS or _is_comment_form(node):
        return True
    attrs = node.attributes
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if node.tag in _INLINE_TAGS or node.tag in _HEADING_TAGS:
        # a tooltip or person card wraps words of the text itself; a subhead's id is often
        # a table-of-contents anchor ("nav_the_subhead")
        return False
    if (attrs.get("role") or "").lower() in _WIDGET_ROLES or _is_comment_microdata(attrs):
        return True
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return _names_widget(names) and not (_GENERIC_BLOCK_NAMES.search(names) and _holds_prose(node))


def _holds_prose(node: LexborNode) -> bool:
    """Paragraphs of prose with few links: text, whatever a page builder names the block."""
    runs = [size for _text, size in _prose_runs(node)]
    if len(runs) < _PROSE_BLOCK_RUNS or sum(runs) < _PROSE_BLOCK_CHARS:
        return False
    text = len(node.text(deep=True))
    links = sum(len(a.text(deep=True)) for a in node.css("a"))
    return links < _PROSE_BLOCK_LINK_SHARE * text


def _is_comment_form(node: LexborNode) -> bool:
    """A form to write into (comment, contact): readers' input, never the article. Whole pages
    sit in one ASP.NET form, but those hold the article's prose and are protected."""
    return node.tag == "form" and node.css_first("textarea") is not None


def _is_comment_microdata(attrs: dict) -> bool:
    """schema.org markup of a reader comment, which holds whatever class names the site uses."""
    itemtype = (attrs.get("itemtype") or "").lower()
    itemprop = (attrs.get("itemprop") or "").lower().split()
    return itemtype.endswith(("/comment", "/usercomments", "/usercomment")) or "comment" in itemprop


def _names_widget(names: str) -> bool:
    if not names.strip():
        return False
    tokens = [t for t in _TOKEN_SPLIT.split(_CAMEL.sub("-", names).lower()) if t]
    for token in tokens:
        if token in _WIDGET_TOKENS:
            return True
        if token.startswith(_WIDGET_PREFIXES) and not token.startswith(_NOT_WIDGET_PREFIXES):
            return True
    joined = "-" + "-".join(tokens) + "-"
    return any(f"-{phrase}-" in joined for phrase in _WIDGET_PHRASES)


def _remove_hover_cards(tree: LexborHTMLParser) -> None:
    """Drop link lists tucked inside a paragraph (people/topic hover cards): never prose.
    The innermost such node, so that the name the card hangs on stays in the sentence."""
    cards = [node for node in tree.css("p span, p div") if _is_link_cluster(node)]
    _decompose_outermost([card for card in cards if not _holds_link_cluster(card)])


def _holds_link_cluster(node: LexborNode) -> bool:
    return any(inner.mem_id != node.mem_id and _is_link_cluster(inner)
               for inner in node.css("span, div"))


def _is_link_cluster(node: LexborNode) -> bool:
    links = node.css("a")
    if len(links) < _CARD_MIN_LINKS:
        return False
    text = len(node.text(deep=True).strip())
    link_text = sum(len(a.text(deep=True).strip()) for a in links)
    return text > 0 and link_text >= _LINK_SHARE * text


def _remove_link_lists(tree: LexborHTMLParser) -> None:
    """Drop lists whose every item is just a link to another story ("Related:" lists)."""
    _decompose_outermost([listing for listing in tree.css("ul, ol") if _is_story_list(listing)])


def _is_story_list(listing: LexborNode) -> bool:
    items = [child for child in listing.iter(include_text=False) if child.tag == "li"]
    return len(items) >= _LINK_LIST_MIN_ITEMS and all(_is_story_link(item) for item in items)


def _decompose_outermost(nodes: list[LexborNode]) -> None:
    """Decompose nodes, skipping those inside another one: their memory goes with it."""
    ids = {node.mem_id for node in nodes}
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            node.decompose()

def _is_story_link(item: LexborNode) -> bool:
    text = item.text(deep=True).strip()
    links = item.css("a")
    if len(links) != 1 or len(text.split()) < _STORY_TITLE_MIN_WORDS:
        return False
    return len(links[0].text(deep=True).strip()) >= _LINK_SHARE * len(text)


def _promote_div_paragraphs(tree: LexborHTMLParser) -> None:
    """Turn text-only <div>s that sit among <p>s into <p>s: trafilatura skips them otherwise."""
    for div in tree.css("div"):
        if not _has_paragraph_sibling(div) or not _is_text_block(div):
            continue
        paragraph = tree.create_node("p")
        paragraph.inner_html = div.inner_html
        div.replace_with(paragraph)


def _is_text_block(node: LexborNode) -> bool:
    text = node.text(deep=True).strip()
    if len(text) < 20:
        return False
    inner = node.traverse(include_text=False)
    next(inner)  # the node itself
    if any(child.tag not in _INLINE_TAGS for child in inner):
        return False
    link_text = sum(len(a.text(deep=True).strip()) for a in node.css("a"))
    return link_text < 0.5 * len(text)


def _has_paragraph_sibling(node: LexborNode) -> bool:
    parent = node.parent
    return parent is not None and any(child.tag == "p" for child in parent.iter(include_text=False))


def _wrap_loose_text(tree: LexborHTMLParser) -> None:
    """Wrap prose written straight into a container, between <br>s, into <p>s: trafilatura
    loses such runs, mostly the first one."""
    # Deepest first: replacing a container's inner HTML must not orphan a node still to visit.
    for container in reversed(tree.css(_LOOSE_TEXT_CONTAINERS)):
        if _has_loose_prose(container):
            container.inner_html = "".join(_paragraphed_children(container))


def _has_loose_prose(container: LexborNode) -> bool:
    return any(child.is_text_node and len((child.text_content or "").strip()) > _PROSE_RUN
               for child in container.iter(include_text=True))


def _paragraphed_children(container: LexborNode):
    """Children's HTML with each run of inline content up to a block or a double <br> in a <p>."""
    run: list[str] = []
    previous_br = False
    for child in container.iter(include_text=True):
        tag = child.tag
        if tag == "br":
            if previous_br:
                yield from _paragraph(run)
                run = []
            else:
                run.append("<br>")
            previous_br = True
            continue
        previous_br = previous_br and child.is_text_node and not (child.text_content or "").strip()
        if tag in _INLINE_TAGS:
            run.append(child.html or "")
        else:
            yield from _paragraph(run)
            run = []
            yield child.html or ""
    yield from _paragraph(run)


def _paragraph(run: list[str]):
    html = "".join(run).strip()
    while html.endswith("<br>"):
        html = html[:-4].rstrip()
    while html.startswith("<br>"):
        html = html[4:].lstrip()
    if html:
        yield f"<p>{html}</p>"
