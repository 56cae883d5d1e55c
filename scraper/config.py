"""Settings: config/*.toml -> `models.Config`. Every check lives here; all problems at once.

`CRAWL_SETTINGS` and `SITE_SETTINGS` are the one table of settings: key, type, default (taken
from the dataclasses in models.py, so there is exactly one default per key) and help text.
The README's settings table is generated from them (`settings_markdown()`).

    [crawl]
    user_agent = "scraper/0.1 (+https://example.org/contact)"
    per_host_delay = 1.0
    ...
    [[sites]]
    name = "example"
    start_urls = ["https://www.example.com/"]

`load_config(path)` raises `ConfigError` listing every problem with its key path, e.g.
`sites[1].start_urls[0]: not an http(s) URL: 'ftp://x'`; the CLI maps it to exit code 2.

Beyond types, a value must be finite (TOML allows `nan` and `inf`: a NaN delay once passed
every minimum check and gave 5 ms between requests to one host) and within the range in the
settings table (the README shows it): an absurd `concurrency` or `max_body_bytes` is a typo,
not a wish. The file must be UTF-8, the user agent printable ASCII (it is sent as a header),
and URLs carry no credentials (they would be sent to every page; the message masks them).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .models import SELECTOR_FIELDS, Config, CrawlConfig, SiteConfig

log = logging.getLogger(__name__)

__all__ = [
    "CRAWL_SETTINGS",
    "SITE_SETTINGS",
    "ConfigError",
    "Setting",
    "load_config",
    "parse_config",
    "settings_markdown",
]


class ConfigError(Exception):
    """The configuration is invalid. `problems` lists each one as 'key.path: message'."""

    def __init__(self, problems: list[str], source: str = "config") -> None:
        self.problems = tuple(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Setting:
    """One documented key: its TOML type ('str', 'int', 'float', 'urls', 'hosts', ...)."""

    key: str
    kind: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    optional: bool = False  # may be absent / null-like (no value means "no limit")


CRAWL_SETTINGS: tuple[Setting, ...] = (
    Setting("user_agent", "str", "User-Agent sent with every request and matched against "
            "robots.txt; include a way to contact you (printable ASCII)."),
    Setting("per_host_delay", "float", "Seconds from the end of one response to the start of "
            "the next request to the same host.", minimum=0.0, maximum=3600.0),
    Setting("concurrency", "int", "Requests in flight overall (never more than one per host).",
            minimum=1, maximum=256),
    Setting("timeout", "float", "Total seconds allowed per request, body and redirects "
            "included.", minimum=0.1, maximum=600.0),
    Setting("max_pages_per_site", "int", "Fetches per site per run (robots.txt, feeds and "
            "pages count; sitemaps have their own budget, max_sitemaps_per_site); what is left "
            "waits for the next run.", minimum=1, maximum=1_000_000),
    Setting("max_sitemaps_per_site", "int", "Sitemap fetches per site per run, apart from "
            "the page budget (an index child is fetched again only when its lastmod is newer "
            "than our last read of it). An index queues only the children the budget can "
            "still fetch, the newest lastmod first; the others wait for the index's next "
            "read.", minimum=1, maximum=100_000),
    Setting("max_article_age", "float", "Days: a sitemap URL (or index child) whose lastmod "
            "or news:publication_date is older than this is not queued, so an hourly crawl "
            "does not walk a publisher's whole archive; 0 walks the archive (no limit).",
            minimum=0.0, maximum=36_600.0),
    Setting("max_sitemap_bytes", "int", "Largest sitemap body, decoded (the sitemaps "
            "protocol allows 50 MB uncompressed); larger ones fail with 'too_large'.",
            minimum=1024, maximum=200_000_000),
    Setting("max_depth", "int", "Link hops from a start page, feed or sitemap beyond which "
            "listing pages are no longer fetched (articles linked from a fetched page are).",
            minimum=0, maximum=100),
    Setting("max_pagination", "int", "Pages of one paginated listing followed per run (page 2, "
            "3, ... keep the depth of page 1; cursor-style next links count as a hop).",
            minimum=0, maximum=1000),
    Setting("max_body_bytes", "int", "Largest response body downloaded; larger ones are "
            "aborted with error 'too_large'.", minimum=1024, maximum=100_000_000),
    Setting("max_redirects", "int", "Redirects followed per request before giving up with "
            "'too_many_redirects'.", minimum=0, maximum=30),
    Setting("max_crawl_delay", "float", "Cap on a robots.txt Crawl-delay and on a Retry-After "
            "honoured within a run (a longer Retry-After parks the host until the next run).",
            minimum=0.0, maximum=3600.0),
    Setting("retries", "int", "Retries of one URL after a transient failure (timeouts, "
            "connection errors, 408/429/500/502/503/504).", minimum=0, maximum=10),
    Setting("retry_budget", "int", "Retries allowed in one run, all sites together.",
            minimum=0, maximum=100_000),
    Setting("revisit_after", "float", "Seconds before a known article page is fetched again.",
            minimum=0.0, maximum=31_622_400.0),
    Setting("robots_cache_ttl", "float", "Seconds a fetched robots.txt is reused (at most 24 h).",
            minimum=0.0, maximum=86_400.0),
    Setting("max_duration", "float", "Seconds after which a run stops gracefully (the rest of "
            "the frontier waits for the next run); omit it for no limit (TOML has no null).",
            minimum=1.0, maximum=604_800.0, optional=True),
)

SITE_SETTINGS: tuple[Setting, ...] = (
    Setting("name", "name", "Short unique name of the site (used by --site and in the "
            "summary).", required=True),
    Setting("start_urls", "urls", "Home and section pages; fetched every run (like every URL "
            "here: http or https, no credentials).", required=True),
    Setting("feeds", "urls", "RSS or Atom feed URLs; fetched every run."),
    Setting("sitemaps", "urls", "XML sitemaps (indexes, gzip and news sitemaps welcome); "
            "the Sitemap lines of robots.txt are added automatically."),
    Setting("allowed_hosts", "hosts", "Extra hosts that belong to the site besides those of "
            "start_urls (e.g. 'amp.example.com')."),
    Setting("selectors", "selectors", "Optional per-site CSS selectors for extraction, as a "
            "table of field = \"css\"."),
    Setting("max_pages", "int", "Overrides crawl.max_pages_per_site for this site.",
            minimum=1, maximum=1_000_000, optional=True),
)

def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config file. Raises ConfigError with every problem found."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError([f"file not found: {path}"], str(path)) from exc
    except OSError as exc:
        raise ConfigError([f"cannot read {path}: {exc}"], str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                           f"{exc.start}); save the file as UTF-8"], str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"invalid TOML: {exc}"], str(path)) from exc
    except RecursionError as exc:
        raise ConfigError(["invalid TOML: nested too deeply"], str(path)) from exc
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "config") -> Config:
    """Validate an already-parsed TOML document."""
    problems: list[str] = []
    for key in data:
        if key not in ("crawl", "sites"):
            problems.append(f"{key}: unknown key (expected 'crawl' and 'sites')")
    crawl = _parse_crawl(data.get("crawl", {}), problems)
    sites = _parse_sites(data.get("sites"), problems)
    if problems:
        raise ConfigError(problems, source)
    return Config(crawl=crawl, sites=sites)


def _parse_crawl(raw: Any, problems: list[str]) -> CrawlConfig:
    if not isinstance(raw, dict):
        problems.append("crawl: must be a table")
        return CrawlConfig()
    values = _parse_table(raw, CRAWL_SETTINGS, "crawl", problems)
    ua = values.get("user_agent")
    if ua is not None and not ua.strip():
        problems.append("crawl.user_agent: must not be empty")
    elif ua is not None and not all(" " <= c <= "~" for c in ua):
        bad = next(c for c in ua if not " " <= c <= "~")
        problems.append(f"crawl.user_agent: must be printable ASCII (it is sent as a header), "
                        f"found {bad!r}")
        values.pop("user_agent")
    return CrawlConfig(**values)


def _parse_sites(raw: Any, problems: list[str]) -> tuple[SiteConfig, ...]:
    if raw is None:
        problems.append("sites: at least one [[sites]] table is required")
        return ()
    if not isinstance(raw, list) or not raw:
        problems.append("sites: must be a non-empty array of tables ([[sites]])")
        return ()
    sites = []
    seen: dict[str, int] = {}
    for i, table in enumerate(raw):
        where = f"sites[{i}]"
        if not isinstance(table, dict):
            problems.append(f"{where}: must be a table")
            continue
        values = _parse_table(table, SITE_SETTINGS, where, problems)
        name = values.get("name")
        if name in seen:
            problems.append(f"{where}.name: duplicate site name {name!r} (also sites[{seen[name]}])")
        elif name:
            seen[name] = i
        if "name" in values and "start_urls" in values:
            sites.append(SiteConfig(**values))
    return tuple(sites)


def _parse_table(raw: dict[str, Any], settings: tuple[Setting, ...], where: str,
                 problems: list[str]) -> dict[str, Any]:
    known = {s.key: s for s in settings}
    values: dict[str, Any] = {}
    for key in raw:
        if key not in known:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(known)})")
    for setting in settings:
        path = f"{where}.{setting.key}"
        if setting.key not in raw:
            if setting.required:
                problems.append(f"{path}: required")
            continue
        before = len(problems)
        value = _CHECKS[setting.kind](raw[setting.key], path, problems)
        if len(problems) == before and setting.minimum is not None and value < setting.minimum:
            problems.append(f"{path}: must be >= {_num(setting.minimum)}, got {value}")
        if len(problems) == before and setting.maximum is not None and value > setting.maximum:
            problems.append(f"{path}: at most {_num(setting.maximum)}, got {value}")
        if len(problems) == before:
            values[setting.key] = value
    return values


# --- one check per kind; each appends its problems and returns the converted value ---------


def _check_str(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, str):
        problems.append(f"{path}: must be a string, got {type(value).__name__}")
    return value


def _check_name(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}: must be a non-empty string")
    elif any(c.isspace() for c in value):
        problems.append(f"{path}: must not contain spaces: {value!r}")
    return value


def _check_int(value: Any, path: str, problems: list[str]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: must be an integer, got {value!r}")
    return value


def _check_float(value: Any, path: str, problems: list[str]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{path}: must be a number, got {value!r}")
        return value
    if not math.isfinite(value):
        problems.append(f"{path}: must be a finite number, got {value!r}")
        return value
    return float(value)


def _check_urls(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, list):
        problems.append(f"{path}: must be an array of URLs")
        return ()
    for i, url in enumerate(value):
        if not _is_http_url(url):
            problems.append(f"{path}[{i}]: not an http(s) URL: {_redacted(url)!r}")
        elif _has_credentials(url):
            problems.append(f"{path}[{i}]: credentials in a URL are not supported (they would "
                            f"be sent to every page): {_redacted(url)!r}")
    if path.endswith("start_urls") and not value:
        problems.append(f"{path}: at least one URL is required")
    return tuple(value)


def _is_http_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) \
            and (parts.port is None or parts.port > 0)
    except ValueError:  # "http://[::1/" (a broken IPv6 host), a port out of range
        return False


def _has_credentials(url: str) -> bool:
    return "@" in urlsplit(url).netloc


def _redacted(value: Any) -> Any:
    """`value` with any `user:password@` before a host masked, for error messages."""
    if not isinstance(value, str) or "@" not in value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is not None and "@" in parts.netloc:
        return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()
    return "***@" + value.rsplit("@", 1)[1]  # a bare "user:pw@host"


def _check_hosts(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, list):
        problems.append(f"{path}: must be an array of host names")
        return ()
    for i, host in enumerate(value):
        if not isinstance(host, str) or not host or any(c in host for c in "/ @"):
            problems.append(f"{path}[{i}]: not a host name: {_redacted(host)!r}")
    return tuple(h.lower() for h in value if isinstance(h, str))


def _check_selectors(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be a table of field = \"css selector\"")
        return ()
    for field, css in value.items():
        if field not in SELECTOR_FIELDS:
            problems.append(f"{path}.{field}: not a field; use one of {', '.join(SELECTOR_FIELDS)}")
        elif not isinstance(css, str) or not css.strip():
            problems.append(f"{path}.{field}: must be a non-empty CSS selector string")
    return tuple((k, v) for k, v in value.items())


_CHECKS: dict[str, Callable[[Any, str, list[str]], Any]] = {
    "str": _check_str, "name": _check_name, "int": _check_int, "float": _check_float,
    "urls": _check_urls, "hosts": _check_hosts, "selectors": _check_selectors,
}


def _defaults(cls: type) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def settings_markdown() -> str:
    """The settings table for README.md: section, key, default, range, meaning."""
    rows = ["| key | default | range | meaning |", "| --- | --- | --- | --- |"]
    for section, settings, cls in (("crawl", CRAWL_SETTINGS, CrawlConfig),
                                   ("sites[]", SITE_SETTINGS, SiteConfig)):
        defaults = _defaults(cls)
        for s in settings:
            default = "required" if s.required else _show(defaults.get(s.key))
            rows.append(f"| `{section}.{s.key}` | {default} | {_range(s)} | {s.help} |")
    return "\n".join(rows)


def _range(setting: Setting) -> str:
    if setting.minimum is None and setting.maximum is None:
        return ""
    low = "" if setting.minimum is None else _num(setting.minimum)
    high = "" if setting.maximum is None else _num(setting.maximum)
    return f"{low} – {high}".strip()


def _num(value: float) -> str:
    """A bound as TOML would write it: 0.1, 3600, 100_000_000."""
    if float(value).is_integer():
        return f"{int(value):_}" if abs(value) >= 10_000 else str(int(value))
    return f"{value:g}"


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if value == ():
        return "[]"
    return f"`{value!r}`" if isinstance(value, str) else f"`{value}`"
