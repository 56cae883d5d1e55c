"""What a run did: counters per site while it runs, a frozen summary and the exit code after.

Step 11 of the data flow (see `scraper/crawl/__init__.py`). No I/O here: the engine stores
`CrawlSummary.as_dict()` in `runs.summary` and the CLI logs `CrawlSummary.lines()`.

Exit codes: 0 ok; 1 every site that had work failed (no page answered); 4 partial failure
(some sites failed, others did not); 128 + the signal number when SIGINT (130) or SIGTERM
(143) stopped the run. A site "failed" when it had work and not one page answered (robots.txt
alone does not count): every host unreachable, every fetch an error, or all of it disallowed.
"""

from __future__ import annotations

import signal
from collections import Counter
from dataclasses import dataclass, field

EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 4


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
    folded_articles: int = 0  # a second URL of a stored article seen for the first time
    unchanged_articles: int = 0
    not_articles: int = 0  # HTML pages extraction judged not to be articles
    robots_blocked: int = 0
    retries: int = 0
    traps_skipped: int = 0
    errors: tuple[tuple[str, int], ...] = ()  # (reason, count), most frequent first
    pending: int = 0  # left in the frontier for the next run
    budget_reached: bool = False  # the page budget stopped the site (`pending` wait)
    failing_hosts: tuple[tuple[str, str], ...] = ()  # (host, why): not one answer this run
    parked_hosts: tuple[tuple[str, str], ...] = ()  # (host, why): no more requests this run

    @property
    def error_count(self) -> int:
        return sum(n for _, n in self.errors)

    @property
    def ok_responses(self) -> int:
        """Pages answered (downloaded or 304); robots.txt does not count."""
        return self.fetched + self.not_modified

    @property
    def tried(self) -> bool:
        """Did the site have work this run?"""
        return bool(self.requests or self.robots_blocked or self.error_count)

    @property
    def failed(self) -> bool:
        """Work to do, and not one page answered."""
        return self.tried and self.ok_responses == 0

    def why_failed(self) -> str:
        """The causes of a failed site, one phrase."""
        causes = [f"{host}: {why}" for host, why in self.failing_hosts]
        failing = {host for host, _ in self.failing_hosts}
        causes += [f"{host} parked: {why}" for host, why in self.parked_hosts
                   if host not in failing]
        if not causes and self.robots_blocked:
            causes.append(f"robots.txt disallowed all {self.robots_blocked} URL(s)")
        if not causes and self.errors:
            causes.append("errors: " + ", ".join(f"{r}={n}" for r, n in self.errors))
        return "; ".join(causes) or "every request failed"


@dataclass(frozen=True)
class CrawlSummary:
    """The outcome of one `run_crawl`; stored in `runs.summary` and printed."""

    run_id: int
    started_at: float
    duration: float
    sites: tuple[SiteSummary, ...]
    stopped: str | None = None  # "max_duration reached", "max_pages reached", or None
    interrupted: int | None = None  # the signal (SIGINT, SIGTERM) that stopped the run
    store_failed: str | None = None  # the database could not be written: the run stopped

    def total(self, name: str) -> int:
        if name == "errors":
            return sum(s.error_count for s in self.sites)
        return sum(getattr(s, name) for s in self.sites)

    @property
    def failed_sites(self) -> list[SiteSummary]:
        return [s for s in self.sites if s.failed]

    @property
    def exit_code(self) -> int:
        """128 + signal when interrupted; 1 when every site that had work failed (the run
        reached nothing, robots.txt answers aside); 4 when some failed and others did not;
        else 0."""
        if self.interrupted:
            return 128 + self.interrupted
        if self.store_failed:
            return EXIT_FAILED
        tried = [s for s in self.sites if s.tried]
        failed = self.failed_sites
        if tried and len(failed) == len(tried):
            return EXIT_FAILED
        return EXIT_PARTIAL if failed else EXIT_OK

    @property
    def signal_name(self) -> str | None:
        if not self.interrupted:
            return None
        try:
            return signal.Signals(self.interrupted).name
        except ValueError:
            return f"signal {self.interrupted}"

    @property
    def status(self) -> str:
        """The `runs.status` of this outcome: interrupted, failed, partial, stopped or ok."""
        if self.interrupted:
            return "interrupted"
        code = self.exit_code
        if code == EXIT_FAILED:
            return "failed"
        if code == EXIT_PARTIAL:
            return "partial"
        return "stopped" if self.stopped else "ok"

    def outcome(self) -> str:
        """The exit code in words."""
        code = self.exit_code
        if self.interrupted:
            return f"interrupted by {self.signal_name}"
        if self.store_failed:
            return f"failed: the database cannot be written ({self.store_failed})"
        failed, tried = len(self.failed_sites), sum(1 for s in self.sites if s.tried)
        if code == EXIT_FAILED:
            return f"failed: {failed} of {tried} site(s) reached nothing"
        if code == EXIT_PARTIAL:
            return f"partial failure: {failed} of {tried} site(s) failed"
        return "ok"

    def totals(self) -> dict[str, int]:
        """The run's headline counters, stored in `runs.totals`."""
        names = ("discovered", "fetched", "not_modified", "robots_blocked", "errors",
                 "new_articles", "updated_articles")
        return {name: self.total(name) for name in names}

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "duration": round(self.duration, 2), "stopped": self.stopped,
            "interrupted": self.signal_name, "status": self.status,
            "store_failed": self.store_failed,
            "exit_code": self.exit_code,
            "sites": {s.name: site_dict(s) for s in self.sites},
        }

    def lines(self) -> list[str]:
        """Human summary, one line per site; '0 new articles' is always spelled out."""
        return [message for _, message, _ in self.records()]

    def records(self) -> list[tuple[str, str, dict]]:
        """The summary as log records: (level name, message, extra fields for JSON logs)."""
        why = ""
        if self.interrupted:
            why = (f" (interrupted by {self.signal_name}: in-flight work settled, "
                   "the rest waits in the frontier)")
        elif self.store_failed:
            why = f" (stopped: the database cannot be written: {self.store_failed})"
        elif self.stopped:
            why = f" (stopped: {self.stopped})"
        out = [("INFO", f"run {self.run_id}: {len(self.sites)} site(s) in "
                        f"{self.duration:.1f}s{why}",
                {"duration": round(self.duration, 2), "stopped": self.stopped,
                 "interrupted": self.signal_name})]
        for s in self.sites:
            errors = ", ".join(f"{r}={n}" for r, n in s.errors) or "none"
            budget = f"; budget reached: {s.pending} pending" if s.budget_reached else ""
            failed = f"; FAILED: {s.why_failed()}" if s.failed else ""
            out.append((
                "INFO",
                f"  {s.name}: {s.new_articles} new articles, {s.updated_articles} updated, "
                f"{s.folded_articles} folded, {s.unchanged_articles} unchanged; discovered "
                f"{s.discovered}, fetched {s.fetched}, 304s {s.not_modified}, robots-blocked "
                f"{s.robots_blocked}, retries {s.retries}, pending {s.pending}{budget}; "
                f"errors: {errors}{failed}",
                {"site": s.name, "figures": site_dict(s)}))
        out.append(("INFO", f"exit code {self.exit_code} ({self.outcome()})",
                    {"exit_code": self.exit_code, "status": self.status}))
        return out


def site_dict(s: SiteSummary) -> dict:
    """One site's figures as stored in `runs.summary`."""
    values = {k: v for k, v in s.__dict__.items() if k != "name"}
    values["errors"] = dict(s.errors)
    values["failing_hosts"] = dict(s.failing_hosts)
    values["parked_hosts"] = dict(s.parked_hosts)
    values["failed"] = s.failed
    return values


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
    folded_articles: int = 0
    unchanged_articles: int = 0
    not_articles: int = 0
    robots_blocked: int = 0
    retries: int = 0
    traps_skipped: int = 0
    errors: Counter = field(default_factory=Counter)
    budget_reached: bool = False
    # per host (host:port): answered at least once; the last failure (why) and how many
    answered: set = field(default_factory=set)
    failures: dict = field(default_factory=dict)

    _OUTCOMES = ("new", "updated", "folded", "unchanged")

    def article(self, outcome: str) -> None:
        """Count one stored article by its upsert outcome: new, updated, folded (a second
        URL of a stored article, on its first sighting) or unchanged."""
        if outcome not in self._OUTCOMES:
            raise ValueError(f"unknown upsert outcome {outcome!r}")
        name = f"{outcome}_articles"
        setattr(self, name, getattr(self, name) + 1)

    def host_answered(self, host: str) -> None:
        self.answered.add(host)

    def host_failed(self, host: str, why: str) -> None:
        """A request to `host` got no usable answer: `why` is "reason (detail)"."""
        _, count = self.failures.get(host, ("", 0))
        self.failures[host] = (why, count + 1)

    def freeze(self, name: str, pending: int,
               parked: dict[str, str] | None = None) -> SiteSummary:
        skip = {"errors", "answered", "failures"}
        values = {k: v for k, v in self.__dict__.items() if k not in skip}
        values["budget_reached"] = self.budget_reached and pending > 0
        failing = tuple(sorted((host, why) for host, (why, _) in self.failures.items()
                               if host not in self.answered))
        return SiteSummary(name=name, errors=tuple(self.errors.most_common()), pending=pending,
                           failing_hosts=failing, parked_hosts=tuple(sorted((parked or {}).items())),
                           **values)
