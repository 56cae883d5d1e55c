"""What a run's summary counts and how it ends (issue 9, points 4 and 8): a fold of two URLs
onto one row on its first sighting is `folded`, not `updated`; the exit code and `runs.status`
of every outcome, as pure functions."""

from __future__ import annotations

import signal

from scraper.crawl import run_crawl
from scraper.crawl.summary import CrawlSummary, SiteSummary

from .conftest import ALLOW_ALL, one_site_config
from .sitesim import SiteServer, article_html, listing_html


def test_two_markups_of_one_article_are_one_new_and_one_folded(tmp_path):
    with SiteServer() as server:
        server.add_page("/robots.txt", ALLOW_ALL, content_type="text/plain")
        server.add_page("/", listing_html("Home", [("/news/bridge-reopens", "Bridge"),
                                                   ("/print/bridge-reopens", "Print")]))
        title = "Bridge reopens after two years of repairs"
        for path, section in (("/news/bridge-reopens", "World"), ("/print/bridge-reopens", "Print")):
            # same headline and body (the content key), a different section: another record
            server.add_page(path, article_html(title, server.url(path), "2026-04-10T08:00:00Z",
                                               section=section))
        first = run_crawl(one_site_config(server), tmp_path / "a.db")
    site = first.sites[0]
    assert (site.new_articles, site.folded_articles, site.updated_articles) == (1, 1, 0)
    assert "1 new articles, 0 updated, 1 folded" in "\n".join(first.lines())


def site(name: str, **figures) -> SiteSummary:
    return SiteSummary(name=name, **figures)


def summary(*sites: SiteSummary, **kw) -> CrawlSummary:
    return CrawlSummary(run_id=1, started_at=0.0, duration=1.0, sites=sites, **kw)


GOOD = site("good", requests=5, fetched=4)
DEAD = site("dead", requests=1, errors=(("connect_refused", 1),),
            failing_hosts=(("dead:80", "robots.txt unreachable: connect_refused (refused)"),))
IDLE = site("idle")  # nothing to do this run


def test_exit_codes_and_statuses():
    assert (summary(GOOD).exit_code, summary(GOOD).status) == (0, "ok")
    assert (summary(DEAD).exit_code, summary(DEAD).status) == (1, "failed")
    assert (summary(GOOD, DEAD).exit_code, summary(GOOD, DEAD).status) == (4, "partial")
    assert summary(DEAD, IDLE).exit_code == 1  # an idle site neither failed nor succeeded
    stopped = summary(GOOD, stopped="max_pages reached")
    assert (stopped.exit_code, stopped.status) == (0, "stopped")
    for signum, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        cut = summary(GOOD, DEAD, interrupted=signum)
        assert (cut.exit_code, cut.status) == (code, "interrupted")
        assert cut.lines()[-1] == f"exit code {code} (interrupted by {signal.Signals(signum).name})"


def test_a_failed_site_says_why_and_a_budget_says_how_much_waits():
    text = "\n".join(summary(site("big", requests=9, fetched=9, pending=42,
                                  budget_reached=True), DEAD).lines())
    assert "big: 0 new articles" in text and "budget reached: 42 pending" in text
    assert "FAILED: dead:80: robots.txt unreachable: connect_refused (refused)" in text
    assert text.endswith("exit code 4 (partial failure: 1 of 2 site(s) failed)")
    stored = summary(DEAD).as_dict()
    assert stored["status"] == "failed" and stored["sites"]["dead"]["failed"] is True
    assert stored["sites"]["dead"]["failing_hosts"] == {
        "dead:80": "robots.txt unreachable: connect_refused (refused)"}
