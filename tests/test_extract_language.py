"""The language: what the markup declares, unless it declares none or contradicts the text;
then the language detected from the article's text (py3langid), with its source."""

from __future__ import annotations

from scraper.extract import extract_article

GERMAN = ("Die Stadtverwaltung hat am Montag bestätigt, dass der alte Leuchtturm im kommenden "
          "Sommer restauriert und wieder für Besucher geöffnet wird. Die Arbeiten werden aus "
          "einem Förderprogramm für Denkmalschutz bezahlt und sollen im Frühjahr beginnen.")
ENGLISH = ("The harbour authority confirmed on Monday that the old lighthouse will be restored "
           "and reopened to visitors next summer. The work is paid for by a heritage grant and "
           "is due to start in the spring, the authority said in a statement.")


def _page(text: str, lang: str | None) -> str:
    attr = f' lang="{lang}"' if lang else ""
    paragraphs = "".join(f"<p>{text} ({n})</p>" for n in range(3))
    return (f"<html{attr}><head><title>Lighthouse</title></head><body><article>"
            f"<h1>Lighthouse</h1>{paragraphs}</article></body></html>")


def test_markup_language_is_kept_when_the_text_agrees():
    article = extract_article(_page(ENGLISH, "en-GB"), "https://example.org/news/lighthouse")
    assert (article.language, article.language_source) == ("en", "markup")


def test_language_is_detected_from_the_text_when_the_markup_gives_none():
    article = extract_article(_page(GERMAN, None), "https://example.org/news/leuchtturm")
    assert (article.language, article.language_source) == ("de", "text")


def test_a_template_language_contradicted_by_the_text_loses():
    # a site template that keeps lang="en" on every page, whatever the article's language
    article = extract_article(_page(GERMAN, "en"), "https://example.org/news/leuchtturm")
    assert (article.language, article.language_source) == ("de", "text")


def test_close_languages_keep_the_markup_choice():
    # the detector confuses Malay and Indonesian; a page declaring one keeps it
    malay = ("Kerajaan negeri mengumumkan bahawa rumah api lama itu akan dibaiki dan dibuka "
             "semula kepada pelawat pada musim panas depan, kata kenyataan pihak berkuasa pelabuhan.")
    article = extract_article(_page(malay, "ms"), "https://example.org/berita/rumah-api")
    assert article.language == "ms"
