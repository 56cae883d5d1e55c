"""`scraper extract URL` obeys the crawler's hard rules: robots.txt first, per-host delay, checked redirects."""

from __future__ import annotations

from scraper.models import CrawlConfig
from scraper.pipeline import PoliteFetcher, extract_url

from .sitesim import SiteServer, article_html, politeness_violations

DELAY = 0.2
CONFIG = CrawlConfig(user_agent="testbot/1.0", per_host_delay=DELAY, timeout=5.0, retries=0)
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def serve_story(server: SiteServer, path: str) -> str:
    server.add_page(path, article_html(f"Story at {path}", server.url(path), "2024-05-01T09:00:00+00:00"))
    return server.url(path)


def test_robots_first_then_delay_between_requests_to_one_host():
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        urls = [serve_story(server, f"/news/story-{i}-about-the-harbour") for i in range(3)]
        fetcher = PoliteFetcher(CONFIG)
        outcomes = [extract_url(url, CONFIG, fetcher) for url in urls]
        log = server.requests()
    assert all(o.ok for o in outcomes)
    assert [r.path for r in log].count("/robots.txt") == 1
    assert politeness_violations(log, DELAY, ("/private/",)) == []


def test_disallowed_url_is_never_requested():
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        url = serve_story(server, "/private/secret-story-about-the-harbour")
        outcome = extract_url(url, CONFIG)
        paths = server.paths()
    assert outcome.error == "robots_disallowed"
    assert paths == ["/robots.txt"]


def test_robots_503_means_nothing_else_is_requested():
    with SiteServer() as server:
        server.add_page("/robots.txt", "down", status=503, content_type="text/plain")
        url = serve_story(server, "/news/story-about-the-harbour")
        outcome = extract_url(url, CONFIG)
        paths = server.paths()
    assert outcome.error == "robots_unavailable" and paths == ["/robots.txt"]


def test_redirect_into_a_disallowed_path_stops_before_the_hop():
    with SiteServer() as server:
        server.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        serve_story(server, "/private/secret-story-about-the-harbour")
        server.add_redirect("/news/moved", "/private/secret-story-about-the-harbour")
        outcome = extract_url(server.url("/news/moved"), CONFIG)
        paths = server.paths()
    assert outcome.error == "robots_disallowed"
    assert "/private/secret-story-about-the-harbour" not in paths


def test_redirect_to_another_origin_asks_its_robots_first():
    with SiteServer() as first, SiteServer(host="127.0.0.2") as second:
        first.add_page("/robots.txt", ROBOTS, content_type="text/plain")
        second.add_page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        target = serve_story(second, "/news/story-about-the-harbour")
        first.add_redirect("/old-story", target)
        outcome = extract_url(first.url("/old-story"), CONFIG)
        second_paths = second.paths()
        second_log = second.requests()
    assert outcome.ok and outcome.article.headline == "Story at /news/story-about-the-harbour"
    assert second_paths == ["/robots.txt", "/news/story-about-the-harbour"]
    assert politeness_violations(second_log, DELAY) == []


def test_unreachable_robots_txt_says_the_network_reason_not_a_robots_verdict():
    """Regression (issue 9): a refused connection was reported as "robots.txt answered
    nothing" (robots_unavailable), sending users to debug robots.txt."""
    import socket

    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = extract_url(f"http://127.0.0.1:{port}/news/story-about-the-harbour", CONFIG)
    assert outcome.error == "connect_refused"
    assert outcome.error_detail.startswith("robots.txt unreachable: ")
