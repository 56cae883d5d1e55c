"""An article's history: its earlier records (`article_versions`) and the current one
(`articles`), oldest first, and a word diff between two of them. Pure apart from the reads.

The diff is git's `--word-diff=plain` notation: `[-removed words-]{+added words+}`, with
long unchanged stretches shortened to their first and last few words around `…`.
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass
from typing import Any

from .store import VERSIONED_FIELDS

CONTEXT = 6  # unchanged words kept on each side of a change


@dataclass(frozen=True)
class Version:
    number: int
    current: bool
    fields: dict[str, Any]  # headline, standfirst, body, byline, ...
    record_hash: str
    page_id: int | None
    run_id: int | None
    written: str | None  # when this version was stored (UTC)
    replaced: str | None  # when a newer one replaced it (None for the current record)


def word_diff(old: str | None, new: str | None, context: int = CONTEXT) -> str:
    """The words of `new` with what changed from `old` marked: `[-gone-]{+added+}`."""
    a, b = (old or "").split(), (new or "").split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            first, last = i1 == 0, i2 == len(a)
            if len(same) > 2 * context + 1 or (first and len(same) > context) \
                    or (last and len(same) > context):
                head = [] if first else same[:context]
                tail = [] if last else same[-context:]
                out += head + ["…"] + tail
            else:
                out += same
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def find_article(conn: sqlite3.Connection, url: str) -> str | None:
    """The canonical URL of the stored article a URL names: the canonical URL itself, the
    URL it was last extracted from, or any URL variant the crawler folded into it."""
    for sql in ("SELECT canonical_url FROM articles WHERE canonical_url = ?",
                "SELECT canonical_url FROM articles WHERE url = ?"):
        row = conn.execute(sql, [url]).fetchone()
        if row:
            return row[0]
    from .urls import url_key

    try:
        key = url_key(url)
    except Exception:  # not a URL we can key: nothing stored under it
        return None
    row = conn.execute("SELECT canonical_url FROM article_keys WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


_COLUMNS = (*VERSIONED_FIELDS, "url", "published", "modified", "word_count", "record_hash",
            "page_id", "run_id")


def versions(conn: sqlite3.Connection, canonical_url: str) -> list[Version]:
    """Every kept record of the article, oldest first; the last is the current row."""
    cols = ", ".join(_COLUMNS)
    found: list[Version] = []
    for row in conn.execute(f"SELECT {cols}, version, first_seen, replaced_at FROM "
                            "article_versions WHERE canonical_url = ? ORDER BY version",
                            [canonical_url]):
        data = dict(zip(_COLUMNS, row[:len(_COLUMNS)], strict=True))
        number, written, replaced = row[len(_COLUMNS):]
        found.append(_version(data, number, False, written, replaced))
    row = conn.execute(f"SELECT {cols}, updated_at FROM articles WHERE canonical_url = ?",
                       [canonical_url]).fetchone()
    if row:
        data = dict(zip(_COLUMNS, row[:len(_COLUMNS)], strict=True))
        found.append(_version(data, len(found) + 1, True, row[-1], None))
    return found


def _version(data: dict[str, Any], number: int, current: bool, written: str | None,
             replaced: str | None) -> Version:
    return Version(number, current, {k: data[k] for k in (*VERSIONED_FIELDS, "url", "published",
                                                           "modified", "word_count")},
                   data["record_hash"], data["page_id"], data["run_id"], written, replaced)


def changes(older: Version, newer: Version) -> dict[str, str]:
    """The word diff of each versioned field that differs between two versions."""
    return {name: word_diff(older.fields[name], newer.fields[name])
            for name in VERSIONED_FIELDS if older.fields[name] != newer.fields[name]}
