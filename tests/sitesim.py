"""A simulated news site for crawler tests: a real HTTP server on 127.0.0.1 in a thread.

The server logs every request with monotonic timestamps (`start` when the request line was
read, `end` when the response was fully written or the client hung up), so politeness is
checked from the server's own log. Pages are plain `Route`s added with small helpers
(`add_page`, `add_redirect`, `add_article`, ...), in the spirit of the 500lines crawler's
test server. Every 200 response carries an ETag and Last-Modified and answers a matching
conditional request with 304.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import select
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# When the client hangs up (timeout, too large, not HTML), the server notices a moment after
# the client's own end of the exchange; politeness checks allow this much for such requests.
ABORT_SLACK = 0.015

WORDS = """the council said on tuesday that the new plan would change how residents travel
across the city centre while officials warned that costs could rise further if contractors
failed to deliver on time and local businesses asked for clearer guidance about deliveries
parking and access during the works which are expected to last until next spring according
to a report published by the transport committee after months of consultation with community
groups schools and hospitals that depend on reliable bus routes every day""".split()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (the client may give up first)
    fail_first: int = 0  # answer `fail_status` this many times first
    fail_status: int = 503
    fail_headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True  # ETag/Last-Modified and 304 support
    gzip: bool = False  # send the body with Content-Encoding: gzip
    trickle: float = 0.0  # seconds between 256-byte chunks of the body (a slow server)
    cut_first: int = 0  # the first N times: full Content-Length, half the body, hang up
    hits: int = 0


@dataclass(frozen=True)
class Request:
    path: str
    status: int
    start: float
    end: float
    aborted: bool
    headers: dict[str, str]
    host: str


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # a client hanging up is normal
        pass


class SiteServer:
    """Serve routes on 127.0.0.1 (or another loopback address). Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.dynamic: list[tuple[str, object]] = []  # (path prefix, fn(path) -> Route | None)
        self.log: list[Request | None] = []
        self.lock = threading.Lock()
        self.done = threading.Condition(self.lock)
        self.open = 0  # requests being answered
        self.host = host
        self.last_modified = formatdate(time.time() - 3600, usegmt=True)
        # a statically built site: every page has the same Last-Modified, and a matching
        # If-Modified-Since gets a 304 whatever the page
        self.honour_if_modified_since = False
        self._server = _QuietServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- building the site

    def add(self, path: str, route: Route) -> Route:
        self.routes[path] = route
        return route

    def add_page(self, path: str, html: str | bytes, **kw) -> Route:
        body = html.encode("utf-8") if isinstance(html, str) else html
        return self.add(path, Route(body=body, **kw))

    def add_redirect(self, path: str, target: str, status: int = 301) -> Route:
        return self.add(path, Route(status=status, headers={"Location": target}, body=b""))

    def requests(self) -> list[Request]:
        """The log, once every request already received has been answered (or dropped)."""
        with self.done:
            self.done.wait_for(lambda: self.open == 0, timeout=10)
            return [r for r in self.log if r is not None]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests()]

    def hits(self, path: str) -> int:
        return sum(1 for p in self.paths() if p == path)

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()


def _handler_for(site: SiteServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            start = time.monotonic()
            self.sent_at = None  # when the last byte was flushed; the log's `end`
            with site.lock:
                index = len(site.log)
                site.log.append(None)  # placeholder: the request counts from its start
                site.open += 1
            status, aborted = 500, False
            try:
                status, aborted = self._respond()
            except (BrokenPipeError, ConnectionResetError):
                aborted = True
            finally:
                with site.lock:
                    end = self.sent_at if self.sent_at and not aborted else time.monotonic()
                    site.log[index] = Request(self.path, status, start, end,
                                              aborted, dict(self.headers.items()), site.netloc)
                    site.open -= 1
                    site.done.notify_all()

        def _respond(self) -> tuple[int, bool]:
            route = site.routes.get(self.path)
            for prefix, make in site.dynamic if route is None else ():
                if self.path.startswith(prefix):
                    route = make(self.path)
                    break
            route = route or site.routes.get(urlsplit(self.path).path)
            if route is None:
                return self._send(404, b"<html><body><h1>Not found</h1></body></html>",
                                  {"Content-Type": "text/html"}), False
            route.hits += 1
            if route.hits <= route.fail_first:
                return self._send(route.fail_status, b"try later",
                                  {"Content-Type": "text/plain", **route.fail_headers}), False
            if route.delay and self._client_left_within(route.delay):
                return 0, True
            headers = {"Content-Type": route.content_type, **route.headers}
            if route.status == 200 and route.conditional:
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                headers["ETag"] = etag
                headers["Last-Modified"] = site.last_modified
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", {"ETag": etag}), False
                if site.honour_if_modified_since \
                        and self.headers.get("If-Modified-Since") == site.last_modified:
                    return self._send(304, b"", {"Last-Modified": site.last_modified}), False
            body = route.body
            if route.gzip:
                body = gzip.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
            if route.hits - route.fail_first <= route.cut_first:
                return self._send_cut(route.status, body, headers), True
            if route.trickle:
                return self._send_slowly(route.status, body, headers, route.trickle)
            return self._send(route.status, body, headers), False

        def _send_cut(self, status: int, body: bytes, headers: dict[str, str]) -> int:
            """Promise the whole body, send half of it, hang up (a connection reset)."""
            self._send(status, b"", {**headers, "Content-Length": str(len(body))}, length=False)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return status

        def _send_slowly(self, status: int, body: bytes, headers: dict[str, str],
                         pause: float) -> tuple[int, bool]:
            """Trickle the body; stop as soon as the client hangs up (its total timeout)."""
            self._send(status, b"", {**headers, "Content-Length": str(len(body))}, length=False)
            for start in range(0, len(body), 256):
                self.wfile.write(body[start:start + 256])
                self.wfile.flush()
                if self._client_left_within(pause):
                    self.close_connection = True
                    return status, True
            self.sent_at = time.monotonic()
            return status, False

        def _client_left_within(self, seconds: float) -> bool:
            """Wait, but notice at once if the client hangs up (its timeout)."""
            readable, _, _ = select.select([self.connection], [], [], seconds)
            if readable:
                try:
                    return self.connection.recv(1, 0) == b""
                except OSError:
                    return True
            return False

        def _send(self, status: int, body: bytes, headers: dict[str, str], *,
                  length: bool = True) -> int:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304 and length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304 and body:
                self.wfile.write(body)
            self.wfile.flush()
            self.sent_at = time.monotonic()  # not later, when this thread gets the GIL back
            return status

    return Handler


# ----------------------------------------------------------------------------- page builders


def paragraphs(seed: str, count: int = 5, words: int = 45) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(words))
        out.append(text[0].upper() + text[1:] + ".")
    return out


def article_html(title: str, url: str, published: str, *, canonical: str | None = None,
                 links: list[str] = (), charset: str = "utf-8", extra_text: str = "",
                 section: str = "World") -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs(title))
    if extra_text:
        body += f"\n<p>{escape(extra_text)}</p>"
    related = "".join(f'<li><a href="{escape(h)}">related story</a></li>' for h in links)
    canonical_tag = f'<link rel="canonical" href="{escape(canonical or url)}">'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="{charset}">
<title>{escape(title)} | Test Gazette</title>
{canonical_tag}
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="{escape(canonical or url)}">
<meta property="og:site_name" content="Test Gazette">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{escape(title)}", "datePublished": "{published}",
"author": {{"@type": "Person", "name": "Sam Writer"}}}}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world/">World</a></nav></header>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">By Sam Writer</p>
<time datetime="{published}">{published[:10]}</time>
{body}
</article>
<aside><ul>{related}</ul></aside></main>
<footer><p>Test Gazette</p></footer>
</body></html>"""


def listing_html(title: str, links: list[tuple[str, str]], *, next_url: str | None = None,
                 extra: str = "") -> str:
    items = "\n".join(f'<li><h3><a href="{escape(h)}">{escape(t)}</a></h3></li>'
                      for h, t in links)
    nxt = f'<a rel="next" class="next" href="{escape(next_url)}">Next page</a>' if next_url else ""
    head_next = f'<link rel="next" href="{escape(next_url)}">' if next_url else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Test Gazette</title>
<meta property="og:type" content="website">{head_next}
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world/">World</a></nav></header>
<main><h1>{escape(title)}</h1><ul>{items}</ul>{nxt}{extra}</main>
<footer><p>Test Gazette</p></footer></body></html>"""


def rss(items: list[tuple[str, str, str]]) -> str:
    """items: (url, title, RFC 822 date)"""
    entries = "\n".join(
        f"<item><title>{escape(t)}</title><link>{escape(u)}</link><pubDate>{d}</pubDate>"
        f"<description>Summary of {escape(t)}</description></item>" for u, t, d in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test Gazette</title><link>/</link>
<description>News</description>{entries}</channel></rss>"""


def atom(items: list[tuple[str, str, str]]) -> str:
    """items: (url, title, ISO date)"""
    entries = "\n".join(
        f'<entry><title>{escape(t)}</title><link rel="alternate" href="{escape(u)}"/>'
        f"<id>{escape(u)}</id><updated>{d}</updated><summary>About {escape(t)}</summary></entry>"
        for u, t, d in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Test Gazette</title>
<id>urn:test</id><updated>2024-05-10T00:00:00Z</updated>{entries}</feed>"""


def urlset(urls: list[tuple[str, str]], *, news: bool = False) -> str:
    """urls: (loc, ISO date)"""
    if news:
        rows = "\n".join(
            f"<url><loc>{escape(u)}</loc><news:news><news:publication><news:name>Test Gazette"
            f"</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{d}</news:publication_date><news:title>Story {i}"
            f"</news:title></news:news></url>" for i, (u, d) in enumerate(urls))
        ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    else:
        rows = "\n".join(f"<url><loc>{escape(u)}</loc><lastmod>{d}</lastmod></url>"
                         for u, d in urls)
        ns = ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>{rows}</urlset>')


def sitemap_index(locs: list[str]) -> str:
    rows = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>')


def gz(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), mtime=0)


# ----------------------------------------------------------------------------- politeness checks


def quick_thread_switches():
    """A fixture body: the test servers are threads of this process, and a response's end is
    logged when its thread gets the GIL back after the last write. A short switch interval
    keeps that lag (which can only make the crawler look less polite than it is) to a
    millisecond."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    yield
    sys.setswitchinterval(before)


def politeness_violations(requests: list[Request], delay: float,
                          disallowed_prefixes: tuple[str, ...] = (), *,
                          robots_first: bool = True) -> list[str]:
    """Problems found in a server log: robots.txt not first, a request that started less
    than `delay` after the previous response to the same host ended (overlap included),
    a disallowed path requested."""
    problems = []
    by_host: dict[str, list[Request]] = {}
    for req in sorted(requests, key=lambda r: r.start):
        by_host.setdefault(req.host, []).append(req)
    for host, reqs in by_host.items():
        if robots_first and reqs and reqs[0].path != "/robots.txt":
            problems.append(f"{host}: first request was {reqs[0].path}, not /robots.txt")
        for prev, nxt in zip(reqs, reqs[1:], strict=False):
            gap = nxt.start - prev.end
            allowed = delay - (ABORT_SLACK if prev.aborted else 0.0)
            if gap < allowed:
                problems.append(f"{host}: {nxt.path} started {gap:.3f}s after {prev.path} "
                                f"ended (< {delay}s)")
        for req in reqs:
            if any(req.path.startswith(p) for p in disallowed_prefixes):
                problems.append(f"{host}: disallowed {req.path} was requested")
    return problems


# ----------------------------------------------------------------------------- the test site


@dataclass
class NewsSite:
    """The standard faulty news site; `expected` are the canonical URLs that must be stored."""

    server: SiteServer
    expected: set[str] = field(default_factory=set)
    never_stored: set[str] = field(default_factory=set)
    disallowed: tuple[str, ...] = ("/private/",)
    cp1252_url: str = ""

    def publish(self, path: str, title: str, published: str) -> str:
        """Add a new article to the site, to /world/ and to the RSS feed (a later run finds it)."""
        url = self.server.url(path)
        self.server.add_page(path, article_html(title, url, published))
        self.expected.add(url)
        world = self.server.routes["/world/"]
        marker = b"<ul>"
        world.body = world.body.replace(marker, marker + f'<li><h3><a href="{path}">{title}</a>'
                                        f"</h3></li>".encode(), 1)
        feed = self.server.routes["/feed.xml"]
        item = (f"<item><title>{title}</title><link>{url}</link>"
                f"<pubDate>{published}</pubDate></item>").encode()
        feed.body = feed.body.replace(b"</description>", b"</description>" + item, 1)
        return url


ARTICLES = {
    # key: (path, title, ISO date)
    "a1": ("/2024/05/10/city-council-approves-new-transport-plan/", "City council approves new transport plan", "2024-05-10T09:00:00+00:00"),
    "a2": ("/2024/05/09/harbour-bridge-repairs-begin-next-week/", "Harbour bridge repairs begin next week", "2024-05-09T09:00:00+00:00"),
    "a3": ("/2024/05/08/schools-prepare-for-exam-season-changes/", "Schools prepare for exam season changes", "2024-05-08T09:00:00+00:00"),
    "a4": ("/2024/05/07/hospital-opens-new-emergency-wing/", "Hospital opens new emergency wing", "2024-05-07T09:00:00+00:00"),
    "a5": ("/2024/05/06/library-extends-weekend-opening-hours/", "Library extends weekend opening hours", "2024-05-06T09:00:00+00:00"),
    "a6": ("/2024/05/05/river-cleanup-volunteers-remove-tonnes-of-waste/", "River cleanup volunteers remove tonnes of waste", "2024-05-05T09:00:00+00:00"),
    "a7": ("/2024/05/04/old-market-hall-to-become-arts-centre/", "Old market hall to become arts centre", "2024-05-04T09:00:00+00:00"),
    "a8": ("/2024/05/03/small-businesses-report-strong-spring-sales/", "Small businesses report strong spring sales", "2024-05-03T09:00:00+00:00"),
    "a9": ("/2024/05/02/rss-only-story-about-cycling-lanes/", "Feed only story about cycling lanes", "2024-05-02T09:00:00+00:00"),
    "a10": ("/2024/05/01/atom-only-story-about-park-benches/", "Atom only story about park benches", "2024-05-01T09:00:00+00:00"),
    "a11": ("/2024/04/30/news-sitemap-story-about-tram-tickets/", "News sitemap story about tram tickets", "2024-04-30T09:00:00+00:00"),
    "a12": ("/2024/04/29/archive-story-from-the-compressed-map/", "Archive story from the gzip sitemap", "2024-04-29T09:00:00+00:00"),
    "flaky": ("/2024/04/28/flaky-story-transient-failure-first/", "Flaky server story succeeds on retry", "2024-04-28T09:00:00+00:00"),
    "busy": ("/2024/04/27/busy-story-rate-limited-once/", "Busy server story limited once", "2024-04-27T09:00:00+00:00"),
    "cp1252": ("/2024/04/26/cafe-story-encoded-in-windows-codepage/", "Café owners say naïve rules hurt trade", "2024-04-26T09:00:00+00:00"),
}


def rfc822(iso: str) -> str:
    from datetime import datetime
    return formatdate(datetime.fromisoformat(iso).timestamp(), usegmt=True)


def build_news_site(server: SiteServer, *, robots: str | None = None,
                    max_body_bytes: int = 200_000) -> NewsSite:
    """Home, two sections (World paginated over 3 pages), RSS and Atom feeds, a sitemap
    index with a news sitemap and a gzip sitemap, robots.txt with Disallow and a Sitemap line,
    and the faults: redirect, redirect loop, 404, transient 503, 429 + Retry-After, a slow
    page, a PDF behind an article-like URL, an oversized page, a windows-1252 page, and
    duplicates through utm parameters, fragments and rel=canonical."""
    site = NewsSite(server)
    u = server.url
    for key, (path, title, date) in ARTICLES.items():
        if key == "cp1252":
            continue
        route = server.add_page(path, article_html(title, u(path), date))
        site.expected.add(u(path))
        if key == "flaky":
            route.fail_first, route.fail_status = 1, 503
        if key == "busy":
            route.fail_first, route.fail_status = 1, 429
            route.fail_headers = {"Retry-After": "1"}
    # windows-1252, charset only in <meta>, no charset in Content-Type
    path, title, date = ARTICLES["cp1252"]
    html = article_html(title, u(path), date, charset="windows-1252",
                        extra_text="The café’s owner – a naïve optimist – said “enough”.")
    server.add_page(path, html.encode("cp1252"), content_type="text/html")
    site.expected.add(u(path))
    site.cp1252_url = u(path)
    a = {k: v[0] for k, v in ARTICLES.items()}
    t = {k: v[1] for k, v in ARTICLES.items()}
    # faults
    slow = "/2024/04/25/slow-story-that-never-finishes-loading/"
    server.add_page(slow, article_html("Slow story", u(slow), "2024-04-25T09:00:00+00:00"),
                    delay=30.0)
    huge = "/2024/04/24/huge-story-with-an-oversized-page/"
    server.add_page(huge, article_html("Huge story", u(huge), "2024-04-24T09:00:00+00:00",
                                       extra_text="padding " * (max_body_bytes // 8 + 100)))
    pdf = "/2024/04/23/report-download-latest-figures-export/"
    server.add_page(pdf, b"%PDF-1.4 " + b"0" * 5000, content_type="application/pdf")
    missing = "/2024/04/22/deleted-story-that-is-now-missing/"
    private = "/private/leaked-budget-story-full-details/"
    server.add_page(private, article_html("Private story", u(private), "2024-04-21T09:00:00+00:00"))
    dup = "/2024/04/20/syndicated-copy-of-harbour-bridge-story/"
    server.add_page(dup, article_html(t["a2"], u(dup), ARTICLES["a2"][2], canonical=u(a["a2"])))
    server.add_redirect("/old/transport-story-moved-permanently/", u(a["a1"]))
    server.add_redirect("/loop/first-hop-of-a-redirect-loop/", "/loop/second-hop-of-a-redirect-loop/",
                        status=302)
    server.add_redirect("/loop/second-hop-of-a-redirect-loop/", "/loop/first-hop-of-a-redirect-loop/",
                        status=302)
    site.never_stored = {u(p) for p in (slow, huge, pdf, missing, private, dup)}
    # listings
    home_links = [
        ("/world/", "World"), ("/business/", "Business"),
        (a["a1"], t["a1"]), (a["a1"] + "?utm_source=home&utm_medium=web", t["a1"]),
        (a["a1"] + "#comments", "Comments"), (a["a2"], t["a2"]), (dup, "Syndicated copy"),
        (private, "Leaked budget"), ("/files/annual-report.pdf", "Annual report (PDF)"),
        (pdf, "Latest figures"), ("/old/transport-story-moved-permanently/", "Old link"),
        ("/loop/first-hop-of-a-redirect-loop/", "Loop"), (missing, "Deleted story"),
        (slow, "Slow story"), (huge, "Huge story"), (a["flaky"], t["flaky"]),
        (a["busy"], t["busy"]), (path, title),
    ]
    server.add_page("/", listing_html("Test Gazette", home_links))
    server.add_page("/world/", listing_html("World", [(a["a3"], t["a3"]), (a["a4"], t["a4"])],
                                            next_url="/world/page/2/"))
    server.add_page("/world/page/2/", listing_html(
        "World, page 2", [(a["a5"], t["a5"]), (a["a6"], t["a6"])], next_url="/world/page/3/"))
    server.add_page("/world/page/3/", listing_html("World, page 3", [(a["a7"], t["a7"])]))
    server.add_page("/business/", listing_html("Business", [(a["a8"], t["a8"]),
                                                            (a["a1"], t["a1"])]))
    server.add_page("/feed.xml", rss([(u(a[k]), t[k], rfc822(ARTICLES[k][2]))
                                      for k in ("a1", "a9")]),
                    content_type="application/rss+xml")
    server.add_page("/atom.xml", atom([(u(a["a10"]), t["a10"], ARTICLES["a10"][2])]),
                    content_type="application/atom+xml")
    server.add_page("/sitemap_index.xml", sitemap_index(
        [u("/sitemap-news.xml"), u("/sitemap-archive.xml.gz")]),
        content_type="application/xml")
    server.add_page("/sitemap-news.xml", urlset([(u(a["a11"]), ARTICLES["a11"][2]),
                                                 (u(a["a3"]), ARTICLES["a3"][2])], news=True),
                    content_type="application/xml")
    server.add_page("/sitemap-archive.xml.gz", gz(urlset([(u(a["a12"]), ARTICLES["a12"][2])])),
                    content_type="application/x-gzip")
    if robots is None:
        robots = (f"User-agent: *\nDisallow: /private/\n\n"
                  f"Sitemap: {u('/sitemap_index.xml')}\n")
    server.add_page("/robots.txt", robots, content_type="text/plain")
    return site


def build_plain_site(server: SiteServer, *, articles: int = 12, per_page: int = 4,
                     robots: str | None = "User-agent: *\nDisallow: /private/\n",
                     traps: bool = False) -> NewsSite:
    """A well-behaved site: home, a paginated /news/ section, an RSS feed; with `traps`, an
    endless day-by-day calendar and an endless ?page=N archive linked from the home page."""
    site = NewsSite(server)
    items = []
    for i in range(articles):
        day = 28 - (i % 28)
        path = f"/news/2024/04/{day:02d}/story-number-{i}-about-local-affairs/"
        title = f"Story number {i} about local affairs"
        date = f"2024-04-{day:02d}T{(i % 24):02d}:00:00+00:00"
        server.add_page(path, article_html(title, server.url(path), date))
        site.expected.add(server.url(path))
        items.append((path, title, date))
    pages = [items[i:i + per_page] for i in range(0, len(items), per_page)]
    for n, chunk in enumerate(pages, start=1):
        path = "/news/" if n == 1 else f"/news/page/{n}/"
        nxt = f"/news/page/{n + 1}/" if n < len(pages) else None
        server.add_page(path, listing_html(f"News, page {n}", [(p, t) for p, t, _ in chunk],
                                           next_url=nxt))
    home = [("/news/", "News")] + [(p, t) for p, t, _ in items[:3]]
    if traps:
        home += [("/events/day/1/", "Events calendar"), ("/archive?page=1", "Archive")]
        server.dynamic.append(("/events/day/", _calendar_day))
        server.dynamic.append(("/archive", _archive_page))
    server.add_page("/", listing_html("Plain Times", home))
    server.add_page("/feed.xml", rss([(server.url(p), t, rfc822(d)) for p, t, d in items[:3]]),
                    content_type="application/rss+xml")
    if robots is not None:
        server.add_page("/robots.txt", robots, content_type="text/plain")
    return site


def _calendar_day(path: str) -> Route:
    n = int(path.rstrip("/").rsplit("/", 1)[-1] or 0)
    html = listing_html(f"Events on day {n}", [], next_url=f"/events/day/{n + 1}/")
    return Route(body=html.encode())


def _archive_page(path: str) -> Route:
    n = int(path.rsplit("=", 1)[-1]) if "=" in path else 1
    html = listing_html(f"Archive page {n}", [], next_url=f"/archive?page={n + 1}")
    return Route(body=html.encode())
