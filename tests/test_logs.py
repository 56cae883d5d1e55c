"""Logs for machines and people (issue 9, point 2): every line a crawl writes has a UTC
timestamp and the run id in one format; --log-file and --log-format json; -q hides progress,
not warnings or errors; "0 new articles" is not a WARNING; a lock error is a log line too."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from scraper.lock import RunLock

from .sitesim import SiteServer, build_plain_site

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
                  r"run=(\d+|-) [\w.]+: ")


def toml(server: SiteServer, path: Path, extra_site: str = "") -> Path:
    path.write_text(f"""
[crawl]
user_agent = "testbot/1.0"
per_host_delay = 0.05
timeout = 2.0

[[sites]]
name = "plain"
start_urls = ["{server.url('/')}"]
feeds = ["{server.url('/feed.xml')}"]
{extra_site}""")
    return path


def crawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper.cli", "crawl", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_every_line_has_a_timestamp_and_the_run_id(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=4)
        config = toml(server, tmp_path / "s.toml")
        first = crawl("--config", str(config), "--db", str(db), "-v")
        second = crawl("--config", str(config), "--db", str(db))  # nothing new
    assert first.returncode == 0 and first.stdout == ""
    lines = first.stderr.splitlines()
    assert len(lines) > 5
    assert [line for line in lines if not LINE.match(line)] == []
    assert all(" run=1 " in line for line in lines if "scraper.summary" in line)
    assert any("run=1 scraper.summary: exit code 0 (ok)" in line for line in lines)
    # "0 new articles" is said, in the summary, and is no WARNING
    assert "plain: 0 new articles" in second.stderr
    assert " WARNING " not in second.stderr
    assert all(LINE.match(line) for line in second.stderr.splitlines())


def test_log_file_and_json_lines(tmp_path):
    db = tmp_path / "a.db"
    log_file = tmp_path / "crawl.log"
    with SiteServer() as server:
        build_plain_site(server, articles=3)
        config = toml(server, tmp_path / "s.toml", extra_site=(
            '[[sites]]\nname = "gone"\nstart_urls = ["http://127.0.0.1:9/"]\n'))
        result = crawl("--config", str(config), "--db", str(db), "--log-file", str(log_file),
                       "--log-format", "json")
    assert result.returncode == 4
    records = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert {"time", "level", "run_id", "logger", "message"} <= set(records[0])
    assert all(r["run_id"] == 1 and r["time"].endswith("Z") for r in records)
    sites = {r["site"]: r["figures"] for r in records if r.get("site")}
    assert sites["plain"]["new_articles"] == 3 and sites["gone"]["failed"] is True
    failed = [r for r in records if r["message"].startswith("site gone failed")]
    assert [r["level"] for r in failed] == ["ERROR"]
    # the file has everything; stderr only the errors (so cron still mails them)
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert errors and all(r["level"] == "ERROR" for r in errors)
    assert "site gone failed" in errors[0]["message"]


def test_quiet_hides_progress_but_not_warnings(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=2, robots="User-agent: *\nCrawl-delay: 60\n")
        config = toml(server, tmp_path / "s.toml").read_text()
        (tmp_path / "s.toml").write_text(config.replace("timeout = 2.0",
                                                        "timeout = 2.0\nmax_crawl_delay = 0.1"))
        result = crawl("--config", str(tmp_path / "s.toml"), "--db", str(db), "-q")
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if " WARNING " in line]
    assert any("capped at max_crawl_delay" in line for line in warnings)
    assert "scraper.progress" not in result.stderr
    assert "scraper.summary" in result.stderr  # -q keeps the summary; -qq drops it


def test_a_lock_error_is_a_log_line_with_exit_3(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=1)
        with RunLock(db):
            result = crawl("--config", str(toml(server, tmp_path / "s.toml")), "--db", str(db))
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert LINE.match(line) and " ERROR run=- " in line and "another crawl" in line
