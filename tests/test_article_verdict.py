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


# Family "CJK and short articles": structure weighs in, CJK text is counted in characters.
BRIEF = ("<p>The harbour bridge will reopen to traffic on Monday after repairs that took longer "
         "than planned, the council said.</p><p>Residents welcomed the news, and the bus company "
         "said its routes across the bridge would resume the same morning, with extra services "
         "at peak times for the first week while drivers get used to the new layout.</p>")


def test_a_news_brief_with_one_headline_a_date_and_a_byline_is_an_article():
    html = page("<article><h1>Harbour bridge to reopen</h1><p class='byline'>By Jane Doe</p>"
                f"<time datetime='2024-05-01T09:00:00Z'>1 May 2024</time>{BRIEF}</article>")
    article = extract_article(html, "https://news.example/local/harbour-bridge-to-reopen")
    assert 50 <= article.word_count < 120
    assert article.is_article, article.not_article_reason


def test_a_short_text_without_a_story_structure_is_still_too_little():
    html = page(f"<h2>Harbour bridge</h2>{BRIEF}<h2>Other news</h2>")
    article = extract_article(html, "https://news.example/local/harbour-bridge-to-reopen")
    assert not article.is_article and "too little text" in article.not_article_reason


def test_japanese_text_is_counted_in_characters():
    sentence = "東京都は二日、市内の古い橋が修理を終えて月曜日に再開すると発表した。住民は喜んでいる。"
    html = page(f"<article><h1>橋が再開へ</h1>{''.join(f'<p>{sentence}</p>' for _ in range(8))}</article>")
    article = extract_article(html, "https://news.example/local/bridge-reopens")
    assert article.word_count >= 150  # 8 x 42 characters, not 8 "words"
    assert article.is_article, article.not_article_reason
