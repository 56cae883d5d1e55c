"""What a run did: counters per site while it runs, a frozen summary and the exit code after.

Step 11 of the data flow (see `scraper/crawl/__init__.py`). No I/O here: the engine stores
`CrawlSummary.as_dict()` in `runs.summary` and the CLI prints `CrawlSummary.lines()`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXIT_OK, EXIT_FAILED = 0, 1


@dataclass(frozen=True)
class SiteSummary:
    """What one run did for one site."""

    name: str
    discovered: int = 0  # URLs new to the frontier
    requests: int = 0  # HTTP requests made (robots.txt and retries included)
    fetched: int = 0  # pages downloaded (2xx); robots.txt is counted in robots_fetched
    not_modified: int = 0  # 304s
    robots_fetched: int = 0  # robots.txt files downloaded (2xx)
    sitemap_requests: int = 0  # of `requests`, those for sitemaps (their own budget)
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    not_articles: int = 0  # HTML pages extraction judged not to be articles
    robots_blocked: int = 0
    retries: int = 0
    traps_skipped: int = 0
    errors: tuple[tuple[str, int], ...] = ()  # (reason, count), most frequent first
    pending: int = 0  # left in the frontier for the next run

    @property
    def error_count(self) -> int:
        return sum(n for _, n in self.errors)

    @property
    def ok_responses(self) -> int:
        """Pages answered (downloaded or 304); robots.txt does not count."""
        return self.fetched + self.not_modified


@dataclass(frozen=True)
class CrawlSummary:
    """The outcome of one `run_crawl`; stored in `runs.summary` and printed."""

    run_id: int
    started_at: float
    duration: float
    sites: tuple[SiteSummary, ...]
    stopped: str | None = None  # "max_duration reached", "max_pages reached", or None

    def total(self, name: str) -> int:
        if name == "errors":
            return sum(s.error_count for s in self.sites)
        return sum(getattr(s, name) for s in self.sites)

    @property
    def exit_code(self) -> int:
        """0 ok; 1 when the run reached nothing: no page answered (every fetch failed,
        every host unreachable or disallowed; an answered robots.txt alone is not enough)
        although there was work to do."""
        tried = self.total("requests") + self.total("robots_blocked") + self.total("errors")
        if tried and self.total("ok_responses") == 0:
            return EXIT_FAILED
        return EXIT_OK

    @property
    def status(self) -> str:
        """The `runs.status` of this outcome."""
        return "failed" if self.exit_code else ("stopped" if self.stopped else "ok")

    def totals(self) -> dict[str, int]:
        """The run's headline counters, stored in `runs.totals`."""
        names = ("discovered", "fetched", "not_modified", "robots_blocked", "errors",
                 "new_articles", "updated_articles")
        return {name: self.total(name) for name in names}

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "duration": round(self.duration, 2), "stopped": self.stopped,
            "exit_code": self.exit_code,
            "sites": {s.name: {**{k: v for k, v in s.__dict__.items() if k != "name"},
                               "errors": dict(s.errors)} for s in self.sites},
        }

    def lines(self) -> list[str]:
        """Human summary, one line per site; '0 new articles' is always spelled out."""
        out = [f"run {self.run_id}: {len(self.sites)} site(s) in {self.duration:.1f}s"
               + (f" (stopped: {self.stopped})" if self.stopped else "")]
        for s in self.sites:
            errors = ", ".join(f"{r}={n}" for r, n in s.errors) or "none"
            out.append(
                f"  {s.name}: {s.new_articles} new articles, {s.updated_articles} updated, "
                f"{s.unchanged_articles} unchanged; discovered {s.discovered}, fetched "
                f"{s.fetched}, 304s {s.not_modified}, robots-blocked {s.robots_blocked}, "
                f"retries {s.retries}, pending {s.pending}; errors: {errors}")
        out.append(f"exit code {self.exit_code}")
        return out


@dataclass
class Counts:
    """Mutable counters for one site during a run; frozen into a SiteSummary at the end."""

    discovered: int = 0
    requests: int = 0
    fetched: int = 0
    not_modified: int = 0
    robots_fetched: int = 0
    sitemap_requests: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    not_articles: int = 0
    robots_blocked: int = 0
    retries: int = 0
    traps_skipped: int = 0
    errors: Counter = field(default_factory=Counter)

    def article(self, outcome: str) -> None:
        """Count one stored article by its upsert outcome: new, updated or unchanged."""
        if outcome not in ("new", "updated", "unchanged"):
            raise ValueError(f"unknown upsert outcome {outcome!r}")
        name = f"{outcome}_articles"
        setattr(self, name, getattr(self, name) + 1)

    def freeze(self, name: str, pending: int) -> SiteSummary:
        values = {k: v for k, v in self.__dict__.items() if k != "errors"}
        return SiteSummary(name=name, errors=tuple(self.errors.most_common()), pending=pending,
                           **values)
