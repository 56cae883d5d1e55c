"""Article records as `scraper extract` prints them: JSON, JSON Lines, plain text, Markdown or
CSV, written one record at a time so a batch streams (a JSON Lines line or a CSV row per
article as it comes; a JSON array opened before the first record and closed after the last).

Markdown is a rendering of the same extraction, not a second one: the headline as the title,
the standfirst as the lead, then the body's own paragraphs, each as the block it is on the page
(subheads, list items, quotes, table rows; links when asked) from `extract/structure.py`. The
other fields go in a YAML front matter block, as trafilatura writes it. Pure: no I/O but the
stream it is given.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import fields
from typing import Protocol, TextIO

from .export import csv_safe
from .models import Article

FORMATS = ("json", "jsonl", "text", "markdown", "csv")
COLUMNS = tuple(f.name for f in fields(Article))
_LIST_FIELDS = ("authors", "tags")
_FRONT_MATTER = ("url", "canonical_url", "site", "byline", "authors", "published", "modified",
                 "language", "section", "tags", "image", "description")
_RULE = "-" * 72  # between records of plain text


class BlockLike(Protocol):
    kind: str  # "paragraph", "heading", "item", "quote", "row" or "code"
    text: str
    markdown: str


class RecordWriter:
    """Writes articles to `out` in one of FORMATS. `many`: the output holds a batch (for
    JSON, an array even when it ends up with one record or none). Call `close` at the end."""

    def __init__(self, out: TextIO, fmt: str, many: bool = False) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        self.out, self.fmt, self.many = out, fmt, many
        self.count = 0
        self._csv: csv.DictWriter | None = None

    def write(self, article: Article, blocks: Sequence[BlockLike] | None = None) -> None:
        self.out.write(self._render(article, blocks))
        self.out.flush()
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json" and self.many:
            self.out.write("[]\n" if not self.count else "\n]\n")
        elif self.fmt == "csv" and not self.count:
            self._csv_writer()  # the header, so an empty result is still a valid table
        self.out.flush()

    def _render(self, article: Article, blocks: Sequence[BlockLike] | None) -> str:
        first = not self.count
        if self.fmt == "jsonl":
            return json.dumps(article.to_dict(), ensure_ascii=False) + "\n"
        if self.fmt == "json":
            record = json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
            if not self.many:
                return record + "\n"
            return ("[\n" if first else ",\n") + "\n".join("  " + line for line in record.splitlines())
        if self.fmt == "csv":
            return self._csv_row(article)
        if self.fmt == "text":
            return ("" if first else f"\n{_RULE}\n\n") + article_text(article) + "\n"
        return ("" if first else "\n") + article_markdown(article, blocks)

    def _csv_writer(self) -> csv.DictWriter:
        if self._csv is None:
            self._csv = csv.DictWriter(self.out, fieldnames=list(COLUMNS))
            self._csv.writeheader()
        return self._csv

    def _csv_row(self, article: Article) -> str:
        writer = self._csv_writer()
        record = article.to_dict()
        for name in _LIST_FIELDS:  # lists become "a; b" so a spreadsheet shows them
            record[name] = "; ".join(record[name])
        writer.writerow({key: csv_safe(value) for key, value in record.items()})
        return ""


def article_text(article: Article) -> str:
    """Readable plain text: headline, standfirst, a line of byline, date and site, the URL,
    then the body."""
    lines = [article.headline or "(no headline)"]
    if article.standfirst:
        lines += ["", article.standfirst]
    meta = [x for x in (article.byline, article.published, article.site) if x]
    lines += ["", " | ".join(meta), article.canonical_url]
    if not article.is_article:
        lines.append(f"(not an article: {article.not_article_reason})")
    lines += ["", article.body]
    return "\n".join(lines)


def article_markdown(article: Article, blocks: Sequence[BlockLike] | None = None) -> str:
    """One Markdown document: front matter, `# headline`, the standfirst in italics as the
    lead, then the body's blocks (its paragraphs, plain, when `blocks` is None)."""
    from .extract.structure import escape_markdown

    parts = [_front_matter(article)]
    if article.headline:
        parts.append("# " + escape_markdown(_one_line(article.headline)))
    if article.standfirst:
        parts.append(f"*{escape_markdown(_one_line(article.standfirst))}*")
    body = _body_markdown(blocks) if blocks is not None else "\n\n".join(
        escape_markdown(p) for p in article.body.split("\n\n") if p.strip())
    if body:
        parts.append(body)
    return "\n\n".join(parts) + "\n"


def _front_matter(article: Article) -> str:
    record = article.to_dict()
    lines = ["---"]
    for name in _FRONT_MATTER:
        value = record.get(name)
        if value:  # a JSON string or list is a valid YAML flow scalar or sequence
            lines.append(f"{name}: {json.dumps(value, ensure_ascii=False)}")
    if not article.is_article:
        lines.append("is_article: false")
        lines.append(f"not_article_reason: {json.dumps(article.not_article_reason or '')}")
    lines.append("---")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _body_markdown(blocks: Sequence[BlockLike]) -> str:
    """Blocks joined as Markdown wants: items and table rows on consecutive lines (a header
    rule after a table's first row), quote lines as one quote, code fenced, the rest apart.
    Body headings sit below the title's level."""
    out: list[str] = []
    previous = None
    for block in blocks:
        kind, text = block.kind, block.markdown
        if kind == "heading" and text.startswith("# "):
            text = "#" + text
        elif kind == "quote":
            text = "> " + text
        if kind == previous and kind in ("item", "row", "code"):
            out.append("\n" + text)
        elif kind == previous == "quote":
            out.append("\n>\n" + text)
        else:
            if previous == "code":
                out.append("\n```")
            out.append(("\n\n" if out else "") + ("```\n" if kind == "code" else "") + text)
            if kind == "row":
                out.append("\n" + _table_rule(text))
        previous = kind
    if previous == "code":
        out.append("\n```")
    return "".join(out)


def _table_rule(row: str) -> str:
    cells = max(1, row.replace("\\|", "").strip().strip("|").count("|") + 1)
    return "|" + "---|" * cells

