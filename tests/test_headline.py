"""Headline: the displayed heading, reconciled with og:title / JSON-LD, never the site logo."""

from __future__ import annotations

import json

import pytest

from scraper.extract.document import Document
from scraper.extract.headline import extract_headline, strip_site_affixes

from .conftest import SEED, SEED_URL
from .fields_helpers import fixture_doc, html_doc

SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_headline_exact(name):
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    doc = Document((SEED / f"{name}.html").read_text(encoding="utf-8"), SEED_URL)
    assert extract_headline(doc) == expected["headline"]


def test_logo_h1_is_skipped_for_the_heading_matching_og_title():
    assert extract_headline(fixture_doc("logo_h1.html")) == "Jangan Membenci Satu Kaum"


def test_menu_h1s_lose_to_the_article_h1_matching_og_title_with_site_suffix():
    assert extract_headline(fixture_doc("nav_h1s.html")) == "Browns player on Rudolph's role in fight"


def test_article_h1_wins_over_masthead_h1_even_when_og_title_has_a_prefix():
    doc = html_doc(
        '<header class="wsj-header"><div class="masthead"><h1>The Journal Opinion</h1></div></header>'
        '<article><h1 class="article-headline">Is Football Violence a Crime?</h1></article>',
        head='<meta property="og:title" content="Opinion | Is Football Violence a Crime?">',
    )
    assert extract_headline(doc) == "Is Football Violence a Crime?"


def test_headline_in_a_div_is_found_through_metadata():
    doc = html_doc('<div class="td-post-title"><div class="entry-title">A Headline In A Div</div>'
                   '<div class="td-post-sub-title">The dek under it, long enough to matter.</div></div>',
                   head="<title>A Headline In A Div - SiteName</title>")
    assert extract_headline(doc) == "A Headline In A Div"


def test_hidden_h1_is_not_the_headline():
    doc = html_doc('<h1 class="sr-only">Site accessibility title</h1><h1>The Real Story Title</h1>')
    assert extract_headline(doc) == "The Real Story Title"


def test_h1_is_used_when_metadata_is_a_different_seo_title():
    doc = html_doc("<article><h1>Mary Steenburgen woke up a songwriter</h1></article>",
                   head="<title>How surgery turned an actress into a composer | Site</title>")
    assert extract_headline(doc) == "Mary Steenburgen woke up a songwriter"


def test_displayed_text_keeps_inline_markup_glued_and_breaks_at_br():
    doc = html_doc("<h1>Word<em>s</em> matter<br>again</h1>")
    assert extract_headline(doc) == "Words matter again"


def test_falls_back_to_og_title_without_site_suffix_when_no_heading():
    doc = html_doc("<p>No heading here.</p>",
                   head='<meta property="og:title" content="Budget passes after long night - Daily Bugle">')
    assert extract_headline(doc) == "Budget passes after long night"


def test_strip_site_affixes():
    assert strip_site_affixes("Opinion | Is Football Violence a Crime?") == "Is Football Violence a Crime?"
    assert strip_site_affixes("Story title here - IGN", "IGN") == "Story title here"
    assert strip_site_affixes("No affix at all") == "No affix at all"


def test_h1_in_a_bare_header_is_used_when_the_page_declares_no_title():
    doc = html_doc("<header><h1>Simple Blog Post Title</h1></header><p>Text.</p>")
    assert extract_headline(doc) == "Simple Blog Post Title"
