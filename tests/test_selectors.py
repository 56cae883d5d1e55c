"""Per-site CSS selectors from a site's config entry override generic extraction, field by field."""

from __future__ import annotations

from scraper import extract_article
from scraper.extract.selectors import invalid_selector_fields

HTML = """<html><head><title>Odd Site</title></head><body>
<div class="hed">Council reopens the harbour bridge</div>
<div class="sub">Repairs took two years longer than planned.</div>
<span class="writer">By Ann Lee and Bo Chen</span>
<span class="when" data-x="1">Published</span><abbr class="stamp" datetime="2024-05-01T09:00:00+01:00">1 May</abbr>
<div class="copy"><p>The harbour bridge reopened to traffic on Monday morning after a long closure.</p>
<p>Residents lined the approach road to watch the first buses cross the span again.</p></div>
<div class="sidebar"><p>Most read: ten things to do this weekend</p></div>
</body></html>"""

SELECTORS = {"headline": ".hed", "standfirst": ".sub", "byline": ".writer", "published": ".stamp",
             "body": ".copy"}


def test_selectors_pin_each_field():
    article = extract_article(HTML, "https://odd.example/bridge", selectors=SELECTORS)
    assert article.headline == "Council reopens the harbour bridge"
    assert article.standfirst == "Repairs took two years longer than planned."
    assert article.authors == ("Ann Lee", "Bo Chen")
    assert article.published.startswith("2024-05-01T09:00:00")
    assert article.body == ("The harbour bridge reopened to traffic on Monday morning after a long closure.\n\n"
                            "Residents lined the approach road to watch the first buses cross the span again.")


def test_a_selector_that_matches_nothing_falls_back_to_generic_rules():
    article = extract_article(HTML, "https://odd.example/bridge", selectors={"headline": ".missing"})
    assert article.headline  # generic rules still produce one


def test_unknown_fields_are_reported():
    assert invalid_selector_fields({"headline": "h1", "colour": ".x"}) == ["colour"]
