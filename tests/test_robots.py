import pytest

from scraper.robots import (
    ALLOW_ALL,
    DISALLOW_ALL,
    MAX_ROBOTS_BYTES,
    PARSED,
    UNREACHABLE_TTL,
    RobotsPolicy,
    product_token,
    robots_from_response,
    robots_url,
)

UA = "scraper/0.1 (+https://example.org/contact)"

ROBOTS = b"""\xef\xbb\xbfUser-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*.pdf$
Crawl-delay: 2

User-agent: Scraper
Disallow: /drafts/
Allow: /drafts/public
Request-rate: 1/5

Sitemap: https://example.com/sitemap.xml
Sitemap: /news-sitemap.xml
Sitemap: https://example.com/sitemap.xml
"""


def policy(body: bytes = ROBOTS, status: int | None = 200) -> RobotsPolicy:
    return robots_from_response(status, body, 1_000.0, url="https://example.com/robots.txt")


def test_product_token():
    assert product_token(UA) == "scraper"
    assert product_token("Scraper-Bot/2.0") == "scraper-bot"
    assert product_token("") == "*"


def test_our_group_replaces_the_star_group():
    p = policy()
    # The "scraper" group applies, so the "*" rules do not.
    assert p.allowed("https://example.com/private/x", UA)
    assert not p.allowed("https://example.com/drafts/x", UA)
    assert p.allowed("https://example.com/drafts/public/x", UA)


def test_star_group_for_other_agents_with_allow_precedence():
    p = policy()
    other = "otherbot/1.0"
    assert not p.allowed("https://example.com/private/x", other)
    assert p.allowed("https://example.com/private/press/release", other)  # longer Allow wins
    assert not p.allowed("https://example.com/files/a.pdf", other)
    assert p.allowed("https://example.com/files/a.pdf?x=1", other)  # $ anchors the end
    assert p.allowed("https://example.com/news/story", other)


def test_product_token_must_match_at_a_token_boundary():
    p = policy(b"User-agent: myscraper\nDisallow: /\n")
    assert p.allowed("https://example.com/a", UA)


def test_crawl_delay_and_request_rate():
    p = policy()
    assert p.crawl_delay(UA) == 5.0  # Request-rate 1/5 in our group
    assert p.crawl_delay("otherbot") == 2.0
    assert policy(b"User-agent: *\nDisallow:\n").crawl_delay(UA) is None


def test_crawl_delay_takes_the_larger_of_delay_and_rate():
    p = policy(b"User-agent: *\nCrawl-delay: 10\nRequest-rate: 1/4\n")
    assert p.crawl_delay(UA) == 10.0


def test_sitemaps_are_cleaned_resolved_and_deduplicated():
    assert policy().sitemaps == (
        "https://example.com/sitemap.xml",
        "https://example.com/news-sitemap.xml",
    )


def test_bom_is_stripped_so_the_first_line_counts():
    p = policy(b"\xef\xbb\xbfUser-agent: *\nDisallow: /\n")
    assert not p.text.startswith("\ufeff")
    assert not p.allowed("https://example.com/a", UA)


def test_invalid_utf8_does_not_break_parsing():
    p = policy(b"User-agent: *\nDisallow: /caf\xe9\nDisallow: /admin\n")
    assert not p.allowed("https://example.com/admin/x", UA)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 301])
def test_client_errors_allow_all(status):
    p = policy(b"User-agent: *\nDisallow: /\n", status=status)
    assert p.rule == ALLOW_ALL
    assert p.allowed("https://example.com/anything", UA)
    assert p.crawl_delay(UA) is None
    assert p.sitemaps == ()


@pytest.mark.parametrize("status", [500, 503, 429, None])
def test_server_errors_and_unreachable_disallow_all(status):
    p = policy(b"", status=status)
    assert p.rule == DISALLOW_ALL
    assert not p.allowed("https://example.com/", UA)
    assert not p.allowed("https://example.com/news/story", UA)


def test_empty_2xx_allows_all():
    p = policy(b"", status=200)
    assert p.rule == PARSED
    assert p.allowed("https://example.com/x", UA)


def test_body_is_capped_at_500_kib():
    filler = b"# " + b"x" * 100 + b"\n"
    body = b"User-agent: *\nDisallow: /a\n" + filler * (MAX_ROBOTS_BYTES // len(filler) + 1)
    body += b"Disallow: /beyond-the-cap\n"
    p = policy(body)
    assert len(p.text.encode()) <= MAX_ROBOTS_BYTES
    assert not p.allowed("https://example.com/a/x", UA)
    assert p.allowed("https://example.com/beyond-the-cap", UA)


def test_a_line_cut_by_the_cap_is_dropped():
    head = b"User-agent: *\n"
    cut_line = b"Disallow: /beyond\n"
    padding = b"#" * (MAX_ROBOTS_BYTES - len(head) - len("Disallow: /") - 1) + b"\n"
    body = head + padding + cut_line
    assert body[:MAX_ROBOTS_BYTES].endswith(b"Disallow: /")
    p = policy(body)
    # Parsing the cut "Disallow: /" would block the whole site.
    assert p.allowed("https://example.com/news/story", UA)


def test_freshness():
    parsed = policy()
    assert parsed.is_fresh(1_000.0 + 3_600, ttl=86_400)
    assert not parsed.is_fresh(1_000.0 + 86_400, ttl=86_400)
    failed = policy(b"", status=503)
    assert failed.is_fresh(1_000.0 + UNREACHABLE_TTL - 1, ttl=86_400)
    assert not failed.is_fresh(1_000.0 + UNREACHABLE_TTL, ttl=86_400)
    assert not failed.is_fresh(1_000.0 + 3_600, ttl=86_400)
    missing = policy(b"", status=404)
    assert missing.is_fresh(1_000.0 + 3_600)


def test_policy_can_be_rebuilt_from_stored_fields():
    original = policy()
    rebuilt = RobotsPolicy(original.fetched_at, original.status, original.text, original.url)
    assert rebuilt == original
    assert not rebuilt.allowed("https://example.com/drafts/x", UA)


def test_robots_url():
    assert robots_url("https://Example.com/a/b?c=1#d") == "https://example.com/robots.txt"
    assert robots_url("http://example.com:8080/x") == "http://example.com:8080/robots.txt"
    assert robots_url("https://example.com:443/x") == "https://example.com/robots.txt"
    assert robots_url("mailto:a@b.c") is None


def test_a_robots_txt_of_thousands_of_sitemap_lines_gives_the_first_thousand():
    from scraper.robots import MAX_ROBOTS_SITEMAPS

    lines = "".join(f"Sitemap: https://example.com/sitemap-{i}.xml\n"
                    f"Sitemap: https://example.com/sitemap-{i}.xml\n" for i in range(5_000))
    body = ("User-agent: *\nDisallow: /private/\n" + lines).encode()
    found = robots_from_response(200, body, 0.0, url="https://example.com/robots.txt").sitemaps
    assert len(found) == MAX_ROBOTS_SITEMAPS == 1_000
    assert found[0] == "https://example.com/sitemap-0.xml"  # file order, duplicates dropped
    assert found[-1] == "https://example.com/sitemap-999.xml"


@pytest.mark.parametrize("lines, capped", [(1_000, False), (1_001, True)])
def test_the_sitemap_cap_is_logged_only_when_lines_are_left_out(caplog, lines, capped):
    body = "".join(f"Sitemap: https://example.com/s-{i}.xml\n" for i in range(lines)).encode()
    with caplog.at_level("INFO", logger="scraper.robots"):
        found = robots_from_response(200, body, 0.0, url="https://example.com/robots.txt").sitemaps
    assert len(found) == 1_000
    assert ("more than 1000 sitemaps" in caplog.text) is capped
