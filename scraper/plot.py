"""Articles per day per site as a chart (matplotlib, the `plot` extra), for
`scraper stats --plot FILE.png|.svg`: one line per site, missing days drawn as zero."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

SUFFIXES = (".png", ".svg")
MAX_SITES = 12  # the busiest; the rest are summed as "other sites"


def plot_daily(rows: list[tuple[str, str, int]], path: Path, title: str) -> None:
    """Draw (day, site, count) rows to `path` (.png or .svg)."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    per_site: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for day, site, count in rows:
        per_site[site][date.fromisoformat(day)] += count
        totals[site] += count
    busiest = sorted(totals, key=lambda s: (-totals[s], s))
    if len(busiest) > MAX_SITES:
        other: dict[date, int] = defaultdict(int)
        for site in busiest[MAX_SITES:]:
            for day, count in per_site.pop(site).items():
                other[day] += count
        per_site["other sites"] = other
        busiest = busiest[:MAX_SITES] + ["other sites"]
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    if rows:
        days = [d for counts in per_site.values() for d in counts]
        first, last = min(days), max(days)
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for site in busiest:
            ax.plot(span, [per_site[site].get(d, 0) for d in span], label=site,
                    marker="o" if len(span) <= 60 else None, markersize=3, linewidth=1.2)
        ax.legend(loc="upper left", fontsize="small", frameon=False)
    else:
        ax.text(0.5, 0.5, "no dated articles", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title)
    ax.set_xlabel("publisher's day")
    ax.set_ylabel("articles")
    ax.grid(True, alpha=0.3)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
