"""htmldate's last resort, dateparser, reads a page's dates in the page's language (and
English), instead of building all of its ~200 locales (2.6 s and 44 MB a process) the first
time a string defeats it."""

from __future__ import annotations

import json
import subprocess
import sys

from scraper.extract.dates import _language_parser

# the only date of the page is written out in Russian: htmldate's extensive pass hands it to
# dateparser. Run in a fresh interpreter: dateparser's loaded locales are global to a process.
_RUSSIAN_PAGE = '''
import json
from dateparser.languages.loader import LocaleDataLoader
from scraper.extract import extract_article

body = "".join(
    "<p>Федеральное правительство Германии обсуждает новые меры поддержки для семей и малого "
    f"бизнеса в регионах страны, сообщили источники номер {i}.</p>" for i in range(8))
html = ("<html><head><title>Новости</title></head><body><article>"
        "<h1>Правительство обсуждает меры поддержки</h1>"
        '<div class="meta"><span class="date">15 августа 2016, 13:43</span></div>'
        + body + "</article></body></html>")
article = extract_article(html, "http://127.0.0.1/news/story")
print(json.dumps({"published": article.published, "source": article.published_source,
                  "language": article.language,
                  "locales": sorted(LocaleDataLoader._loaded_locales)}))
'''


def test_a_date_in_words_is_read_with_the_pages_language_only():
    done = subprocess.run([sys.executable, "-c", _RUSSIAN_PAGE], capture_output=True,
                          text=True, timeout=120, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["language"] == "ru"
    assert (found["published"], found["source"]) == ("2016-08-15", "htmldate")
    assert set(found["locales"]) <= {"ru", "en"}, found["locales"]  # not all ~200


def test_a_language_dateparser_does_not_know_gets_no_parser_of_its_own():
    assert _language_parser(None) is None
    assert _language_parser("qq") is None  # htmldate's parser of every locale is used instead


def test_a_language_parser_reads_its_language_and_english():
    parser = _language_parser("de")
    assert parser.get_date_data("3. März 2021")["date_obj"].date().isoformat() == "2021-03-03"
    assert parser.get_date_data("March 3, 2021")["date_obj"].date().isoformat() == "2021-03-03"


_SAME_STRING_TWO_LANGUAGES = '''
import json
from scraper.extract import extract_article

def page(lang, words):
    body = "".join(f"<p>{words} {i}.</p>" for i in range(8))
    return (f"<html lang='{lang}'><head><title>t</title></head><body><article><h1>Titel</h1>"
            '<div class="meta"><span class="date">15 августа 2016, 13:43</span></div>'
            + body + "</article></body></html>")

german = extract_article(page("de", "Die Regierung beschließt neue Hilfen für Familien und "
                              "kleine Unternehmen in allen Regionen des Landes, Quelle"),
                         "http://127.0.0.1/de/story")
russian = extract_article(page("ru", "Правительство обсуждает новые меры поддержки для семей "
                               "и малого бизнеса в регионах страны, источник"),
                          "http://127.0.0.1/ru/story")
print(json.dumps([german.language, german.published, russian.language, russian.published]))
'''


def test_a_string_one_language_could_not_read_is_read_again_for_another():
    # htmldate caches each string's parse: the German page's parser (de, en) cannot read the
    # Russian date; the Russian page showing the same string must not get that cached miss
    done = subprocess.run([sys.executable, "-c", _SAME_STRING_TWO_LANGUAGES],
                          capture_output=True, text=True, timeout=120, check=True)
    german_language, _, russian_language, russian_published = json.loads(
        done.stdout.strip().splitlines()[-1])
    assert (german_language, russian_language) == ("de", "ru")
    assert russian_published == "2016-08-15"
