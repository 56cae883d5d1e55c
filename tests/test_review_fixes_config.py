"""Review fixes in config.py and urls.py: a URL urlsplit cannot parse is a listed problem,
not a traceback; site membership works for IPv6 literals; max_duration's help is TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import CRAWL_SETTINGS, ConfigError, load_config
from scraper.urls import same_site


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["http://[::1/", "http://127.0.0.1:99999/", "http://h:x/"])
def test_unparsable_start_url_is_a_listed_problem(tmp_path, url):
    text = f'[[sites]]\nname = "x"\nstart_urls = ["{url}"]\nfeeds = [1]\n'
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = "\n".join(info.value.problems)
    assert f"sites[0].start_urls[0]: not an http(s) URL: {url!r}" in problems
    assert "sites[0].feeds[0]" in problems  # and the other problems still reported


def test_ipv6_literal_start_url_loads(tmp_path):
    config = load_config(write(tmp_path, '[[sites]]\nname = "x"\n'
                                         'start_urls = ["http://[::1]:8000/"]\n'))
    assert config.sites[0].start_urls == ("http://[::1]:8000/",)


@pytest.mark.parametrize("hosts", [("::1",), ("[::1]",), ("[::1]:8000",), ("http://[::1]:8000/",)])
def test_same_site_with_ipv6_literals(hosts):
    assert same_site("http://[::1]:8000/news/x", hosts)
    assert not same_site("http://[::2]:8000/news/x", hosts)
    assert not same_site("http://127.0.0.1:8000/news/x", hosts)


def test_same_site_bare_host_with_port_still_works():
    assert same_site("http://127.0.0.1:8000/x", ("127.0.0.1:9000",))
    assert same_site("https://news.example.com/x", ("www.example.com",))


def test_max_duration_help_says_how_to_leave_it_unlimited_in_toml():
    help_text = next(s.help for s in CRAWL_SETTINGS if s.key == "max_duration")
    assert "omit" in help_text and "empty" not in help_text
