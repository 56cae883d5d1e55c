"""Provenance of the published date and the byline, and the access flags (paywalled,
truncated, blocked) that keep a teaser, a consent wall or a bot challenge from being stored as
a whole article."""

from __future__ import annotations

import json

from scraper.extract import extract_article
from scraper.extract.access import access_for_status

BODY = " ".join(f"Sentence number {i} of a long and ordinary news story." for i in range(60))


def page(*, ld: dict | None = None, meta: str = "", body: str = BODY, title: str = "Story",
         byline: str = '<p class="byline">By Ann Lee</p>', extra: str = "") -> str:
    script = (f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else "")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split(". ") if p)
    return (f"<html lang='en'><head><title>{title}</title>{meta}{script}"
            "<meta property='og:type' content='article'></head><body>"
            f"<article><h1>{title}</h1>{byline}{paragraphs}</article>{extra}</body></html>")


def test_published_source_names_the_field_that_gave_the_date():
    ld = {"@type": "NewsArticle", "headline": "Story", "datePublished": "2024-05-11T10:00:00+05:30"}
    assert extract_article(page(ld=ld), "https://n.example/a").published_source == "jsonld"
    meta = '<meta property="article:published_time" content="2024-05-11T10:00:00Z">'
    assert extract_article(page(meta=meta), "https://n.example/a").published_source == "meta"
    by_url = extract_article(page(), "https://n.example/2024/05/11/story")
    assert (by_url.published, by_url.published_source) == ("2024-05-11", "url")
    none = extract_article(page(), "https://n.example/story")
    assert none.published is None or none.published_source == "htmldate"


def test_byline_source_is_the_visible_text_or_the_metadata():
    assert extract_article(page(), "https://n.example/a").byline_source == "text"
    ld = {"@type": "NewsArticle", "headline": "Story",
          "author": {"@type": "Person", "name": "Bo Kim"}}
    art = extract_article(page(ld=ld, byline=""), "https://n.example/a")
    assert (art.byline, art.byline_source) == ("Bo Kim", "jsonld")
    art = extract_article(page(meta='<meta name="author" content="Cy Dee">', byline=""),
                          "https://n.example/a")
    assert (art.byline, art.byline_source) == ("Cy Dee", "meta")
    assert extract_article(page(byline=""), "https://n.example/a").byline_source is None


def test_a_whole_article_is_full():
    art = extract_article(page(), "https://n.example/a")
    assert (art.access, art.access_reason) == ("full", None)


def test_paywall_declared_in_json_ld():
    ld = {"@type": "NewsArticle", "headline": "Story", "isAccessibleForFree": "False",
          "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False}}
    art = extract_article(page(ld=ld), "https://n.example/a")
    assert art.access == "paywalled" and "isAccessibleForFree" in art.access_reason


def test_body_far_shorter_than_word_count_is_truncated():
    ld = {"@type": "NewsArticle", "headline": "Story", "wordCount": 2400}
    art = extract_article(page(ld=ld), "https://n.example/a")
    assert art.access == "truncated" and "2400" in art.access_reason
    ld["wordCount"] = len(BODY.split())
    assert extract_article(page(ld=ld), "https://n.example/a").access == "full"


def test_bot_challenge_and_consent_wall_are_blocked():
    challenge = page(title="Just a moment...", body="Checking your browser before accessing.",
                     byline="", extra="<script>window._cf_chl_opt={}</script>")
    art = extract_article(challenge, "https://n.example/a")
    assert art.access == "blocked" and "bot challenge" in art.access_reason
    wall = page(body="Before you continue. We use cookies and data to deliver our services. "
                     "Reject all. Accept all", byline="")
    art = extract_article(wall, "https://n.example/a")
    assert art.access == "blocked" and "consent wall" in art.access_reason
    # a cookie banner beside a whole article is no wall
    banner = page(extra="<div class='cookie'>We value your privacy. Accept all cookies</div>")
    assert extract_article(banner, "https://n.example/a").access == "full"


def test_refused_statuses_are_named():
    assert access_for_status(402) == ("paywalled", "HTTP 402 Payment Required")
    assert access_for_status(451)[0] == access_for_status(401)[0] == "blocked"
    assert access_for_status(200) is None
