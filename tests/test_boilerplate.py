"""One small hand-written page per boilerplate family: the real paragraphs stay, the widget goes.

Every widget sits INSIDE the article container, where trafilatura alone tends to keep it.
"""

from __future__ import annotations

import pytest

from scraper.extract import extract_article

URL = "https://news.example.org/local/2024/03/riverside-bridge-approved"
HEADLINE = "Riverside council approves new footbridge after decade of delays"

PARAGRAPHS = [
    "Riverside council has approved plans for a new footbridge across the river, ending more than "
    "ten years of arguments about how to link the two halves of the town.",
    "The bridge, which will cost an estimated four million pounds, is due to open in the spring of "
    "next year and will be paid for largely by a regional transport grant.",
    "Council leader Maria Lopez said: “A bridge is the cheapest way to join two halves of a town, "
    "and we should have built it a long time ago.”",
    "Opponents had argued that the money would be better spent on repairing existing roads, many "
    "of which have been damaged by heavy lorries over the past winter.",
    "Residents on the east bank, who currently face a two-mile detour to reach the station, "
    "welcomed the decision at a packed public meeting on Tuesday evening.",
    "Construction is expected to begin in the autumn once the final designs have been approved by "
    "the environment agency and the local planning committee.",
]


def page(widget: str, *, after: int = 3, container_class: str = "entry-content") -> str:
    """A plain news page with `widget` inserted among the paragraphs of the article container."""
    paragraphs = [f"<p>{text}</p>" for text in PARAGRAPHS]
    paragraphs.insert(after, widget)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{HEADLINE} | Riverside Gazette</title>
<meta property="og:title" content="{HEADLINE}">
</head><body>
<header class="site-header"><a href="/">Riverside Gazette</a></header>
<main><article class="post">
<h1 class="entry-title">{HEADLINE}</h1>
<div class="{container_class}">
{"".join(paragraphs)}
</div>
</article></main>
<footer class="site-footer">&copy; 2024 Riverside Gazette. <a href="/privacy">Privacy Policy</a></footer>
</body></html>"""


def body_of(html: str) -> str:
    return extract_article(html, URL).body


def assert_clean(body: str, *boilerplate: str) -> None:
    paragraphs = body.split("\n\n")
    missing = [text for text in PARAGRAPHS if text not in paragraphs]
    assert missing == []
    leaked = [text for text in boilerplate if text in body]
    assert leaked == []


def test_navigation_and_breadcrumbs():
    widget = """<nav class="topic-links"><a href="/politics">Politics</a> | <a href="/council">Council
    decisions and local planning news</a> | <a href="/transport">Transport</a></nav>
    <div class="breadcrumbs"><a href="/">Home</a> › <a href="/local">Local news from the riverside
    towns</a> › <span>Transport</span></div>"""
    assert_clean(body_of(page(widget, after=0)), "Council decisions", "Local news from the riverside")


@pytest.mark.parametrize("widget, leak", [
    ("""<div class="td-block-whats-new"><div class="td-block-title">What's New</div>
     <ul><li><a href="/a">Ten winter walks along the old canal towpath</a></li>
     <li><a href="/b">The best bakeries in the valley, ranked by our readers</a></li></ul></div>""",
     "canal towpath"),
    ("""<section class="trending-now"><h3>Trending</h3>
     <p><a href="/c">Mystery of the missing swans is finally solved</a> A schoolgirl found them
     nesting under the old mill.</p></section>""",
     "missing swans"),
    ("""<div class="related-articles"><h3>Related stories</h3><ul>
     <li><a href="/e">Council budget gap widens as grant funding is cut again</a></li>
     <li><a href="/f">Station car park to close for three months of repairs</a></li></ul></div>""",
     "budget gap widens"),
    ("""<div class="more-from-author"><h3>More from this author</h3>
     <p><a href="/g">Flood defences along the east bank will be raised by a metre</a></p></div>""",
     "Flood defences"),
    ("""<p><strong>Read more:</strong> <a href="/h">Footbridge plans go on display at the library</a></p>""",
     "go on display"),
])
def test_whats_new_trending_related_and_more_from_lists(widget, leak):
    assert_clean(body_of(page(widget)), leak)


def test_poll():
    widget = """<div class="wp-polls"><p>Which of these bridge designs would you choose?</p>
    <ul><li><input type="radio" name="poll" value="1"> A steel arch</li>
    <li><input type="radio" name="poll" value="2"> A timber truss</li></ul>
    <p><a href="#ViewPollResults">View Results</a></p>
    <div class="wp-polls-loading">Loading ...</div></div>"""
    assert_clean(body_of(page(widget)), "bridge designs would you choose", "View Results", "Loading ...")


def test_share_widgets():
    widget = """<div class="social-sharing">Share to... <a href="https://facebook.com/sharer">Facebook</a>
    <a href="https://twitter.com/intent/tweet">X</a> <a href="mailto:?">Email this story to a friend</a></div>"""
    assert_clean(body_of(page(widget)), "Share to", "Email this story to a friend")


@pytest.mark.parametrize("widget, leak", [
    ("""<div class="newsletter-signup"><p>Get the Morning Briefing from the Gazette every weekday,
     with all the news from the valley in one short email.</p>
     <form><input type="email"><button>Sign up</button></form></div>""",
     "Morning Briefing"),
    ("""<div id="cookie-consent"><p>We use cookies to give you the best experience on our website.
     By continuing to browse you agree to our use of cookies.</p><button>Accept</button></div>""",
     "We use cookies"),
    ("""<div class="subscribe-promo"><p>Subscribe today for unlimited access to trusted local
     journalism, from just one pound a week for the first year.</p></div>""",
     "unlimited access"),
    ("""<p>Sign up for our free daily newsletter to get stories like this one in your inbox.</p>""",
     "free daily newsletter"),
])
def test_newsletter_cookie_and_subscription_banners(widget, leak):
    assert_clean(body_of(page(widget)), leak)


def test_author_bio():
    widget = """<div class="author-box"><img src="/jane.jpg" alt=""><div class="author-name">Jane Roe</div>
    <p>Jane Roe is a local democracy reporter who has covered the council since 2015. She lives in
    the valley with her two dogs and a very old bicycle.</p></div>"""
    assert_clean(body_of(page(widget, after=len(PARAGRAPHS))), "local democracy reporter")


def test_image_captions_and_credits():
    widget = """<figure class="wp-block-image"><img src="/bridge.jpg" alt="">
    <figcaption>An artist's impression of the proposed bridge seen from the east bank.
    Photo: Riverside Council</figcaption></figure>
    <div class="wp-caption"><img src="/vote.jpg" alt=""><p class="wp-caption-text">Councillors
    raise their hands during the vote on Tuesday (Image credit: John Smith)</p></div>"""
    assert_clean(body_of(page(widget, after=1)), "artist's impression", "raise their hands")


def test_pull_quote_repeating_body_text():
    widget = """<blockquote><p>“A bridge is the cheapest way to join two halves of a town.”</p></blockquote>"""
    body = body_of(page(widget, after=0))
    assert_clean(body)
    assert body.count("cheapest way to join two halves") == 1


def test_pull_quote_by_class():
    widget = """<div class="td-pull-quote"><div>“we should have built it a long time ago”</div></div>"""
    body = body_of(page(widget, after=1))
    assert_clean(body)
    assert body.count("we should have built it a long time ago") == 1


def test_comments():
    widget = """<div id="comments" class="comments-area"><h3>3 thoughts on this story</h3>
    <ol class="comment-list"><li><p>Great news, about time this happened! My kids will be able
    to walk to school at last instead of sitting in traffic.</p></li>
    <li><p>What a waste of money when the roads are falling apart all over the town.</p></li></ol>
    <div id="respond"><h3>Leave a Reply</h3><textarea></textarea></div></div>"""
    assert_clean(body_of(page(widget, after=len(PARAGRAPHS))), "walk to school", "waste of money",
                 "Leave a Reply")


def test_people_hover_card_inside_a_paragraph():
    card = """<span class="person-card"><img src="/lopez.jpg" alt="">
    <a href="/people/lopez">Maria Lopez</a><a href="/x">Lopez wins re-election by a landslide</a>
    <a href="/y">Council leader defends pay rise</a><a href="/people/lopez">MORE</a></span>"""
    html = page("").replace("Council leader Maria Lopez said",
                            f"Council leader Maria Lopez{card} said")
    body = body_of(html)
    assert "landslide" not in body
    assert "Council leader Maria Lopez said" in body


def test_repeated_headline_and_wire_credits():
    widget = f"<p>{HEADLINE}</p>"
    html = page(widget, after=0).replace(
        "</div>\n</article>",
        "<p>(Reporting by Jane Roe; Editing by John Smith)</p></div>\n</article>")
    assert_clean(body_of(html), "Reporting by Jane Roe")
    assert HEADLINE not in body_of(html)


def test_widget_word_on_the_article_container_is_not_removed():
    # "related" and "share" also name the article container on some sites: it must survive.
    body = body_of(page("", container_class="post-body related-content share-wrapper"))
    assert_clean(body)


def test_list_of_story_links_without_a_widget_class():
    widget = """<p>Related:</p><ul>
    <li><a href="/i">Bridge protesters chain themselves to the town hall railings</a></li>
    <li><a href="/j">Regional transport grant doubled for the next three years</a></li>
    <li><a href="/k">Photos: the valley's oldest crossings, from fords to ferries</a></li></ul>"""
    assert_clean(body_of(page(widget)), "Related", "protesters chain", "grant doubled", "oldest crossings")


def test_reading_time_and_update_stamps():
    widget = "<p>5 min read</p><p>Updated at 1:23 p.m. on March 4, 2024</p>"
    assert_clean(body_of(page(widget, after=0)), "min read", "Updated at")


# Family "boilerplate that stays": credits, copyright notices and calls to action in the
# languages we crawl, whatever container they sit in.
_TEXT = ("The council approved the library budget on Tuesday after a debate about opening hours, "
         "staff numbers and roof repairs that went on well into the evening.")


@pytest.mark.parametrize("line", [
    "© 2020 General Mills All Rights Reserved",
    "Copyright: Jane Smith",
    "The old bridge at the harbour. © AFP / Jane Smith",
    "Zum Newsletter anmelden",
    "Jetzt kostenlos abonnieren!",
    "Abonnez-vous à notre lettre d'information",
    "Suscríbete a nuestro boletín",
    "HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS EXCLUSIVOS",
])
def test_credit_copyright_and_foreign_calls_to_action_leave_the_body(line):
    paragraphs = "".join(f"<p>{_TEXT} ({n})</p>" for n in range(4))
    html = (f"<html><head><title>Library budget</title></head><body><article><h1>Library budget</h1>"
            f"{paragraphs}<p>{line}</p><p>{_TEXT} (last)</p></article></body></html>")
    body = extract_article(html, "https://example.org/news/library-budget").body
    assert line not in body and "(last)" in body


_CITATION = ("Citation: Library budget approved after a long debate (2019, October 22) retrieved "
             "20 January 2020 from https://example.org/news/library-budget")
_RIGHTS = ("This document is subject to copyright. Apart from any fair dealing for the purpose of "
           "private study or research, no part may be reproduced without the written permission.")


@pytest.mark.parametrize("notices", [
    [_CITATION, _RIGHTS],
    ["Empfohlene Zitierweise (die Absätze sind für Zitationszwecke nummeriert):"],
    ["Copyright 2023 Sunbeam Television Corp. All rights reserved. This material may not be "
     "published, broadcast, rewritten or redistributed."],
])
def test_citation_and_rights_notices_closing_the_text_leave_the_body(notices):
    html = page("".join(f"<p>{notice}</p>" for notice in notices), after=len(PARAGRAPHS))
    assert_clean(body_of(html), *notices)


def test_rights_words_inside_the_text_stay():
    line = ("The station said all rights reserved by the old owners would pass to the council, "
            "which plans to show the footage at the opening.")
    assert line in body_of(page(f"<p>{line}</p>", after=2)).split("\n\n")


_ABOUT = ("Riverside Gazette is an independent local newspaper founded in 1902. It is published "
          "every Thursday and online every day, and employs forty journalists in three towns.")


def _page_with_trailer(trailer: str, *, inside: bool) -> str:
    html = page(trailer if inside else "", after=len(PARAGRAPHS)).replace(
        "</title>", "</title><meta property='og:site_name' content='Riverside Gazette'>")
    if inside:
        return html
    return html.replace("</article>", f"<div class='boilerplate'>{trailer}</div></article>")


@pytest.mark.parametrize("trailer", [
    f"<h3>About Riverside Gazette</h3><p>{_ABOUT}</p>",
    f"<hr><p>{_ABOUT}</p>",  # no heading: the site's own name opens a self-description
])
def test_an_about_block_after_the_texts_container_leaves_the_body(trailer):
    assert_clean(body_of(_page_with_trailer(trailer, inside=False)), "About Riverside", _ABOUT)


def test_an_about_paragraph_inside_the_texts_container_stays():
    # a press release's "About" paragraph in the release's own container is part of it
    html = _page_with_trailer(f"<p><strong>About Riverside Gazette</strong><br>{_ABOUT}</p>",
                              inside=True)
    assert _ABOUT in body_of(html)
