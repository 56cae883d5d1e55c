"""config.py: TOML -> Config, every problem reported at once with its key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import (
    CRAWL_SETTINGS,
    SITE_SETTINGS,
    ConfigError,
    load_config,
    settings_markdown,
)
from scraper.models import CrawlConfig, SiteConfig

GOOD = """
[crawl]
user_agent = "test-bot/1.0 (+mailto:t@example.org)"
per_host_delay = 2
concurrency = 4
timeout = 5.5
max_pages_per_site = 50

[[sites]]
name = "one"
start_urls = ["https://www.example.com/"]
feeds = ["https://www.example.com/feed"]
sitemaps = ["https://www.example.com/sitemap.xml"]

[[sites]]
name = "two"
start_urls = ["http://news.example.org/"]
allowed_hosts = ["AMP.example.org"]
max_pages = 10
selectors = { body = "div.story" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads_with_types_and_defaults(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.crawl.user_agent.startswith("test-bot")
    assert config.crawl.per_host_delay == 2.0 and isinstance(config.crawl.per_host_delay, float)
    assert config.crawl.concurrency == 4
    assert config.crawl.max_depth == CrawlConfig().max_depth  # default kept
    assert [s.name for s in config.sites] == ["one", "two"]
    assert config.sites[0].feeds == ("https://www.example.com/feed",)
    assert config.sites[1].allowed_hosts == ("amp.example.org",)
    assert config.sites[1].max_pages == 10
    assert config.sites[1].selectors == (("body", "div.story"),)


def test_every_problem_reported_at_once_with_key_paths(tmp_path):
    bad = """
top_level_typo = 1
[crawl]
per_host_delay = "slow"
concurrency = 0
timeot = 3
robots_cache_ttl = 100000.0

[[sites]]
name = "a"
start_urls = ["https://ok.example/", "ftp://nope.example/"]

[[sites]]
name = "a"
start_urls = []
feeds = "https://x.example/feed"
colour = "blue"
selectors = { headline = "h1.title", colour = ".red" }

[[sites]]
start_urls = ["https://y.example/"]
"""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, bad))
    problems = info.value.problems
    text = "\n".join(problems)
    expected = [
        "top_level_typo: unknown key",
        "crawl.per_host_delay: must be a number",
        "crawl.concurrency: must be >= 1",
        "crawl.timeot: unknown key",
        "crawl.robots_cache_ttl: at most",
        "sites[0].start_urls[1]: not an http(s) URL",
        "sites[1].name: duplicate site name 'a'",
        "sites[1].start_urls: at least one URL is required",
        "sites[1].feeds: must be an array of URLs",
        "sites[1].colour: unknown key",
        "sites[1].selectors.colour: not a field",
        "sites[2].name: required",
    ]
    for fragment in expected:
        assert fragment in text, f"missing {fragment!r} in:\n{text}"
    assert len(problems) == len(expected)


@pytest.mark.parametrize("url", ["http://[::1/", "http://127.0.0.1:99999/", "http://h:x/"])
def test_unparsable_start_url_is_a_listed_problem(tmp_path, url):
    """Regression: a URL urlsplit cannot parse (or whose port is bad) is a listed problem,
    not a traceback, and the other problems are still reported."""
    text = f'[[sites]]\nname = "x"\nstart_urls = ["{url}"]\nfeeds = [1]\n'
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = "\n".join(info.value.problems)
    assert f"sites[0].start_urls[0]: not an http(s) URL: {url!r}" in problems
    assert "sites[0].feeds[0]" in problems  # and the other problems still reported


def test_ipv6_literal_start_url_loads(tmp_path):
    """An IPv6 literal is a valid start URL (the check for unparsable URLs lets it through)."""
    config = load_config(write(tmp_path, '[[sites]]\nname = "x"\n'
                                         'start_urls = ["http://[::1]:8000/"]\n'))
    assert config.sites[0].start_urls == ("http://[::1]:8000/",)


def test_missing_sites_and_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="sites: at least one"):
        load_config(write(tmp_path, "[crawl]\ntimeout = 3\n"))
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write(tmp_path, "[crawl\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_bool_is_not_an_int(tmp_path):
    text = GOOD.replace("concurrency = 4", "concurrency = true")
    with pytest.raises(ConfigError, match=r"crawl\.concurrency: must be an integer"):
        load_config(write(tmp_path, text))


def test_every_setting_documented_and_every_field_configurable():
    crawl_fields = {f for f in CrawlConfig.__dataclass_fields__}
    site_fields = {f for f in SiteConfig.__dataclass_fields__}
    assert {s.key for s in CRAWL_SETTINGS} == crawl_fields
    assert {s.key for s in SITE_SETTINGS} == site_fields
    table = settings_markdown()
    for setting in CRAWL_SETTINGS:
        assert f"`crawl.{setting.key}`" in table and setting.help
    for setting in SITE_SETTINGS:
        assert f"`sites[].{setting.key}`" in table and setting.help


def test_max_duration_help_says_how_to_leave_it_unlimited_in_toml():
    """Regression: the help said to leave max_duration "empty", which TOML cannot say: omit it."""
    help_text = next(s.help for s in CRAWL_SETTINGS if s.key == "max_duration")
    assert "omit" in help_text and "empty" not in help_text


def test_shipped_configs_are_valid():
    root = Path(__file__).resolve().parent.parent
    config = load_config(root / "config" / "sites.toml")
    assert len(config.sites) >= 3
    assert all(site.feeds or site.sitemaps for site in config.sites)
