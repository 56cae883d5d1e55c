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


def test_prose_between_line_breaks_becomes_paragraphs():
    # Old templates write the text straight into a <div>, paragraphs split by <br><br>.
    first = ("Following months of speculation, the harbour authority confirmed on Monday that the "
             "old lighthouse will be restored and reopened to visitors next summer.")
    second = ("The restoration, paid for by a heritage grant, will repair the lantern room and the "
              "spiral staircase, which has been closed to the public since the storm of 2015.")
    third = ("Local historians welcomed the news and said the building was one of the last of its "
             "kind still standing on this stretch of the coast.")
    html = f"""<html><head><title>Lighthouse to reopen</title></head><body>
    <div id="nav"><a href="/">Home</a> <a href="/news">News</a></div>
    <div class="story"><h1>Lighthouse to reopen</h1>
    <div class="content">{first}<br><br>{second}<br> <br>{third}</div></div>
    </body></html>"""
    body = extract_article(html, "https://example.org/news/lighthouse").body
    assert body == "\n\n".join([first, second, third])


# Family "crash, empty output": no stage failure may empty the body silently.
_ARTICLE = "".join(
    f"<p>Paragraph {n} of the story: the harbour authority confirmed on Monday that the old "
    f"lighthouse number {n} will be restored and reopened to visitors next summer.</p>"
    for n in range(4))


def test_legacy_compat_doctype_page_keeps_its_body():
    # XSLT pipelines write this legal doctype; lexbor cannot clone such a document
    html = ('<!DOCTYPE html SYSTEM "about:legacy-compat"><html><head><title>Lighthouse</title>'
            f"</head><body><article><h1>Lighthouse</h1>{_ARTICLE}</article></body></html>")
    doc = Document(html, "https://example.org/news/lighthouse")
    body = extract_body(doc)
    assert body.count("\n\n") == 3 and "lighthouse number 3" in body
    assert doc.fallbacks == []  # the copy is parsed again: the normal path, not the fallback


def test_a_failing_body_stage_falls_back_to_plain_trafilatura_and_says_so(monkeypatch, caplog):
    from scraper.extract import body as body_module

    def broken(_doc):
        raise RuntimeError("unforeseen markup")

    monkeypatch.setattr(body_module, "cleaned_tree", broken)
    html = f"<html><head><title>Lighthouse</title></head><body><article>{_ARTICLE}</article></body></html>"
    doc = Document(html, "https://example.org/news/lighthouse")
    with caplog.at_level("WARNING", logger="scraper.extract.body"):
        body = extract_body(doc)
    assert "lighthouse number 3" in body
    assert doc.fallbacks == ["body: RuntimeError: unforeseen markup"]
    assert "plain trafilatura" in caplog.text


def test_section_subheads_marked_up_as_h1_stay_in_the_text():
    # only the <h1> that is the headline is "the headline repeated"
    paragraphs = "".join(
        f"<p>Paragraph {n}: the council approved the library budget on Tuesday after a debate "
        "about opening hours, staff numbers and roof repairs.</p>" for n in range(3))
    html = ("<html><head><title>Council backs library budget</title></head><body><article>"
            f"<h1>Council backs library budget</h1>{paragraphs}<h1>What happens next</h1>"
            f"{paragraphs.replace('Paragraph', 'Step')}</article></body></html>")
    body = extract_article(html, "https://example.org/news/library-budget").body
    assert "What happens next" in body.split("\n\n")
    assert "Council backs library budget" not in body


def test_an_article_split_by_a_full_width_ad_row_is_kept_whole():
    first = "".join(f"<p>First part {n}: the council approved the library budget on Tuesday "
                    "after a long debate about opening hours and staff.</p>" for n in range(4))
    second = "".join(f"<p>Second part {n}: the new roof will be built next spring, and the "
                     "library will stay open while the work goes on.</p>" for n in range(3))
    html = ("<html><head><title>Council backs library budget</title></head><body>"
            "<h1>Council backs library budget</h1>"
            f"<div class='entry-content'>{first}</div>"
            "<div class='ad-row'><a href='https://ads.example/'><img src='/ad.png'></a></div>"
            f"<div class='entry-content'>{second}</div></body></html>")
    body = extract_article(html, "https://example.org/news/library-budget").body
    assert "First part 0" in body and "Second part 2" in body


def test_a_hundred_thousand_unclosed_openings_parse_in_moments():
    # lexbor's tree builder is quadratic in the depth: such runs are cut before parsing
    import time

    html = (f"<html><head><title>Lighthouse</title></head><body>{'<div>' * 100_000}"
            f"<span><b><i><a>{'<span><b><i><a>' * 25_000}"
            f"<article><h1>Lighthouse</h1>{_ARTICLE}</article></body></html>")
    started = time.monotonic()
    body = extract_article(html, "https://example.org/news/lighthouse").body
    assert time.monotonic() - started < 10
    assert "lighthouse number 3" in body


def test_an_unclosed_noscript_holding_the_page_keeps_its_text():
    # scripts, styles and SVG are dropped before the body stage walks the page; <noscript> is
    # not: a stray unclosed one can hold the whole page (seen on a real page)
    html = ("<html><head><title>Lighthouse</title><script>var x = 1;</script></head><body>"
            f"<noscript><img src='/pixel.gif'><article><h1>Lighthouse</h1>{_ARTICLE}</article>"
            "</body></html>")
    body = extract_article(html, "https://example.org/news/lighthouse").body
    assert "lighthouse number 3" in body


def test_subheads_the_precision_pass_drops_between_kept_paragraphs_are_put_back():
    # a table-of-contents plugin's markup (seen on real pages): the precision pass drops the
    # section heads; one between two paragraphs it kept goes back in its place
    paragraph = ("<p>Paragraph {n}: the council approved the library budget on Tuesday after a "
                 "debate about opening hours, staff numbers and roof repairs.</p>")

    def head(text: str) -> str:
        return (f"<h2><span class='ez-toc-section' id='{text[:5]}'></span>{text}"
                "<span class='ez-toc-section-end'></span></h2>")

    html = ("<html><head><title>Library budget</title></head><body><article><h1>Library budget</h1>"
            "<div class='article-content'><div id='ez-toc-container'><div class='ez-toc-title-container'>"
            "<p class='ez-toc-title'>Contents of this article</p></div></div>"
            f"{head('Why the council voted for it')}{paragraph.format(n=0)}{paragraph.format(n=1)}"
            f"{head('What happens next?')}{paragraph.format(n=2)}{paragraph.format(n=3)}"
            "</div></article></body></html>")
    body = extract_article(html, "https://example.org/news/library-budget").body.split("\n\n")
    assert body.index("What happens next?") == body.index(paragraph[3:-4].format(n=2)) - 1


def _story(title: str, word: str, with_article: bool = True, paragraphs: int = 4) -> str:
    text = "".join(f"<p>{word} {n}: the council approved the library budget on Tuesday after a "
                   "long debate about opening hours, staff numbers and roof repairs.</p>"
                   for n in range(paragraphs))
    inner = f"<header><h1>{title}</h1></header><div class='entry-text'>{text}</div>"
    return (f"<div class='scrollblock'>{f'<article>{inner}</article>' if with_article else inner}"
            "</div>")


def test_the_next_stories_an_infinite_scroll_appends_are_not_the_text():
    # each appended story is an <article> of the same kind as the page's, with its own <h1>;
    # trafilatura took the longest one, another story
    html = ("<html><head><title>Council backs library budget</title></head><body><section>"
            f"{_story('Council backs library budget', 'Ours')}"
            f"{_story('Bridge to close for the summer', 'Next')}"
            f"{_story('School wins chess title', 'Later', paragraphs=8)}</section></body></html>")
    body = extract_article(html, "https://example.org/news/library-budget").body
    assert "Ours 0" in body and "Ours 3" in body
    assert "Next 0" not in body and "Later 0" not in body


def test_sections_of_one_text_under_h1_subheads_are_kept():
    # same-kind blocks with <h1> subheads but no <article> of their own: one text
    html = ("<html><head><title>Council backs library budget</title></head><body><section>"
            f"{_story('Council backs library budget', 'Ours', with_article=False)}"
            f"{_story('What happens next', 'Next', with_article=False, paragraphs=8)}"
            "</section></body></html>")
    body = extract_article(html, "https://example.org/news/library-budget").body
    assert "Ours 0" in body and "Next 0" in body
