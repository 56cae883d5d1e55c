"""Bad input gets a clear result: extract_article never raises and returns sane fields.

Time is not asserted here (speed is measured by `make bench`); the large-page cases print
their time so a run with `-s` shows it.
"""

from __future__ import annotations

import codecs
import random
import time

import pytest

from scraper.extract import extract_article
from scraper.extract.decode import decode_html
from scraper.models import Article

URL = "https://example.com/news/some-story"
PROSE = ("The council approved the new library budget on Tuesday after a long debate "
         "about opening hours, staff numbers and the roof repairs. ")
PAGE = ("<html><head><title>Council backs library budget</title></head><body><article>"
        "<h1>Council backs library budget</h1>"
        + "".join(f"<p>{n}. {PROSE}</p>" for n in range(6)) + "</article></body></html>")


def extract(html, url=URL, headers=None) -> Article:
    start = time.perf_counter()
    article = extract_article(html, url, headers)
    print(f"{len(html):>10} chars/bytes: {time.perf_counter() - start:.2f} s")
    assert isinstance(article, Article)
    assert isinstance(article.body, str) and article.word_count == len(article.body.split())
    for text in (article.body, article.headline, article.standfirst, article.byline):
        assert text is None or ("\x00" not in text and "\ufffd" not in text)
    return article


@pytest.mark.parametrize("html", ["", b"", "   \n\t ", b"\xef\xbb\xbf", "<html></html>", "<!-- -->"])
def test_empty_input_is_an_empty_non_article(html):
    article = extract(html)
    assert article.body == "" and article.headline is None
    assert article.is_article is False and article.not_article_reason


def test_binary_garbage_is_not_an_article():
    garbage = bytes(random.Random(7).randrange(256) for _ in range(100_000))
    article = extract(garbage)
    assert article.is_article is False


def test_nul_and_control_characters_are_dropped():
    html = PAGE.replace("Council backs", "Coun\x00cil\x01 backs").replace("roof", "ro\x1bof")
    article = extract(html)
    assert article.headline == "Council backs library budget"
    assert "roof repairs" in article.body
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in article.body)


def test_fragment_without_html_element():
    article = extract("<h1>Council backs library budget</h1>" + "".join(f"<p>{n}. {PROSE}</p>" for n in range(6)))
    assert article.headline == "Council backs library budget"
    assert article.body.count("roof repairs") == 6


def test_plain_text_page_keeps_its_text():
    assert "roof repairs" in extract(PROSE * 5).body


def test_deeply_nested_markup_keeps_its_text():
    """lxml (under trafilatura) drops what sits below 256 levels; the text must survive."""
    depth = 20_000
    html = "<html><body>" + "<div>" * depth + f"<p>One. {PROSE}</p><p>Two. {PROSE}</p>" + "</div>" * depth
    article = extract(html + "</body></html>")
    assert article.body.count("roof repairs") == 2


def test_moderately_nested_markup_is_untouched():
    html = "<html><body>" + "<div>" * 150 + f"<p>{PROSE}</p><p>Second <b>paragraph</b> {PROSE}</p>"
    article = extract(html + "</div>" * 150 + "</body></html>")
    assert article.body.split("\n\n") == [PROSE.strip(), f"Second paragraph {PROSE.strip()}"]


def test_an_element_with_100k_attributes_is_extracted_in_moments():
    """lexbor and lxml check each attribute against the element's earlier ones (quadratic):
    the attributes beyond MAX_ATTRIBUTES are dropped before any parser sees the page."""
    attrs = " ".join(f'a{i}="{i}"' for i in range(100_000))
    html = PAGE.replace("<article>", f"<article {attrs}>")
    started = time.perf_counter()
    article = extract(html)
    assert time.perf_counter() - started < 10  # 60 s and more before the cut
    assert article.headline == "Council backs library budget"
    assert article.body.count("roof repairs") == 6 and "a99999" not in article.body


def test_attribute_lists_are_cut_in_tags_only():
    from scraper.extract.document import MAX_ATTRIBUTES, Document, cut_attribute_lists

    many = " ".join(f"b{i}" for i in range(MAX_ATTRIBUTES + 500))
    doc = Document(f"<html><body><div id=x {many} />{PAGE}</body></html>", URL)
    node = doc.tree.css_first("div")
    assert len(node.attributes) == MAX_ATTRIBUTES and node.attributes["id"] == "x"
    assert "roof repairs" in doc.tree.body.text()
    # the same tokens in a script, a style or a comment are text, not attributes: left alone
    for page in (f"<html><head><script>if (a <{many}) go();</script></head>{PAGE}</html>",
                 f"<html><head><style>a <b {many} {{}}</style></head>{PAGE}</html>",
                 f"<html><body><!-- <x {many}> --><div y {many[:90]}>{PAGE}</div></body></html>",
                 PAGE):
        assert cut_attribute_lists(page) == page
    # an empty comment (<!-->) hides nothing; an end tag among the tokens is never dropped
    doc = Document(f"<html><body><!--><div {many}>{PAGE}</div></body></html>", URL)
    assert len(doc.tree.css_first("div").attributes) == MAX_ATTRIBUTES
    doc = Document(f"<html><head><title>a <b {many} </title></head><body>{PAGE}</body></html>",
                   URL)
    assert doc.tree.css_first("title").text().startswith("a <b b0 b1")
    assert "roof repairs" in doc.tree.body.text()


def test_page_of_300k_tiny_paragraphs_gives_its_opening():
    html = "<html><body><article>" + "".join(f"<p>item {i}</p>" for i in range(300_000))
    article = extract(html + "</article></body></html>")
    assert article.body.startswith("item 0\n\nitem 1\n\nitem 2")


def test_large_page_keeps_headline_and_opening_of_main_text():
    paragraphs = "".join(f"<p>Paragraph {i}: {PROSE}</p>" for i in range(16_000))
    sidebar = "<aside>" + "<a href='/x'>Other story</a>" * 300 + "</aside>"
    html = (f"<html><head><title>Council backs library budget</title></head><body>{sidebar}"
            f"<article><h1>Council backs library budget</h1>{paragraphs}</article></body></html>")
    assert len(html) > 2_000_000
    article = extract(html)
    assert article.headline == "Council backs library budget"
    assert article.body.startswith(f"Paragraph 0: {PROSE.strip()}\n\nParagraph 1:")
    assert article.word_count > 100_000 and "Other story" not in article.body
    assert article.is_article


def test_many_quoted_paragraphs_are_kept():
    """The pull-quote filter compares paragraphs with each other: thousands of them must
    still pass, and distinct quotes are no pull quotes."""
    html = "".join(f"<p>“Quote {i} says the budget item {i * 3} was right all along.”</p>"
                   for i in range(5_000))
    article = extract(f"<html><body><article>{html}</article></body></html>")
    assert article.body.count("“Quote") == 5_000


def test_pull_quote_repeating_a_paragraph_is_dropped():
    quote = "the roof repairs cannot wait another winter"
    html = (f"<p>{PROSE}</p><p>She said {quote}, and the room agreed with her.</p>"
            f"<p>“{quote.capitalize()}”</p><p>{PROSE}</p>")
    article = extract(f"<html><body><article><h1>Roof</h1>{html}</article></body></html>")
    assert article.body.count(quote) == 1


@pytest.mark.parametrize("script", [
    "{not json at all",
    '{"@type": "NewsArticle", "headline": "Trailing comma",}',
    "[" * 100_000,
    "42",
    "null",
    '"a string"',
    '{"@type": 5, "author": {"@type": 7, "name": "Jane Doe"}, "headline": 3}',
    '{"@type": ["NewsArticle"], "headline": ["a", "b"], "author": [5, null, {"name": 7}], '
    '"datePublished": {"x": 1}, "publisher": "x", "@graph": "str", "mainEntity": 3, '
    '"keywords": 5, "articleSection": {"a": 1}}',
])
def test_broken_json_ld_is_ignored(script):
    html = PAGE.replace("</head>", f'<script type="application/ld+json">{script}</script></head>')
    article = extract(html)
    assert article.headline == "Council backs library budget"
    assert article.body.count("roof repairs") == 6
    assert article.section is None or isinstance(article.section, str)
    assert article.section != "{'a': 1}"


def test_conflicting_metadata_prefers_the_visible_and_the_plausible():
    head = (
        '<meta property="og:title" content="Something else entirely | Site">'
        '<meta property="article:published_time" content="2999-01-01T00:00:00Z">'
        '<meta property="article:modified_time" content="2001-05-05T00:00:00Z">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Other words",'
        ' "datePublished": "2020-03-04T10:00:00Z", "author": {"@type": "Person", "name": "Jane Doe"}}'
        "</script>"
    )
    article = extract(PAGE.replace("</head>", head + "</head>"))
    assert article.headline == "Council backs library budget"  # the page's own <h1>
    assert article.published.startswith("2020-03-04")  # the future date is refused
    assert article.modified is None  # "modified" before publication is a broken field
    assert article.authors == ("Jane Doe",)


@pytest.mark.parametrize("url", ["", "not a url", "http://[::1", "ftp://example.com/x"])
def test_odd_urls_never_raise(url):
    article = extract(PAGE, url=url)
    assert article.headline == "Council backs library budget"


GERMAN = ("<html><head><meta charset='{charset}'><title>Grüße aus Köln</title></head><body>"
          "<h1>Grüße aus Köln</h1><p>" + "Die Straße war voll, sagte er über die Grüße. " * 8
          + "</p></body></html>")


@pytest.mark.parametrize("data, headers", [
    (GERMAN.format(charset="utf-16").encode("utf-16"), None),  # UTF-16 LE with BOM
    (codecs.BOM_UTF16_BE + GERMAN.format(charset="utf-16").encode("utf-16-be"), None),
    (GERMAN.format(charset="utf-16").encode("utf-16-le"), None),  # no BOM: detected
    (GERMAN.format(charset="utf-16").encode("utf-16-le"), {"Content-Type": "text/html; charset=utf-16le"}),
    (GERMAN.format(charset="utf-32").encode("utf-32"), None),
    # a <meta> saying UTF-16 in an ASCII-compatible page: browsers read it as UTF-8
    (GERMAN.format(charset="utf-16").encode("utf-8"), None),
    # declared UTF-8 but written in windows-1252 without a single valid UTF-8 sequence
    (GERMAN.format(charset="utf-8").encode("cp1252"), None),
    # a server's default latin-1 header on a UTF-8 page
    (GERMAN.format(charset="utf-8").encode("utf-8"), {"content-type": "text/html; charset=iso-8859-1"}),
    (GERMAN.format(charset="x-bogus").encode("utf-8"), {"Content-Type": 'text/html; charset="nope"'}),
    (GERMAN.format(charset="x-bogus").encode("cp1252"), None),
])
def test_wrong_or_unusual_charsets_decode_to_the_real_text(data, headers):
    article = extract(data, headers=headers)
    assert article.headline == "Grüße aus Köln"
    assert article.body.startswith("Die Straße war voll, sagte er über die Grüße.")


def test_utf8_page_with_a_few_broken_bytes_stays_utf8():
    data = GERMAN.format(charset="utf-8").encode("utf-8").replace(b"voll", b"vo\xffll", 1)
    text, encoding = decode_html(data)
    assert encoding == "utf-8" and "Grüße aus Köln" in text


def test_legacy_page_declared_as_legacy_is_not_taken_for_utf8():
    data = GERMAN.format(charset="windows-1252").encode("cp1252")
    text, encoding = decode_html(data, {"Content-Type": "text/html; charset=windows-1252"})
    assert encoding == "cp1252" and "Grüße aus Köln" in text
