"""Honest failure reasons and failures a monitor can see (issue 9, points 3 and 4), against
real local conditions: a closed port, an unresolvable .invalid host (resolved inside a
network namespace of its own, so no query leaves the machine), TLS to a plain-HTTP port and a
server that accepts and never answers. A robots.txt that cannot be reached is reported with
its network reason, never as a robots verdict; a dead site gets a `site failed` line at
ERROR; some sites failing and others not is exit code 4; a spent page budget is said."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from scraper.crawl import run_crawl
from scraper.models import Config, SiteConfig

from .conftest import CRAWL
from .sitesim import SiteServer, build_plain_site

ROOT = Path(__file__).resolve().parent.parent
QUICK = replace(CRAWL, timeout=0.5)


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def one_site(url: str, name: str = "gone") -> Config:
    return Config(crawl=QUICK, sites=(SiteConfig(name=name, start_urls=(url,)),))


def assert_unreachable(summary, reason: str) -> None:
    site = summary.sites[0]
    assert dict(site.errors) == {reason: 1}  # the network reason, not robots_unavailable
    assert summary.exit_code == 1 and site.failed
    (host, why), = site.failing_hosts
    assert why.startswith(f"robots.txt unreachable: {reason} (")
    assert dict(site.parked_hosts) == {host: why}  # disallowed for now (RFC 9309), parked
    text = "\n".join(summary.lines())
    assert "robots_unavailable" not in text and "answered nothing" not in text
    assert f"FAILED: {host}: robots.txt unreachable: {reason} (" in text


def test_closed_port_is_connect_refused(tmp_path, caplog):
    summary = run_crawl(one_site(f"http://127.0.0.1:{closed_port()}/"), tmp_path / "a.db")
    assert_unreachable(summary, "connect_refused")
    failed = [r for r in caplog.records if "site gone failed" in r.getMessage()]
    assert [r.levelname for r in failed] == ["ERROR"]


def test_tls_to_a_plain_http_port_is_tls_error(tmp_path, server):
    server.add_page("/", "<html><body>plain</body></html>")
    summary = run_crawl(one_site(server.url("/").replace("http://", "https://")),
                        tmp_path / "a.db")
    assert_unreachable(summary, "tls_error")


def test_a_server_that_never_answers_is_read_timeout(tmp_path, silent_port):
    summary = run_crawl(one_site(f"http://127.0.0.1:{silent_port}/"), tmp_path / "a.db")
    assert_unreachable(summary, "read_timeout")
    assert "no response in 0." in summary.sites[0].failing_hosts[0][1]


def _netns_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _netns_works(), reason="needs `unshare -n` (root): a DNS query for "
                    ".invalid must not leave the machine")
def test_an_unresolvable_invalid_host_is_dns_error(tmp_path):
    """The crawl runs in a network namespace of its own (loopback only), where the resolver
    cannot be reached: getaddrinfo fails at once, and nothing leaves the machine."""
    config = tmp_path / "s.toml"
    config.write_text('[crawl]\nuser_agent = "testbot/1.0"\ntimeout = 2.0\n[[sites]]\n'
                      'name = "gone"\nstart_urls = ["http://no-such-host.invalid/"]\n')
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "scraper.cli", "crawl", "--config", str(config),
         "--db", str(tmp_path / "a.db"), "-q", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    site = json.loads(result.stdout)["sites"]["gone"]
    assert site["errors"] == {"dns_error": 1} and site["failed"]
    why = site["failing_hosts"]["no-such-host.invalid"]
    assert why.startswith("robots.txt unreachable: dns_error (")
    assert "ERROR run=1 scraper.crawl.engine: site gone failed" in result.stderr


def test_robots_txt_answering_503_is_still_a_robots_verdict(tmp_path, server):
    server.add_page("/robots.txt", "down", status=503, content_type="text/plain")
    summary = run_crawl(one_site(server.url("/")), tmp_path / "a.db")
    site = summary.sites[0]
    assert dict(site.errors) == {"robots_unavailable": 1}
    assert site.failing_hosts[0][1].startswith("robots.txt answered 503")


def two_sites_toml(server: SiteServer, path: Path, budget: int = 500) -> Path:
    path.write_text(f"""
[crawl]
user_agent = "testbot/1.0"
per_host_delay = 0.05
timeout = 2.0
retries = 0
max_pages_per_site = {budget}

[[sites]]
name = "plain"
start_urls = ["{server.url('/')}"]
feeds = ["{server.url('/feed.xml')}"]

[[sites]]
name = "gone"
start_urls = ["http://127.0.0.1:{closed_port()}/"]
""")
    return path


def crawl_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper.cli", "crawl", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_one_dead_site_among_good_ones_is_a_partial_failure_exit_4(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=4)
        result = crawl_cli("--config", str(two_sites_toml(server, tmp_path / "s.toml")),
                           "--db", str(db), "-qq")
    assert result.returncode == 4, result.stderr
    # -qq: no progress, no summary, but the cause is there, at ERROR, timestamped
    lines = result.stderr.strip().splitlines()
    assert any(" ERROR run=1 scraper.crawl.engine: site gone failed: no page answered" in line
               and "robots.txt unreachable: connect_refused" in line for line in lines)
    assert not any("scraper.summary" in line or "scraper.progress" in line for line in lines)
    with sqlite3.connect(db) as conn:
        status, code, summary = conn.execute(
            "SELECT status, exit_code, summary FROM runs").fetchone()
    assert (status, code) == ("partial", 4)
    sites = json.loads(summary)["sites"]
    assert sites["gone"]["failed"] and not sites["plain"]["failed"]


def test_budget_reached_is_said_in_the_summary_and_recorded(tmp_path):
    db = tmp_path / "a.db"
    with SiteServer() as server:
        build_plain_site(server, articles=12)
        result = crawl_cli("--config", str(two_sites_toml(server, tmp_path / "s.toml",
                                                          budget=5)), "--db", str(db), "-q")
    assert result.returncode == 4, result.stderr
    with sqlite3.connect(db) as conn:
        summary = json.loads(conn.execute("SELECT summary FROM runs").fetchone()[0])
    plain = summary["sites"]["plain"]
    assert plain["budget_reached"] and plain["pending"] > 0
    assert f"budget reached: {plain['pending']} pending" in result.stderr
    assert summary["sites"]["gone"]["budget_reached"] is False
