"""Hostile files (make stress, issue 11): configs that are empty, not TOML, not UTF-8, of wrong
types, NaN or huge; a database that is not SQLite, corrupt, truncated, on a read-only
filesystem or on a full disk (small tmpfs mounts; the tests skip, saying why, where mounting is
not allowed). Each case runs the real `scraper crawl` (or `search`/`export`) as a subprocess
(see tests/stress_harness.py): a one-line reason, the documented exit code, no traceback, and
nothing stored before is lost."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from .stress_harness import (
    CANARY_URL,
    SCRAPER,
    Scene,
    canary_db,
    canary_row,
    crawl_case,
    first_lines,
    integrity,
    page,
    query,
    record,
    run_measured,
    story,
)

FAMILY = "files"

# -- configs: exit 2 with the problems listed, the database never touched


def _config_case(s: Scene, text: bytes, *expected: str):
    s.raw_config = text
    s.exits = (2,)
    s.expect_good = False
    s.canary = canary_db(s.db)
    before = hashlib.sha256(s.db.read_bytes()).hexdigest()

    def check(run):
        problems = []
        said = run.stderr.strip()
        if "error" not in said.lower():
            problems.append(f"no error line: {first_lines(said or run.stdout)!r}")
        for word in expected:
            if word.lower() not in said.lower():
                problems.append(f"the message does not mention {word!r}: {first_lines(said)!r}")
        if hashlib.sha256(s.db.read_bytes()).hexdigest() != before:
            problems.append("the database changed although the config was refused")
        if s.bad.paths or s.good.paths:
            problems.append("requests were sent under an invalid config")
        return first_lines(said, 2)[:120], problems
    return check


def _valid(crawl: str = "", site: str = 'start_urls = ["http://127.0.0.1:9/"]') -> bytes:
    return f'[crawl]\n{crawl}\n[[sites]]\nname = "t"\n{site}\n'.encode()


def case_config_empty(s: Scene):
    return _config_case(s, b"", "sites")


def case_config_not_toml(s: Scene):
    return _config_case(s, b"<html><body>this is not TOML</body></html>\n", "TOML")


def case_config_binary(s: Scene):
    return _config_case(s, os.urandom(4096))


def case_config_not_utf8(s: Scene):
    return _config_case(s, _valid('user_agent = "cafXbot"').replace(b"cafX", b"caf\xe9"),
                        "UTF-8")


def case_config_utf16(s: Scene):
    return _config_case(s, _valid().decode().encode("utf-16"), "UTF-8")


def case_config_wrong_types(s: Scene):
    return _config_case(s, _valid('concurrency = "eight"\nper_host_delay = [1]\ntimeout = true',
                                  "start_urls = 5\nselectors = 3"),
                        "crawl.concurrency", "sites[0].start_urls")


def case_config_nan_and_inf(s: Scene):
    return _config_case(s, _valid("per_host_delay = nan\ntimeout = inf\nmax_crawl_delay = -inf"),
                        "crawl.per_host_delay", "crawl.timeout")


def case_config_huge_numbers(s: Scene):
    return _config_case(s, _valid("concurrency = 100000000\nmax_body_bytes = 9223372036854775807"
                                  "\nretries = 99999999999999999999"),
                        "crawl.concurrency", "crawl.max_body_bytes")


def case_config_nested_100k(s: Scene):
    return _config_case(s, b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n")


def case_config_2mb(s: Scene):
    """2 MB of sites with the same name and non-URLs: every problem listed, quickly."""
    one = b'[[sites]]\nname = "same"\nstart_urls = ["ftp://x/"]\n'
    return _config_case(s, one * (2_000_000 // len(one)), "duplicate")


def case_config_credentials_and_crlf(s: Scene):
    return _config_case(s, _valid('user_agent = "bot\\r\\nX-Evil: 1"',
                                  'start_urls = ["http://user:hunter2@127.0.0.1:9/"]'),
                        "user_agent")


def case_config_missing_file(s: Scene):
    check = _config_case(s, b"")
    s.config.unlink(missing_ok=True)
    s.raw_config = None
    s.write_config = lambda: None  # the path stays missing
    return check


def case_config_is_directory(s: Scene):
    check = _config_case(s, b"")
    s.write_config = lambda: (s.config.unlink(missing_ok=True), s.config.mkdir(exist_ok=True))
    return check


# -- databases that cannot be used: a one-line reason, exit 1, the file left as it was


def _db_case(s: Scene, prepare, exits: tuple[int, ...] = (1,), *, intact: bool = True):
    """`prepare(db)` spoils the database file; the crawl must refuse it in one line (or,
    for a damaged file, fail at its first write) and leave its bytes alone."""
    s.canary = canary_db(s.db)
    prepare(s.db)
    s.exits = exits
    s.expect_good = False
    s.expect_canary = False
    before = hashlib.sha256(s.db.read_bytes()).hexdigest() if s.db.is_file() else None
    _site_with_stories(s, 20)

    def check(run):
        problems = []
        lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()]
        if not errors:
            problems.append(f"no error line: {first_lines(run.stderr or run.stdout)!r}")
        if len(lines) > 25:
            problems.append(f"{len(lines)} lines on stderr for one unusable database")
        fetched = s.bad.hits("/news/")
        if fetched > 8:
            problems.append(f"{fetched} pages fetched for a database that cannot store them")
        if intact and before and s.db.is_file() \
                and hashlib.sha256(s.db.read_bytes()).hexdigest() != before:
            problems.append("the database file was rewritten")
        return (errors[0][:120] if errors else ""), problems
    return check


def _site_with_stories(s: Scene, n: int, words: int = 0) -> list[str]:
    paths = [f"/news/2024/05/{1 + i % 28:02d}/generated-story-number-{i}-about-the-city/"
             for i in range(n)]
    for i, p in enumerate(paths):
        extra = ("Padding words for a bigger page. " * words) if words else ""
        html = story(f"Generated story number {i} about the city", s.bad.url(p))
        if extra:
            html = html.replace("</article>", f"<p>{extra}</p></article>")
        s.bad.routes[p] = page(html)
    s.bad_links = paths
    return paths


def case_db_not_sqlite(s: Scene):
    return _db_case(s, lambda db: db.write_bytes(b"this is a text file, not a database\n" * 100))


def case_db_random_bytes(s: Scene):
    return _db_case(s, lambda db: db.write_bytes(os.urandom(64 * 1024)))


def _corrupt(db: Path) -> None:
    """Overwrite every page after the first with garbage: the header still says SQLite."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big") or 4096
    for start in range(page_size, len(data), page_size):
        data[start + 8:start + 64] = os.urandom(56)
    db.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def case_db_corrupt(s: Scene):
    return _db_case(s, _corrupt, intact=False)


def case_db_truncated(s: Scene):
    def truncate(db: Path) -> None:
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    return _db_case(s, truncate, intact=False)


def case_db_is_directory(s: Scene):
    s.db = s.tmp / "a-directory.db"
    s.db.mkdir()
    s.exits = (1, 2)
    s.expect_good = s.expect_canary = False
    s.canary = {}

    def check(run):
        said = run.stderr.strip()
        return first_lines(said, 1)[:120], ([] if "error" in said.lower()
                                            else [f"no error line: {said[:100]!r}"])
    return check


def case_db_parent_is_a_file(s: Scene):
    (s.tmp / "plain-file").write_text("x")
    s.db = s.tmp / "plain-file" / "articles.db"
    s.exits = (1, 2)
    s.expect_good = s.expect_canary = False
    s.canary = {}

    def check(run):
        said = run.stderr.strip()
        return first_lines(said, 1)[:120], ([] if "error" in said.lower()
                                            else [f"no error line: {said[:100]!r}"])
    return check


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_files(name, tmp_path):
    row = crawl_case(name, FAMILY, CASES[name], tmp_path)
    assert row.problems == [], f"{name}: {row.outcome}: {row.problems}"


# -- read-only and full filesystems (tmpfs mounts, as root)


@contextlib.contextmanager
def tmpfs(size: str):
    """A fresh tmpfs of `size` mounted on a new directory; unmounted afterwards."""
    where = Path("/tmp") / f"scraper-stress-{uuid.uuid4().hex[:8]}"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'mount failed'}; "
                    f"it needs root): the read-only and full-disk cases did not run")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


def _remount_ro(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def _checkpointed_canary(db: Path) -> dict:
    row = canary_db(db)
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")  # no -wal/-shm needed to read it back
    finally:
        conn.close()
    return row


@pytest.mark.slow
def test_crawl_on_read_only_filesystem(tmp_path):
    with tmpfs("8m") as where, Scene(tmp_path) as s:
        s.db = where / "articles.db"
        s.canary = _checkpointed_canary(s.db)
        _remount_ro(where)
        _site_with_stories(s, 10)
        run = s.run()
        problems = []
        said = [ln for ln in run.stderr.splitlines() if ln.strip()]
        if run.returncode in (0, None):
            problems.append(f"exit {run.returncode} on a read-only database")
        if not any("error" in ln.lower() for ln in said):
            problems.append(f"no error line: {first_lines(run.stderr)!r}")
        if len(said) > 5:
            problems.append(f"{len(said)} lines on stderr, one reason expected")
        if s.bad.hits("/news/"):
            problems.append(f"{s.bad.hits('/news/')} pages fetched that could never be stored")
        if canary_row(s.db) != s.canary:
            problems.append("the stored article no longer reads back")
        row = record("db_read_only_filesystem", FAMILY, run, problems,
                     first_lines(run.stderr, 1)[:120])
    assert row.problems == [], row.problems


@pytest.mark.slow
@pytest.mark.parametrize("command", ["search", "export"])
def test_read_commands_on_read_only_filesystem(tmp_path, command):
    """search and export only read: a database on read-only media must still answer."""
    with tmpfs("8m") as where:
        db = where / "articles.db"
        _checkpointed_canary(db)
        _remount_ro(where)
        args = [SCRAPER, "search", "--db", str(db), "harbour"] if command == "search" else \
            [SCRAPER, "export", "--db", str(db), "-o", str(tmp_path / "out.jsonl")]
        run = run_measured(args, timeout=60)
        problems = []
        if run.returncode != 0:
            problems.append(f"exit {run.returncode}: {first_lines(run.stderr)}")
        output = run.stdout + ((tmp_path / "out.jsonl").read_text()
                               if (tmp_path / "out.jsonl").exists() else "")
        if run.returncode == 0 and CANARY_URL not in output:
            problems.append("the stored article is not in the output")
        row = record(f"{command}_read_only_filesystem", FAMILY, run, problems,
                     "answered" if not problems else first_lines(run.stderr, 1)[:120])
    assert row.problems == [], row.problems


@pytest.mark.slow
def test_crawl_on_full_disk(tmp_path):
    """A 3 MB filesystem and 300 stories of 40 KB: the disk fills mid-crawl. The crawl stops
    at once with a one-line reason and exit 1, the run is closed as failed, nothing stored
    before is lost, the database stays sound."""
    with tmpfs("3m") as where, Scene(tmp_path) as s:
        s.db = where / "articles.db"
        s.canary = canary_db(s.db)
        _site_with_stories(s, 300, words=1200)
        s.crawl["max_pages_per_site"] = 1000
        s.crawl["concurrency"] = 2
        run = s.run(timeout=300)
        problems = []
        said = [ln for ln in run.stderr.splitlines() if ln.strip()]
        full = [ln for ln in said if "full" in ln.lower() or "disk" in ln.lower()]
        if run.returncode in (0, None):
            problems.append(f"exit {run.returncode} although the disk filled")
        if not full:
            problems.append(f"no line says the disk is full: {first_lines(run.stderr)!r}")
        tracebacks = run.stderr.count("Traceback (most recent call last)")
        if tracebacks:
            problems.append(f"{tracebacks} tracebacks, {len(run.stderr) // 1024} KB of stderr")
        stored = len(s.stored() - {CANARY_URL, s.good_url}) if integrity(s.db) == "ok" else 0
        fetched = s.bad.hits("/news/")
        if fetched > stored + 10:
            problems.append(f"{fetched} stories fetched, {stored} stored: fetching went on "
                            f"after the disk was full")
        if canary_row(s.db) != s.canary:
            problems.append("the article stored before the run was lost")
        ok = integrity(s.db)
        if ok != "ok":
            problems.append(f"integrity_check: {ok}")
        statuses = [r[0] for r in query(s.db, "SELECT status FROM runs")]
        if "running" in statuses:
            problems.append(f"runs left {statuses}: the run was not closed as failed")
        df = shutil.disk_usage(where)
        row = record("db_full_disk", FAMILY, run, problems,
                     f"{(full or said or [''])[0][:90]} (fetched {fetched}, stored {stored}, "
                     f"{df.free // 1024} KB free)")
    assert row.problems == [], row.problems
