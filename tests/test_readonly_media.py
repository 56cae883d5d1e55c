"""Researchers open databases from read-only media (a mounted archive, a DVD): `search`,
`export`, `stats`, `history` and `status` open them read-only (issue 11: they failed).
A read-only bind mount (as root) stands for the medium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.models import Article
from scraper.store import Store


def scraper(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper.cli", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def readonly_db(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    with Store(source / "a.db") as store:
        store.upsert_article(Article(
            url="https://n.example/2024/05/bridge", canonical_url="https://n.example/2024/05/bridge",
            site="n", headline="The bridge reopens", body="The old bridge over the river "
            "reopened today after two years of repairs.", published="2024-05-01T10:00:00+00:00",
            word_count=13))
    mount = tmp_path / "medium"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a read-only bind mount needs root and mount(8)")
    bound = subprocess.run(["mount", "--bind", str(source), str(mount)], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"mount --bind refused here: {bound.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mount)], check=True)
        yield mount / "a.db"
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_search_and_export_read_a_database_on_read_only_media(readonly_db: Path):
    found = scraper("search", "--db", str(readonly_db), "bridge", "--format", "jsonl")
    assert found.returncode == 0, found.stderr
    assert [json.loads(line)["headline"] for line in found.stdout.splitlines()] == \
        ["The bridge reopens"]
    exported = scraper("export", "--db", str(readonly_db), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout.splitlines()[0])["headline"] == "The bridge reopens"
    assert scraper("stats", "--db", str(readonly_db)).returncode == 0
    assert scraper("status", "--db", str(readonly_db)).returncode == 0
