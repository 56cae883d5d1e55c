"""Admission to the frontier (scraper/crawl/linkqueue.py) as pure functions: the revisit
policy (`wanted`) and how a listing's pagination is split from its other links."""

from scraper.analyse import PAGINATION
from scraper.crawl.linkqueue import split_pagination, wanted
from scraper.frontier import ARTICLE, LISTING, FrontierEntry
from scraper.models import Link

NOW = 1_000_000.0
DAY = 86_400.0


def entry(kind=ARTICLE, depth=1):
    return FrontierEntry(key="k", url="https://news.example/a", site="s", kind=kind, depth=depth)


def row(state="done", result="article", fetched_at=NOW - 2 * DAY, fetched_run=1):
    return {"state": state, "result": result, "fetched_at": fetched_at,
            "fetched_run": fetched_run, "depth": 1}


def ask(e, r, *, queued=None, done=None, run_id=2, revisit_after=DAY):
    return wanted(e, r, NOW, queued_depth=queued, done_depth=done, run_id=run_id,
                  revisit_after=revisit_after)


def test_a_new_url_is_wanted():
    assert ask(entry(), None)


def test_a_queued_url_is_wanted_again_only_from_a_smaller_depth():
    assert not ask(entry(depth=2), None, queued=2)
    assert ask(entry(depth=1), None, queued=2)


def test_an_article_settled_this_run_is_not_wanted_again():
    assert not ask(entry(ARTICLE, depth=0), None, done=3)
    assert ask(entry(LISTING, depth=0), None, done=3)  # a listing found shallower: its links
    assert not ask(entry(LISTING, depth=3), None, done=3)


def test_pending_or_fetched_this_run_is_not_queued_twice():
    assert not ask(entry(depth=1), row(state="pending"))
    assert ask(entry(depth=0), row(state="pending"))  # found shallower: its depth is updated
    assert not ask(entry(), row(fetched_run=2), run_id=2)


def test_articles_and_failures_wait_for_revisit_after():
    assert ask(entry(), row(fetched_at=NOW - 2 * DAY))
    assert not ask(entry(), row(fetched_at=NOW - DAY / 2))
    assert not ask(entry(), row(state="failed", result="http_404", fetched_at=NOW - 60))


def test_listings_are_revisited_every_run():
    assert ask(entry(LISTING), row(result="html", fetched_at=NOW - 60))


def test_numbered_pages_within_the_limit_keep_the_listing_depth():
    links = [Link(url="https://n.example/news?page=2", source=PAGINATION),
             Link(url="https://n.example/news?page=9", source=PAGINATION),
             Link(url="https://n.example/news?page=9", source="page"),
             Link(url="https://n.example/story", source="page")]
    pages, others = split_pagination(links, max_pagination=5)
    assert [link.url for link in pages] == ["https://n.example/news?page=2"]
    # page 9 is past the limit, and must not sneak in as an ordinary link either
    assert [link.url for link in others] == ["https://n.example/story"]
