"""Shared by the headline/standfirst/byline/dates tests: parse a fixture into a Document."""

from __future__ import annotations

from pathlib import Path

from scraper.extract.document import Document

FIELDS = Path(__file__).parent / "fixtures" / "fields"


def fixture_doc(name: str, url: str = "https://news.example.com/2019/11/19/story") -> Document:
    return Document((FIELDS / name).read_text(encoding="utf-8"), url)


def html_doc(body: str, head: str = "", url: str = "https://news.example.com/story") -> Document:
    return Document(f"<html><head>{head}</head><body>{body}</body></html>", url)
