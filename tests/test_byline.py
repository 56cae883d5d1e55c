"""Byline: people's names as displayed. Organisations, desks, roles, dates, handles, URLs and
site names are not people; every author is kept, each once."""

from __future__ import annotations

import json

import pytest

from scraper.extract.byline import extract_authors, is_person_name, names_from_text
from scraper.extract.document import Document

from .conftest import SEED, SEED_URL
from .fields_helpers import fixture_doc, html_doc

SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_byline_exact(name):
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    doc = Document((SEED / f"{name}.html").read_text(encoding="utf-8"), SEED_URL)
    assert ", ".join(extract_authors(doc)) == expected["byline"]


@pytest.mark.parametrize(("raw", "names"), [
    ("By Stefan Becket, Kathryn Watson, Grace Segers", ["Stefan Becket", "Kathryn Watson", "Grace Segers"]),
    ("By Mike Wuerthele and Malcolm Owen", ["Mike Wuerthele", "Malcolm Owen"]),
    ("Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
    # affiliation after the names
    ("Lisa Kaczke and Trevor J. Mitchell, Sioux Falls Argus Leader", ["Lisa Kaczke", "Trevor J. Mitchell"]),
    ("Amy Kuperinsky | NJ Advance Media for NJ.com", ["Amy Kuperinsky"]),
    ("Troy L. Smith, Cleveland.com", ["Troy L. Smith"]),
    ("Tom Davies, Associated Press", ["Tom Davies"]),
    ("VICTOR TANGERMANN, FUTURISM", ["VICTOR TANGERMANN"]),
    ("Finian Cunningham. Sputnik International", ["Finian Cunningham"]),
    # roles glued to names
    ("By TOM KRISHER, AP Auto Writer", ["TOM KRISHER"]),
    ("Senior Reporter Jane Doe", ["Jane Doe"]),
    ("정덕현 칼럼니스트", ["정덕현"]),
    # dates, times, handles, read times glued to names
    ("By Joseph Tsidulko November 19, 2019, 07:47 PM EST", ["Joseph Tsidulko"]),
    ("Bryan DeArdo @BryanDeArdo Nov 18, 2019 at 9:24 pm", ["Bryan DeArdo"]),
    ("Rodrigo Campos 5 Min Read", ["Rodrigo Campos"]),
    ("Jane Doe Updated Monday", ["Jane Doe"]),
    ("By Mike Wuerthele Monday, November 18, 2019", ["Mike Wuerthele"]),
    # lead-ins in other languages
    ("Текст: Венера Ерофеева", ["Венера Ерофеева"]),
    ("BY: Jane Doe", ["Jane Doe"]),
    ("Posted on Maret 30, 2015 by Rudi Hartono", ["Rudi Hartono"]),
    # URLs and e-mails are dropped
    ("Jane Doe jane.doe@example.com", ["Jane Doe"]),
    ("https://www.facebook.com/janedoe", []),
    # organisations, wire services, desks and generic words are nobody
    ("Reuters", []),
    ("By Associated Press", []),
    ("AFP", []),
    ("News Nation Bureau", []),
    ("Detroit News wire services Published 11:11 PM EST Nov 19, 2019", []),
    ("Editorial", []),
    ("By admin", []),
    ("jdadmin", []),
    ("The Water Coolest", []),
    ("Reuters, Washington", []),
    ("Nama (wajib)", []),
])
def test_names_from_text(raw, names):
    assert names_from_text(raw) == names


def test_site_and_domain_names_are_not_people():
    brands = ["LinkNaija", "linknaija"]
    assert names_from_text("LinkNaija", brands) == []
    assert not is_person_name("Beachbody", ["beachbodyondemand"])
    assert is_person_name("Dhiren", ["DESIblitz"])


def test_all_authors_of_a_byline_split_over_spans_and_the_paper_dropped():
    assert extract_authors(fixture_doc("byline_affiliation.html")) == ["Lisa Kaczke", "Trevor J. Mitchell"]


def test_visible_byline_with_handle_and_date_wins_over_organisation_in_json_ld():
    assert extract_authors(fixture_doc("nav_h1s.html")) == ["Bryan DeArdo"]


def test_generic_author_and_comment_authors_are_ignored():
    assert extract_authors(fixture_doc("logo_h1.html")) == []


def test_organisation_byline_does_not_fall_back_to_metadata():
    doc = html_doc('<div class="article-byline"><a rel="author" href="/author/reuters/">Reuters</a></div>',
                   head='<script type="application/ld+json">{"@type": "NewsArticle", '
                        '"author": {"@type": "Person", "name": "Reuters"}}</script>'
                        '<meta name="author" content="Reuters Staff">')
    assert extract_authors(doc) == []


def test_json_ld_people_are_used_when_no_byline_is_shown():
    doc = html_doc("<article><h1>Title</h1><p>Text.</p></article>",
                   head='<script type="application/ld+json">{"@type": "NewsArticle", "author": ['
                        '{"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Kim"},'
                        '{"@type": "Organization", "name": "Al Jazeera"}]}</script>')
    assert extract_authors(doc) == ["Ann Lee", "Bo Kim"]


def test_meta_author_is_the_last_resort_but_not_a_url():
    doc = html_doc("<p>Text.</p>", head='<meta name="author" content="Ann Lee">')
    assert extract_authors(doc) == ["Ann Lee"]
    doc = html_doc("<p>Text.</p>", head='<meta name="author" content="https://www.facebook.com/annlee">')
    assert extract_authors(doc) == []


def test_name_role_and_publisher_in_adjacent_spans_are_separated():
    doc = html_doc('<div class="ArticlePage-authorName">By <a href="/people/meg-james">Meg James</a>'
                   '<span class="role">Staff Writer</span></div>')
    assert extract_authors(doc) == ["Meg James"]
    doc = html_doc('<div class="byline">By <a href="/people/jg">Jonathan Garber</a><a href="/">FOXBusiness</a></div>',
                   url="https://www.foxbusiness.com/markets/story")
    assert extract_authors(doc) == ["Jonathan Garber"]


def test_letter_styled_in_its_own_span_stays_in_the_word():
    doc = html_doc('<div class="byline__name"><a href="/author/molly">Molly Woo<span>d</span></a></div>')
    assert extract_authors(doc) == ["Molly Wood"]


def test_short_form_and_full_form_of_one_author_give_one_name():
    doc = html_doc('<div class="author-box"><a rel="author" href="/author/dhiren">Dhiren</a> is a journalism '
                   'graduate with a passion for gaming.</div>',
                   head='<meta name="author" content="Dhiren Mistry">')
    assert extract_authors(doc) == ["Dhiren Mistry"]
    doc = html_doc('<div class="c-byline"><span class="c-byline__item"><a href="/authors/cp">Chris Pokorny</a>'
                   '</span><span class="c-byline__author-name">Chris</span></div>')
    assert extract_authors(doc) == ["Chris Pokorny"]


def test_displayed_fuller_name_is_kept_over_shorter_metadata():
    doc = html_doc('<div class="byline">By <a href="/staff/ts">Troy L. Smith, Cleveland.com</a></div>',
                   head='<meta name="author" content="Troy Smith">', url="https://www.cleveland.com/x")
    assert extract_authors(doc) == ["Troy L. Smith"]


def test_hidden_byline_is_not_read():
    doc = html_doc('<div class="byline" style="display:none">By Ghost Writer</div>'
                   '<div class="author">By Ann Lee</div>')
    assert extract_authors(doc) == ["Ann Lee"]


# Families found on held-out pages: each markup or wording pattern that cost a byline.
@pytest.mark.parametrize(("raw", "names"), [
    # a connector glued to the last name
    ("By Jane Doe, John Roe on Monday", ["Jane Doe", "John Roe"]),
    ("By Jane Doe on November 18", ["Jane Doe"]),
    # author-box UI words
    ("About Jane Doe", ["Jane Doe"]),
    ("View All", []),
    ("Follow Jane Doe", ["Jane Doe"]),
    ("View all posts by Jane Doe", ["Jane Doe"]),
    # multi-word job titles
    ("Jane Doe Business Columnist", ["Jane Doe"]),
    ("By John Roe, Sports Reporter", ["John Roe"]),
    # desks are not people
    ("Telegraph Sport", []),
    ("Mirror Football", []),
    # a German particle inside a name is no lead-in
    ("Christoph von Ritter", ["Christoph von Ritter"]),
    ("Ein Artikel von Max Muster", ["Max Muster"]),
    # lead-ins in other languages, roles before the name
    ("Publicado por: María López", ["María López"]),
    ("Por María López", ["María López"]),
    ("Par Jean Dupont", ["Jean Dupont"]),
    ("Di Mario Rossi", ["Mario Rossi"]),
    ("Von Anna Schmidt", ["Anna Schmidt"]),
    ("기자 홍길동", ["홍길동"]),
    ("文：山田太郎", ["山田太郎"]),
])
def test_byline_wording_families(raw, names):
    assert names_from_text(raw) == names


def test_a_byline_container_whose_class_also_says_social_is_read():
    doc = html_doc('<article><h1>Council row over roads</h1>'
                   '<div class="byline-social"><span class="byline">By Jane Doe</span></div>'
                   '<p>The council met on Monday night and argued for hours about the roads.</p></article>')
    assert extract_authors(doc) == ["Jane Doe"]
