"""The cron, systemd and container recipes (issue 9, point 9): the files in deploy/ are the
ones the README shows, the systemd units pass `systemd-analyze verify` (or, where systemd is
not installed, parse as unit files), and every command line they run is one the CLI accepts."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.commands.crawl import crawl

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
README = (ROOT / "README.md").read_text(encoding="utf-8")
UNITS = ("scraper-crawl.service", "scraper-crawl.timer")


def accepts(args: list[str]) -> None:
    """The crawl command parses these arguments (options exist, values are valid)."""
    assert args[0] == "crawl", args
    crawl.make_context("crawl", list(args[1:]))


@pytest.mark.parametrize("name", [*UNITS, "Dockerfile"])
def test_the_readme_shows_the_deploy_files_as_they_are(name):
    assert (DEPLOY / name).read_text(encoding="utf-8").rstrip("\n") in README


def test_systemd_units_verify(tmp_path):
    service = (DEPLOY / "scraper-crawl.service").read_text()
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(service)
    command = shlex.split(parser["Service"]["ExecStart"])
    assert command[0] == "/opt/scraper/.venv/bin/scraper"
    accepts(command[1:])
    assert parser["Service"]["Type"] == "oneshot" and parser["Service"]["KillSignal"] == "SIGTERM"
    assert parser["Service"]["SuccessExitStatus"].split() == ["3", "4"]
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read_string((DEPLOY / "scraper-crawl.timer").read_text())
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the units were parsed only")
    # verify checks that ExecStart exists: point it at this checkout's command
    (tmp_path / UNITS[0]).write_text(service.replace(
        "/opt/scraper/.venv/bin/scraper", str(Path(sys.executable).parent / "scraper")))
    (tmp_path / UNITS[1]).write_text((DEPLOY / UNITS[1]).read_text())
    result = subprocess.run(["systemd-analyze", "verify", *UNITS], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "scraper-crawl" not in result.stderr, result.stderr  # no warning about our units


def test_the_container_entry_point_and_the_crontab_line_are_valid_commands():
    docker = (DEPLOY / "Dockerfile").read_text()
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", docker, re.M).group(1))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", docker, re.M).group(1))
    assert entry[0] == "scraper" and "STOPSIGNAL SIGTERM" in docker
    accepts(entry[1:] + cmd)
    cron = re.search(r"```cron\n(.*?)```", README, re.S).group(1)
    line = next(line for line in cron.splitlines() if line[:1].isdigit())
    command = shlex.split(line.split("&&", 1)[1])
    assert command[0] == ".venv/bin/scraper"
    accepts(command[1:])
