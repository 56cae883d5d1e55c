"""The hostile-input harness of `make stress` (issue 11): a raw HTTP server that can send
anything (bombs, endless streams, drips, CR/LF in headers), a scene of two loopback hosts, the
real `scraper` command run as a subprocess with its process tree sampled for peak memory, and
the stress table printed at the end of the session.

Peak RSS, the figure held under 500 MB, is sampled every 20 ms from /proc/PID/smaps_rollup of
every process in the tree: the larger of the tree's summed PSS (pages shared between the crawl
and its forked analysis workers counted once) and the largest single process's RSS. The plain
sum of RSS is shown beside it; it counts the shared pages once per worker (about 250 MB of a
quiet crawl's 400), so it overstates what the tree holds.

It is also a pytest plugin: `make stress` loads it with `-p tests.stress_harness`, and
`pytest_terminal_summary` prints one row per case (outcome, exit code, peak RSS, time,
reason). Each hostile test calls `run_case(...)`, which records the row and returns it; the test
then asserts `row.problems == []`.

Outcomes: `crashed` (a traceback, a signal, or a hang we had to kill), `degraded` (no crash, but
one of the case's requirements was not met: memory, data kept, the other pages crawled, a
logged reason, the exit code), `handled` (every requirement met).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import socketserver
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

MB = 1024 * 1024
RSS_LIMIT = 500 * MB
SCRAPER = str(Path(sys.executable).parent / "scraper")
CANARY_URL = "https://canary.example.org/news/2024/05/01/the-story-stored-before-the-run/"

# ---------------------------------------------------------------- the table


@dataclass
class Row:
    case: str
    family: str
    outcome: str = "handled"
    exit_code: int | None = None
    peak_rss: int = 0  # bytes: the measured peak of the process tree (see `Run.peak_rss`)
    seconds: float = 0.0
    rss_sum: int = 0  # bytes: RSS summed over the tree (shared pages counted in each process)
    reason: str = ""
    problems: list[str] = field(default_factory=list)


ROWS: list[Row] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # pytest hook
    if not ROWS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("hostile-input stress table (issue 11)")
    write("peak RSS: the process tree's resident memory with pages shared between the crawl and")
    write("its forked workers counted once (summed PSS), or the largest single process's RSS when")
    write("that is larger; RSS sum: each process's RSS added up (shared pages counted per process)")
    write(f"{'case':<44} {'family':<9} {'outcome':<9} {'exit':>4} {'peak RSS':>9} "
          f"{'RSS sum':>9} {'time':>7}  reason / problems")
    for r in ROWS:
        note = "; ".join(r.problems) if r.problems else r.reason
        code = "-" if r.exit_code is None else str(r.exit_code)
        write(f"{r.case:<44} {r.family:<9} {r.outcome:<9} {code:>4} "
              f"{r.peak_rss / MB:>6.0f} MB {r.rss_sum / MB:>6.0f} MB {r.seconds:>6.1f}s  "
              f"{note[:160]}")
    counts = {o: sum(1 for r in ROWS if r.outcome == o) for o in ("handled", "degraded", "crashed")}
    worst = max(ROWS, key=lambda r: r.peak_rss)
    write(f"cases: {len(ROWS)}; handled {counts['handled']}, degraded {counts['degraded']}, "
          f"crashed {counts['crashed']}; worst peak RSS {worst.peak_rss / MB:.0f} MB "
          f"({worst.case}); limit {RSS_LIMIT // MB} MB")
    out = os.environ.get("STRESS_TABLE_JSON")
    if out:
        Path(out).write_text(json.dumps([r.__dict__ for r in ROWS], indent=1))


# ---------------------------------------------------------------- running a command


@dataclass
class Run:
    returncode: int | None  # None: hung, killed by us
    stdout: str
    stderr: str
    peak_rss: int  # bytes: max over samples of max(summed PSS of the tree, largest RSS)
    seconds: float
    hung: bool
    rss_sum: int = 0  # bytes: max over samples of the tree's RSS added up


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes, from /proc/PID/smaps_rollup (PSS counts a page
    shared by N processes as 1/N in each, so a tree's PSS adds up to what it really holds)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return rss, pss


def _tree(top: psutil.Process) -> list[psutil.Process]:
    try:
        return [top] + top.children(recursive=True)
    except psutil.Error:
        return [top]


def run_measured(args: list[str], timeout: float, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> Run:
    """Run `args`, sampling the memory of its whole process tree every 20 ms; kill the tree
    after `timeout` seconds (a hang)."""
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    top = psutil.Process(proc.pid)
    peak = rss_peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, rss_peak
        while not stop.is_set():
            sizes = [_memory(p.pid) for p in _tree(top)]
            rss_sum = sum(r for r, _ in sizes)
            pss_sum = sum(p for _, p in sizes)
            largest = max((r for r, _ in sizes), default=0)
            peak = max(peak, pss_sum, largest)
            rss_peak = max(rss_peak, rss_sum)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    hung = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        hung = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    stop.set()
    sampler.join()
    return Run(None if hung else proc.returncode, out.decode(errors="replace"),
               err.decode(errors="replace"), peak, time.monotonic() - started, hung, rss_peak)


def crashed(run: Run) -> str | None:
    """Why `run` counts as a crash, or None."""
    if run.hung:
        return f"hung: killed after {run.seconds:.0f}s"
    if run.returncode is not None and run.returncode < 0:
        return f"killed by signal {-run.returncode}"
    for text in (run.stderr, run.stdout):
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                # the exception is the first unindented line after the frames
                last = next((ln for ln in lines[i + 1:] if ln and not ln[0].isspace()), "")
                return "traceback: " + last.strip()[:160]
    return None


def record(case: str, family: str, run: Run, problems: list[str], reason: str = "") -> Row:
    """Classify `run` with the case's unmet requirements and add the row to the table."""
    problems = list(problems)
    if run.peak_rss >= RSS_LIMIT:
        problems.insert(0, f"peak RSS {run.peak_rss / MB:.0f} MB >= {RSS_LIMIT // MB} MB")
    why = crashed(run)
    if why:
        problems.insert(0, why)
    outcome = "crashed" if why else ("degraded" if problems else "handled")
    row = Row(case, family, outcome, run.returncode, run.peak_rss, run.seconds, run.rss_sum,
              reason, problems)
    ROWS.append(row)
    return row


def first_lines(text: str, n: int = 3) -> str:
    return " | ".join(ln.strip() for ln in text.strip().splitlines()[:n])


# ---------------------------------------------------------------- a raw HTTP server


@dataclass
class Request:
    path: str
    headers: dict[str, str]


Handler = Callable[[socket.socket, Request], None]


def response(status: int = 200, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
             headers: list[tuple[str, str]] | None = None, length: bool = True,
             reason: str = "OK") -> bytes:
    """The raw bytes of a whole response (headers are sent exactly as given)."""
    lines = [f"HTTP/1.1 {status} {reason}".encode()]
    if content_type:
        lines.append(b"Content-Type: " + content_type.encode())
    for name, value in headers or []:
        lines.append(name.encode() + b": " + (value.encode("latin-1")
                                               if isinstance(value, str) else value))
    if length:
        lines.append(f"Content-Length: {len(body)}".encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def static(raw: bytes) -> Handler:
    def send(sock: socket.socket, request: Request) -> None:
        sock.sendall(raw)
    return send


def page(body: bytes | str, content_type: str = "text/html; charset=utf-8",
         headers: list[tuple[str, str]] | None = None, status: int = 200) -> Handler:
    data = body.encode() if isinstance(body, str) else body
    return static(response(status, data, content_type, headers))


def redirect(location: str | bytes, status: int = 302) -> Handler:
    return static(response(status, b"", "text/html", [("Location", location)],
                           reason="Found"))


class _TCP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # a client hanging up is normal
        pass


class HostileServer:
    """A loopback HTTP/1.1 server whose routes write raw bytes to the socket: `srv.routes[path]
    = handler(sock, request)`; `srv.prefixes` maps path prefixes to handlers. Every request's
    path is logged in `srv.paths`. One response per connection."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Handler] = {}
        self.prefixes: dict[str, Handler] = {}
        self.paths: list[str] = []
        server = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(30)
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                parts = head[0].split(" ")
                path = parts[1] if len(parts) > 1 else "/"
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                server.paths.append(path)
                handler = server.routes.get(path)
                if handler is None:
                    handler = next((h for p, h in server.prefixes.items()
                                    if path.startswith(p)), None)
                if handler is None:
                    handler = static(response(404, b"<h1>Not found</h1>", reason="Not Found"))
                try:
                    handler(sock, Request(path, headers))
                except OSError:  # the client hung up (its limit): fine
                    pass

        self._server = _TCP((host, 0), _Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, prefix: str) -> int:
        return sum(1 for p in self.paths if p.startswith(prefix))

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# ---------------------------------------------------------------- the database


def canary_db(path: Path) -> dict:
    """A database holding one article stored before the run (as `extract --save` would):
    what a hostile run must not lose. Returns its row."""
    from scraper import extract_article
    from scraper.models import Page
    from scraper.store import Store

    from .sitesim import article_html

    html = article_html("Harbour bridge reopens after two years of repairs", CANARY_URL,
                        "2024-05-01T09:00:00+00:00")
    article = extract_article(html.encode(), CANARY_URL,
                              headers={"Content-Type": "text/html; charset=utf-8"})
    with Store(path) as store:
        page_obj = Page(url=CANARY_URL, final_url=CANARY_URL, status=200,
                        headers=(("Content-Type", "text/html; charset=utf-8"),),
                        content=html.encode(), fetched_at="2024-05-01T10:00:00+00:00")
        page_id = store.save_page(page_obj, "canary")
        store.upsert_article(article, page_id)
    return canary_row(path)


def canary_row(path: Path) -> dict | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT canonical_url, headline, body FROM articles "
                               "WHERE canonical_url = ?", [CANARY_URL]).fetchone()
            return dict(row) if row else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return {"error": str(exc)}


def integrity(path: Path) -> str:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"error: {exc}"


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- a crawl scene

GOOD_PATH = "/news/2024/05/02/council-approves-new-bus-routes-for-the-city-centre/"
GOOD_TITLE = "Council approves new bus routes for the city centre"
ALLOW_ALL = b"User-agent: *\nAllow: /\n"


def story(title: str, url: str) -> str:
    from .sitesim import article_html
    return article_html(title, url, "2024-05-02T09:00:00+00:00")


def listing(title: str, hrefs: list[str]) -> str:
    from .sitesim import listing_html
    return listing_html(title, [(h, f"Story {i}") for i, h in enumerate(hrefs)])


class Scene:
    """Two loopback hosts of one site: `bad` (127.0.0.1) serves the hostile content, `good`
    (127.0.0.2) a home page and one ordinary story, which every crawl must still store. The
    database already holds the canary article, which no run may lose."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.bad = HostileServer("127.0.0.1")
        self.good = HostileServer("127.0.0.2")
        self.db = tmp / "articles.db"
        self.config = tmp / "sites.toml"
        self.feeds: list[str] = []
        self.sitemaps: list[str] = []
        self.crawl: dict[str, object] = {"per_host_delay": 0.0, "timeout": 5.0, "retries": 0,
                                          "max_article_age": 0.0, "max_crawl_delay": 2.0}
        self.bad_links: list[str] = []
        self.canary: dict | None = None
        self.extra_args: tuple[str, ...] = ()
        self.timeout = 120.0
        self.exits: tuple[int, ...] = (0,)
        self.raw_config: bytes | None = None  # written as the config file instead
        self.expect_good = True  # the good host's story must be stored
        self.expect_canary = True  # the canary must still read back unchanged

    def __enter__(self) -> Scene:
        self.bad.__enter__()
        self.good.__enter__()
        for srv in (self.bad, self.good):
            srv.routes["/robots.txt"] = page(ALLOW_ALL, "text/plain")
        self.good_url = self.good.url(GOOD_PATH)
        self.good.routes["/"] = page(listing("Good host", [GOOD_PATH]))
        self.good.routes[GOOD_PATH] = page(story(GOOD_TITLE, self.good_url))
        return self

    def __exit__(self, *exc: object) -> None:
        self.bad.__exit__()
        self.good.__exit__()

    def write_config(self) -> None:
        if self.raw_config is not None:
            self.config.write_bytes(self.raw_config)
            return
        if "/" not in self.bad.routes:
            self.bad.routes["/"] = page(listing("Bad host", self.bad_links))
        crawl = "\n".join(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}"
                          for k, v in self.crawl.items())
        self.config.write_text(
            f'[crawl]\nuser_agent = "stressbot/1.0"\n{crawl}\n\n[[sites]]\nname = "t"\n'
            f"start_urls = {json.dumps([self.bad.url('/'), self.good.url('/')])}\n"
            f"feeds = {json.dumps(self.feeds)}\nsitemaps = {json.dumps(self.sitemaps)}\n")

    def run(self, *extra: str, timeout: float = 120.0) -> Run:
        self.write_config()
        if self.canary is None and not self.db.exists():
            self.canary = canary_db(self.db)
        self.last_run = run_measured([SCRAPER, "crawl", "--config", str(self.config), "--db",
                             str(self.db), "-v", *extra], timeout)
        return self.last_run

    def results(self) -> dict[str, tuple[str, str | None]]:
        """url -> (state, result) of every frontier entry on the bad host."""
        rows = query(self.db, "SELECT url, state, result FROM frontier WHERE url LIKE ?",
                     (self.bad.url("") + "%",))
        return {u: (s, r) for u, s, r in rows}

    def stored(self) -> set[str]:
        return {r[0] for r in query(self.db, "SELECT canonical_url FROM articles")}

    def common_problems(self, run: Run, exits: tuple[int, ...] = (0,)) -> list[str]:
        """What every crawl case requires: the exit code, the canary kept, the database sound,
        the good story stored (the crawl went on with the other pages)."""
        problems = []
        if run.returncode is not None and run.returncode not in exits:
            problems.append(f"exit {run.returncode}, expected {exits}: "
                            f"{first_lines(run.stderr or run.stdout)}")
        if crashed(run):
            return problems
        if not self.expect_canary:
            return problems
        if canary_row(self.db) != self.canary:
            problems.append("the article stored before the run was lost or changed")
        ok = integrity(self.db)
        if ok != "ok":
            problems.append(f"integrity_check: {ok}")
        try:
            if self.expect_good and self.good_url not in self.stored():
                problems.append("the ordinary story on the other host was not stored")
            running = query(self.db, "SELECT count(*) FROM runs WHERE status = 'running'")[0][0]
            if running:
                problems.append(f"{running} run(s) left 'running' after the crawl exited")
        except sqlite3.Error as exc:
            problems.append(f"cannot read the database: {exc}")
        return problems

    def reason_of(self, path: str) -> str | None:
        return self.results().get(self.bad.url(path), (None, None))[1]


Check = Callable[[Run], tuple[str, list[str]]]  # -> (reason shown in the table, problems)


def crawl_case(name: str, family: str, build: Callable[[Scene], Check], tmp: Path) -> Row:
    """Set a scene up with `build` (which returns the case's own check), crawl it with the real
    command, and record the row: the common requirements plus the case's."""
    with Scene(tmp) as scene:
        check = build(scene)
        run = scene.run(*scene.extra_args, timeout=scene.timeout)
        problems = scene.common_problems(run, scene.exits)
        reason = ""
        if not crashed(run):
            try:
                reason, more = check(run)
            except sqlite3.Error as exc:
                reason, more = "", [f"cannot read the database: {exc}"]
            problems += more
        return record(name, family, run, problems, reason)


SUCCESS = frozenset({"article", "html", "feed", "sitemap", "not_modified", "redirected"})


def expect_reason(scene: Scene, path: str, *prefixes: str,
                  run: Run | None = None) -> tuple[str, list[str]]:
    """Why `path` on the bad host came to nothing: the frontier's result when it is an error,
    else the crawl's log line about the URL (the crawl runs with -v). It must exist, and start
    with one of `prefixes` when given."""
    url = scene.bad.url(path)
    result = scene.reason_of(path)
    if result and prefixes and result.startswith(prefixes):  # the outcome asked for
        return result, []
    reason = result if result and result not in SUCCESS else None
    if reason is None:
        for line in scene.last_run.stderr.splitlines():
            if url + ":" in line:
                reason = line.split(url + ":", 1)[1].strip()
                break
    if reason is None and result is not None and not prefixes:
        reason = f"settled as {result!r}"
    if reason is None:
        return "", [f"no reason recorded or logged for {path} (frontier: {result})"]
    if prefixes and not reason.startswith(prefixes):
        return reason, [f"{path}: reason {reason!r}, expected {' or '.join(prefixes)}"]
    return reason, []


# ---------------------------------------------------------------- compressed bombs

_BOMBS: dict[tuple[str, int], bytes] = {}


def _deflate_zeros(megabytes: int) -> bytes:
    """Raw deflate of `megabytes` MiB of zero bytes, about 1 KB per MiB, built without
    compressing a gigabyte: after a full flush, each further MiB of zeros compresses to the
    same independent block, which is repeated."""
    zeros = bytes(MB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * (megabytes - 2) + c.compress(zeros) + c.flush()


def gzip_bomb(megabytes: int = 1024) -> bytes:
    """A gzip stream that inflates to `megabytes` MiB of zeros (1 GiB from about 1 MB)."""
    key = ("gzip", megabytes)
    if key not in _BOMBS:
        crc = 0
        zeros = bytes(MB)
        for _ in range(megabytes):
            crc = zlib.crc32(zeros, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        trailer = struct.pack("<II", crc, (megabytes * MB) & 0xFFFFFFFF)
        _BOMBS[key] = header + _deflate_zeros(megabytes) + trailer
    return _BOMBS[key]


def zlib_bomb(megabytes: int = 1024) -> bytes:
    """Content-Encoding: deflate as RFC 9110 means it (zlib-wrapped), `megabytes` of zeros."""
    key = ("zlib", megabytes)
    if key not in _BOMBS:
        adler = 1
        zeros = bytes(MB)
        for _ in range(megabytes):
            adler = zlib.adler32(zeros, adler)
        _BOMBS[key] = b"\x78\xda" + _deflate_zeros(megabytes) + struct.pack(">I", adler)
    return _BOMBS[key]


def brotli_bomb(megabytes: int = 1024) -> bytes:
    key = ("br", megabytes)
    if key not in _BOMBS:
        import brotli
        c = brotli.Compressor(quality=5)
        zeros = bytes(MB)
        _BOMBS[key] = b"".join(c.process(zeros) for _ in range(megabytes)) + c.finish()
    return _BOMBS[key]


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)
