"""The researchers' filters, shared by `scraper search`, `export` and `stats`: validated
against the database (a bad filter is an error with a sentence, never a silent 0 rows), then
turned into one SQL condition over `articles a`. Dates filter on `published_utc`.

Plain words are searched the way Datasette searches them: each word (or "quoted phrase")
becomes an FTS5 phrase, so `trade-war` or `don't` just work; `raw=True` passes FTS5 syntax
(`NEAR(a b, 5)`, `OR`, `headline:flood`, `flood*`) through unchanged.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .authors import author_key
from .chrono import parse_bound

_ESCAPE_FTS = re.compile(r'\s+|(".*?")')
# bm25 weights of articles_fts's columns (headline, standfirst, body): a word in the headline
# counts ten times one in the body
BM25 = "bm25(articles_fts, 10.0, 5.0, 1.0)"


class FilterError(ValueError):
    """A filter the database cannot answer as asked (unknown site, not a date, bad query)."""


def escape_fts(query: str) -> str:
    """Datasette's `escape_fts`: every bare word becomes a quoted FTS5 phrase (implicit AND),
    "quoted phrases" stay phrases, an unbalanced quote is closed."""
    if query.count('"') % 2:
        query += '"'
    bits = [b for b in _ESCAPE_FTS.split(query) if b and b != '""']
    return " ".join(bit if bit.startswith('"') else '"' + bit.replace('"', '""') + '"'
                    for bit in bits)


@dataclass(frozen=True)
class Filters:
    """What the user asked for, as typed; `resolve` checks it against the database."""

    sites: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    query: str | None = None
    raw: bool = False  # `query` is FTS5 syntax, not plain words

    def described(self) -> dict[str, Any]:
        """The filters that are set, for a `runs` summary."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in self.__dict__.items() if v not in ((), None, False)}


@dataclass(frozen=True)
class Where:
    """A validated filter as SQL over `articles a`: `f"... WHERE {where.sql}"`."""

    sql: str = "1"
    params: list[Any] = field(default_factory=list)
    match: str | None = None  # the FTS5 expression, when a query was given


def fts_expression(query: str | None, raw: bool) -> str:
    text = (query or "").strip()
    if not text:
        raise FilterError("the search query is empty")
    expression = text if raw else escape_fts(text)
    if not expression:
        raise FilterError(f"the search query {query!r} has no words")
    return expression


def check_match(conn: sqlite3.Connection, expression: str, query: str) -> None:
    """Run the FTS5 expression once, so a syntax error is reported before any output."""
    try:
        conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1",
                     [expression]).fetchall()
    except sqlite3.OperationalError as exc:
        raise FilterError(f"invalid full-text query {query!r}: {exc}. Plain words need no "
                          "--fts; with --fts use FTS5 syntax, e.g. 'NEAR(bridge reopened, 5)', "
                          "'flood OR storm', '\"exact phrase\"'") from exc


def _known(conn: sqlite3.Connection, column: str) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT DISTINCT {column} FROM articles WHERE {column} IS NOT NULL ORDER BY 1")]


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:20]) + (f", ... ({len(values)} in all)" if len(values) > 20 else "")
    return shown or "none: the database has no articles yet"


def author_ids(conn: sqlite3.Connection, name: str) -> list[int]:
    """The `authors` a name given on the command line means: the same key, or a key holding
    it as whole words ("mascaro" finds "lisa mascaro"). Raises FilterError when none does."""
    key = author_key(name)
    if not key:
        raise FilterError(f"--author {name!r} has no letters")
    rows = conn.execute(
        "SELECT id FROM authors WHERE key = ? OR key LIKE ? OR key LIKE ? OR key LIKE ? "
        "ORDER BY id", [key, f"{key} %", f"% {key}", f"% {key} %"]).fetchall()
    if not rows:
        raise FilterError(f"no author matches {name!r} (names are matched case- and "
                          "accent-insensitively, as whole words)")
    return [r[0] for r in rows]


def resolve(conn: sqlite3.Connection, filters: Filters, *, with_query: bool = True) -> Where:
    """Check every filter against the database and build the SQL; raises FilterError with
    every problem found at once."""
    conditions: list[str] = []
    params: list[Any] = []
    problems: list[str] = []
    for option, values, column in (("--site", filters.sites, "site"),
                                   ("--language", filters.languages, "language")):
        if not values:
            continue
        known = _known(conn, column)
        unknown = [v for v in values if v not in known]
        if unknown:
            problems.append(f"{option} {', '.join(map(repr, unknown))}: not in the database "
                            f"(known: {_listing(known)})")
        conditions.append(f"a.{column} IN ({', '.join('?' for _ in values)})")
        params += list(values)
    bounds = {}
    for option, value, end in (("--since", filters.since, False), ("--until", filters.until, True)):
        if value is None:
            continue
        try:
            bounds[option] = parse_bound(value, end=end)
        except ValueError as exc:
            problems.append(f"{option} {exc}")
    if "--since" in bounds:
        conditions.append("a.published_utc >= ?")
        params.append(bounds["--since"])
    if "--until" in bounds:  # a bare day is exclusive of the next day; a time is inclusive
        conditions.append("a.published_utc < ?" if "T" not in bounds["--until"]
                          else "a.published_utc <= ?")
        params.append(bounds["--until"])
    if len(bounds) == 2 and (bounds["--since"] >= bounds["--until"] if "T" not in bounds["--until"]
                             else bounds["--since"] > bounds["--until"]):
        problems.append(f"--since {filters.since} is after --until {filters.until}")
    ids: list[int] = []
    for name in filters.authors:
        try:
            ids += author_ids(conn, name)
        except FilterError as exc:
            problems.append(str(exc))
    if filters.authors:
        conditions.append("a.canonical_url IN (SELECT canonical_url FROM article_authors "
                          f"WHERE author_id IN ({', '.join('?' for _ in ids) or 'NULL'}))")
        params += ids
    match = None
    if with_query and filters.query is not None:
        try:
            match = fts_expression(filters.query, filters.raw)
            check_match(conn, match, filters.query)
        except FilterError as exc:
            problems.append(str(exc))
        conditions.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(match)
    if problems:
        raise FilterError("; ".join(problems))
    return Where(" AND ".join(conditions) or "1", params, match)


@dataclass(frozen=True)
class SearchResult:
    total: int  # all matches under the filters
    rows: list[dict[str, Any]]  # the best `limit` of them, best first


def search(conn: sqlite3.Connection, filters: Filters, limit: int,
           marks: tuple[str, str] = ("[", "]")) -> SearchResult:
    """Full-text search ranked by bm25 (headline words weigh most), each hit with a
    snippet whose matched words are wrapped in `marks`; raises FilterError."""
    where = resolve(conn, Filters(**{**filters.__dict__, "query": None}))
    match = fts_expression(filters.query, filters.raw)
    check_match(conn, match, filters.query or "")
    base = (f"FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND {where.sql}")
    params = [match, *where.params]
    total = conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    cursor = conn.execute(
        f"""SELECT a.canonical_url, a.site, a.published, a.published_utc, a.headline, a.byline,
                   snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet, {BM25} AS score
            {base} ORDER BY score, a.published_utc DESC LIMIT ?""",
        [marks[0], marks[1], *params, limit])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    return SearchResult(total, rows)
