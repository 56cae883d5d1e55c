"""Byline: people's names as displayed; organisations, roles and dates removed.

The visible byline wins (it is what readers see, and JSON-LD often lists only the first author
or the site); JSON-LD Person names and <meta name=author> are the fallback."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .document import Document, clean_text, ld_types, node_text, url_parts
from .fieldtext import (
    SKIPPED_TAGS,
    display_lines,
    elements_after,
    in_chrome,
    is_hidden,
    is_inside,
    same_node,
    similarity,
)
from .headline import find_headline_node

_BYLINE_NODES = (
    '[class*="byline"], [class*="author"], [rel~="author"], [itemprop~="author"], '
    '[class*="writer"], a[href*="/author/"], a[href*="/authors/"]'
)
_AUTHOR_LINKS = '[rel~="author"], [itemprop~="author"], a[href*="/author/"], a[href*="/authors/"], [class*="author-name"], [class*="authorName"]'
_MAX_BYLINE_CHARS = 300  # longer nodes are author boxes with a bio or whole sections
_SKIPPED_TAGS = SKIPPED_TAGS | {"time"}  # the date shown in the byline is not a name
_BYLINE_CLASS = re.compile(r"byline|author", re.I)  # wins over a "social" beside it
_SKIPPED_WORDS = re.compile(r"comment|respond|reply|avatar|bio|description", re.I)
_SOCIAL_WORDS = re.compile(r"social|share|follow", re.I)

# "By", "Text:", "Posted by" ... in the languages of the pages we crawl.
_LEAD_IN = re.compile(
    r"^(?:(?:written|posted|reported|compiled|text|words|story|photos?|publicado|publicada|"
    r"escrito|escrita|publié|publiée|écrit|pubblicato|scritto|veröffentlicht|geschrieben|"
    r"verfasst)\s+)?"
    r"(?:by|von|par|por|di|da|door|av|przez|text|texto|testo|tekst|текст|автор|autor|auteur|author|"
    r"escrito por|reportage|redacción)\s*[:\-–—：]?\s+|"
    # roles before the name in Korean and Japanese ("기자 홍길동", "文：山田太郎", "記者 山田太郎")
    r"^(?:글|문|기자|사진|記者|文|執筆|著者|作者|筆者|取材)\s*[:：]?\s*(?=\S)",
    re.I,
)
# Author-box UI words before a name ("About Jane Doe", "View all posts by Jane Doe").
_UI_LEAD_IN = re.compile(
    r"^(?:about(?: the author)?|follow|contact|email|more (?:from|by)|(?:read )?more articles by|"
    r"(?:view |see )?all (?:posts|articles|stories) by|posts by|articles by|stories by)\s*:?\s+",
    re.I)
_MID_BY = re.compile(r"\s(?:by|oleh|von|par|por)\s+", re.I)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|"
    r"marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|januari|februari|"
    r"maret|mei|agustus|desember|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
)
_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
# Where the name part of a byline ends: dates, times, handles, links, "Updated ...", read times.
_TAIL = re.compile(
    rf"(?:\s(?:on|am|le|el|il|em|op)\s+(?:(?:{_DAYS})\b|(?:{_MONTHS})\b|\d)|"
    rf"\b(?:{_MONTHS})\.?\s+\d|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b|\b(?:{_DAYS})(?:,?\s|$)|\d|@|https?:|www\.|"
    r"\b(?:published|updated|posted|last updated|modified|share|follow|email|e-mail|read more|"
    r"min read|minute read)\b|[•·▪|/]\s*$)",
    re.I,
)
_PART_SPLIT = re.compile(r"\s*(?:[,;|•·▪/¦]|&|\s[-–—]\s|\s(?:and|und|et|y|e|og|en|и|và|dan)\s)\s*", re.I)
_SENTENCE_BREAK = re.compile(r"(?<=[^\W\d_]{2})\.\s+(?=[^\W\d_])")  # "Name. Publisher", not "L. Smith"
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_EMAIL = re.compile(r"\S+@\S+")

# Tokens that make a byline part an organisation, desk or wire service rather than a person.
_ORG_TOKENS = {
    "reuters", "ap", "afp", "associated", "press", "bloomberg", "upi", "dpa", "ani", "pti", "ians",
    "efe", "ansa", "xinhua", "tass", "kyodo", "yonhap", "cnn", "bbc", "npr", "news", "newswire",
    "wire", "wires", "service", "services", "bureau", "desk", "agency", "agencies", "media",
    "network", "times", "post", "journal", "herald", "tribune", "gazette", "daily", "weekly",
    "magazine", "online", "tv", "radio", "group", "inc", "ltd", "llc", "corp", "company", "staff",
    "team", "editorial", "editors", "newsroom", "redaktion", "rédaction", "redacción", "redazione",
    "redactie", "redação", "admin", "administrator", "webmaster", "leader", "sponsored", "partner",
    "contributors", "report", "reports", "foundation", "institute", "council", "ministry",
    "ministries", "department", "office", "committee", "association", "international", "global",
    "digital", "studio", "studios", "productions", "communications", "channel",
}
# Job titles glued to names ("Tom Krisher, AP Auto Writer", "정덕현 칼럼니스트").
_ROLE_TOKENS = {
    "writer", "reporter", "correspondent", "columnist", "contributor", "editor", "producer",
    "photographer", "journalist", "senior", "chief", "associate", "special", "political",
    "staff", "deputy", "managing", "executive", "contributing", "guest", "freelance", "analyst",
    "journaliste", "redakteur", "redakteurin", "autor", "autorin", "칼럼니스트", "기자", "객원기자",
    "корреспондент", "редактор", "обозреватель", "журналист",
}
# Beats and desks: before a job title they are part of it ("Business Columnist"); beside a
# paper's name they make a desk ("Telegraph Sport"), which is nobody.
_BEAT_TOKENS = {
    "business", "sport", "sports", "football", "soccer", "cricket", "rugby", "politics", "tech",
    "technology", "science", "health", "entertainment", "food", "travel", "music", "film",
    "fashion", "education", "crime", "court", "courts", "city", "metro", "local", "national",
    "foreign", "world", "economics", "economy", "finance", "financial", "markets", "climate",
    "energy", "opinion", "culture", "arts", "lifestyle", "weather", "motoring", "property",
}
# A byline that is only one of these words names nobody.
_GENERIC = {
    "admin", "administrator", "staff", "editor", "editors", "editorial", "guest", "гость", "newsroom",
    "anonymous", "unknown", "author", "team", "redaktion", "webmaster", "desk", "user", "contributor",
    "автор", "редакция", "the", "by", "name", "nama", "biography", "bio", "profile", "contact",
}
_UI_WORDS = {"view", "all", "follow", "more", "read", "see", "share", "shares", "subscribe",
             "contact", "comments", "print", "email"}
_PARTICLES = {
    "de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "van", "von", "der",
    "den", "ter", "ten", "bin", "binti", "al", "el", "y", "e", "zu", "af", "st", "mc",
}
_MAX_NAME_TOKENS = 5
_LEAD_IN_SCAN = 60  # elements after the headline searched for a "By ..." line
_LEAD_IN_MAX_CHARS = 100
_FIELD_MARK = " ¦ "
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[\s.'’\-]+[^\W\d_]+)*\.?$")


def is_byline_line(text: str) -> bool:
    """The line opens like a byline ("By ...", "Von ...", "Text: ...")."""
    return bool(_LEAD_IN.match(clean_text(text)))


def _strip_roles(part: str) -> str:
    """Drop job-title words at either end, with the beat a title names ("Jane Doe Business
    Columnist", "Sports Reporter John Roe", "Jane Doe 기자")."""
    tokens = part.split()
    stripped = False
    while tokens and tokens[-1].casefold().strip(".,") in _ROLE_TOKENS:
        tokens.pop()
        stripped = True
    while stripped and len(tokens) > 2 and tokens[-1].casefold().strip(".,") in _BEAT_TOKENS:
        tokens.pop()
    stripped = False
    while tokens and tokens[0].casefold().strip(".,") in _ROLE_TOKENS | _BEAT_TOKENS:
        stripped = stripped or tokens[0].casefold().strip(".,") in _ROLE_TOKENS
        tokens.pop(0)
    return " ".join(tokens)


def _brand_keys(doc: Document) -> list[str]:
    """Site and publisher names, and the domain's main label, that bylines often repeat."""
    keys = [doc.meta_first("og:site_name"), doc.meta_first("application-name")]
    publisher = (doc.ld_article or {}).get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        keys.append(publisher["name"])
    host = url_parts(doc.url).hostname or ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    if labels:
        keys.append(max(labels[:-1] or labels, key=len))
    return [clean_text(k) for k in keys if k and clean_text(k)]


def _is_brand(name: str, brands: list[str]) -> bool:
    squashed = re.sub(r"\W", "", name.casefold())
    for brand in brands:
        brand_squashed = re.sub(r"\W", "", brand.casefold())
        if similarity(name, brand) >= 0.8 or squashed == brand_squashed:
            return True
        # single-word brand bylines: "LinkNaija" on linknaija.com, "Beachbody" on beachbodyondemand
        if " " not in name and len(squashed) >= 4 and (squashed in brand_squashed or brand_squashed in squashed):
            return True
    return False


def is_person_name(name: str, brands: list[str] | None = None) -> bool:
    """Looks like a person's name: a few capitalised words, no digits, no organisation words."""
    tokens = name.split()
    if not 1 <= len(tokens) <= _MAX_NAME_TOKENS or len(name) > 60:
        return False
    if not _NAME_CHARS.match(name) or re.search(r"\.(?:com|org|net|co|uk|in|de)\b", name, re.I):
        return False
    folded = [t.casefold().strip(".,'’") for t in tokens]
    if name.casefold() in _GENERIC or folded[0] == "the":
        return False
    if any(t in _ORG_TOKENS or "admin" in t for t in folded):
        return False
    if len(tokens) <= 3 and folded[-1] in _BEAT_TOKENS:
        return False  # a desk: "Telegraph Sport", "Mirror Football"
    if folded[0] in _UI_WORDS or (len(tokens) == 2 and folded[1] in _UI_WORDS):
        return False  # author-box buttons: "View All", "Read More"
    if len(tokens) == 1 and name.isupper() and len(name) > 1:
        return False  # single all-caps word: an acronym or a station code, not a name
    for token in tokens:
        first = token.lstrip("'’\"(")[:1]
        if not first.isalpha():
            return False
        if first.islower() and token.casefold().strip(".,") not in _PARTICLES:
            return False
    return not (brands and _is_brand(name, brands))


def names_from_text(text: str, brands: list[str] | None = None) -> list[str]:
    """Split one byline line into people's names: "By A, B and C", "A and B, Org", "A | Org"."""
    text = _EMAIL.sub(" ", _PARENS.sub(" ", clean_text(text))).strip(" ,;:|-–—•·¦")
    text = _UI_LEAD_IN.sub("", text)
    mid = _MID_BY.search(f" {text}")
    if mid and not _LEAD_IN.match(text) and not _is_name_particle(f" {text}", mid):
        text = f" {text}"[mid.end():]
    text = _LEAD_IN.sub("", text)
    tail = _TAIL.search(text)
    if tail:
        text = text[:tail.start()]
    text = _SENTENCE_BREAK.sub(" ¦ ", text.strip(" ,;:|-–—•·¦"))
    parts = [p for p in _PART_SPLIT.split(text) if p.strip()]
    affiliation_after_and = re.search(r"\s(?:and|&)\s[^,]+,[^,]+$", text, re.I)
    if affiliation_after_and and len(parts) > 2:
        parts = parts[:-1]  # "A and B, Sioux Falls Argus Leader": the last part is the paper
    names = [clean_text(_strip_roles(part)) for part in parts]
    names = [n for n in names if is_person_name(n, brands)]
    if len(parts) > 1:
        # "VICTOR TANGERMANN, FUTURISM", "Reuters, Washington": next to other fields a lone word
        # is a brand or a dateline; a one-word name is only trusted when it stands alone
        names = [n for n in names if " " in n]
    return names


def _is_name_particle(text: str, mid: re.Match) -> bool:
    """"Christoph von Ritter": a lower-case "von" after one capitalised first name, before a
    capitalised surname, is part of the name, not the lead-in of "Ein Artikel von ..."."""
    before = text[:mid.start()].split()
    word = mid.group(0).strip()
    after = text[mid.end():].split()
    return (word.islower() and len(before) == 1 and before[0][:1].isupper()
            and bool(after) and after[0][:1].isupper())


def _name_tokens(name: str) -> set[str]:
    return set(name.casefold().replace(".", " ").split())


def _dedupe(names: list[str]) -> list[str]:
    """Drop repeats and names contained in a fuller one ("Chris" next to "Chris Pokorny")."""
    out: list[str] = []
    for name in names:
        tokens = _name_tokens(name)
        if any(tokens <= _name_tokens(kept) for kept in out):
            continue
        out = [kept for kept in out if not _name_tokens(kept) < tokens] + [name]
    return out


def _prefer_fuller(visible: list[str], declared: list[str]) -> list[str]:
    """A shown short form ("Dhiren") becomes the declared full name ("Dhiren Mistry");
    a shown fuller form ("Troy L. Smith" vs "Troy Smith") is kept."""
    out = []
    for name in visible:
        tokens = _name_tokens(name)
        fuller = [d for d in declared if tokens < _name_tokens(d)]
        out.append(fuller[0] if len(fuller) == 1 else name)
    return _dedupe(out)


def _is_candidate(node: LexborNode) -> bool:
    if node.tag in ("body", "html", "article", "main", "head", "meta", "link", "form", "input"):
        return False
    classes = node.attributes.get("class") or ""
    if _SKIPPED_WORDS.search(classes) or (_SOCIAL_WORDS.search(classes)
                                         and not _BYLINE_CLASS.search(classes)):
        return False
    return not (is_hidden(node) or in_chrome(node) or _in_form_or_comments(node))


def _in_form_or_comments(node: LexborNode) -> bool:
    current = node.parent
    while current is not None and current.tag not in ("body", "html"):
        if current.tag == "form" or re.search(r"comment", current.attributes.get("class") or "", re.I):
            return True
        current = current.parent
    return False


def names_from_node(node: LexborNode, brands: list[str]) -> list[str]:
    """Names on the first line that has any, plus every explicit author link inside the node."""
    names: list[str] = []
    for line in display_lines(node, _FIELD_MARK, _SKIPPED_TAGS):
        names = names_from_text(line, brands)
        if names:
            break
    for link in node.css(_AUTHOR_LINKS):
        if not same_node(link, node):
            names += names_from_text(clean_text(link.text(separator=" ")), brands)
    return _dedupe(names)


def visible_byline(doc: Document, brands: list[str]) -> tuple[bool, list[str]]:
    """(whether a byline is shown, the people in it). A shown byline of only organisations
    gives (True, []), so the caller does not fall back to metadata naming the same org."""
    rejected: list[LexborNode] = []
    for node in doc.tree.css(_BYLINE_NODES):
        if not _is_candidate(node) or any(is_inside(node, r) for r in rejected):
            continue
        text = clean_text(node.text(separator=" "))
        if not text or len(text) > _MAX_BYLINE_CHARS:
            continue
        names = names_from_node(node, brands)
        if names:
            return True, names
        rejected.append(node)  # its parts ("Reuters" | "Washington") are no byline either
    return bool(rejected), []


def metadata_authors(doc: Document, brands: list[str]) -> list[str]:
    """JSON-LD Person authors, else <meta name=author>; organisations dropped."""
    return metadata_authors_with_source(doc, brands)[0]


def metadata_authors_with_source(doc: Document, brands: list[str]) -> tuple[list[str], str | None]:
    """`metadata_authors` and where they came from: "jsonld" or "meta" (None when none)."""
    source = "jsonld"
    authors = (doc.ld_article or {}).get("author") or []
    if isinstance(authors, (dict, str)):
        authors = [authors]
    names: list[str] = []
    for author in authors:
        if isinstance(author, dict):
            if ld_types(author) - {"person"}:
                continue
            name = author.get("name")
        else:
            name = author
        if isinstance(name, str):
            names += names_from_text(name, brands)
    if not names:
        meta = doc.meta_first("author", "article:author", "dc.creator", "sailthru.author", "parsely-author")
        if meta and not meta.startswith("http"):
            names = names_from_text(meta, brands)
            source = "meta"
    names = _dedupe(names)
    return names, source if names else None


def lead_in_byline(doc: Document, brands: list[str]) -> list[str]:
    """Names on a short "By ..." line among the elements following the headline: the byline
    of a page whose markup does not name it (obfuscated or missing class names)."""
    headline = find_headline_node(doc)
    if headline is None:
        return []
    for node in elements_after(headline, _LEAD_IN_SCAN):
        text = node_text(node)
        if len(text) <= _LEAD_IN_MAX_CHARS and _LEAD_IN.match(text) and _is_candidate(node):
            names = names_from_text(text, brands)
            if names:
                return names
    return []


def extract_authors(doc: Document) -> list[str]:
    return extract_authors_with_source(doc)[0]


def extract_authors_with_source(doc: Document) -> tuple[list[str], str | None]:
    """The byline's names and where they came from (`articles.byline_source`): "text" (the
    visible byline), "jsonld" or "meta"; None when there are none."""
    brands = _brand_keys(doc)
    shown, names = visible_byline(doc, brands)
    if names:
        return _prefer_fuller(names, metadata_authors(doc, brands)), "text"
    if shown:
        return [], None
    names = lead_in_byline(doc, brands)
    if names:
        return _prefer_fuller(names, metadata_authors(doc, brands)), "text"
    return metadata_authors_with_source(doc, brands)
