"""A local benchmark world of real news pages: many hosts on 127.0.0.x, served by a stdlib
threaded HTTP server in a subprocess that logs every request with its host and start/end times.

The article pages are the real pages of ../shared/corpus (zyte-dev and web-checks-dev), served
unchanged except that their relative links are made absolute on the page's original URL (as
if a <base href> named it): the links of a real page then still point where they pointed,
off our hosts, instead of at 404s on them. Only pages the extractor judges to be articles are
used, and no two with the same headline and body, so each host's articles are distinct pages
(the crawler folds identical texts within a site into one row).

Each host: robots.txt allowing everything (with a Sitemap line when asked), a home page
linking the section pages and the newest story of each section, section pages linking their
articles, and the articles at /news/<section>/<slug>-<n>.html.

    python -m bench.world build --out .bench/world            # writes manifest.json, prints a summary
    python -m bench.world up --out .bench/world               # build and serve until Ctrl-C
    python -m bench.world serve --manifest M --log L          # what the benches start
    python -m bench.world check-log L [--min-gap 0]           # politeness from a server log

From Python: `build_world(...)` -> manifest dict, `WorldServer(manifest_path, log_path)`
(a context manager; `.stop()` returns the request log), `politeness(log)`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CACHE = ROOT / ".bench"  # gitignored scratch space: caches, worlds, databases
SECTIONS = ("world", "politics", "business", "technology", "science", "health", "sport",
            "culture", "opinion", "travel", "climate", "education", "money", "media", "books",
            "food", "music", "film", "style", "local")
FIRST_HOST = 2  # 127.0.0.2, 127.0.0.3, ...
USER_AGENT = "scraper-bench/0.1 (+https://example.org/contact)"
REWRITE_VERSION = "4"  # bump when rewrite_links changes: the eligibility cache depends on it


# ----------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class CorpusPage:
    key: str  # "zyte/<file key>" or "web/<file key>"
    url: str  # where the page was fetched from originally
    content_type: str  # what the world server sends with it

    def path(self, corpus: Path) -> Path:
        kind, name = self.key.split("/", 1)
        sub = "zyte-dev" if kind == "zyte" else "web-checks-dev"
        return corpus / sub / "html" / f"{name}.html.gz"


def _http_url(url: str) -> str:
    """The corpus's URL of a page, cleaned: one of them reads "xhttps://...", and a URL of
    another scheme would leave the page's relative links relative (pointing at our hosts)."""
    url = url.strip()
    found = re.search(r"https?://", url)
    return url[found.start():] if found else "https://corpus.invalid/"


def corpus_index(corpus: Path = CORPUS) -> list[CorpusPage]:
    """Every corpus page with its original URL, zyte-dev first, in a stable order."""
    pages: list[CorpusPage] = []
    truth = json.loads((corpus / "zyte-dev" / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):  # zyte-dev pages are UTF-8 (corpus README)
        pages.append(CorpusPage(f"zyte/{key}", _http_url(truth[key]["url"]),
                                "text/html; charset=utf-8"))
    checks = json.loads((corpus / "web-checks-dev" / "checks.json").read_text(encoding="utf-8"))
    for key in sorted(checks):  # the charset is in the page
        pages.append(CorpusPage(f"web/{key}", _http_url(checks[key]["url"]), "text/html"))
    return [p for p in pages if p.path(corpus).exists()]


_HREF = re.compile(
    rb"""(<(?:a|area|link|base)\b[^>]*?(?<=[\s"'])href\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""",
    re.I | re.S)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_SCHEMELESS_HTTP = re.compile(r"^https?:(?!//)", re.I)


def rewrite_links(page: bytes, original_url: str) -> bytes:
    """Relative hrefs (links, canonical, <base>) made absolute on the page's original URL.
    Absolute and scheme-relative ones, fragments and empty hrefs are left as they are."""
    def fix(match: re.Match) -> bytes:
        raw = next(g for g in match.groups()[1:] if g is not None)
        value = raw.decode("latin-1").strip()
        if not value or value.startswith(("#", "//")):
            return match.group(0)
        if _SCHEME.match(value) and not _SCHEMELESS_HTTP.match(value):
            return match.group(0)  # absolute; "http:path" is relative (WHATWG URL)
        absolute = urljoin(original_url, value).replace('"', "%22")
        return match.group(1) + b'"' + absolute.encode("latin-1", "replace") + b'"'

    return _HREF.sub(fix, page)


def load_page(corpus: Path, page: CorpusPage) -> bytes:
    """The page as the world serves it."""
    return rewrite_links(gzip.decompress(page.path(corpus).read_bytes()), page.url)


def slug_of(url: str) -> str:
    """A readable slug from the page's original URL (its last path segment)."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    last = segments[-1] if segments else ""
    last = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", last, flags=re.I)
    slug = re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-")[:60].strip("-")
    return slug if len(slug) >= 3 and not slug.isdigit() else "story"


# ----------------------------------------------------------------------------- eligibility


def _probe_url(page: CorpusPage) -> str:
    return f"http://127.0.0.{FIRST_HOST}:8000/news/world/{slug_of(page.url)}-1.html"


def _judge(args: tuple[str, str, str, str]) -> dict:
    corpus, key, url, ctype = args
    from scraper import extract_article

    page = CorpusPage(key, url, ctype)
    article = extract_article(load_page(Path(corpus), page), _probe_url(page),
                              headers={"Content-Type": ctype})
    identity = hashlib.sha1(" ".join(f"{article.headline or ''}\n{article.body}".split())
                            .encode("utf-8")).hexdigest()
    return {"key": key, "is_article": article.is_article, "reason": article.not_article_reason,
            "headline": article.headline, "words": article.word_count, "identity": identity}


def _cache_digest(pages: list[CorpusPage], corpus: Path) -> str:
    """Changes when the extractor's source, the corpus or the rewriting changes."""
    digest = hashlib.sha1(REWRITE_VERSION.encode())
    sources = [p for p in (ROOT / "scraper").rglob("*.py")
               if p.parts[len(ROOT.parts) + 1] in ("extract", "urls", "urls.py", "models.py")]
    for path in sorted(sources):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for page in pages:
        digest.update(f"{page.key} {page.url} {page.path(corpus).stat().st_size}".encode())
    return digest.hexdigest()[:16]


def eligible_pages(corpus: Path = CORPUS, workers: int | None = None,
                   quiet: bool = False) -> list[dict]:
    """Corpus pages the extractor judges to be articles, one per distinct headline + body,
    in corpus order. Each: key, url, content_type, headline, words. Cached in .bench/."""
    pages = corpus_index(corpus)
    CACHE.mkdir(parents=True, exist_ok=True)
    cache = CACHE / f"eligible-{_cache_digest(pages, corpus)}.json"
    if cache.exists():
        verdicts = json.loads(cache.read_text(encoding="utf-8"))
    else:
        if not quiet:
            print(f"judging {len(pages)} corpus pages with extract_article (cached in "
                  f"{cache.relative_to(ROOT)}) ...", file=sys.stderr, flush=True)
        jobs = [(str(corpus), p.key, p.url, p.content_type) for p in pages]
        with ProcessPoolExecutor(workers or os.cpu_count() or 1) as pool:
            verdicts = list(pool.map(_judge, jobs, chunksize=4))
        for old in CACHE.glob("eligible-*.json"):
            old.unlink(missing_ok=True)
        cache.write_text(json.dumps(verdicts), encoding="utf-8")
    by_key = {p.key: p for p in pages}
    seen: set[str] = set()
    kept = []
    for verdict in verdicts:
        if not verdict["is_article"] or not verdict["headline"] or verdict["identity"] in seen:
            continue
        seen.add(verdict["identity"])
        page = by_key[verdict["key"]]
        kept.append({"key": page.key, "url": page.url, "content_type": page.content_type,
                     "headline": verdict["headline"], "words": verdict["words"]})
    return kept


# ----------------------------------------------------------------------------- the world


def free_port(hosts: Iterable[str], tries: int = 50) -> int:
    """A port number free on every one of these addresses."""
    hosts = list(hosts)
    rng = random.Random()
    for _ in range(tries):
        port = rng.randrange(20_000, 60_000)
        sockets = []
        try:
            for host in hosts:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(sock)
                sock.bind((host, port))
            return port
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no port free on every world host")


def host_addresses(count: int) -> list[str]:
    if not 1 <= count <= 250:
        raise ValueError("between 1 and 250 hosts")
    return [f"127.0.0.{FIRST_HOST + i}" for i in range(count)]


def build_world(hosts: int = 20, articles: int = 2200, sections: int = 10, port: int = 0,
                sitemap: bool = False, corpus: Path = CORPUS, workers: int | None = None,
                quiet: bool = False) -> dict:
    """The world's manifest: hosts, their sections and articles (each a corpus page)."""
    pool = eligible_pages(corpus, workers, quiet)
    addresses = host_addresses(hosts)
    per_host = [articles // hosts + (1 if i < articles % hosts else 0) for i in range(hosts)]
    if max(per_host) > len(pool):
        raise ValueError(f"{max(per_host)} articles per host, but only {len(pool)} distinct "
                         "article pages in the corpus: use more hosts")
    if not 1 <= sections <= len(SECTIONS):
        raise ValueError(f"between 1 and {len(SECTIONS)} sections")
    port = port or free_port(addresses)
    stride = max(1, len(pool) // hosts)
    world_hosts = []
    for index, (address, count) in enumerate(zip(addresses, per_host, strict=True)):
        names = list(SECTIONS[:sections])
        items = []
        for n in range(count):
            page = pool[(index * stride + n) % len(pool)]  # a window: distinct within a host
            section = names[n % sections]
            items.append({"path": f"/news/{section}/{slug_of(page['url'])}-{n + 1}.html",
                          "page": page["key"], "section": section,
                          "headline": page["headline"]})
        world_hosts.append({"host": address, "name": f"host{FIRST_HOST + index:02d}",
                            "sections": names, "articles": items})
    pages = {p["key"]: {"url": p["url"], "content_type": p["content_type"]} for p in pool}
    used = {a["page"] for h in world_hosts for a in h["articles"]}
    return {"kind": "world", "port": port, "corpus": str(corpus), "sitemap": sitemap,
            "hosts": world_hosts, "pages": {k: v for k, v in pages.items() if k in used}}


def base_url(manifest: dict, host: str) -> str:
    return f"http://{host}:{manifest['port']}"


def article_urls(manifest: dict) -> dict[str, tuple[str, str]]:
    """Every article URL of the world -> (host name, corpus page key)."""
    return {base_url(manifest, h["host"]) + a["path"]: (h["name"], a["page"])
            for h in manifest["hosts"] for a in h["articles"]}


def expected_requests(manifest: dict) -> int:
    """robots.txt, home, sections, articles (and the sitemap) of every host."""
    extra = 1 if manifest.get("sitemap") else 0
    return sum(2 + len(h["sections"]) + len(h["articles"]) + extra for h in manifest["hosts"])


def write_manifest(manifest: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return path


def crawler_config(manifest: dict, concurrency: int = 8, per_host_delay: float = 0.0,
                   extra: str = "") -> str:
    """The TOML config of `scraper crawl` for the world: one site per host."""
    lines = ["[crawl]", f'user_agent = "{USER_AGENT}"', f"per_host_delay = {per_host_delay}",
             f"concurrency = {concurrency}", "max_pages_per_site = 100000", extra, ""]
    for h in manifest["hosts"]:
        lines += ["[[sites]]", f'name = "{h["name"]}"',
                  f'start_urls = ["{base_url(manifest, h["host"])}/"]', ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- pages


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    etag: str | None = None


def _html_page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n<body>\n<header><a href=\"/\">"
            f"{html.escape(title)}</a></header>\n{body}\n<footer><p>A benchmark world."
            f"</p></footer>\n</body></html>\n").encode()


def _nav(sections: list[str]) -> str:
    items = "".join(f'<li><a href="/section/{s}/">{s.title()}</a></li>' for s in sections)
    return f"<nav><ul>{items}</ul></nav>"


def world_routes(manifest: dict) -> dict[str, dict[str, Response]]:
    """host -> path -> Response, for every page of the world."""
    corpus = Path(manifest["corpus"])
    bodies: dict[str, Response] = {}
    for key, info in manifest["pages"].items():
        page = CorpusPage(key, info["url"], info["content_type"])
        bodies[key] = Response(200, page.content_type, load_page(corpus, page))
    routes: dict[str, dict[str, Response]] = {}
    for h in manifest["hosts"]:
        base = base_url(manifest, h["host"])
        title = f"{h['name'].title()} News"
        table: dict[str, Response] = {}
        robots = "User-agent: *\nAllow: /\n"
        if manifest.get("sitemap"):
            robots += f"Sitemap: {base}/sitemap.xml\n"
        table["/robots.txt"] = Response(200, "text/plain; charset=utf-8", robots.encode())
        by_section: dict[str, list[dict]] = defaultdict(list)
        for article in h["articles"]:
            by_section[article["section"]].append(article)
            table[article["path"]] = bodies[article["page"]]
        latest = "".join(f'<li><a href="{items[0]["path"]}">{html.escape(items[0]["headline"])}'
                         f"</a></li>" for items in by_section.values() if items)
        table["/"] = Response(200, "text/html; charset=utf-8", _html_page(
            title, f"{_nav(h['sections'])}\n<main><h1>{html.escape(title)}</h1>"
                   f"<h2>Latest</h2><ul>{latest}</ul></main>"))
        for section in h["sections"]:
            items = "".join(f'<li><a href="{a["path"]}">{html.escape(a["headline"])}</a></li>'
                            for a in by_section[section])
            table[f"/section/{section}/"] = Response(200, "text/html; charset=utf-8", _html_page(
                f"{section.title()} | {title}",
                f"{_nav(h['sections'])}\n<main><h1>{section.title()}</h1><ul>{items}</ul></main>"))
        if manifest.get("sitemap"):
            locs = "".join(f"<url><loc>{base}{a['path']}</loc></url>\n" for a in h["articles"])
            table["/sitemap.xml"] = Response(200, "application/xml", (
                '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">\n{locs}</urlset>\n').encode())
        routes[h["host"]] = table
    return routes


# ----------------------------------------------------------------------------- the server

NOT_FOUND = Response(404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>")
Dynamic = Callable[[str, str], Response | None]  # (host, path) -> Response or None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:  # a client hanging up is normal
        pass


_CONNECTIONS = itertools.count(1)  # connections accepted, over every host of the server


def _handler(routes: dict[str, Response], dynamic: Dynamic | None, host: str, log: list,
             etags: dict[int, str]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def setup(self) -> None:  # once per accepted connection: its number in the log
            super().setup()
            self.connection = next(_CONNECTIONS)

        def parse_request(self) -> bool:  # the request line has just been read
            self.started = time.monotonic()
            return super().parse_request()

        def do_GET(self) -> None:  # noqa: N802
            start = self.started
            path = self.path.split("#", 1)[0]
            bare = path.split("?", 1)[0]
            response = routes.get(path) or routes.get(bare) \
                or (dynamic(host, bare) if dynamic else None) or NOT_FOUND
            etag = None
            if response.status == 200:
                etag = response.etag or etags.get(id(response.body))
                if etag is None:
                    etag = etags[id(response.body)] = \
                        '"' + hashlib.md5(response.body).hexdigest()[:20] + '"'
            status, body = response.status, response.body
            if etag and self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            aborted = False
            try:
                self.send_response(status)
                self.send_header("Content-Type", response.content_type)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)
                self.wfile.flush()
            except OSError:
                aborted = True
                self.close_connection = True
            log.append((host, self.path, status, start, time.monotonic(), len(body), aborted,
                        self.headers.get("User-Agent", ""), self.connection))

    return Handler


def serve(manifest_path: Path, log_path: Path) -> int:
    """Serve a world (or the million-URL sitemap site) until SIGTERM/SIGINT, then write the
    request log as JSON lines. Prints `ready <port>` once every host listens."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    dynamic: Dynamic | None = None
    if manifest["kind"] == "million":
        from bench.million import million_routes

        routes, dynamic = million_routes(manifest)
    else:
        routes = world_routes(manifest)
    # A handler thread notes the end of a response when it holds the GIL again after its
    # last write; with many threads the default 5 ms switch interval would skew the log.
    # For the same reason the server runs at a higher priority when it may (root): on a
    # busy machine a thread whose last write returned may otherwise wait milliseconds for a
    # core before it can note the time. It uses little CPU.
    sys.setswitchinterval(0.0002)
    try:
        os.nice(-10)
    except OSError:
        pass
    log: list = []
    etags: dict[int, str] = {}
    servers = []
    for host, table in routes.items():
        server = _Server((host, manifest["port"]), _handler(table, dynamic, host, log, etags))
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"ready {manifest['port']}", flush=True)
    while not stop.wait(0.2):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    time.sleep(0.05)  # handler threads still writing their last line
    with log_path.open("w", encoding="utf-8") as fh:
        for host, path, status, start, end, size, aborted, agent, connection in list(log):
            fh.write(json.dumps({"host": host, "path": path, "status": status, "start": start,
                                 "end": end, "bytes": size, "aborted": aborted,
                                 "agent": agent, "connection": connection}) + "\n")
    return 0


class WorldServer:
    """The world's server as a subprocess: `with WorldServer(m, log) as srv: ...; srv.stop()`
    returns the request log (a list of dicts). Times are CLOCK_MONOTONIC, as in any process
    on this machine, so they compare with the client's own `time.monotonic()`."""

    def __init__(self, manifest_path: Path, log_path: Path, ready_timeout: float = 600.0):
        self.manifest_path, self.log_path = Path(manifest_path), Path(log_path)
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None
        self.log: list[dict] | None = None
        self.cpu = 0.0  # user + sys seconds the server used (it shares the machine's cores)

    def __enter__(self) -> WorldServer:
        self.log_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.world", "serve", "--manifest", str(self.manifest_path),
             "--log", str(self.log_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        ready: list[str] = []
        reader = threading.Thread(target=lambda: ready.append(self.process.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(self.ready_timeout)
        if not ready or not ready[0].startswith("ready"):
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"world server did not start: {ready!r}")
        return self

    def stop(self) -> list[dict]:
        if self.log is None and self.process is not None:
            self.cpu = _cpu_seconds(self.process.pid)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log = read_log(self.log_path)
        return self.log or []

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _cpu_seconds(pid: int) -> float:
    """User + sys seconds of a live process, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ----------------------------------------------------------------------------- politeness


# The server notes a response's end once the handler thread holds the GIL again after its last
# write, so that end can be late by up to a few switch intervals on a busy machine; overlaps
# smaller than this are reported apart as "within slack" and are not counted as violations.
SLACK = 0.002


def politeness(log: list[dict], min_gap: float = 0.0, slack: float = SLACK) -> dict:
    """From the server's own log: per host, does a request start before the previous
    response to that host was fully written (an overlap: more than one in flight), or less
    than `min_gap` seconds after it?"""
    by_host: dict[str, list[dict]] = defaultdict(list)
    for row in log:
        by_host[row["host"]].append(row)
    overlaps = within_slack = gap_violations = max_in_flight = 0
    worst_overlap = 0.0
    min_seen: float | None = None
    for rows in by_host.values():
        rows.sort(key=lambda r: r["start"])
        ends: list[float] = []
        last_end: float | None = None
        for row in rows:
            ends = [e for e in ends if e - slack > row["start"]]
            max_in_flight = max(max_in_flight, len(ends) + 1)
            ends.append(row["end"])
            if last_end is not None:
                gap = row["start"] - last_end
                min_seen = gap if min_seen is None else min(min_seen, gap)
                if gap < 0:
                    worst_overlap = max(worst_overlap, -gap)
                    if gap < -slack:
                        overlaps += 1
                    else:
                        within_slack += 1
                elif gap < min_gap - slack:
                    gap_violations += 1
            last_end = row["end"] if last_end is None else max(last_end, row["end"])
    return {"requests": len(log), "hosts": len(by_host), "overlaps": overlaps,
            "overlaps_within_slack": within_slack, "worst_overlap_ms": worst_overlap * 1000,
            "gap_violations": gap_violations, "min_gap_ms": (min_seen or 0.0) * 1000,
            "max_in_flight_per_host": max_in_flight, "slack_ms": slack * 1000,
            "connections": len({row["connection"] for row in log if "connection" in row}),
            "ok": overlaps == 0 and gap_violations == 0}


# ----------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "up"):
        p = sub.add_parser(name)
        p.add_argument("--out", type=Path, default=CACHE / "world")
        p.add_argument("--hosts", type=int, default=20)
        p.add_argument("--articles", type=int, default=2200)
        p.add_argument("--sections", type=int, default=10)
        p.add_argument("--sitemap", action="store_true", help="robots.txt names a sitemap")
        p.add_argument("--corpus", type=Path, default=CORPUS)
    p = sub.add_parser("serve")
    p.add_argument("--manifest", type=Path, required=True)
    p.add_argument("--log", type=Path, required=True)
    p = sub.add_parser("check-log")
    p.add_argument("log", type=Path)
    p.add_argument("--min-gap", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.manifest, args.log)
    if args.command == "check-log":
        print(json.dumps(politeness(read_log(args.log), args.min_gap), indent=1))
        return 0
    manifest = build_world(args.hosts, args.articles, args.sections, sitemap=args.sitemap,
                           corpus=args.corpus)
    path = write_manifest(manifest, args.out)
    total = sum(len(h["articles"]) for h in manifest["hosts"])
    print(f"world: {len(manifest['hosts'])} hosts, {total} articles from "
          f"{len(manifest['pages'])} corpus pages, {expected_requests(manifest)} requests; "
          f"manifest {path}")
    if args.command == "up":
        for h in manifest["hosts"][:3]:
            print(f"  {base_url(manifest, h['host'])}/")
        print("serving; Ctrl-C to stop")
        return serve(path, args.out / "requests.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
