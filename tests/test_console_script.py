"""The installed `scraper` command, run the way a user runs it (a subprocess, another cwd)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

SCRAPER = Path(sys.executable).parent / "scraper"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRAPER), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_demo_from_the_installed_command_in_another_directory(tmp_path):
    result = run("demo", "--db", str(tmp_path / "demo.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "10 new articles" in result.stderr  # the summary is log lines, timestamped
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO run=1 scraper.summary: "
                     r"exit code 0 \(ok\)$", result.stderr, re.M)
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (10,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_bad_config_exits_2_with_every_problem(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[crawl]\nconcurrency = 0\n[[sites]]\nname = "x"\nstart_urls = ["ftp://x"]\n')
    result = run("crawl", "--config", str(config), "--db", str(tmp_path / "a.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert "crawl.concurrency" in result.stderr and "sites[0].start_urls[0]" in result.stderr
    assert "Traceback" not in result.stderr
