"""Dates: published and modified kept apart, with the source's timezone; placeholders and
future dates refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from scraper.extract.dates import extract_dates, parse_date
from scraper.extract.document import Document

from .conftest import SEED, SEED_URL
from .fields_helpers import fixture_doc, html_doc

SEED_PAGES = ["desiblitz-grooming-gang-victims", "desiblitz-grooming-gang-victims.tdtheme"]


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


@pytest.mark.parametrize("name", SEED_PAGES)
def test_seed_published_day(name):
    expected = json.loads((SEED / f"{name}.expected.json").read_text(encoding="utf-8"))
    doc = Document((SEED / f"{name}.html").read_text(encoding="utf-8"), SEED_URL)
    published, _ = extract_dates(doc)
    assert published[:10] == expected["published"]


@pytest.mark.parametrize(("raw", "iso"), [
    ("2019-11-18T21:24:00-05:00", "2019-11-18T21:24:00-05:00"),
    ("2019-11-19T11:00:09.000Z", "2019-11-19T11:00:09+00:00"),
    ("2019-11-20T06:07:01+0000", "2019-11-20T06:07:01+00:00"),
    ("2019-11-18 16:07:38", "2019-11-18T16:07:38"),
    ("Mon, 18 Nov 2019 16:07:38 -0600", "2019-11-18T16:07:38-06:00"),
    ("November 19, 2019, 07:47 PM EST", "2019-11-19T19:47:00-05:00"),
    ("19 Nov 2019 07:09 GMT", "2019-11-19T07:09:00+00:00"),
    ("Fri 6:45 PM, Feb 16, 2018", "2018-02-16T18:45:00"),
    ("Published: 2019/11/19", "2019-11-19T00:00:00"),
    ("20191119", "2019-11-19T00:00:00"),
])
def test_parse_date_formats(raw, iso):
    assert parse_date(raw).isoformat() == iso


def test_a_bare_day_is_not_reported_as_midnight():
    doc = html_doc("<p>x</p>", head='<meta name="pubdate" content="20191119">')
    assert extract_dates(doc) == ("2019-11-19", None)


@pytest.mark.parametrize("raw", [
    "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "Nov 18 9:24 pm", "2 hours ago", "", None, "soon",
])
def test_parse_date_refuses_placeholders_and_incomplete_dates(raw):
    assert parse_date(raw) is None


def test_parse_date_refuses_the_future():
    assert parse_date((datetime.now(UTC) + timedelta(days=30)).isoformat()) is None


def test_json_ld_published_and_modified_kept_apart_with_offset():
    doc = fixture_doc("nav_h1s.html")
    assert extract_dates(doc) == ("2019-11-18T21:24:00-05:00", "2019-11-19T08:00:00-05:00")


def test_placeholder_json_ld_dates_fall_through_to_the_url():
    published, modified = extract_dates(fixture_doc("byline_affiliation.html"))
    assert published[:10] == "2019-11-19"
    assert modified is None


def test_meta_published_time_when_no_json_ld():
    doc = html_doc("<p>x</p>", head='<meta property="article:published_time" content="2019-11-19T10:00:00+01:00">'
                                    '<meta property="article:modified_time" content="2019-11-19T12:00:00+01:00">')
    assert extract_dates(doc) == ("2019-11-19T10:00:00+01:00", "2019-11-19T12:00:00+01:00")


def test_itemprop_date_published_in_visible_text():
    doc = html_doc('<span itemprop="datePublished">Fri 6:45 PM, Feb 16, 2018</span>'
                   '<span itemprop="dateModified">Updated: Sat 8:31 PM, Feb 17, 2018</span>')
    assert extract_dates(doc) == ("2018-02-16T18:45:00", "2018-02-17T20:31:00")


def test_marked_time_element_beats_other_times():
    doc = html_doc('<aside><time datetime="2019-10-01T00:00:00Z">old related story</time></aside>'
                   '<time class="entry-date published" datetime="2019-11-19T09:00:00+00:00">19 Nov</time>'
                   '<time class="updated" datetime="2019-11-20T09:00:00+00:00">20 Nov</time>')
    assert extract_dates(doc) == ("2019-11-19T09:00:00+00:00", "2019-11-20T09:00:00+00:00")


def test_modified_before_published_is_dropped():
    doc = html_doc("<p>x</p>", head=ld('{"@type": "NewsArticle", "datePublished": "2019-11-19T07:09:00Z",'
                                       ' "dateModified": "2019-11-19T05:44:00Z"}'))
    assert extract_dates(doc) == ("2019-11-19T07:09:00+00:00", None)


def test_visible_date_only_is_found_by_the_fallback():
    doc = html_doc('<div class="post"><h2>Title</h2><div class="postinfo">Posted on November 20, 2019'
                   '</div><p>Text of the post.</p></div>', url="https://blog.example.com/post-title")
    published, _ = extract_dates(doc)
    assert published[:10] == "2019-11-20"


def test_no_date_anywhere_gives_none():
    doc = html_doc("<p>Nothing dated here.</p>", url="https://blog.example.com/post-title")
    assert extract_dates(doc) == (None, None)


# Family "dates": the publisher's day. A UTC machine timestamp is expressed, as the same
# instant, in the publisher's offset when the page reveals it; a stale JSON-LD date loses.
def _dated(head: str = "", shown: str = "", url: str = "https://news.example.com/story") -> Document:
    return html_doc(f"<article><h1>Council backs library budget</h1>{shown}"
                    "<p>The council approved the budget on Monday evening.</p></article>",
                    head=head, url=url)


def test_utc_timestamp_takes_the_offset_of_the_time_the_page_shows():
    doc = _dated(ld('{"@type": "NewsArticle", "datePublished": "2019-11-19T00:04:00.000Z"}'),
                 '<div class="timestamp">Nov. 18, 2019 7:04 pm ET</div>')
    assert extract_dates(doc)[0] == "2019-11-18T19:04:00-05:00"


def test_a_shown_time_without_year_reveals_the_offset():
    doc = _dated(ld('{"@type": "NewsArticle", "datePublished": "2019-11-19T01:19:34Z"}'),
                 '<time datetime="2019-11-19T01:19:34Z">Posted Nov 18, 8:19 PM</time>')
    assert extract_dates(doc)[0] == "2019-11-18T20:19:34-05:00"


def test_a_local_clock_in_the_meta_tags_reveals_the_offset():
    head = (ld('{"@type": "NewsArticle", "datePublished": "2019-11-19T04:58:46Z"}')
            + '<meta name="sailthru.date" content="2019-11-18 20:58:46">')
    assert extract_dates(_dated(head))[0] == "2019-11-18T20:58:46-08:00"


def test_the_day_in_the_url_picks_a_usual_offset_for_the_same_instant():
    doc = _dated(ld('{"@type": "NewsArticle", "datePublished": "2019-11-19T04:58:46Z"}'),
                 url="https://news.example.com/2019/11/18/council-budget/")
    published = extract_dates(doc)[0]
    assert published == "2019-11-18T23:58:46-05:00"
    assert datetime.fromisoformat(published) == datetime(2019, 11, 19, 4, 58, 46, tzinfo=UTC)


def test_shown_date_time_agreeing_with_meta_beats_a_json_ld_offset_that_is_wrong():
    head = (ld('{"@type": "NewsArticle", "datePublished": "2019-11-20T02:15:49-06:00"}')
            + '<meta property="article:published_time" content="2019-11-20T02:15:49+00:00">')
    doc = _dated(head, '<span class="date">Nov 19, 2019, 8:15 pm CST</span>')
    assert extract_dates(doc)[0] == "2019-11-19T20:15:00-06:00"


def test_utc_day_that_the_page_agrees_with_stays_utc():
    doc = _dated(ld('{"@type": "NewsArticle", "datePublished": "2019-11-19T14:00:00Z"}'),
                 url="https://news.example.com/2019/11/19/council-budget/")
    assert extract_dates(doc)[0] == "2019-11-19T14:00:00+00:00"


def test_a_json_ld_date_far_from_every_other_source_is_stale():
    head = (ld('{"@type": "NewsArticle", "datePublished": "2017-03-02T10:00:00Z"}')
            + '<meta property="article:published_time" content="2019-11-18T09:00:00+01:00">')
    doc = _dated(head, url="https://news.example.com/2019/11/18/council-budget/")
    assert extract_dates(doc)[0] == "2019-11-18T09:00:00+01:00"


def test_a_page_without_any_date_gets_none():
    assert extract_dates(_dated()) == (None, None)
