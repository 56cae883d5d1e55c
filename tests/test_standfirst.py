"""Standfirst: the dek shown between headline and body, or None; never a hidden meta
description and never the body's first paragraph."""

from __future__ import annotations

import json

import pytest

from scraper.extract.document import Document
from scraper.extract.headline import extract_headline
from scraper.extract.standfirst import extract_standfirst

from .conftest import SEED, SEED_URL
from .fields_helpers import fixture_doc, html_doc

SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]
BODY_P = ("<p>The council met on Monday night and argued for hours about the road repairs "
          "that have been delayed since the spring floods.</p>"
          "<p>Residents who spoke at the meeting asked for a clear timetable and for the money "
          "to be spent on the worst streets first.</p>")


def standfirst(doc: Document, body: str = "") -> str | None:
    return extract_standfirst(doc, extract_headline(doc), body)


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_standfirst_exact(name):
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    doc = Document((SEED / f"{name}.html").read_text(encoding="utf-8"), SEED_URL)
    assert standfirst(doc, expected["body"]) == expected["standfirst"]


def test_unnamed_heading_repeating_the_description_is_the_dek():
    assert standfirst(fixture_doc("nav_h1s.html")) == (
        "One member of the Browns' defense didn't hold back on Monday when asked about Thursday night's fight")


def test_dek_named_by_class_needs_no_description():
    doc = html_doc('<article><header><h1>Council row over roads</h1><p class="blurb">The CEOs of two firms '
                   f'talk roads, sustainability and old times.</p></header><div>{BODY_P}</div></article>')
    assert standfirst(doc) == "The CEOs of two firms talk roads, sustainability and old times."


def test_paragraph_named_summary_among_body_paragraphs_is_body():
    doc = html_doc('<article><h1>Council row over roads</h1><div><p class="speakable-summary">The council '
                   f'is being investigated over its road budget.</p>{BODY_P}</div></article>')
    assert standfirst(doc) is None


def test_meta_description_that_is_not_displayed_is_no_dek():
    doc = html_doc(f"<article><h1>Council row over roads</h1>{BODY_P}</article>",
                   head='<meta name="description" content="A summary only search engines see.">')
    assert standfirst(doc) is None


def test_styled_first_body_paragraph_is_not_a_dek():
    # BBC-style bold intro with an "introduction" class, followed by the body's paragraphs
    assert standfirst(fixture_doc("body_intro.html")) is None


def test_first_paragraph_repeating_the_description_is_body():
    assert standfirst(fixture_doc("logo_h1.html")) is None


def test_unnamed_block_the_body_begins_with_is_not_a_dek():
    doc = html_doc('<h1>Actress stuns in new photos</h1><div class="post-body"><div style="x">Photos released '
                   'online show the actress looking stunning.</div><div><span>More text.</span></div></div>',
                   head='<meta name="description" content="Photos released online show the actress looking stunning.">')
    body = "Photos released online show the actress looking stunning.\n\nMore text."
    assert standfirst(doc, body) is None


def test_cut_teaser_of_another_story_is_not_a_dek():
    doc = html_doc('<h1>Hunter catches plague</h1><div class="card"><div class="excerpt">Two people in China '
                   'have been diagnosed with the plague,...</div></div>' + BODY_P)
    assert standfirst(doc) is None


def test_widget_title_named_subtitle_is_not_a_dek():
    doc = html_doc('<h1>Hunter catches plague</h1><h4 class="widget__title with-subtitle">Most Popular Today</h4>'
                   + BODY_P)
    assert standfirst(doc) is None


def test_dek_wrapper_gives_way_to_the_dek_itself():
    doc = html_doc('<h1>Markets on a high</h1><div class="wrap"><h2 class="subhead">Earnings were not a complete '
                   'disappointment this quarter.</h2><span class="author">Nishant Kumar</span></div>' + BODY_P)
    assert standfirst(doc) == "Earnings were not a complete disappointment this quarter."


def test_no_headline_node_means_no_dek():
    doc = html_doc('<p class="summary">A summary line that is long enough.</p>' + BODY_P)
    assert standfirst(doc) is None


# Family "standfirst" (held-out pages): the markup patterns that lost or invented deks.
_BODY_DIV = ("<div><p>The council met on Monday night and argued for hours about the road "
             "repairs that have been delayed since the spring floods, residents said.</p>"
             "<p>Residents who spoke at the meeting asked for a clear timetable and for the money "
             "to be spent on the worst streets first, and the mayor agreed to publish one.</p>"
             "<p>A vote on the plan is expected before the end of the month, officials said.</p></div>")


def test_without_class_names_the_first_short_block_after_the_headline_is_the_dek():
    doc = html_doc("<article><h1>Council row over roads</h1>"
                   "<p>Residents want a timetable for repairs delayed since the spring floods.</p>"
                   "<div><span>By Jane Smith</span> <span>Nov 18, 2019, 11:47am EST</span></div>"
                   f"{_BODY_DIV}</article>")
    assert standfirst(doc) == "Residents want a timetable for repairs delayed since the spring floods."


def test_without_class_names_a_caption_or_date_line_is_no_dek():
    doc = html_doc("<article><h1>Council row over roads</h1>"
                   "<div><img src='/road.jpg'><span>Workers repair a road in the town centre on Monday</span></div>"
                   "<div>Updated Nov 19, 6:55 AM; Posted Nov 19, 6:51 AM</div>"
                   f"{_BODY_DIV}</article>")
    assert standfirst(doc) is None


def test_a_block_named_dek_heads_the_text_even_inside_the_body_container():
    doc = html_doc("<article><h1>Council row over roads</h1><div>"
                   "<h2 class='article-dek'>Residents want a timetable for the repairs.</h2>"
                   f"{_BODY_DIV[5:-6]}</div></article>")
    assert standfirst(doc) == "Residents want a timetable for the repairs."


@pytest.mark.parametrize("line", [
    "Opinions expressed by Entrepreneur contributors are their own.",
    "By Jane Smith and John Doe",
    "Published November 18, 2019 at 11:47 am",
])
def test_disclaimer_byline_and_date_lines_in_a_dek_named_block_are_no_dek(line):
    doc = html_doc(f"<article><h1>Council row over roads</h1><p class='subtitle'>{line}</p>"
                   f"{_BODY_DIV}</article>")
    assert standfirst(doc) is None


def test_a_short_stories_whole_text_repeating_the_description_is_no_dek():
    # a wire brief: the meta description is the whole text, which sits in one container
    first = "The council met on Monday night and argued about the road repairs."
    second = "A vote is expected before the end of the month."
    doc = html_doc(f"<article><h1>Council row over roads</h1><div><p>{first}</p><p>{second}</p>"
                   "</div></article>",
                   head=f'<meta name="description" content="{first} {second}">')
    assert standfirst(doc, f"{first}\n\n{second}") is None


def test_a_lead_named_block_in_the_article_header_outside_the_text_is_the_dek():
    doc = html_doc("<article><div class='article-header'><h1>Council row over roads</h1>"
                   "<p class='lead'>The council wants to spend more on the roads that the spring "
                   "floods damaged, and residents want a timetable for the repairs.</p></div>"
                   f"{_BODY_DIV}</article>")
    assert standfirst(doc).startswith("The council wants to spend more on the roads")


def test_a_photo_credit_in_a_teaser_named_block_is_no_dek():
    doc = html_doc("<article><h1>Council row over roads</h1>"
                   "<p class='teaser'>The old bridge at the harbour. © Jane Smith</p>"
                   f"{_BODY_DIV}</article>")
    assert standfirst(doc) is None


_QUOTED_CLAIM = ("“The bridge will be closed for the whole summer, and the council has known "
                 "about the cracks for years without telling anyone about them.”")


def test_an_intro_block_in_a_row_of_its_own_right_above_the_text_is_the_dek():
    # a grid layout: headline row, a quoted-claim row (a long paragraph that is not the body),
    # then the intro in its own row, then the text's container
    doc = html_doc("<div class='row'><div class='col'><h1>Council row over roads</h1></div></div>"
                   f"<div class='row'><div class='claim'><p>{_QUOTED_CLAIM}</p></div>"
                   "<div class='verdict'><span>False</span>"
                   "<div class='intro'>Records from the council contradict the claim</div></div>"
                   f"</div><div class='row'><div class='col'>{_BODY_DIV}</div></div>")
    assert standfirst(doc) == "Records from the council contradict the claim"


def test_an_intro_block_with_text_between_it_and_the_body_is_no_dek():
    doc = html_doc("<div class='row'><div class='col'><h1>Council row over roads</h1></div></div>"
                   f"<div class='row'><div class='claim'><p>{_QUOTED_CLAIM}</p></div>"
                   "<div class='intro'>Records from the council contradict the claim</div>"
                   "<div class='box'>A separate box of text that is neither dek nor body</div>"
                   f"</div><div class='row'><div class='col'>{_BODY_DIV}</div></div>")
    assert standfirst(doc) != "Records from the council contradict the claim"
