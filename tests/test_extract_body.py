"""Article body on the seed pages: every expected paragraph, nothing else, one blank line apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.extract import extract_article
from scraper.extract.body import extract_body
from scraper.extract.document import Document

SEED = Path(__file__).parent / "fixtures" / "seed"
SEED_URL = "https://www.desiblitz.com/content/grooming-gang-victims-still-blamed-by-police"
SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]


def seed(name: str) -> tuple[str, dict]:
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    body = extract_article((SEED / f"{name}.html").read_bytes(), SEED_URL).body
    return body, expected


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_body_has_every_paragraph(name):
    body, expected = seed(name)
    paragraphs = body.split("\n\n")
    missing = [p for p in expected["body"].split("\n\n") if p.strip() not in paragraphs]
    assert missing == []


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_body_has_no_boilerplate(name):
    body, expected = seed(name)
    assert [s for s in expected["must_not_contain"] if s in body] == []


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_body_is_exactly_the_article(name):
    # Also catches the pull quote ("some police personnel ...") leading the text.
    body, expected = seed(name)
    assert body == expected["body"]


@pytest.mark.parametrize("name", SEED_PAGES)
def test_body_paragraphs_are_separated_by_one_blank_line(name):
    body, _ = seed(name)
    assert body == body.strip()
    assert "\n\n\n" not in body
    assert all(p and p == p.strip() and "\n" not in p for p in body.split("\n\n"))


def test_body_extraction_leaves_the_shared_tree_intact():
    # Other field extractors read the same Document after the body.
    html = (SEED / f"{SEED_PAGES[1]}.html").read_text(encoding="utf-8")
    doc = Document(html, SEED_URL)
    before = doc.tree.html
    extract_body(doc)
    assert doc.tree.html == before
    assert doc.tree.css_first(".td-author-box") is not None


def test_page_without_text_gives_empty_body():
    assert extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>",
                           "https://example.org/").body == ""
