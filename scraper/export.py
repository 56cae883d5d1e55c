"""Export stored articles as JSON Lines or CSV (one record per article, the README's columns).

CSV cells that a spreadsheet would run as a formula (they begin with `=`, `+`, `-`, `@`, a
tab or a carriage return) are prefixed with a single quote, as OWASP recommends against CSV
injection: a hostile headline stays text. JSON Lines is written as stored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from .models import Article

FORMATS = ("jsonl", "csv")
_LIST_FIELDS = ("authors", "tags")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A cell that cannot start a spreadsheet formula (OWASP CSV injection): text beginning
    with = + - @ tab or CR gets a leading single quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_articles(articles: Iterable[Article], out: TextIO, fmt: str) -> int:
    """Write each article to `out`; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    count = 0
    writer = None
    for article in articles:
        record = article.to_dict()
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record))
                writer.writeheader()
            for name in _LIST_FIELDS:  # lists become "a; b" so a spreadsheet shows them
                record[name] = "; ".join(record[name])
            writer.writerow({key: csv_safe(value) for key, value in record.items()})
        count += 1
    return count
