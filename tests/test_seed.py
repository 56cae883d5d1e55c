"""The pages the project exists for: both markups of the seed article must give exactly the expected record."""

from __future__ import annotations

import json

import pytest

from scraper import extract_article

from .conftest import SEED, SEED_URL

SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]


def load(name: str):
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    article = extract_article((SEED / f"{name}.html").read_bytes(), SEED_URL)
    return article, expected


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_fields_exact(name):
    article, expected = load(name)
    assert article.headline == expected["headline"]
    assert article.standfirst == expected["standfirst"]
    assert article.byline == expected["byline"]
    assert (article.published or "")[:10] == expected["published"]
    assert article.is_article


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_body_has_every_paragraph(name):
    article, expected = load(name)
    body_paragraphs = article.body.split("\n\n")
    missing = [p for p in expected["body"].split("\n\n") if p.strip() and p.strip() not in body_paragraphs]
    assert missing == []


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_body_has_no_boilerplate(name):
    article, expected = load(name)
    leaked = [s for s in expected["must_not_contain"] if s in article.body]
    assert leaked == []
