"""`scraper stats`: how many articles, per site, day, week, author or section, each with its
share of a denominator (normalised attention, as Media Cloud and GDELT publish it), and the
field coverage of the rows (how many have a byline, a standfirst, a language, a date).

Rows are (period, group, articles, total, share):
- `--by day` / `--by week`: one row per period (the publisher's local day, `published_day`;
  a week is named by its Monday) and site; undated articles are left out and counted apart.
- `--by site` / `author` / `section`: one row per group over the whole filtered range
  (period `all`); an article with two authors counts for each.
- `total` is every article of the period under the filters, so `share` is the group's part
  of that period's coverage. With a full-text query, `articles` counts the matching ones and
  `total` all articles of the same period and group: the share of its attention that group
  gave the subject.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .query import Filters, Where, resolve

BY = ("site", "day", "week", "author", "section")
COVERAGE = {"byline": "a.byline IS NOT NULL AND a.byline != ''",
            "standfirst": "a.standfirst IS NOT NULL AND a.standfirst != ''",
            "language": "a.language IS NOT NULL AND a.language != ''",
            "date": "a.published_utc IS NOT NULL"}
_PERIOD = {"day": "a.published_day",
           "week": "date(a.published_day, '-6 days', 'weekday 1')"}
_GROUP = {"site": "coalesce(a.site, '(none)')", "section": "coalesce(a.section, '(none)')",
          "author": "coalesce(au.name, '(no byline)')"}
_AUTHOR_JOIN = ("LEFT JOIN article_authors aa ON aa.canonical_url = a.canonical_url "
                "LEFT JOIN authors au ON au.id = aa.author_id")


@dataclass(frozen=True)
class Stats:
    by: str
    rows: list[dict[str, Any]]
    articles: int  # under the filters (and the query, if any)
    undated: int  # left out of --by day / week
    coverage: dict[str, float] = field(default_factory=dict)  # share of `articles` rows

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "articles": self.articles, "undated": self.undated,
                "coverage": self.coverage, "rows": self.rows}


def _grouped(conn: sqlite3.Connection, by: str, where: Where, per_group: bool) -> dict:
    period = _PERIOD.get(by, "'all'")
    group = _GROUP.get(by, _GROUP["site"])
    join = _AUTHOR_JOIN if by == "author" else ""
    dated = " AND a.published_day IS NOT NULL" if by in _PERIOD else ""
    keys = f"{period}, {group}" if per_group else period
    count = "count(DISTINCT a.canonical_url)" if by == "author" and not per_group else "count(*)"
    sql = (f"SELECT {keys}, {count} FROM articles a {join} WHERE {where.sql}{dated} "
           f"GROUP BY {keys}")
    return {tuple(row[:-1]): row[-1] for row in conn.execute(sql, where.params)}


def compute(conn: sqlite3.Connection, filters: Filters, by: str) -> Stats:
    """The counts, shares and coverage; raises query.FilterError on a bad filter."""
    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)}")
    matched = resolve(conn, filters)
    counts = _grouped(conn, by, matched, per_group=True)
    if filters.query is not None:  # normalised attention: of all articles of that period and group
        everything = resolve(conn, Filters(**{**filters.__dict__, "query": None}))
        totals = _grouped(conn, by, everything, per_group=True)
        total_of = lambda period, group: totals.get((period, group), 0)  # noqa: E731
    else:
        totals = _grouped(conn, by, matched, per_group=False)
        total_of = lambda period, group: totals.get((period,), 0)  # noqa: E731
    rows = []
    for (period, group), articles in counts.items():
        total = total_of(period, group)
        rows.append({"period": period, "group": group, "articles": articles, "total": total,
                     "share": round(articles / total, 4) if total else None})
    if by in _PERIOD:
        rows.sort(key=lambda r: (r["period"], -r["articles"], r["group"]))
    else:
        rows.sort(key=lambda r: (-r["articles"], r["group"]))
    base = f"FROM articles a WHERE {matched.sql}"
    n = conn.execute(f"SELECT count(*) {base}", matched.params).fetchone()[0]
    undated = conn.execute(f"SELECT count(*) {base} AND a.published_day IS NULL",
                           matched.params).fetchone()[0] if by in _PERIOD else 0
    coverage = {}
    if n:
        sums = ", ".join(f"sum({cond})" for cond in COVERAGE.values())
        found = conn.execute(f"SELECT {sums} {base}", matched.params).fetchone()
        coverage = {name: round((value or 0) / n, 4) for name, value in zip(COVERAGE, found,
                                                                             strict=True)}
    return Stats(by, rows, n, undated, coverage)


def daily_per_site(conn: sqlite3.Connection, filters: Filters) -> list[tuple[str, str, int]]:
    """(publisher's day, site, articles) under the filters, for the plot."""
    where = resolve(conn, filters)
    return [tuple(r) for r in conn.execute(
        f"SELECT a.published_day, coalesce(a.site, '(none)'), count(*) FROM articles a "
        f"WHERE {where.sql} AND a.published_day IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
        where.params)]
