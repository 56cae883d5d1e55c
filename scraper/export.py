"""Export stored articles as JSON Lines or CSV (one record per article, the README's columns)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from .models import Article

FORMATS = ("jsonl", "csv")
_LIST_FIELDS = ("authors", "tags")


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
            writer.writerow(record)
        count += 1
    return count
