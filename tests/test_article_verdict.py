"""Only articles become rows: home, section, tag, author and archive pages are recognised as such."""

from __future__ import annotations

from scraper import extract_article

PROSE = " ".join(
    f"<p>Paragraph {i} of the council report says the harbour bridge will reopen to traffic "
    f"after repairs that took longer than planned, and residents welcomed the news on Monday.</p>"
    for i in range(8)
)


def teasers(n: int) -> str:
    return "".join(
        f'<article class="card"><h2><a href="/news/story-number-{i}-headline-words">Story {i} headline '
        f"about the harbour</a></h2><p>A short teaser for story {i}, with a few words of summary.</p></article>"
        for i in range(n)
    )


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Example News</title>{head}</head><body>{body}</body></html>"


def test_prose_page_without_metadata_is_an_article():
    article = extract_article(page(f"<h1>Harbour bridge to reopen</h1>{PROSE}"),
                              "https://news.example/local/harbour-bridge-to-reopen-after-repairs")
    assert article.is_article, article.not_article_reason


def test_home_page_is_not_an_article():
    article = extract_article(page(f"<h1>Example News</h1>{teasers(12)}"), "https://news.example/")
    assert not article.is_article and article.not_article_reason == "home page"


def test_section_page_full_of_teasers_is_not_an_article():
    html = page(f"<h1>Local news</h1>{teasers(12)}", '<meta property="og:type" content="website">')
    article = extract_article(html, "https://news.example/local")
    assert not article.is_article and "listing" in article.not_article_reason


def test_tag_and_author_urls_are_not_articles():
    for url in ("https://news.example/tag/harbour", "https://news.example/author/ann-lee",
                "https://news.example/local/page/3"):
        article = extract_article(page(f"<h1>Harbour</h1>{teasers(4)}"), url)
        assert not article.is_article, url


def test_json_ld_collection_page_is_not_an_article():
    ld = '<script type="application/ld+json">{"@type": "CollectionPage", "name": "Harbour"}</script>'
    article = extract_article(page(f"<h1>Harbour</h1>{PROSE}", ld), "https://news.example/harbour-news")
    assert not article.is_article and "collectionpage" in article.not_article_reason


def test_declared_article_with_short_teaser_body_is_still_an_article():
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour bridge to reopen"}</script>'
    body = ("<h1>Harbour bridge to reopen</h1><p>The harbour bridge will reopen to traffic next week "
            "after repairs that took longer than planned, the council said on Monday evening.</p>"
            "<p>Subscribe to read the rest of this story.</p>")
    article = extract_article(page(body, ld), "https://news.example/local/harbour-bridge-to-reopen")
    assert article.is_article, article.not_article_reason


def test_hub_page_of_plain_story_links_under_an_intro_is_not_an_article():
    intro = ("<p>Everything we have published about the harbour bridge, from the first cracks found by "
             "inspectors to the long repairs and the reopening ceremony planned for next week.</p>") * 3
    links = "".join(f'<li><a href="/local/2024/05/{i:02d}/harbour-bridge-update-number-{i}">Update {i}</a></li>'
                    for i in range(1, 13))
    article = extract_article(page(f"<h1>Harbour bridge</h1>{intro}<ul>{links}</ul>"),
                              "https://news.example/local/harbour-bridge-repairs-explained")
    assert not article.is_article and "hub page" in article.not_article_reason


def test_article_with_a_few_related_links_is_still_an_article():
    links = "".join(f'<li><a href="/local/2024/05/{i:02d}/harbour-bridge-update-number-{i}">Update {i}</a></li>'
                    for i in range(1, 5))
    article = extract_article(page(f"<h1>Harbour bridge to reopen</h1>{PROSE}<ul>{links}</ul>"),
                              "https://news.example/local/harbour-bridge-to-reopen-after-repairs")
    assert article.is_article, article.not_article_reason
