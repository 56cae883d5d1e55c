"""`scraper status` and `scraper crawl --check` (issue 9, points 5 and 6), on real
databases: one built by the demo, one with a failing site, one with a killed run and one a
crawl is holding; and --db in a missing directory (point 8)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from scraper.cli import cli
from scraper.crawl import run_crawl
from scraper.demo import run_demo
from scraper.models import Config, SiteConfig
from scraper.store import Store

from .conftest import CRAWL
from .sitesim import SiteServer, build_plain_site

ROOT = Path(__file__).resolve().parent.parent


def status(*args: str):
    return CliRunner().invoke(cli, ["status", *args])


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_status_of_a_demo_database(tmp_path):
    db = tmp_path / "demo.db"
    assert run_demo(db).exit_code == 0
    result = status("--db", str(db))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "database " + str(db) + ": 10 articles, 0 pending; no crawl running" in text
    assert "site demo-herald" in text
    assert "last run:         #1 ok (exit 0), started " in text and "10 new articles" in text
    assert "; 10 stored" in text and "last new article: " in text
    assert "failing hosts:    none" in text and "parked hosts:     none" in text
    assert "last 1 run(s):" in text and "crawl demo-herald  10 new, 0 errors" in text
    data = json.loads(status("--db", str(db), "--json").output)
    (site,) = data["sites"]
    assert site["name"] == "demo-herald" and site["articles"] == 10 and site["pending"] == 0
    assert site["last_run"]["status"] == "ok" and site["since_new_article"] < 120
    assert data["runs"][0]["exit_code"] == 0 and data["running_pid"] is None


def test_status_names_the_failing_site_its_hosts_and_why(tmp_path):
    db = tmp_path / "a.db"
    port = closed_port()
    with SiteServer() as server:
        build_plain_site(server, articles=3)
        config = Config(crawl=CRAWL, sites=(
            SiteConfig(name="plain", start_urls=(server.url("/"),)),
            SiteConfig(name="gone", start_urls=(f"http://127.0.0.1:{port}/",))))
        assert run_crawl(config, db).exit_code == 4
    text = status("--db", str(db)).output
    gone = text.split("site gone")[1].split("site plain")[0]
    assert "#1 partial (exit 4)" in gone and "this site FAILED" in gone
    assert "last new article: never" in gone and "pending:          1" in gone
    assert f"failing hosts:    127.0.0.1:{port}: robots.txt unreachable: connect_refused (" in gone
    assert f"parked hosts:     127.0.0.1:{port}: robots.txt unreachable: connect_refused (" in gone
    plain = text.split("site plain")[1]
    assert "failing hosts:    none" in plain and "3 stored" in plain
    data = json.loads(status("--db", str(db), "--json").output)
    sites = {s["name"]: s for s in data["sites"]}
    assert list(sites["gone"]["failing_hosts"]) == [f"127.0.0.1:{port}"]
    assert sites["gone"]["last_figures"]["failed"] is True


def test_a_killed_run_is_marked_by_the_next_one_and_shown(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:  # what a SIGKILLed crawl leaves: a run still `running`
        store.start_run("crawl plain")
    with SiteServer() as server:
        build_plain_site(server, articles=2)
        run_crawl(Config(crawl=CRAWL, sites=(SiteConfig(name="plain", start_urls=(
            server.url("/"),)),)), db)
    with Store(db) as store:
        rows = list(store.db.query("SELECT status, finished_at FROM runs ORDER BY id"))
    assert rows[0] == {"status": "killed", "finished_at": None}  # finish time unknown
    assert rows[1]["status"] == "ok"
    text = status("--db", str(db)).output
    assert "killed" in text.split("last 2 run(s):")[1]


def test_status_says_a_crawl_is_running(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom scraper.lock import RunLock\n"
         f"with RunLock({str(db)!r}):\n    print('held', flush=True)\n    time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        text = status("--db", str(db)).output
    finally:
        holder.kill()
        holder.wait()
    assert f"a crawl is running (pid {holder.pid})" in text


def test_status_of_a_missing_database_is_an_error(tmp_path):
    result = status("--db", str(tmp_path / "nope.db"))
    assert result.exit_code == 2 and "no database at" in result.output
    assert not (tmp_path / "nope.db").exists()


def toml(server: SiteServer, path: Path) -> Path:
    path.write_text(f"""
[crawl]
user_agent = "testbot/1.0"
per_host_delay = 0.05

[[sites]]
name = "plain"
start_urls = ["{server.url('/')}"]
feeds = ["{server.url('/feed.xml')}"]
sitemaps = ["{server.url('/sitemap.xml')}"]
""")
    return path


def test_crawl_check_validates_and_shows_the_first_fetches_without_fetching(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=6)
        config = toml(server, tmp_path / "s.toml")
        fresh = CliRunner().invoke(cli, ["crawl", "--config", str(config), "--db", str(db),
                                         "--check"])
        assert server.paths() == []  # nothing fetched
        assert not db.exists()  # nothing created
        run_crawl(Config(crawl=CRAWL, sites=(SiteConfig(
            name="plain", start_urls=(server.url("/"),)),)), db, max_pages=3)
        server.clear_log()
        again = CliRunner().invoke(cli, ["crawl", "--config", str(config), "--db", str(db),
                                         "--check"])
        assert server.paths() == []
    assert fresh.exit_code == 0, fresh.output
    lines = fresh.output.splitlines()
    assert lines[0] == "config: ok, 1 site(s)"
    assert lines[1] == f"database {db}: will be created"
    assert lines[2].startswith("site plain (at most 500 pages")
    assert lines[3] == f"  robots.txt {server.url('/robots.txt')} (to fetch first)"
    assert [line.split()[0] for line in lines[4:7]] == ["feed", "sitemap", "start"]
    assert again.exit_code == 0, again.output
    assert "(cached 0s ago (status 200): not fetched)" in again.output
    assert "pending from earlier runs, first:" in again.output


def test_crawl_check_reports_a_bad_config_like_a_run(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[crawl]\nconcurrency = 0\n[[sites]]\nname = "x"\nstart_urls = ["ftp://x"]\n')
    result = CliRunner().invoke(cli, ["crawl", "--config", str(bad), "--check"])
    assert result.exit_code == 2
    assert "crawl.concurrency" in result.output and "sites[0].start_urls[0]" in result.output


def test_db_in_a_missing_directory_is_an_error_unless_create_dirs(tmp_path):
    with SiteServer() as server:
        build_plain_site(server, articles=1)
        config = toml(server, tmp_path / "s.toml")
        db = tmp_path / "typo" / "dir" / "a.db"
        result = CliRunner().invoke(cli, ["crawl", "--config", str(config), "--db", str(db)])
        assert result.exit_code == 2
        assert "the directory" in result.output and "--create-dirs" in result.output
        assert not db.parent.exists() and server.paths() == []
        started = time.monotonic()
        made = CliRunner().invoke(cli, ["crawl", "--config", str(config), "--db", str(db),
                                        "--create-dirs", "-q"])
    assert made.exit_code == 0, made.output
    assert db.exists() and time.monotonic() - started < 60
