"""Conditional GET in a crawl: a revisit sends the stored validators, an unchanged page answers
304 and keeps its row, a changed one is updated; a 304 never stands in for an article that
was not stored."""

from __future__ import annotations

import sqlite3

from scraper.crawl import run_crawl
from scraper.models import CrawlConfig
from scraper.store import Store

from .conftest import PUBLISHED, frontier_row, one_site_config, one_story_site, stored_urls
from .sitesim import SiteServer, article_html, build_plain_site


def test_revisited_article_that_changed_is_updated_and_unchanged_ones_are_304(tmp_path):
    """A revisit is a conditional GET: the unchanged pages answer 304, the changed article
    is fetched again and its row updated in place."""
    db = tmp_path / "a.db"
    revisit = CrawlConfig(user_agent="testbot/1.0", per_host_delay=0.02, timeout=2.0,
                          revisit_after=0.0)
    with SiteServer() as server:
        build_plain_site(server, articles=4)
        config = one_site_config(server, revisit, feeds=(server.url("/feed.xml"),))
        run_crawl(config, db)
        path = sorted(p for p in server.routes if "/story-number-" in p)[0]
        route = server.routes[path]
        route.body = route.body.replace(b"</article>", b"<p>Update: the council has since "
                                        b"reversed its decision after a public meeting.</p>"
                                        b"</article>")
        second = run_crawl(config, db)
    s = second.sites[0]
    assert s.updated_articles == 1 and s.new_articles == 0
    assert s.not_modified >= 3 + 3  # the other three articles, home, section, feed
    with Store(db) as store:
        body = store.get_article(server.url(path)).body
    assert "reversed its decision" in body


def test_304_for_an_entry_whose_fetch_never_settled_is_extracted(tmp_path):
    """Regression: a database written before validators waited for the entry to settle holds
    the validators of a page whose article was never stored (a kill between keeping the page
    and storing the article). The 304 they earn is extracted from the kept page, not taken
    for "unchanged"."""
    db = tmp_path / "a.db"
    with SiteServer() as server:
        story = one_story_site(server, "")
        server.routes["/news/story-1"].body = article_html("Bridge reopens", story,
                                                           PUBLISHED).encode()
        run_crawl(one_site_config(server), db)
        assert stored_urls(db) == {story}
        with sqlite3.connect(db) as conn:  # as a kill right after step 7 used to leave it
            conn.execute("DELETE FROM articles")
            conn.execute("DELETE FROM article_keys")
            conn.execute("UPDATE frontier SET state = 'pending', result = NULL, "
                         "fetched_at = NULL, fetched_run = NULL WHERE url = ?", [story])
        server.clear_log()
        summary = run_crawl(one_site_config(server), db)
        statuses = [r.status for r in server.requests() if r.path == "/news/story-1"]
    assert statuses == [304]
    assert stored_urls(db) == {story} and summary.sites[0].new_articles == 1
    assert frontier_row(db, story) == ("done", "article")
