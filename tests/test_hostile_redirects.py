"""Hostile redirects and URLs (make stress, issue 11): loops, chains of 50, file:/ftp:/data:/
javascript: targets, relative, protocol-relative and invalid Locations, CR/LF in Location, a
robots.txt that redirects to another host, and odd links on a page. Each case crawls a two-host
scene with the real `scraper crawl` (see tests/stress_harness.py)."""

from __future__ import annotations

import pytest

from .stress_harness import (
    Scene,
    crawl_case,
    expect_reason,
    page,
    query,
    redirect,
    response,
    static,
    story,
)

FAMILY = "redirect"
R = "/news/2024/05/03/story-that-moved-somewhere-else/"
TARGET = "/news/2024/05/04/the-story-at-the-end-of-the-redirects/"
TITLE = "The story at the end of the redirects"


def _redirect_case(s: Scene, location: str | bytes, *reasons: str, stored_url: str | None = None):
    s.bad.routes[R] = redirect(location)
    s.bad_links = [R]

    def check(run):
        reason, problems = expect_reason(s, R, *reasons)
        if stored_url and stored_url not in s.stored():
            problems.append(f"the redirect's target {stored_url} was not stored ({reason})")
        return reason, problems
    return check


def _target(s: Scene) -> str:
    url = s.bad.url(TARGET)
    s.bad.routes[TARGET] = page(story(TITLE, url))
    return url


def case_redirect_loop(s: Scene):
    s.bad.routes["/r/b"] = redirect(R)
    return _redirect_case(s, "/r/b", "too_many_redirects", "redirect_loop")


def case_redirect_to_itself(s: Scene):
    return _redirect_case(s, R, "too_many_redirects", "redirect_loop")


def case_redirect_chain_of_50(s: Scene):
    for i in range(1, 50):
        s.bad.routes[f"/r/{i}"] = redirect(f"/r/{i + 1}")
    s.bad.routes["/r/50"] = redirect(TARGET)
    _target(s)
    check = _redirect_case(s, "/r/1", "too_many_redirects")

    def hops(run):
        reason, problems = check(run)
        if s.bad.hits("/r/") > 31:  # max_redirects is at most 30
            problems.append(f"{s.bad.hits('/r/')} hops followed")
        return reason, problems
    return hops


def case_redirect_chain_of_9_kept(s: Scene):
    """Within the limit (10): followed to the story."""
    for i in range(1, 9):
        s.bad.routes[f"/r/{i}"] = redirect(f"/r/{i + 1}")
    s.bad.routes["/r/9"] = redirect(TARGET)
    url = _target(s)
    return _redirect_case(s, "/r/1", stored_url=url)


def case_redirect_to_file(s: Scene):
    return _redirect_case(s, "file:///etc/passwd", "bad_scheme")


def case_redirect_to_ftp(s: Scene):
    return _redirect_case(s, "ftp://127.0.0.1/pub/story.html", "bad_scheme")


def case_redirect_to_data(s: Scene):
    return _redirect_case(s, "data:text/html;base64,PGgxPmhpPC9oMT4=", "bad_scheme", "bad_url")


def case_redirect_to_javascript(s: Scene):
    return _redirect_case(s, "javascript:alert(document.cookie)", "bad_scheme", "bad_url")


def case_redirect_relative(s: Scene):
    url = _target(s)
    return _redirect_case(s, "../../04/the-story-at-the-end-of-the-redirects/", stored_url=url)


def case_redirect_protocol_relative(s: Scene):
    path = "/news/2024/05/04/second-story-on-the-good-host/"
    url = s.good.url(path)
    s.good.routes[path] = page(story("Second story on the good host", url))
    return _redirect_case(s, f"//127.0.0.2:{s.good.port}{path}", stored_url=url)


def case_redirect_invalid_ipv6(s: Scene):
    return _redirect_case(s, "http://[::1/news/x", "bad_redirect")


def case_redirect_port_out_of_range(s: Scene):
    return _redirect_case(s, "http://127.0.0.1:99999/news/x", "bad_redirect")


def case_redirect_empty_location(s: Scene):
    return _redirect_case(s, "", "redirect_without_location", "bad_redirect")


def case_redirect_location_1mb(s: Scene):
    return _redirect_case(s, "/news/" + "a" * 1_000_000)


def case_crlf_in_location(s: Scene):
    """A bare CR inside the Location value, then a header smuggled after it."""
    url = _target(s)
    check = _redirect_case(s, TARGET.encode() + b"\rX-Injected: 1")

    def smuggled(run):
        reason, problems = check(run)
        if any("\r" in p or "\n" in p for p in s.bad.paths):
            problems.append("a request line carried a raw CR/LF")
        return reason, problems
    del url
    return smuggled


def case_lf_in_location(s: Scene):
    """A bare LF ends the header line (as HTTP parsers read it): the rest is another header,
    and the Location before it is followed."""
    url = _target(s)
    return _redirect_case(s, TARGET.encode() + b"\nSet-Cookie: injected=1", stored_url=url)


def case_encoded_crlf_in_location(s: Scene):
    check = _redirect_case(s, "/news/2024/05/04/x%0D%0ASet-Cookie:%20injected=1/")

    def raw(run):
        reason, problems = check(run)
        if any("\r" in p or "\n" in p for p in s.bad.paths):
            problems.append("a request line carried a raw CR/LF")
        return reason, problems
    return raw


def case_redirect_offsite(s: Scene):
    return _redirect_case(s, "http://127.0.0.3:9/news/2024/05/04/elsewhere-story/")


def case_header_flood(s: Scene):
    headers = [(f"X-Flood-{i}", "v" * 50) for i in range(10_000)]
    s.bad.routes[R] = static(response(200, story(TITLE, s.bad.url(R)).encode(), headers=headers))
    s.bad_links = [R]
    return lambda run: expect_reason(s, R)


# -- robots.txt redirects


def case_robots_redirects_to_other_host(s: Scene):
    """The bad host's robots.txt moved to the good host, where it disallows /private/:
    those rules hold for the bad host, and no private page is fetched."""
    s.bad.routes["/robots.txt"] = redirect(s.good.url("/robots-for-the-other-host.txt"), 301)
    s.good.routes["/robots-for-the-other-host.txt"] = page(
        b"User-agent: *\nDisallow: /private/\n", "text/plain")
    private = "/private/2024/05/04/a-story-behind-the-rules/"
    s.bad.routes[private] = page(story("A story behind the rules", s.bad.url(private)))
    url = _target(s)
    s.bad_links = [private, TARGET]

    def check(run):
        problems = []
        if s.bad.hits("/private/"):
            problems.append("a page the redirected robots.txt disallows was fetched")
        if not s.good.hits("/robots-for-the-other-host.txt"):
            problems.append("the redirected robots.txt was never read")
        if url not in s.stored():
            problems.append("an allowed story on the host was not stored")
        reason = s.reason_of(private) or ""
        return reason, problems
    return check


def case_robots_redirect_loop(s: Scene):
    s.bad.routes["/robots.txt"] = redirect("/robots.txt", 301)
    s.bad_links = [TARGET]
    _target(s)
    return lambda run: ("robots.txt loop", [])


def case_robots_redirects_to_file(s: Scene):
    s.bad.routes["/robots.txt"] = redirect("file:///etc/passwd", 301)
    s.bad_links = [TARGET]
    _target(s)
    return lambda run: ("robots.txt to file:", [])


# -- odd links on a page


ODD_HREFS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<h1>x</h1>",
             "file:///etc/passwd", "ftp://127.0.0.1/x", "mailto:a@b.c", "tel:+441234",
             "vbscript:msgbox", "about:blank", "chrome://settings", "view-source:http://x/",
             "ws://127.0.0.1/x", "\x00", "%%%", "http://[::1", "http://127.0.0.1:99999/",
             "http:///no-host", "http://exa mple.com/x", "//", "http://user:pw@127.0.0.1/x",
             "\\\\server\\share", "http://" + "x" * 300 + ".example/"]


def case_odd_scheme_and_invalid_links(s: Scene):
    url = _target(s)
    links = "".join(f'<a href="{h}">odd</a>' for h in ODD_HREFS)
    s.bad.routes["/"] = page(f'<html><body>{links}<a href="{TARGET}">{TITLE}</a></body></html>')

    def check(run):
        odd = [u for (u,) in query(s.db, "SELECT url FROM frontier")
               if not u.startswith(("http://", "https://"))]
        problems = [f"queued: {odd[:3]}"] if odd else []
        if url not in s.stored():
            problems.append("the ordinary link beside the odd ones was not stored")
        return f"{len(ODD_HREFS)} odd links ignored", problems
    return check


def case_relative_links(s: Scene):
    """../, ./, protocol-relative and <base href> forms all reach their stories."""
    rel = "/news/2024/05/04/relative-link-story/"
    proto = "/news/2024/05/04/protocol-relative-link-story/"
    urls = [s.bad.url(rel), s.good.url(proto)]
    s.bad.routes[rel] = page(story("Relative link story", urls[0]))
    s.good.routes[proto] = page(story("Protocol relative link story", urls[1]))
    s.bad.routes["/section/deep/"] = page(
        f'<html><body><a href="../../news/2024/05/04/./relative-link-story/">r</a>'
        f'<a href="//127.0.0.2:{s.good.port}{proto}">p</a></body></html>')
    s.bad_links = ["/section/deep/"]

    def check(run):
        missing = [u for u in urls if u not in s.stored()]
        return "relative links resolved", [f"not stored: {missing}"] if missing else []
    return check


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_redirects(name, tmp_path):
    row = crawl_case(name, FAMILY, CASES[name], tmp_path)
    assert row.problems == [], f"{name}: {row.outcome}: {row.problems}"
