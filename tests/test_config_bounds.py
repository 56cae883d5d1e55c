"""Config holes (issue 11): numbers must be finite and within a documented range, the file
must be UTF-8, the user agent printable ASCII, and URLs carry no credentials; every problem is
reported at once with its key path, the CLI exits 2, and a password never reaches a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import (
    CRAWL_SETTINGS,
    SITE_SETTINGS,
    ConfigError,
    load_config,
    settings_markdown,
)

SITE = '[[sites]]\nname = "one"\nstart_urls = ["https://www.example.com/"]\n'


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "sites.toml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def problems_of(tmp_path: Path, text: str | bytes) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return list(info.value.problems)


@pytest.mark.parametrize("value", ["nan", "+nan", "-nan", "inf", "-inf"])
def test_nan_and_inf_are_refused(tmp_path, value):
    """`per_host_delay = nan` passed every minimum check and gave 5 ms between requests."""
    problems = problems_of(tmp_path, f"[crawl]\nper_host_delay = {value}\n" + SITE)
    assert problems == [f"crawl.per_host_delay: must be a finite number, got {float(value)!r}"]


@pytest.mark.parametrize("setting", [s for s in CRAWL_SETTINGS + SITE_SETTINGS
                                     if s.maximum is not None], ids=lambda s: s.key)
def test_every_bounded_setting_refuses_a_value_above_its_maximum(tmp_path, setting):
    too_big = setting.maximum * 10 + 1
    literal = str(int(too_big)) if setting.kind == "int" else repr(float(too_big))
    limit = int(setting.maximum) if setting.kind == "int" else setting.maximum
    if setting in SITE_SETTINGS:
        text = SITE + f"{setting.key} = {literal}\n"
        path = f"sites[0].{setting.key}"
    else:
        text = f"[crawl]\n{setting.key} = {literal}\n" + SITE
        path = f"crawl.{setting.key}"
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: at most "), problems
    # the maximum itself is fine
    load_config(write(tmp_path, text.replace(literal, str(limit))))


def test_numeric_settings_all_have_an_upper_bound():
    numeric = [s.key for s in CRAWL_SETTINGS + SITE_SETTINGS if s.kind in ("int", "float")]
    assert numeric and all(s.maximum is not None for s in CRAWL_SETTINGS + SITE_SETTINGS
                           if s.kind in ("int", "float")), numeric


def test_ranges_are_in_the_settings_table():
    table = settings_markdown()
    assert "| `crawl.concurrency` | `8` | 1 – 256 |" in table
    assert "| `crawl.max_body_bytes` | `5000000` | 1024 – 100_000_000 |" in table


def test_config_that_is_not_utf8_is_a_config_error(tmp_path):
    text = '[crawl]\nuser_agent = "bot/1.0 (caf\xe9)"\n'.encode("latin-1") + SITE.encode()
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith("not UTF-8 text (byte 0xe9")


def test_not_utf8_config_exits_2_without_a_traceback(tmp_path):
    path = write(tmp_path, b"\xff\xfe[\x00c\x00r\x00a\x00w\x00l\x00]\x00")  # UTF-16
    result = CliRunner().invoke(cli, ["crawl", "--config", str(path), "--db",
                                      str(tmp_path / "a.db")])
    assert result.exit_code == 2, result.output
    assert "not UTF-8" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("agent", ['bot/1.0\\r\\nX-Evil: 1', "bot/1.0\\n", "bot/1.0\\u0000",
                                   "bot/1.0\\t(x)", "bot/1.0 (café)"])
def test_control_or_non_ascii_characters_in_the_user_agent_are_refused(tmp_path, agent):
    problems = problems_of(tmp_path, f'[crawl]\nuser_agent = "{agent}"\n' + SITE)
    assert len(problems) == 1
    assert problems[0].startswith("crawl.user_agent: must be printable ASCII")


@pytest.mark.parametrize("key", ["start_urls", "feeds", "sitemaps"])
def test_credentials_in_urls_are_refused_and_masked(tmp_path, key):
    url = "https://editor:Sup3rSecret@www.example.com/private/feed"
    extra = "" if key == "start_urls" else f'{key} = ["{url}"]\n'
    start = url if key == "start_urls" else "https://www.example.com/"
    text = f'[[sites]]\nname = "one"\nstart_urls = ["{start}"]\n{extra}'
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert list(info.value.problems) == [
        f"sites[0].{key}[0]: credentials in a URL are not supported (they would be sent to "
        f"every page): 'https://***@www.example.com/private/feed'"]
    assert "Sup3rSecret" not in str(info.value) and "editor" not in str(info.value)


def test_credentials_in_allowed_hosts_are_refused_and_masked(tmp_path):
    problems = problems_of(tmp_path, SITE + 'allowed_hosts = ["bob:pw123@amp.example.com"]\n')
    assert problems == ["sites[0].allowed_hosts[0]: not a host name: '***@amp.example.com'"]


def test_every_problem_at_once_with_key_paths_and_no_password(tmp_path):
    text = """
[crawl]
user_agent = "bot/1.0\\r\\nInjected: yes"
per_host_delay = nan
concurrency = 100000000
timeout = inf
max_body_bytes = 10_000_000_000
max_duration = inf

[[sites]]
name = "one"
start_urls = ["https://u:hunter2@www.example.com/"]
sitemaps = ["https://www.example.com/sitemap.xml", "http://a:hunter2@x.example/s.xml"]
max_pages = 0
"""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = list(info.value.problems)
    expected = [
        "crawl.user_agent: must be printable ASCII",
        "crawl.per_host_delay: must be a finite number, got nan",
        "crawl.concurrency: at most 256, got 100000000",
        "crawl.timeout: must be a finite number, got inf",
        "crawl.max_body_bytes: at most 100_000_000, got 10000000000",
        "crawl.max_duration: must be a finite number, got inf",
        "sites[0].start_urls[0]: credentials in a URL are not supported",
        "sites[0].sitemaps[1]: credentials in a URL are not supported",
        "sites[0].max_pages: must be >= 1",
    ]
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(sorted(problems), sorted(expected), strict=True):
        assert problem.startswith(fragment), (problem, fragment)
    assert "hunter2" not in str(info.value)


def test_config_error_with_credentials_exits_2_and_hides_the_password(tmp_path):
    path = write(tmp_path, '[[sites]]\nname = "one"\n'
                           'start_urls = ["https://u:hunter2@www.example.com/"]\n')
    result = CliRunner().invoke(cli, ["crawl", "--config", str(path), "--db",
                                      str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "credentials" in result.output and "hunter2" not in result.output
