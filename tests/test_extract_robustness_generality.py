"""Pages that present the usual fields without the usual markup: no <h1>, obfuscated class
names (CSS-in-JS), no JSON-LD. Each case pins a general rule found by perturbing real pages."""

from __future__ import annotations

import gzip
from pathlib import Path

from scraper.extract import extract_article
from scraper.extract.body import _drop_boilerplate_lines
from scraper.extract.clean import cleaned_tree
from scraper.extract.document import Document

FIXTURES = Path(__file__).parent / "fixtures" / "robustness"
URL = "https://news.example.com/politics/council-backs-library-budget-123"
TITLE = "Council backs library budget after long debate"
DEK = "Councillors voted eight to three for longer opening hours and a new roof."
PARAGRAPHS = [
    f"Paragraph {n}: the council approved the library budget on Tuesday after a debate about "
    "opening hours, staff numbers and roof repairs that went on well into the evening."
    for n in range(6)
]


def _page(headline_html: str, head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head><title>{TITLE} | Example News</title>"
        f'<meta property="og:title" content="{TITLE}">'
        f'<meta name="description" content="{DEK}">{head}</head><body>'
        '<div class="css-1q2w3e"><div class="css-9z8x7c">'
        '<div class="css-share"><h3>Share all sharing options for: ' + TITLE + "</h3></div>"
        f"{headline_html}<h2 class='css-4r5t6y'>{DEK}</h2></div>"
        f"<div class='css-7u8i9o'>{body}</div></div></body></html>"
    )


def test_headline_in_a_styled_div_is_found_by_its_agreement_with_the_title():
    article = extract_article(_page(f'<div class="css-a1b2c3">{TITLE}</div>'), URL)
    assert article.headline == TITLE
    assert article.standfirst == DEK  # the dek is found after the located headline


def test_a_plain_div_wins_over_a_share_widget_heading_repeating_the_title():
    """The shown headline differs a little from og:title; a share widget's <h3> also repeats
    it. Without <h1> markup the best agreement outside page chrome wins."""
    shown = f"{TITLE} on Tuesday"
    html = _page(f"<div><span>{shown}</span></div>").replace(
        f"Share all sharing options for: {TITLE}", f"Share: {shown}")
    article = extract_article(html, URL)
    assert article.headline == shown


def test_an_h1_still_wins_when_present():
    article = extract_article(_page(f"<h1>{TITLE} today</h1>"), URL)
    assert article.headline == f"{TITLE} today"


def test_text_lost_by_the_precision_pass_is_recovered():
    """A real page (headline <h1> turned into a <div>) on which trafilatura's favor_precision
    pruning drops the whole article container: the default pass must bring the text back."""
    html = gzip.decompress((FIXTURES / "headline-in-div.html.gz").read_bytes()).decode("utf-8")
    url = ("https://www.moneycontrol.com/news/business/markets/"
           "economy-in-stress-and-markets-on-a-high-time-to-be-careful-4656421.html")
    article = extract_article(html, url)
    assert article.headline == "Economy in stress and markets on a high; time to be careful?"
    assert article.body.startswith("The equity benchmark Sensex scaled a new all-time high")
    assert article.word_count > 500


def test_by_line_after_the_headline_is_the_byline_whatever_the_class_names():
    html = (
        f"<html><head><title>{TITLE}</title></head><body><div class='x1'><div class='x2'>"
        f"<div class='x3'>{TITLE}</div>"
        "<div class='x4'><span>By</span> <a href='/u/1'>Jane Doe</a> and <a href='/u/2'>John Roe</a>"
        " <span>Nov 3, 2019</span></div></div>"
        "<div class='x5'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div></body></html>"
    )
    article = extract_article(html, URL)
    assert article.authors == ("Jane Doe", "John Roe")


def test_a_sentence_starting_with_by_in_the_text_is_no_byline():
    html = (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
        "<p>By Tuesday evening the vote was done.</p>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</body></html>"
    )
    assert extract_article(html, URL).authors == ()


def test_the_dek_is_not_repeated_as_the_first_body_paragraph():
    dek = DEK + " The debate lasted all evening."
    html = (
        f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        f"<p class='summary'>{dek}</p><div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div></article></body></html>"
    )
    article = extract_article(html, URL)
    assert article.standfirst == dek
    assert article.body.startswith(PARAGRAPHS[0]) and "Councillors" not in article.body


def _header_page(header_lines: str) -> str:
    return (
        f"<html><head><title>{TITLE}</title></head><body><div class='x1'>"
        f"<div class='x3'>{TITLE}</div>{header_lines}<div class='x5'>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div></body></html>"
    )


def test_date_shown_under_the_headline_without_markup_is_the_published_day():
    html = _header_page("<div class='x4'>By Jane Doe</div><span class='x6'>20 Nov, 2019 05:47</span>")
    assert extract_article(html, URL).published == "2019-11-20T05:47:00"


def test_a_caption_mentioning_a_date_is_no_publication_date():
    caption = "A cyclist rides past the closed library in the town centre, November 19, 2019."
    html = _header_page(f"<div class='x7'>{caption}</div><span class='x6'>Nov 20, 2019</span>")
    assert extract_article(html, URL).published == "2019-11-20"


def test_reader_comments_marked_up_with_schema_org_are_not_body():
    comments = "".join(
        '<div class="x9" itemscope itemtype="https://schema.org/UserComment">'
        f'<div class="x10" itemprop="commentText"><p>Reader {n} thinks the roof repairs should have '
        "come first and says so at some length in this comment under the story.</p></div></div>"
        for n in range(3)
    )
    html = _header_page("").replace("</div></div></body>", f"</div><div class='x8'>{comments}</div></div></body>")
    body = extract_article(html, URL).body
    assert body.startswith(PARAGRAPHS[0]) and "Reader" not in body


def test_a_form_to_write_into_is_removed_before_extraction():
    form = ("<form action='/post'><p>Your email address will not be published and your comment "
            "will be held for moderation by the editors.</p><textarea name='c'></textarea></form>")
    html = _header_page("").replace("</div></div></body>", f"</div>{form}</div></body>")
    tree = cleaned_tree(Document(html, URL))
    assert tree.css_first("form") is None and "Paragraph 5" in tree.body.text()


def test_a_comment_count_line_is_furniture_but_a_sentence_about_comments_is_not():
    assert _drop_boilerplate_lines(["12 comments", "1,204 Comments", PARAGRAPHS[0]], set()) == [PARAGRAPHS[0]]
    sentence = "12 comments were sent to the council before the vote."
    assert _drop_boilerplate_lines([sentence], set()) == [sentence]


def test_twice_escaped_metadata_title_is_unescaped():
    html = ("<html><head><meta property='og:title' content='Council &amp;#8216;backs&amp;#8217; "
            "the library budget'></head><body><div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
            + "</div></body></html>")
    assert extract_article(html, URL).headline == "Council ‘backs’ the library budget"


def test_byline_in_the_header_holding_the_headline_is_not_site_chrome():
    """Without <article>, a <header> that holds the <h1> is still the article's own header."""
    html = (
        f"<html><head><title>{TITLE}</title></head><body><header><a href='/'>Example News</a></header>"
        f"<div class='x1'><header><h1>{TITLE}</h1><p class='byline'>By Jane Doe</p></header>"
        "<div class='x5'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div></body></html>"
    )
    assert extract_article(html, URL).authors == ("Jane Doe",)
