"""Published and modified dates, kept apart, ISO 8601 with the timezone where known.

Sources, most trusted first: JSON-LD, <meta>, itemprop/<time> markup, a date shown near the
headline, the URL path, then htmldate as a last resort.

A date that belongs to another page is never borrowed: a <time> inside a link to another page,
and whatever htmldate would read in such a link (its target `/2024/05/01/story`, its <time>,
its text), are the linked story's."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone

from dateutil import parser as date_parser
from selectolax.lexbor import LexborNode

from .document import Document, absolute_url, clean_text, parse_html
from .fieldtext import elements_after, is_hidden
from .headline import find_headline_node

_EARLIEST_YEAR = 1995  # older values are placeholders such as 0001-01-01 or the epoch
_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "BST": 1, "CET": 1, "WEST": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "ICT": 7, "WIB": 7, "SGT": 8, "HKT": 8, "JST": 9,
    "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4, "ET": -5,
    "CST": -6, "CDT": -5, "CT": -6, "MST": -7, "MDT": -6, "MT": -7, "PST": -8, "PDT": -7, "PT": -8,
    "AKST": -9, "HST": -10,
}
_TZINFOS = {name: int(hours * 3600) for name, hours in _HOURS.items()}
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)")
_PUBLISHED_LD = ("datePublished", "dateCreated", "uploadDate")
_MODIFIED_LD = ("dateModified",)
_PUBLISHED_META = (
    "article:published_time", "article:published", "og:published_time", "datepublished",
    "datecreated", "published_time", "publishdate", "publish-date", "pubdate", "publish_date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published", "date", "cxenseparse:recs:publishtime",
)
_MODIFIED_META = (
    "article:modified_time", "article:modified", "og:updated_time", "datemodified",
    "dcterms.modified", "last-modified", "article.updated",
)
# A full date as pages show it: "Nov 20, 2019", "20 November 2019", "2019-11-20", with an optional
# time and zone. English month names only: dateutil reads no others (and skips them in fuzzy
# mode, giving a wrong day), and a numeric "03.11.2019" is ambiguous.
_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_CLOCK = r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?)?"
_DATE_SHAPE = re.compile(
    rf"\b(?:{_MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_WORD},?\s+(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d){_CLOCK}",
    re.I,
)
_MONTH_DAY = re.compile(rf"\b{_MONTH_WORD}\s+\d{{1,2}}\b", re.I)
_YEAR_SHAPE = re.compile(r"\b(?:19|20)\d\d\b")
_HEADER_SCAN = 40  # elements after the headline searched for a shown date
_DATE_LINE_MAX_CHARS = 120
_DATE_LINE_OTHER_CHARS = 40
_NOT_DATE_TAGS = {"script", "style", "noscript", "template", "option", "select"}
# htmldate reads at most this many elements' share of the page (news pages have a few thousand).
_HTMLDATE_MAX_ELEMENTS = 5_000
_STALE_DAYS = 2  # a JSON-LD date further than this from every other date of the page is stale
_SAME_INSTANT = timedelta(minutes=2)
_MAX_OFFSET = timedelta(hours=14)
_SHOWN_SCAN = 5
# The publisher offsets tried, most common first, when only the shown day reveals that a UTC
# timestamp falls on the next day (the Americas) or on the previous one (Asia, Oceania).
_WEST_OFFSETS = (-5, -4, -6, -7, -8, -3, -10)
_EAST_OFFSETS = (1, 2, 3, 5.5, 7, 8, 9, 10, 12)
_LABEL_WORDS = re.compile(
    r"^\s*(?:(?:published|posted|updated|last updated|modified|created|date)\s*(?:on|at)?\s*:?\s*)+",
    re.I,
)


def shows_date(text: str | None) -> bool:
    """The text shows a full date ("Nov 20, 2019", "20 November 2019", "2019-11-20")."""
    return bool(_DATE_SHAPE.search(text or ""))


def parse_date(value: str | None) -> datetime | None:
    """Parse the date formats pages use (ISO, RFC 822, "Nov 19, 2019 7:47 PM EST", 20191119);
    refuse placeholders and dates in the future."""
    text = clean_text(value)
    if not 6 <= len(text) <= 80:
        return None
    text = _LABEL_WORDS.sub("", text)
    compact = _COMPACT_DAY.match(text)
    if compact:
        text = "-".join(compact.groups())
    parsed = _parse_iso(text) or _parse_free(text)
    if parsed is None or parsed.year < _EARLIEST_YEAR:
        return None
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if aware > datetime.now(UTC) + timedelta(days=1):
        return None
    return parsed


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None


def _parse_free(text: str) -> datetime | None:
    if not re.search(r"\d", text):
        return None
    try:
        # a far-past default makes missing parts visible: a text without a year is refused
        parsed = date_parser.parse(text, tzinfos=_TZINFOS, fuzzy=True,
                                   default=datetime(1, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed


def iso(value: datetime | None) -> str | None:
    """ISO 8601; a bare day (no time, no zone: URL, htmldate, "2019/11/19") stays a bare day
    rather than pretending to be midnight."""
    if value is None:
        return None
    if value.tzinfo is None and value.time() == datetime.min.time():
        return value.date().isoformat()
    return value.isoformat()


def _first_parsed(values: list[str | None]) -> datetime | None:
    for value in values:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return None


def _ld_values(doc: Document, keys: tuple[str, ...]) -> list[str | None]:
    objects = [doc.ld_article] if doc.ld_article else []
    objects += [obj for obj in doc.jsonld if obj is not doc.ld_article]
    return [obj.get(key) if isinstance(obj.get(key), str) else None
            for obj in objects for key in keys]


def _meta_values(doc: Document, names: tuple[str, ...]) -> list[str | None]:
    return [value for name in names for value in doc.meta.get(name, [])]


def _itemprop_values(doc: Document, prop: str) -> list[str | None]:
    values: list[str | None] = []
    for node in doc.tree.css(f'[itemprop~="{prop}"]'):
        attrs = node.attributes
        values.append(attrs.get("content") or attrs.get("datetime") or node.text(separator=" "))
    return values


def _time_values(doc: Document, kind: str, marked_only: bool) -> list[str | None]:
    """<time> elements marked as publication (or update); with marked_only=False the unmarked
    ones, which may also be comment or related-story times."""
    marked, unmarked = [], []
    for node in doc.tree.css("time"):
        if kind == "published" and not marked_only and _links_elsewhere(node, doc.url):
            continue  # a teaser's date: the linked story's, not this page's
        attrs = node.attributes
        value = attrs.get("datetime") or node.text(separator=" ")
        parent_class = (node.parent.attributes.get("class") or "") if node.parent else ""
        marker = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''} {parent_class}".lower()
        is_update = "updat" in marker or "modif" in marker
        if kind == "modified":
            (marked if is_update else unmarked).append(value)
        elif "pubdate" in attrs or ("publish" in marker and not is_update):
            marked.append(value)
        elif not is_update:
            unmarked.append(value)
    return marked if marked_only else unmarked


def _links_elsewhere(node: LexborNode, url: str) -> bool:
    """Is the node inside a link to another page (not a permalink to this one)?"""
    anchor = node
    while anchor is not None and anchor.tag != "a":
        anchor = anchor.parent
    if anchor is None or "href" not in anchor.attributes:
        return False
    target = absolute_url(url, anchor.attributes.get("href") or "") or ""
    return _page_of(target) != _page_of(url)


def _page_of(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


def _date_lines_after_headline(doc: Document) -> list[str | None]:
    """Short texts shaped like a full date among the elements after the headline: the date
    shown in the article header when no markup declares it (found once per page)."""
    if "date_lines" not in doc.memo:
        doc.memo["date_lines"] = _find_date_lines(doc)
    return list(doc.memo["date_lines"])


def _find_date_lines(doc: Document) -> list[str | None]:
    headline = find_headline_node(doc)
    if headline is None:
        return []
    lines = []
    for node in elements_after(headline, _HEADER_SCAN):
        if node.tag in _NOT_DATE_TAGS:
            continue
        text = clean_text(node.text(deep=False)) or clean_text(node.text())
        shown = _DATE_SHAPE.search(text) if len(text) <= _DATE_LINE_MAX_CHARS else None
        # the date is most of the line ("By Jane Doe, Nov 3, 2019"), not a sentence's detail
        if shown and len(text) - len(shown.group(0)) <= _DATE_LINE_OTHER_CHARS and not is_hidden(node):
            lines.append(shown.group(0))
    return lines


def _url_day(url: str) -> datetime | None:
    match = _URL_DAY.search(url)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


# htmldate's last resort, dateparser, tries every one of its ~200 locales on a string none of
# them reads, building each locale's regexes on first use: 2.6 s and 44 MB, once per process.
# It is told the page's language instead (and English, which pages in every language show
# dates in); a page whose language is unknown still gets every locale.
_DATEPARSER_SETTINGS = {  # htmldate's own (htmldate.extractors.get_external_parser)
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}
_PAGE_LANGUAGE: ContextVar[str | None] = ContextVar("page_language", default=None)


@contextmanager
def _dateparser_language(language: str | None) -> Iterator[None]:
    """While inside, htmldate's dateparser reads the dates of `language` and English only."""
    _route_htmldate_parser()
    _forget_other_languages(language)
    token = _PAGE_LANGUAGE.set(language)
    try:
        yield
    finally:
        _PAGE_LANGUAGE.reset(token)


class _LastLanguage:
    value: str | None = None


def _forget_other_languages(language: str | None) -> None:
    """htmldate caches what each string parsed to (`try_date_expr`), whatever parser read
    it: a string one language's parser could not read must not stay unread for a page in
    another. So its cache is cleared when the language changes (between pages, rarely within
    a run's stretch of one site)."""
    if language == _LastLanguage.value:
        return
    _LastLanguage.value = language
    from htmldate import extractors

    cached = getattr(extractors, "try_date_expr", None)
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


@functools.cache
def _route_htmldate_parser() -> None:
    """htmldate builds its one dateparser (all languages) in `get_external_parser`, which it
    looks up at each call: replaced by one that picks a parser for the page's language."""
    from htmldate import extractors

    every_language = getattr(extractors, "get_external_parser", None)
    if every_language is None:  # another htmldate: its own parser, all locales, as before
        return

    def for_page_language():
        return _language_parser(_PAGE_LANGUAGE.get()) or every_language()

    extractors.get_external_parser = for_page_language


@functools.lru_cache(maxsize=64)
def _language_parser(language: str | None):
    """A dateparser for `language` and English; None for an unknown or unsupported one."""
    from dateparser import DateDataParser
    from dateparser.data.languages_info import language_order

    if language not in language_order:  # it would raise at its first string, not here
        return None
    return DateDataParser(languages=list(dict.fromkeys((language, "en"))),
                          settings=_DATEPARSER_SETTINGS)


def _htmldate_day(doc: Document, language: str | None = None) -> datetime | None:
    """htmldate's own heuristics, only when nothing structured was found (it is slower).
    `language`: the page's, for the dateparser of htmldate's extensive pass."""
    try:
        from htmldate import find_date

        html = _without_links_elsewhere(_bounded_html(doc), doc.url)
        # the quick pass first: the extensive one can take 100+ ms on very large pages
        found = find_date(html, url=doc.url, original_date=True, extensive_search=False)
        if not found:
            with _dateparser_language(language):
                found = find_date(html, url=doc.url, original_date=True, extensive_search=True)
    except Exception:  # htmldate raises on odd markup; a missing date is not an error
        return None
    if not found:
        return None
    parsed = date.fromisoformat(found)
    return datetime(parsed.year, parsed.month, parsed.day) if parsed.year >= _EARLIEST_YEAR else None


def _without_links_elsewhere(html: str, url: str) -> str:
    """The page without its links to other pages: htmldate's extensive search reads every
    date in the HTML, link targets, teaser times and link texts included."""
    tree = parse_html(html)
    for anchor in tree.css("a[href]"):
        if _links_elsewhere(anchor, url):
            anchor.decompose()
    return tree.html or ""


def _bounded_html(doc: Document) -> str:
    """The page, or on a very large one its opening share of about _HTMLDATE_MAX_ELEMENTS
    elements: htmldate's time grows with size, and a publication date is shown near the top."""
    if doc.element_count <= _HTMLDATE_MAX_ELEMENTS:
        return doc.html
    return doc.html[:len(doc.html) * _HTMLDATE_MAX_ELEMENTS // doc.element_count]


def published_with_source(doc: Document,
                          language: str | None = None) -> tuple[datetime | None, str | None]:
    """The publication date and the source that gave it (`articles.published_source`):
    jsonld, meta, markup (itemprop / <time>), url, text (shown under the headline), htmldate
    (which reads dates written out in words in the page's `language` and English).
    A JSON-LD date far from every other date of the page is stale and loses; a machine
    timestamp is expressed in the publisher's offset when the page reveals it."""
    chain = (
        ("jsonld", lambda: _fresh_ld_date(doc)),
        ("meta", lambda: _first_parsed(_meta_values(doc, _PUBLISHED_META))),
        ("markup", lambda: _first_parsed(_itemprop_values(doc, "datePublished"))),
        ("markup", lambda: _first_parsed(_time_values(doc, "published", marked_only=True))),
        ("url", lambda: _url_day(doc.url)),
        ("text", lambda: _first_parsed(_date_lines_after_headline(doc))),
        ("markup", lambda: _first_parsed(_time_values(doc, "published", marked_only=False))),
        ("htmldate", lambda: _htmldate_day(doc, language)),
    )
    for source, find in chain:
        found = find()
        if found is not None:
            return _in_publisher_offset(doc, found), source
    return None, None


def _fresh_ld_date(doc: Document) -> datetime | None:
    """JSON-LD's datePublished, unless it is far from every other date the page gives (meta,
    the URL's day, the date shown under the headline): a template's stale value."""
    found = _first_parsed(_ld_values(doc, _PUBLISHED_LD))
    if found is None:
        return None
    others = [_first_parsed(_meta_values(doc, _PUBLISHED_META)), _url_day(doc.url),
              _first_parsed(_date_lines_after_headline(doc))]
    others = [other for other in others if other is not None]
    if others and all(abs(_day_of(found) - _day_of(other)).days > _STALE_DAYS for other in others):
        return None
    return found


def _day_of(value: datetime) -> date:
    return value.date()


def _in_publisher_offset(doc: Document, found: datetime) -> datetime:
    """The same instant in the publisher's offset, when the page reveals it: machine dates are
    often UTC, and an evening story in the Americas then carries the next day, while readers
    (and researchers) count the day the page shows."""
    if found.tzinfo is None:
        return found  # a local clock already, or a bare day
    shown = _shown_dates(doc, found)
    for value in shown:  # a date-time with its zone, shown on the page
        if value.tzinfo is not None and _has_clock(value):
            if abs(value - found) <= _SAME_INSTANT:
                return found.astimezone(value.tzinfo)
            if any(abs(value - other) <= _SAME_INSTANT for other in _machine_dates(doc)):
                return value  # the page and another machine value agree: found's offset is wrong
    if found.utcoffset() != timedelta(0):
        return found
    for value in shown + _machine_dates(doc):  # the same instant written in a local clock
        offset = _local_offset(value, found)
        if offset is not None:
            return found.astimezone(timezone(offset))
    url_day = _url_day(doc.url)
    days = [value.date() for value in shown] + ([url_day.date()] if url_day else [])
    for day in days:  # only the day is shown: the usual offsets that give it
        step = (day - found.date()).days
        if step == 0:
            return found
        if step in (-1, 1):
            for hours in (_WEST_OFFSETS if step == -1 else _EAST_OFFSETS):
                local = found.astimezone(timezone(timedelta(hours=hours)))
                if local.date() == day:
                    return local
    return found


def _has_clock(value: datetime) -> bool:
    return value.time() != datetime.min.time()


def _local_offset(value: datetime, utc: datetime) -> timedelta | None:
    """The UTC offset under which `value` shows the instant `utc`, if it does."""
    if value.tzinfo is not None:
        offset = value.utcoffset()
        return offset if offset and abs(value - utc) <= _SAME_INSTANT else None
    if not _has_clock(value):
        return None
    delta = value - utc.astimezone(UTC).replace(tzinfo=None)
    quarters = round(delta / timedelta(minutes=15))
    offset = quarters * timedelta(minutes=15)
    if offset and abs(offset) <= _MAX_OFFSET and abs(delta - offset) <= _SAME_INSTANT:
        return offset
    return None


def _shown_dates(doc: Document, near: datetime) -> list[datetime]:
    """Dates the reader sees: the date line under the headline, the text of <time> elements.
    A shown date without its year ("Posted Nov 18, 8:19 PM") takes the year of `near`."""
    texts = _date_lines_after_headline(doc)[:_SHOWN_SCAN]
    for node in doc.tree.css("time")[:_SHOWN_SCAN]:
        if not _links_elsewhere(node, doc.url):
            texts.append(node.text(separator=" "))
    shown = []
    for text in texts:
        parsed = parse_date(text) or _parse_without_year(text, near)
        if parsed is not None:
            shown.append(parsed)
    return shown


def _parse_without_year(text: str | None, near: datetime) -> datetime | None:
    text = clean_text(text)
    if not _MONTH_DAY.search(text) or _YEAR_SHAPE.search(text):
        return None
    try:
        parsed = date_parser.parse(_LABEL_WORDS.sub("", text), tzinfos=_TZINFOS, fuzzy=True,
                                   default=datetime(near.year, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed if abs(parsed.date() - near.date()) <= timedelta(days=1) else None


def _machine_dates(doc: Document) -> list[datetime]:
    values = (_ld_values(doc, _PUBLISHED_LD) + _meta_values(doc, _PUBLISHED_META)
              + _itemprop_values(doc, "datePublished"))
    return [parsed for parsed in map(parse_date, values) if parsed is not None]


def extract_published(doc: Document) -> datetime | None:
    return published_with_source(doc)[0]


def extract_modified(doc: Document) -> datetime | None:
    return (
        _first_parsed(_ld_values(doc, _MODIFIED_LD))
        or _first_parsed(_meta_values(doc, _MODIFIED_META))
        or _first_parsed(_itemprop_values(doc, "dateModified"))
        or _first_parsed(_time_values(doc, "modified", marked_only=True))
    )


def extract_dates(doc: Document) -> tuple[str | None, str | None]:
    published, modified, _source = extract_dates_with_source(doc)
    return published, modified


def extract_dates_with_source(doc: Document, language: str | None = None
                              ) -> tuple[str | None, str | None, str | None]:
    """(published, modified, the source of published) as ISO 8601. `language`: the page's,
    if known (see `published_with_source`)."""
    published, source = published_with_source(doc, language)
    modified = extract_modified(doc)
    if published and modified and _comparable(modified) < _comparable(published):
        modified = None  # a modification before publication is a broken field, not an update
    return iso(published), iso(modified), source


def _comparable(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
