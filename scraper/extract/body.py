"""Article body: boilerplate removed, paragraphs separated by one blank line.

trafilatura reads a pre-cleaned copy of the DOM (clean.py); the paragraphs it returns then pass
line-level filters for the boilerplate that lives inside the article container itself: repeated
headline, date lines, "Related:" / "Read more:" lines, newsletter and follow calls, wire credits
and pull quotes repeating the text.

trafilatura's XML of the extraction the text came from is kept on the Document (`body_xml`):
`structure.body_blocks` renders the same paragraphs with their headings, lists and quotes.
"""

from __future__ import annotations

import logging
import re
from itertools import islice
from urllib.parse import urlsplit

import trafilatura
from lxml.etree import _Element
from selectolax.lexbor import LexborHTMLParser, LexborNode
from trafilatura.core import determine_returnstring
from trafilatura.settings import Extractor

from .clean import cleaned_tree, main_text_container, prose_chars
from .document import MAX_COSTLY_ELEMENTS, Document, node_text, parse_html
from .headline import find_headline_node

_log = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")
_TITLE_SUFFIX = re.compile(r"\s[|\-–—:]\s")
_HAS_ALNUM = re.compile(r"[^\W_]")

# Short lines that announce other pages or page furniture, never article prose.
_FURNITURE_LINE = re.compile(
    r"^\W*(related(\s+\w+)?|read more|read also|also read|"
    r"see more|see also|more|more on|more from|don'?t miss|you may also like|you might also like|"
    r"recommended|filed under|tags?|topics?|share( this( article| story)?)?|comments?|"
    r"advertisement|sponsored|tell us what you think|like this story|also on [\w.]+|"
    r"click here|view comments|leave a comment|post a comment|[\d,.]+k?\s+(comments?|replies|responses))"
    r"\s*([:|»›>\-–—.…!?]|$)",
    re.I,
)
_FURNITURE_MAX_WORDS = 20

# Calls to action: newsletter sign-ups, social follows, tip lines, subscription offers.
_CALL_TO_ACTION = re.compile(
    r"\b(sign up|subscribe|signup)\b.{0,120}\b(newsletters?|inbox)\b|"
    r"\b(newsletters?|inbox)\b.{0,80}\b(sign up|subscribe)\b|"
    r"\bfollow (us|him|her|me|them|@\w+)\b.{0,80}\b(twitter|facebook|instagram|youtube)\b|"
    r"^follow\b.{0,80}\b(on|at) (twitter|facebook|instagram|youtube)\b|"
    r"\b(twitter|facebook|instagram)\b.{0,40}\bfollow (us|him|her|me|them)\b|"
    r"\bhave a (news )?tip\b|\bmay be reached at\b|\bclick here for more\b|"
    r"\bdelivered (right )?(to|in) your inbox\b",
    re.I,
)
_CALL_TO_ACTION_MAX_WORDS = 60
# ... and in the other languages of the pages we crawl: short lines only, the words are common.
_CALL_TO_ACTION_ABROAD = re.compile(
    r"\b(newsletter\w*\s+(?:an|be)?(?:melden|stellen|abonnieren)|(?:jetzt|gratis|kostenlos)\s+"
    r"abonnieren|abonnez-vous|inscrivez-vous|suscr[ií]b\w+|iscriviti|subskryb\w+|"
    r"hazte\s+(?:miembro|socio)|werde\w*\s+(?:mitglied|abonnent)|devenez\s+(?:membre|abonné))",
    re.I)
_CALL_TO_ACTION_ABROAD_MAX_WORDS = 25
_CREDIT_MARK = re.compile(r"[©ⓒ]|^\W*copyright\b", re.I)
_CREDIT_MAX_WORDS = 15

# Credits closing the text: "(Reporting by ...; Editing by ...)", "SOURCE: News agencies".
_CREDIT_LINE = re.compile(
    r"^\W*(((additional )?reporting|writing|editing|compiled|produced) by\b|sources?\s*:)", re.I)
_CREDIT_TAIL = 3
# Notices closing the text: how to cite it ("Citation: <title> (2019, October 22) retrieved ...
# from <url>", "Empfohlene Zitierweise:") and the rights on it ("This document is subject to
# copyright", "Alle Rechte vorbehalten"). Among the last lines only: inside the text such words
# are the story's own.
_CITATION_LINE = re.compile(
    r"^\W*(citation|cite this( article| page| story)?|how to cite( this( article| page)?)?|"
    r"(empfohlene )?zitierweise|zitiervorschlag|zitierhinweis|(pour )?citer cet article|"
    r"pour citer|c[oó]mo citar( este art[ií]culo)?|citar este art[ií]culo|come citare|"
    r"cita questo articolo)\b\s*[:(]", re.I)
_RIGHTS_LINE = re.compile(
    r"\b(all rights reserved|subject to copyright|may not be (re)?published|no part (of this "
    r"\w+ )?may be reproduced|alle rechte vorbehalten|vervielfältigung nur mit genehmigung|"
    r"tous droits réservés|todos los derechos reservados|tutti i diritti riservati)\b", re.I)
_NOTICE_MAX_WORDS = 60

# Reading-time and update stamps: "5 min read", "Tempo de leitura: 1 minuto", "Updated at 1:23 p.m.".
_STAMP_LINE = re.compile(
    r"^\W*(\d+\s*(min|mins|minute|minutes)\.?\s*(read|reading|de leitura|lesezeit)\b|"
    r"((estimated )?reading time|read time|tempo de leitura|tiempo de lectura|temps de lecture|"
    r"lesezeit|(last )?updated|published|posted)\b.{0,40}\d)",
    re.I,
)
_STAMP_MAX_WORDS = 10

# "About <organisation>" blocks closing the page (a press release's company boilerplate, a
# publisher's or a series' self-description): a short heading, or a paragraph opening with the
# site's own name ("Ascom is a global ..."), then at most a few paragraphs to the end, outside
# the container of the text (a block of the same container is the text's, as the ground truth
# of press releases keeps it).
_ABOUT_HEADING = re.compile(
    r"^\W*(about|über|ueber|à propos( de| d'| du)?|a propos( de)?|acerca de|sobre|"
    r"informazioni su|over|om)\s+\w", re.I)
_ABOUT_HEADING_MAX_WORDS = 8
_SELF_DESCRIPTION = re.compile(r"^\s*(is|ist|est|es|è)\s+(a|an|the|one|ein|eine|der|die|das|un|une|"
                               r"le|la|uno|una)\b", re.I)
_ABOUT_TAIL = 4  # the heading or opening paragraph and what follows it, to the end

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"\b\d{1,4}\b")
_DATE_LINE_MAX_WORDS = 10
_DATE_LINE_EDGE = 2  # datelines and stamps sit right before or after the text

# A precision pass returning fewer words while the page holds this much prose lost the text.
_LOST_TEXT_WORDS = 25
_LOST_TEXT_PROSE = 1000
_LOST_TEXT_SHARE = 0.4  # of the page's prose characters, below which the precision pass lost it
_LOST_TEXT_MIN_PROSE = 400

_SUBHEAD_TAGS = {"h2", "h3", "h4", "h5", "h6"}
_SUBHEAD_MAX_CHARS = 200
_OPENING_WORDS = 8

_PULL_QUOTE_MIN_WORDS = 5
_PULL_QUOTE_MAX_WORDS = 40
_QUOTES = "\"'“”‘’«»„"


def extract_body(doc: Document) -> str:
    """The body text. A failure in any of its stages never empties it silently: it is logged,
    recorded in `doc.fallbacks`, and plain trafilatura on the original page gives the text."""
    try:
        return _extract_body(doc)
    except Exception as error:  # a bug meeting an unforeseen page: the page keeps a body
        reason = f"{type(error).__name__}: {error}"
        _log.warning("body stage failed on %s (%s): plain trafilatura on the original page",
                     doc.url, reason, exc_info=True)
        doc.fallbacks.append(f"body: {reason}")
        paragraphs, doc.body_xml = _trafilatura_paragraphs(_bounded_original(doc), doc.url,
                                                           favor_precision=False)
        return "\n\n".join(paragraphs)


def _bounded_original(doc: Document) -> str:
    """The page as served, bounded like the cleaned one on an oversized page."""
    if doc.element_count <= MAX_COSTLY_ELEMENTS:
        return doc.html
    return _bounded_html(parse_html(doc.html))


def _extract_body(doc: Document) -> str:
    tree = cleaned_tree(doc)
    html = _bounded_html(tree)
    paragraphs, doc.body_xml = _trafilatura_paragraphs(html, doc.url, favor_precision=True)
    if _lost_text(paragraphs, tree):
        # favor_precision's link-density pruning can take the container of the whole text
        # with it (a plain <div> headline, text in short runs), or settle on a short wrong
        # block (a legal notice) beside it: the default settings keep the text
        paragraphs, doc.body_xml = _trafilatura_paragraphs(html, doc.url, favor_precision=False)
    paragraphs = _restore_subheads(paragraphs, tree)
    paragraphs = _drop_about_block(paragraphs, tree, _site_names(doc))
    return "\n\n".join(_drop_boilerplate_lines(paragraphs, _headlines(doc)))


def _drop_about_block(paragraphs: list[str], tree: LexborHTMLParser, names: set[str]) -> list[str]:
    """The body without an "About <organisation>" block closing it outside the text's container."""
    for index in range(max(1, len(paragraphs) - _ABOUT_TAIL), len(paragraphs)):
        if _opens_about_block(paragraphs[index], names):
            container = main_text_container(tree.body) if tree.body is not None else None
            if container is None or _normalized(paragraphs[index]) in _normalized(container.text()):
                return paragraphs
            return paragraphs[:index]
    return paragraphs


def _opens_about_block(paragraph: str, names: set[str]) -> bool:
    if _words_at_most(paragraph, _ABOUT_HEADING_MAX_WORDS) and _ABOUT_HEADING.match(paragraph) \
            and paragraph.rstrip()[-1:] not in ".!?":
        return True
    folded = paragraph.casefold()
    return any(folded.startswith(name) and _SELF_DESCRIPTION.match(folded[len(name):])
               for name in names)


def _site_names(doc: Document) -> set[str]:
    """The site's name as a text would open with it: og:site_name, and the host's labels
    ("ascom" of www.ascom.com)."""
    names = {doc.meta_first("og:site_name") or ""}
    names.update((urlsplit(doc.url).hostname or "").split(".")[:-1])
    return {name.casefold().strip() for name in names if len(name.strip()) >= 3} - {"www"}


def _restore_subheads(paragraphs: list[str], tree: LexborHTMLParser) -> list[str]:
    """Subheads of the text's container that the precision pass dropped between two of its
    paragraphs it kept (FAQ questions, section heads): put back between them."""
    container = main_text_container(tree.body) if tree.body is not None and paragraphs else None
    if container is None:
        return paragraphs
    position = {_opening(p): index for index, p in enumerate(paragraphs)}
    blocks = [child for child in container.iter(include_text=False)
              if child.tag in _SUBHEAD_TAGS or child.tag == "p"]
    inserts: dict[int, str] = {}
    for before, block, after in zip(blocks, blocks[1:], blocks[2:], strict=False):
        if block.tag not in _SUBHEAD_TAGS or before.tag != "p" or after.tag != "p":
            continue
        text = node_text(block)
        if not text or len(text) > _SUBHEAD_MAX_CHARS or _opening(text) in position:
            continue
        at = position.get(_opening(node_text(before)))
        if at is not None and position.get(_opening(node_text(after))) == at + 1:
            inserts[at + 1] = text
    if not inserts:
        return paragraphs
    out: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index in inserts:
            out.append(inserts[index])
        out.append(paragraph)
    return out


def _opening(text: str) -> str:
    return " ".join(_WORD.findall(text)[:_OPENING_WORDS]).casefold()


def _lost_text(paragraphs: list[str], tree: LexborHTMLParser) -> bool:
    """The precision pass kept less than a share of the page's prose (sentence-long text
    outside links, after the cleaner): it lost the text, or took a wrong block."""
    kept = sum(len(p) for p in paragraphs)
    few_words = _words_at_most(" ".join(paragraphs), _LOST_TEXT_WORDS - 1)
    if not few_words and tree.body is not None and kept >= _LOST_TEXT_SHARE * len(tree.body.text()):
        return False  # kept enough of all the page's text, let alone of its prose
    prose = prose_chars(tree)
    if few_words and prose >= _LOST_TEXT_PROSE:
        return True
    return prose >= _LOST_TEXT_MIN_PROSE and kept < _LOST_TEXT_SHARE * prose


def _bounded_html(tree: LexborHTMLParser) -> str:
    """The cleaned page, or on an oversized page (trafilatura slows down faster than linearly)
    the largest region around the main text that fits MAX_COSTLY_ELEMENTS, cut to its opening
    part when even the main text container alone is larger."""
    if tree.body is None or len(tree.css("*")) <= MAX_COSTLY_ELEMENTS:
        return tree.html
    region = main_text_container(tree.body) or tree.body
    while region.parent is not None and region.parent.tag != "html" and \
            _element_count(region.parent) <= MAX_COSTLY_ELEMENTS:
        region = region.parent
    return f"<html><body>{''.join(_opening_within_budget(region, MAX_COSTLY_ELEMENTS))}</body></html>"


def _element_count(node: LexborNode) -> int:
    return len(node.css("*"))  # the node itself included


def _opening_within_budget(node: LexborNode, budget: int):
    """HTML of the node's leading children that fit the budget; the first child larger than
    what is left is entered and cut the same way (keeping its tag, not its attributes)."""
    for child in node.iter(include_text=True):
        if child.is_element_node:
            size = _element_count(child)
            if size > budget:
                yield f"<{child.tag}>"
                yield from _opening_within_budget(child, budget - 1)
                yield f"</{child.tag}>"
                return
            budget -= size
        yield child.html or ""


def _trafilatura_paragraphs(html: str, url: str,
                            favor_precision: bool) -> tuple[list[str], _Element | None]:
    """The text lines of trafilatura's extraction and the XML they were written from.
    `trafilatura.extract(output_format="txt")` in two steps (the same calls it makes), so the
    text is exactly what it returns and the XML is not thrown away."""
    options = Extractor(output_format="txt", precision=favor_precision, comments=False,
                        tables=True, dedup=False, url=url)
    document = trafilatura.bare_extraction(html, options=options)
    if document is None:
        return [], None
    text = determine_returnstring(document, options) or ""
    return [line.strip() for line in text.splitlines() if line.strip()], document.body


def _headlines(doc: Document) -> set[str]:
    """Every spelling of the title the page shows, to drop it when it leaks into the text.
    Only the <h1> that is the headline counts: other <h1>s are section subheads."""
    names = {node_text(find_headline_node(doc))}
    names.add(doc.meta_first("og:title", "twitter:title") or "")
    title = node_text(doc.tree.css_first("title"))
    names.add(title)
    names.update(_TITLE_SUFFIX.split(title, maxsplit=1)[:1])
    return {_normalized(name) for name in names if name}


def _is_headline(paragraph: str, headlines: set[str]) -> bool:
    """The title, alone or with a section or site suffix ("... | Health")."""
    title = _TITLE_SUFFIX.split(paragraph, maxsplit=1)[0]
    return _normalized(paragraph) in headlines or _normalized(title) in headlines


def _normalized(text: str) -> str:
    return " ".join(_WORD.findall(text)).casefold()


def _drop_boilerplate_lines(paragraphs: list[str], headlines: set[str]) -> list[str]:
    kept = [p for p in paragraphs if _HAS_ALNUM.search(p)]  # not table rules or separators
    kept = [p for p in kept if not (_is_headline(p, headlines) or _is_furniture(p)
                                    or _is_call_to_action(p) or _is_credit(p))]
    return _drop_pull_quotes(_drop_edge_lines(kept))


def _drop_edge_lines(paragraphs: list[str]) -> list[str]:
    """Datelines and stamps right before or after the text, credits and citation or rights
    notices closing it."""
    last = len(paragraphs) - 1
    kept = []
    for index, paragraph in enumerate(paragraphs):
        at_edge = index < _DATE_LINE_EDGE or index > last - _DATE_LINE_EDGE
        if at_edge and (_is_date_line(paragraph) or _is_stamp(paragraph)):
            continue
        if index > last - _CREDIT_TAIL and (_CREDIT_LINE.match(paragraph) or _is_notice(paragraph)):
            continue
        kept.append(paragraph)
    return kept


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _words_at_most(text: str, limit: int) -> bool:
    """`_word_count(text) <= limit`, reading no further than word limit + 1: the line
    filters ask it of every paragraph, and most paragraphs are far longer than the limit."""
    return next(islice(_WORD.finditer(text), limit, None), None) is None


def _is_furniture(paragraph: str) -> bool:
    return _words_at_most(paragraph, _FURNITURE_MAX_WORDS) and bool(
        _FURNITURE_LINE.match(paragraph))


def _is_call_to_action(paragraph: str) -> bool:
    return (_words_at_most(paragraph, _CALL_TO_ACTION_MAX_WORDS)
            and bool(_CALL_TO_ACTION.search(paragraph))) or (
        _words_at_most(paragraph, _CALL_TO_ACTION_ABROAD_MAX_WORDS)
        and bool(_CALL_TO_ACTION_ABROAD.search(paragraph)))


def _is_credit(paragraph: str) -> bool:
    """A photo credit or copyright notice: a short line with "©" or opening with "Copyright"."""
    return _words_at_most(paragraph, _CREDIT_MAX_WORDS) and bool(_CREDIT_MARK.search(paragraph))


def _is_notice(paragraph: str) -> bool:
    """How to cite the text, or the rights on it."""
    return _words_at_most(paragraph, _NOTICE_MAX_WORDS) and bool(
        _CITATION_LINE.match(paragraph) or _RIGHTS_LINE.search(paragraph))


def _is_stamp(paragraph: str) -> bool:
    return _words_at_most(paragraph, _STAMP_MAX_WORDS) and bool(_STAMP_LINE.match(paragraph))


def _is_date_line(paragraph: str) -> bool:
    """A bare dateline such as "August 08, 2018" or "sexta-feira, 22 de outubro de 2010 às 20:13",
    not the "— Name (@handle) November 18, 2019" signature of an embedded tweet."""
    if not _words_at_most(paragraph, _DATE_LINE_MAX_WORDS) or paragraph.rstrip()[-1:] in ".!?:\"”":
        return False
    if "@" in paragraph:
        return False
    return bool(_YEAR.search(paragraph)) and len(_NUMBER.findall(paragraph)) >= 2


def _drop_pull_quotes(paragraphs: list[str]) -> list[str]:
    """Drop a short quoted paragraph whose words reappear inside another one: a pull quote."""
    candidates = [index for index, paragraph in enumerate(paragraphs)
                  if paragraph[:1] in _QUOTES
                  and _PULL_QUOTE_MIN_WORDS <= _word_count(paragraph) <= _PULL_QUOTE_MAX_WORDS]
    if not candidates:  # most pages: no index of every paragraph's word runs to build
        return paragraphs
    normalized = [_normalized(p.strip(_QUOTES)) for p in paragraphs]
    containing = _paragraphs_by_opening_words(normalized)
    dropped = {index for index in candidates
               if _repeated_in_longer(index, normalized, containing)}
    return [p for index, p in enumerate(paragraphs) if index not in dropped]


def _paragraphs_by_opening_words(normalized: list[str]) -> dict[tuple[str, ...], set[int]]:
    """Every run of _PULL_QUOTE_MIN_WORDS words -> the paragraphs holding it: an index that keeps
    the pull-quote test linear on pages with thousands of paragraphs."""
    index: dict[tuple[str, ...], set[int]] = {}
    size = _PULL_QUOTE_MIN_WORDS
    for position, text in enumerate(normalized):
        tokens = text.split()
        for start in range(len(tokens) - size + 1):
            index.setdefault(tuple(tokens[start:start + size]), set()).add(position)
    return index


def _repeated_in_longer(index: int, normalized: list[str],
                        containing: dict[tuple[str, ...], set[int]]) -> bool:
    needle = normalized[index]
    opening = tuple(needle.split()[:_PULL_QUOTE_MIN_WORDS])
    return any(
        other != index and len(normalized[other]) > len(needle)
        and f" {needle} " in f" {normalized[other]} "
        for other in containing.get(opening, ())
    )
