"""A page judged not an article gets no `published` date borrowed from its links: the dates in
link targets (`/2024/05/01/story`) and <time> elements inside links name the linked stories.
A date the page shows for itself (a permalink to the page, its own URL) still counts."""

from __future__ import annotations

import json

from click.testing import CliRunner

from scraper import extract_article
from scraper.cli import cli

from .sitesim import article_html, listing_html

DATED_LINKS = [(f"/2024/05/{day:02d}/story-{day}", f"Story number {day} about the council")
               for day in range(1, 13)]


def teaser_page(title: str) -> str:
    """A section page whose teasers each carry their story's <time> inside the link."""
    items = "".join(f'<li><a href="/news/story-{day}"><time datetime="2024-05-{day:02d}T08:00:00Z">'
                    f"May {day}</time> Story {day} about the council</a></li>" for day in range(1, 13))
    return (f"<html><head><title>{title}</title><meta property='og:type' content='website'></head>"
            f"<body><h1>{title}</h1><ul>{items}</ul></body></html>")


def test_a_home_page_fetched_by_extract_has_no_published_date(server):
    server.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add_page("/", listing_html("Home", DATED_LINKS))
    result = CliRunner().invoke(cli, ["extract", server.url("/")], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["is_article"] is False
    assert record["published"] is None  # was 2024-05-01, from the first link


def test_listing_pages_borrow_no_date_from_link_targets_or_teasers():
    section = extract_article(listing_html("World", DATED_LINKS), "https://news.example/world/")
    assert not section.is_article and section.published is None
    teasers = extract_article(teaser_page("Latest"), "https://news.example/latest/")
    assert not teasers.is_article and teasers.published is None


def test_an_article_keeps_the_date_it_shows_for_itself():
    url = "https://news.example/news/bridge"
    html = article_html("Bridge reopens", url, "2024-05-01T10:00:00Z")
    # no markup naming the date: only a <time> inside the permalink to the page itself
    html = html.replace('<meta property="article:published_time" content="2024-05-01T10:00:00Z">', "")
    html = html.replace('"datePublished": "2024-05-01T10:00:00Z",', "")
    html = html.replace('<time datetime="2024-05-01T10:00:00Z">2024-05-01</time>',
                        f'<a href="{url}#top"><time datetime="2024-05-01T10:00:00Z">May 1</time></a>')
    article = extract_article(html, url)
    assert article.is_article and (article.published or "")[:10] == "2024-05-01"
