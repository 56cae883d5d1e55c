"""An adversarial two-host news site, built independently of sitesim's standard site.

"www" (127.0.0.1) carries the sections; "news" (127.0.0.2, another host of the same site)
carries live stories linked across from www. Markup, URL shapes and faults differ from
`build_news_site` on purpose: the crawler's author did not write against this site.

Identity traps: trailing-slash-less links (answered with a 301), /index.html, utm and #
variants, ?ref= links, a 3-hop redirect chain, an off-site canonical, a relative canonical on
a print copy, a canonical carrying utm parameters, og:url set to the home page, AMP copies
(/amp/ suffix) linked from listings and advertised by rel=amphtml.
Crawl traps: sort/filter facets that compound (?sort=..&filter=..), a month archive with
prev/next both ways for ever, a "last page" link to /page/999999/ and deep empty pages, a
sitemap index listing itself, an XML bomb sitemap, a big archive sitemap of deleted pages.
Faults: robots.txt with a group for our token (the * group disallows everything), Allow
inside a Disallow, wildcards and `$`; the news host's robots.txt redirecting to www's;
410, 403, a 500 that never recovers, 503 with Retry-After as an HTTP date, a reset halfway
through the body, a body trickling past the total timeout, gzip Content-Encoding, invalid
UTF-8, a page without <html>/<head>/<body>, the RSS feed served as text/html, a soft 404,
a topic hub with paragraphs of prose, a listing whose URL looks like an article.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape

from protego import Protego

from .sitesim import Route, SiteServer, paragraphs

UA = "testbot/1.0 (+mailto:adversary@example.org)"
SECTIONS = ("politics", "sport", "culture")


@dataclass
class Adversary:
    www: SiteServer
    news: SiteServer
    expected: set[str] = field(default_factory=set)  # canonical URLs that must be stored
    robots: dict[str, str] = field(default_factory=dict)  # netloc -> robots.txt in force
    stories: list[tuple[str, str, str]] = field(default_factory=list)  # (url, title, iso)
    rng: random.Random = field(default_factory=lambda: random.Random(11))

    def robots_violations(self, log) -> list[str]:
        """Requests the robots.txt in force for their host disallows (checked by protego)."""
        out = []
        for req in log:
            rules = self.robots.get(req.host)
            if req.path == "/robots.txt" or rules is None:
                continue
            if not Protego.parse(rules).can_fetch(f"http://{req.host}{req.path}", "testbot"):
                out.append(f"{req.host}{req.path}")
        return out

    def publish(self, server: SiteServer, path: str, title: str, iso: str) -> str:
        """A new story: on its host, at the top of www's first section page and in the feed."""
        url = server.url(path)
        server.add_page(path, story_html(title, url, iso, self.www.url("/")))
        self.expected.add(url)
        for route_path, marker, item in (
                (f"/{SECTIONS[0]}/", b"<ol class=\"river\">",
                 f'<li><a href="{url}">{escape(title)}</a></li>'.encode()),
                ("/rss/", b"<language>en</language>", _rss_item(url, title, iso).encode())):
            route = self.www.routes[route_path]
            route.body = route.body.replace(marker, marker + item, 1)
        return url


# ----------------------------------------------------------------------------- markup


def story_html(title: str, url: str, iso: str, home: str, *, canonical: str | None = "self",
               og_url: str | None = None, amphtml: str | None = None,
               head_extra: str = "", words: int = 40) -> str:
    """A story page unlike sitesim's: no <article>, a div.story-body, byline in a span."""
    canonical = url if canonical == "self" else canonical
    tags = [f'<meta property="og:title" content="{escape(title)}">',
            '<meta property="og:type" content="article">']
    if canonical:
        tags.append(f'<link rel="canonical" href="{escape(canonical)}">')
    if og_url:
        tags.append(f'<meta property="og:url" content="{escape(og_url)}">')
    if amphtml:
        tags.append(f'<link rel="amphtml" href="{escape(amphtml)}">')
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs(title.removesuffix(" (AMP)"), 6, words))
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>{escape(title)} - The Adversary</title>{''.join(tags)}{head_extra}
<meta name="pubdate" content="{iso}"></head><body>
<div class="masthead"><a href="{escape(home)}">The Adversary</a>
<ul class="menu">{''.join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)}</ul></div>
<div class="wrap"><h1 class="story-title">{escape(title)}</h1>
<span class="author">By Robin Quill</span> <span class="when">{iso[:10]}</span>
<div class="story-body">{body}</div>
<div class="share"><a href="?share=twitter">Share</a></div></div>
<div class="foot">© The Adversary. <a href="/about/">About us</a></div></body></html>"""


def river_html(title: str, items: list[tuple[str, str]], *, nav: str = "",
               intro: str = "") -> str:
    lis = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in items)
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>{escape(title)} - The Adversary</title></head><body>
<div class="masthead"><a href="/">The Adversary</a>
<ul class="menu">{''.join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)}</ul></div>
<h1>{escape(title)}</h1>{intro}<ol class="river">{lis}</ol>{nav}
<div class="foot">© The Adversary. <a href="/about/">About us</a></div></body></html>"""


def _rss_item(url: str, title: str, iso: str) -> str:
    from datetime import datetime
    date = formatdate(datetime.fromisoformat(iso).timestamp(), usegmt=True)
    return f"<item><title>{escape(title)}</title><link>{escape(url)}</link><pubDate>{date}</pubDate></item>"


def _facets(path: str, query: str) -> str:
    """Sort and filter links that compound with whatever the current query already is."""
    joiner = "&" if query else "?"
    base = path + (("?" + query) if query else "")
    links = [f'<a href="{escape(base + joiner)}sort={s}">{s}</a>' for s in ("new", "old", "top")]
    links += [f'<a href="{escape(base + joiner)}filter={f}">{f}</a>' for f in ("video", "long")]
    links.append(f'<a href="{escape(path)}?ref=facets">reset</a>')
    return f'<div class="facets">{" ".join(links)}</div>'


# ----------------------------------------------------------------------------- the site


def build_adversary_site(www: SiteServer, news: SiteServer, *, stories: int = 45,
                         archive_urls: int = 300) -> Adversary:
    site = Adversary(www, news)
    rng = site.rng
    home = www.url("/")
    river: dict[str, list[tuple[str, str]]] = {s: [] for s in SECTIONS}
    feed_items: list[str] = []
    sitemap_rows: list[str] = []
    for i in range(stories):
        section = SECTIONS[i % 3]
        day = 28 - i % 28
        iso = f"2024-06-{day:02d}T{i % 24:02d}:15:00+00:00"
        title = f"{section.title()} report {i}: councillors weigh a new plan for the harbour"
        on_news = i % 5 == 4
        server = news if on_news else www
        path = (f"/live/{section}-report-{i}-harbour-plan-{100000 + i}" if on_news
                else f"/{section}/2024/06/{day:02d}/report-{i}-harbour-plan/")
        url = server.url(path)
        link, page = _story_variant(site, server, i, path, url, title, iso, home)
        server.add_page(path, page)
        site.expected.add(url)
        site.stories.append((url, title, iso))
        river[section].append((link, title))
        if i % 7 == 0:
            feed_items.append(_rss_item(url, title, iso))
        if i % 2 == 0:
            sitemap_rows.append(f"<url><loc>{escape(url)}</loc><lastmod>{iso}</lastmod></url>")
        if not on_news and i % 9 != 3:  # servers answer the slash-less form with a 301
            www.add_redirect(path.rstrip("/"), path)
    _faults(site, river, home)
    _listings(site, river)
    _feeds_and_sitemaps(site, feed_items, sitemap_rows, archive_urls)
    _robots(site)
    rng.shuffle(river[SECTIONS[0]])  # not in date order: newest-first must not rely on it
    return site


def _story_variant(site: Adversary, server: SiteServer, i: int, path: str, url: str,
                   title: str, iso: str, home: str) -> tuple[str, str]:
    """(how the listing links to the story, the story's HTML) for story number i."""
    www = site.www
    kind = i % 9
    if kind == 0:  # listing links the AMP copy; the AMP copy's canonical is the story
        amp = path.rstrip("/") + "/amp/"
        server.add_page(amp, story_html(title + " (AMP)", server.url(amp), iso, home,
                                        canonical=url))
        return server.url(amp), story_html(title, url, iso, home, amphtml=server.url(amp))
    if kind == 1:  # canonical off-site (syndication partner): ignored, own URL kept
        return url + "?utm_source=hp&utm_medium=river#top", story_html(
            title, url, iso, home, canonical=f"https://partner.example.com/syndicated/{i}")
    if kind == 2:  # og:url is the home page and there is no rel=canonical (a CMS bug)
        return url, story_html(title, url, iso, home, canonical=None, og_url=home)
    if kind == 3:  # only through a 3-hop redirect chain, slash-less, mixed-case scheme
        www.add_redirect(f"/go/{i}", f"/r/{i}/")
        www.add_redirect(f"/r/{i}/", url.replace("http://", "HTTP://"))
        return www.url(f"/go/{i}"), story_html(title, url, iso, home)
    if kind == 4:  # canonical carries utm parameters; listing link has ?ref=
        return url + "?ref=river", story_html(title, url, iso, home,
                                              canonical=url + "?utm_source=canonical")
    if kind == 5:  # a print copy with a relative canonical, linked from the story
        prn = path.rstrip("/") + "/print/"
        server.add_page(prn, story_html(title, server.url(prn), iso, home, canonical=path))
        server.add_page(path.rstrip("/") + "/index.html", story_html(title, url, iso, home))
        return url.rstrip("/") + "/index.html", story_html(
            title, url, iso, home, head_extra=f'<link rel="alternate" media="print" href="{prn}">'
        ).replace('<div class="foot">', f'<a href="{prn}">Print</a><div class="foot">')
    if kind == 6 and path.endswith("/"):  # slash-less link, answered with a 301
        return url.rstrip("/"), story_html(title, url, iso, home)
    if kind == 7:  # a fragment and a click id
        return url + "?fbclid=abc123#comments", story_html(title, url, iso, home)
    return url, story_html(title, url, iso, home)


def _faults(site: Adversary, river: dict[str, list[tuple[str, str]]], home: str) -> None:
    www, news = site.www, site.news
    iso = "2024-06-02T08:00:00+00:00"

    def story(server: SiteServer, path: str, title: str, **route) -> str:
        url = server.url(path)
        server.add_page(path, story_html(title, url, iso, home), **route)
        return url

    later = formatdate(0, usegmt=True)  # an HTTP date in the past: retry at once
    faulty = {
        # stored after a recoverable fault
        "retry-after-date": story(www, "/politics/2024/06/02/retry-after-date-story/",
                                  "Ferry timetable changes after a long consultation",
                                  fail_first=1, fail_status=503,
                                  fail_headers={"Retry-After": later}),
        "reset": story(www, "/sport/2024/06/02/connection-reset-story/",
                       "Rowing club wins the regional title again", cut_first=1),
        "gzip": story(news, "/live/gzip-encoded-story-about-tides-200001",
                      "Tide tables revised after the winter storms", gzip=True),
    }
    bad_utf8 = "/culture/2024/06/02/story-with-broken-bytes/"
    page = story_html("Choir festival returns to the old cathedral", www.url(bad_utf8), iso,
                      home).encode().replace(b"festival returns", b"festival \xff\xfe returns")
    www.add_page(bad_utf8, page)
    faulty["bad-utf8"] = www.url(bad_utf8)
    bare = "/culture/2024/06/02/story-without-html-wrapper/"
    text = story_html("Market traders fight a rent rise", www.url(bare), iso, home)
    text = re.sub(r"</?(html|head|body)[^>]*>|<!DOCTYPE html>", "", text)
    www.add_page(bare, text)
    faulty["no-wrapper"] = www.url(bare)
    site.expected |= set(faulty.values())
    # never stored: gone, forbidden, broken for good, too slow, soft 404
    dead = {
        "/politics/2024/06/01/withdrawn-story-gone/": Route(status=410, body=b"Gone"),
        "/politics/2024/06/01/subscriber-only-story/": Route(status=403, body=b"Forbidden"),
        "/sport/2024/06/01/story-whose-server-keeps-failing/": Route(status=500, body=b"oops"),
        "/culture/2024/06/01/story-that-trickles-forever/": Route(
            body=story_html("Slow", "x", iso, home).encode(), trickle=0.15),
    }
    for path, route in dead.items():
        www.add(path, route)
    soft = "/sport/2024/06/01/story-that-was-removed/"
    www.add_page(soft, river_html("Page not found", [
        ("/", "Go to the home page"), ("/sport/", "Sport")],
        intro="<p>Sorry, the page you were looking for could not be found. It may have been "
              "moved or deleted.</p>"))
    links = list(faulty.items()) + [(p, p) for p in dead] + [(soft, "removed")]
    for n, (label, target) in enumerate(links):
        river[SECTIONS[n % 3]].append((target, f"Breaking: {label} story number {n}"))
    # a topic hub whose slug looks like a story, with prose, linking to stories
    hub = "/cost-of-living-crisis-our-full-coverage/"
    intro = "".join(f"<p>{p}</p>" for p in paragraphs("hub", 3, 50))
    www.add_page(hub, river_html("Cost of living crisis: our full coverage",
                                 river[SECTIONS[1]][:12], intro=intro))
    river[SECTIONS[2]].append((hub, "Cost of living: full coverage"))


def _listings(site: Adversary, river: dict[str, list[tuple[str, str]]]) -> None:
    www, news = site.www, site.news
    per_page = 8
    for section, items in river.items():
        pages = [items[j:j + per_page] for j in range(0, len(items), per_page)]
        for n, chunk in enumerate(pages, start=1):
            path = f"/{section}/" if n == 1 else f"/{section}/page/{n}/"
            nums = " ".join(f'<a href="/{section}/page/{k}/">{k}</a>'
                            for k in range(1, len(pages) + 1))
            nav = (f'<div class="pager">{nums} … <a href="/{section}/page/999999/">999999</a>'
                   + (f' <a href="/{section}/page/{n + 1}/">Older »</a>' if n < len(pages)
                      else "") + "</div>")
            www.add_page(path, river_html(f"{section.title()} - page {n}", chunk,
                                          nav=nav + _facets(path, "")))
        www.dynamic.append((f"/{section}/", _endless_listing(section, len(pages))))
    # the month archive: prev and next both ways for ever
    www.dynamic.append(("/archive/", _month_archive))
    home_items = [(f"/{s}/", s.title()) for s in SECTIONS]
    home_items += [("/archive/2024/06/", "June archive"), ("/search?q=harbour", "Search"),
                   ("/members/area/", "Members"), ("/members/free-trial-offer-story/", "Free"),
                   (news.url("/"), "Live"), (news.url("/latest/"), "Latest")]
    home_items += [(u, t) for u, t, _ in site.stories[:4]]
    www.add_page("/", river_html("The Adversary", home_items, nav=_facets("/", "")))
    free = "/members/free-trial-offer-story/"
    www.add_page(free, story_html("Members can now read the harbour files for free",
                                  www.url(free), "2024-06-03T07:00:00+00:00", www.url("/")))
    site.expected.add(www.url(free))
    www.add_page("/members/area/", story_html("Secret", www.url("/members/area/"),
                                              "2024-06-03T07:00:00+00:00", www.url("/")))
    draft = "/live/unpublished-story-about-the-budget-draft"
    news.add_page(draft, story_html("Draft", news.url(draft), "2024-06-03T07:00:00+00:00",
                                    www.url("/")))
    news.add_page("/", river_html("Live", [(u, t) for u, t, _ in site.stories
                                           if u.startswith(news.base)][:3] + [(draft, "d")]))
    news.add_page("/latest/", river_html("Live", [(u, t) for u, t, _ in site.stories
                                                 if u.startswith(news.base)]))


def _endless_listing(section: str, real_pages: int):
    def make(path: str) -> Route | None:
        m = re.fullmatch(rf"/{section}/page/(\d+)/(\?.*)?", path)
        if m is None:
            q = re.fullmatch(rf"/{section}/\?(.*)", path)
            if q is None:
                return None
            return Route(body=river_html(f"{section} sorted", [], nav=_facets(
                f"/{section}/", q.group(1))).encode())
        n = int(m.group(1))
        if n == 1:
            return Route(status=301, headers={"Location": f"/{section}/"})
        if n <= real_pages:
            return None
        nav = (f'<a href="/{section}/page/{n - 1}/">« Newer</a> '
               f'<a href="/{section}/page/{n + 1}/">Older »</a>')
        return Route(body=river_html(f"{section} page {n}", [], nav=nav).encode())
    return make


def _month_archive(path: str) -> Route | None:
    m = re.fullmatch(r"/archive/(\d{4})/(\d\d)/", path)
    if m is None:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = (year, month + 1) if month < 12 else (year + 1, 1)
    nav = (f'<a href="/archive/{prev[0]}/{prev[1]:02d}/">‹ {prev[0]}-{prev[1]:02d}</a> '
           f'<a href="/archive/{nxt[0]}/{nxt[1]:02d}/">{nxt[0]}-{nxt[1]:02d} ›</a>')
    return Route(body=river_html(f"Archive {year}-{month:02d}", [], nav=nav).encode())


def _feeds_and_sitemaps(site: Adversary, feed_items: list[str], rows: list[str],
                        archive_urls: int) -> None:
    www, news = site.www, site.news
    # RSS served as text/html, with a feed-only story
    only = "/culture/2024/06/29/feed-only-story-about-the-lighthouse/"
    title = "Lighthouse keeper's cottage to open as a museum"
    www.add_page(only, story_html(title, www.url(only), "2024-06-29T06:00:00+00:00",
                                  www.url("/")))
    site.expected.add(www.url(only))
    items = [_rss_item(www.url(only) + "?utm_source=rss", title, "2024-06-29T06:00:00+00:00")]
    www.add_page("/rss/", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                 "<title>The Adversary</title><link>/</link><language>en</language>"
                 + "".join(items + feed_items) + "</channel></rss>",
                 content_type="text/html; charset=utf-8")
    # a sitemap-only story on the news host
    smo = "/live/sitemap-only-story-on-ferries-300001"
    news.add_page(smo, story_html("Ferry operator adds a winter route", news.url(smo),
                                  "2024-06-27T06:00:00+00:00", www.url("/")))
    site.expected.add(news.url(smo))
    rows = rows + [f"<url><loc>{news.url(smo)}</loc><lastmod>2024-06-27</lastmod></url>"]
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    www.add_page("/sitemap-posts.xml", f'<?xml version="1.0"?><urlset {ns}>{"".join(rows)}</urlset>',
                 content_type="application/xml")
    old = "".join(f"<url><loc>{www.url(f'/2011/03/{k % 28 + 1:02d}/deleted-old-post-{k}/')}</loc>"
                  f"<lastmod>2011-03-{k % 28 + 1:02d}</lastmod></url>" for k in range(archive_urls))
    www.add_page("/sitemap-archive.xml", f'<?xml version="1.0"?><urlset {ns}>{old}</urlset>',
                 content_type="application/xml")
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{k} "{("&lol" + str(k - 1) + ";") * 10 if k > 1 else "&lol;" * 10}">'
                      for k in range(1, 10))
            + f']><urlset {ns}><url><loc>&lol9;</loc></url></urlset>')
    www.add_page("/sitemap-bomb.xml", bomb, content_type="application/xml")
    index = "".join(f"<sitemap><loc>{www.url(p)}</loc></sitemap>" for p in (
        "/sitemap.xml", "/sitemap-posts.xml", "/sitemap-bomb.xml", "/sitemap-archive.xml"))
    www.add_page("/sitemap.xml", f'<?xml version="1.0"?><sitemapindex {ns}>{index}</sitemapindex>',
                 content_type="application/xml")


def _robots(site: Adversary) -> None:
    www, news = site.www, site.news
    rules = ("User-agent: *\nDisallow: /\n\n"
             "User-agent: otherbot\nAllow: /\n\n"
             "User-agent: TestBot\n"
             "Disallow: /search\n"
             "Disallow: /members/\n"
             "Allow: /members/free-\n"
             "Disallow: /*?share=\n"
             "Disallow: /live/*-draft$\n"
             "Disallow: /*?sort=\n"
             "Disallow: /*&sort=\n"
             "\nSitemap: /sitemap.xml\n")
    www.add_page("/robots.txt", rules, content_type="text/plain")
    # the news host shares www's robots.txt through a cross-host redirect
    news.add_redirect("/robots.txt", www.url("/robots.txt"))
    site.robots = {www.netloc: rules, news.netloc: rules}
