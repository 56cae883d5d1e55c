"""The parsed page that every field extractor reads: DOM, meta tags and JSON-LD, parsed once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "socialmediaposting",
    "techarticle", "scholarlyarticle", "liveblogposting", "posting", "report",
}

# Whitespace, and C0 control characters (invalid in HTML text, and they break consumers).
_WS = re.compile(r"[\s\x00-\x08\x0e-\x1f\x7f]+")

# Element count beyond which trafilatura gets a bounded share of the page: its time grows
# faster than linearly with size. News pages have a few thousand elements.
MAX_COSTLY_ELEMENTS = 10_000


# A run of this many opening tags with nothing between them is hostile markup (real pages open
# a few dozen at most): lexbor's tree builder slows down quadratically with the depth (100,000
# nested <div>s took 25 s to parse), so such a run is cut to its first MAX_OPENING_RUN tags
# before parsing (their stray closing tags are ignored by the parser).
MAX_OPENING_RUN = 200
_OPENING_RUN = re.compile(rf"(?:<[a-zA-Z][\w-]*(?:\s[^<>]*)?>\s*){{{MAX_OPENING_RUN + 1},}}")
_UNCLOSED_RATIO = 3  # opening tags beyond three times the closing ones: look for runs
_OPENING_TAG = re.compile(r"<[a-zA-Z][\w-]*(?:\s[^<>]*)?>\s*")


# An element with more than this many attributes is hostile markup (the corpus's most is 38):
# lexbor and libxml2 both check each new attribute of an element against all its earlier ones
# (quadratic: 40,000 attributes on one element take 3.5 s in lexbor, 2.3 s in lxml, and
# 100,000 cost the story the 60 s extraction limit), so such a tag keeps its first
# MAX_ATTRIBUTES and loses the rest, in the page's text, before any parser sees it. Looked for
# with one regex (about 0.8 ms on a 150 KB page); only on a page where it finds a candidate
# (24 of the 607 corpus pages, all inside scripts) is the page walked tag by tag.
MAX_ATTRIBUTES = 256
# One attribute as the HTML tokenizer reads it: its name runs to whitespace, "/", ">" or "=";
# a value is double- or single-quoted (to the end of the page if never closed) or unquoted
# (to whitespace or ">"). Possessive, so matching is linear.
_ATTRIBUTE = r"""[\s/]*+[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"?+|'[^']*+'?+|[^\s>]*+))?+"""
_MANY_ATTRIBUTES = re.compile(rf"<[a-zA-Z][^\s/>]*+(?>(?:{_ATTRIBUTE}){{{MAX_ATTRIBUTES + 1}}})")
_KEPT_ATTRIBUTES = re.compile(rf"(?:{_ATTRIBUTE}){{0,{MAX_ATTRIBUTES}}}+")
_MORE_ATTRIBUTES = re.compile(rf"(?:{_ATTRIBUTE})*+")
_MARKUP = re.compile(r"<!--|<([a-zA-Z][^\s/>]*+)")
# where a comment ends: at once (<!--> and <!--->), or at the first --> or --!>
_COMMENT_END = re.compile(r"-?>|.*?--!?>", re.S)
# elements whose content both lexbor and libxml2 read as text up to their end tag
_RAW_TEXT = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}


def parse_html(html: str) -> LexborHTMLParser:
    """lexbor's tree of a page, hostile runs of opening tags cut short first (a Document's
    text has lost its hostile attribute lists already: `cut_attribute_lists`)."""
    return LexborHTMLParser(_collapse_deep_openings(html))


def cut_attribute_lists(html: str) -> str:
    """The page with each start tag's attributes beyond MAX_ATTRIBUTES dropped (see above),
    comments and script and style contents left alone. No "<" is ever dropped, so no end tag
    or comment is lost: attributes beyond the limit that hold one lose what comes before it,
    and the tag is closed there (its rest is then read as a tag of its own, limited alike)."""
    if len(html) < 2 * MAX_ATTRIBUTES or _MANY_ATTRIBUTES.search(html) is None:
        return html
    parts: list[str] = []
    kept_to = pos = 0
    while (tag := _MARKUP.search(html, pos)) is not None:
        if tag.group(1) is None:  # a comment: its text is no markup
            end = _COMMENT_END.match(html, tag.end())
            pos = len(html) if end is None else end.end()
            continue
        pos = _KEPT_ATTRIBUTES.match(html, tag.end()).end()
        more = _MORE_ATTRIBUTES.match(html, pos).end()
        if more > pos:  # attributes beyond the limit
            lt = html.find("<", pos, more)
            parts.append(html[kept_to:pos])
            if lt < 0:
                kept_to = pos = more
            else:
                parts.append(">")
                kept_to = pos = lt
                continue
        raw_end = _RAW_TEXT.get(tag.group(1).lower())
        if raw_end is not None:
            end = raw_end.search(html, pos)
            pos = len(html) if end is None else end.start()
    parts.append(html[kept_to:])
    return "".join(parts)


def _collapse_deep_openings(html: str) -> str:
    """The page with runs of more than MAX_OPENING_RUN opening tags cut short. Looked for only
    when the page opens far more tags than it closes (a cheap count): real pages close most of
    what they open."""
    if len(html) < MAX_OPENING_RUN * 4:
        return html
    closings = html.count("</")
    if html.count("<") - closings < _UNCLOSED_RATIO * closings + MAX_OPENING_RUN:
        return html
    return _OPENING_RUN.sub(
        lambda run: "".join(_OPENING_TAG.findall(run.group(0))[:MAX_OPENING_RUN]), html)


def clean_text(text: str | None) -> str:
    """Collapse whitespace (incl. NBSP) and control characters into single spaces and strip."""
    if not text:
        return ""
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


# Han ideographs and kana: Chinese and Japanese write words without spaces between them.
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_CHARS_PER_WORD = 2


def word_count(text: str) -> int:
    """Words of a text; Chinese and Japanese, which need no spaces, counted in characters
    (about two characters to a word), so a Japanese article is not "18 words" long."""
    cjk = len(_CJK_CHAR.findall(text))
    if not cjk:
        return len(text.split())
    return len(_CJK_CHAR.sub(" ", text).split()) + cjk // _CJK_CHARS_PER_WORD


def node_text(node: LexborNode | None) -> str:
    return clean_text(node.text(separator=" ")) if node is not None else ""


def _flatten_ld(obj: Any, out: list[dict]) -> None:
    if isinstance(obj, list):
        for item in obj:
            _flatten_ld(item, out)
    elif isinstance(obj, dict):
        out.append(obj)
        if "@graph" in obj:
            _flatten_ld(obj["@graph"], out)
        main = obj.get("mainEntity")
        if isinstance(main, (dict, list)):
            _flatten_ld(main, out)


def ld_types(obj: dict) -> set[str]:
    types = obj.get("@type") or []
    if not isinstance(types, list):
        types = [types]  # a string, or a broken value such as a number
    return {str(t).lower() for t in types}


def absolute_url(base: str, href: str) -> str | None:
    """href resolved against base; None when either is not a parsable URL ("http://[::1")."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None


def url_parts(url: str) -> SplitResult:
    """The parts of a URL; an unparsable one counts as having none."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


@dataclass
class Document:
    """The page parsed once, read by every field extractor (and by link discovery, through
    `parse_document`). Nothing modifies `tree`: a stage that edits the DOM works on a clone
    (`clean.cleaned_tree`), so the tree stays the page as served."""

    html: str  # the page's text, hostile attribute lists cut (`cut_attribute_lists`)
    url: str
    tree: LexborHTMLParser = field(init=False)
    # trafilatura's XML of the body text, set by `body.extract_body` (for `structure.py`)
    body_xml: Any = field(default=None, init=False, repr=False, compare=False)
    # stages that failed or fell back on this page ("body: ..."), also logged: for callers and tests
    fallbacks: list[str] = field(default_factory=list, init=False, repr=False, compare=False)
    # results several field stages ask for (the headline's node), computed once per page
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.html = cut_attribute_lists(self.html)  # what every parser and stage reads
        self.tree = parse_html(self.html)

    @cached_property
    def element_count(self) -> int:
        return len(self.tree.css("*"))

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """<meta> content by lowercased name/property/itemprop, in document order."""
        out: dict[str, list[str]] = {}
        for node in self.tree.css("meta"):
            attrs = node.attributes
            content = attrs.get("content")
            if content is None:
                continue
            for key in ("property", "name", "itemprop"):
                name = attrs.get(key)
                if name:
                    out.setdefault(name.strip().lower(), []).append(content.strip())
        return out

    def meta_first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name.lower(), []):
                if clean_text(value):
                    return clean_text(value)
        return None

    @cached_property
    def jsonld(self) -> list[dict]:
        """Every JSON-LD object on the page, @graph and mainEntity flattened."""
        out: list[dict] = []
        for node in self.tree.css('script[type="application/ld+json"]'):
            raw = (node.text() or "").strip()
            if not raw:
                continue
            try:
                data = json.loads(raw)
            except RecursionError:  # absurdly nested: not a description of the page
                continue
            except ValueError:
                try:  # common breakage: raw newlines or trailing commas inside strings
                    data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ")))
                except (ValueError, RecursionError):
                    continue
            _flatten_ld(data, out)
        return out

    @cached_property
    def ld_article(self) -> dict | None:
        """The JSON-LD object describing the article, if any."""
        for obj in self.jsonld:
            if ld_types(obj) & ARTICLE_TYPES:
                return obj
        return None

    def ld_of_type(self, *types: str) -> list[dict]:
        wanted = {t.lower() for t in types}
        return [obj for obj in self.jsonld if ld_types(obj) & wanted]
