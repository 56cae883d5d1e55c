"""Extraction benchmark on the zyte-dev corpus, next to plain trafilatura measured in the same run.

Run: `make bench` (or `python -m scraper.bench [--corpus DIR] [--per-page FILE] [--only KEY]`).
Prints body F1/precision/recall (4-token shingle metric of ../shared/corpus/README.md), headline
exact match, standfirst presence accuracy and token-F1, byline set equality, published-day
accuracy and median ms per page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "zyte-dev"
_WORD = re.compile(r"\w+")


def tokens(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def _shingles(toks: list[str], n: int = 4) -> Counter:
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def body_scores(true: str, pred: str) -> tuple[float | None, float | None]:
    t, p = _shingles(tokens(true)), _shingles(tokens(pred))
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def token_f1(true: str, pred: str) -> float:
    t, p = Counter(tokens(true.lower())), Counter(tokens(pred.lower()))
    common = sum((t & p).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def _norm(text: str | None) -> str:
    return " ".join((text or "").replace("\xa0", " ").split()).strip().casefold()


@dataclass
class Prediction:
    body: str
    headline: str | None = None
    standfirst: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None


def predict_ours(html: str, url: str) -> Prediction:
    from scraper.extract import extract_article

    article = extract_article(html, url)
    return Prediction(article.body, article.headline, article.standfirst, article.authors,
                      article.published)


def predict_trafilatura(html: str, url: str) -> Prediction:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Prediction("")
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Prediction(doc.text or "", doc.title, doc.description, authors, doc.date)


def load_corpus(corpus: Path) -> tuple[dict, dict, dict[str, str]]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        for key in sorted(truth)
    }
    return truth, labels, pages


def _mean(values: list[float | None]) -> float:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else 0.0


def run_predictors(predictors: dict[str, Callable[[str, str], Prediction]], truth: dict,
                   pages: dict[str, str]) -> dict[str, dict[str, tuple[Prediction, float]]]:
    """Every predictor on every page, taking turns page by page so that machine noise (other
    processes, CPU frequency) falls on all of them alike. Returns name -> key -> (pred, ms)."""
    out: dict[str, dict[str, tuple[Prediction, float]]] = {name: {} for name in predictors}
    for key, html in pages.items():
        for name, predict in predictors.items():
            start = time.perf_counter()
            pred = predict(html, truth[key]["url"])
            out[name][key] = (pred, (time.perf_counter() - start) * 1000)
    return out


def evaluate(name: str, predictions: dict[str, tuple[Prediction, float]], truth: dict,
             labels: dict, per_page: dict | None = None) -> dict[str, float]:
    precisions, recalls, headline_ok, sf_presence, sf_f1, byline_ok, date_ok, times = ([] for _ in range(8))
    for key, (pred, ms) in predictions.items():
        times.append(ms)
        p, r = body_scores(truth[key]["articleBody"], pred.body)
        precisions.append(p)
        recalls.append(r)
        label = labels.get(key, {})
        headline_hit = _norm(pred.headline) == _norm(label.get("headline"))
        headline_ok.append(float(headline_hit))
        true_sf = label.get("standfirst")
        sf_presence.append(float(bool(true_sf) == bool(pred.standfirst)))
        if true_sf:
            sf_f1.append(token_f1(true_sf, pred.standfirst or ""))
        byline_hit = {_norm(a) for a in label.get("byline") or []} == {_norm(a) for a in pred.authors}
        byline_ok.append(float(byline_hit))
        day = (pred.published or "")[:10]
        date_hit = bool(day) and day in {label.get("published"), label.get("published_alt")}
        if not label.get("published"):
            date_hit = not day
        date_ok.append(float(date_hit))
        if per_page is not None:
            per_page.setdefault(key, {})[name] = {
                "precision": p, "recall": r, "headline": pred.headline, "headline_ok": headline_hit,
                "standfirst": pred.standfirst, "authors": list(pred.authors), "byline_ok": byline_hit,
                "published": pred.published, "date_ok": date_hit,
            }
    precision, recall = _mean(precisions), _mean(recalls)
    return {
        "body_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "body_precision": precision,
        "body_recall": recall,
        "headline_exact": _mean(headline_ok),
        "standfirst_presence": _mean(sf_presence),
        "standfirst_token_f1": _mean(sf_f1),
        "byline_set_equal": _mean(byline_ok),
        "published_day": _mean(date_ok),
        "median_ms": statistics.median(times),
        "pages": len(times),
    }


ROWS = [
    ("body F1", "body_f1", ">= 0.975"),
    ("body precision", "body_precision", ">= 0.970"),
    ("body recall", "body_recall", ""),
    ("headline exact", "headline_exact", ">= 0.970"),
    ("standfirst present/absent ok", "standfirst_presence", ">= 0.900"),
    ("standfirst token-F1 (dek pages)", "standfirst_token_f1", ">= 0.900"),
    ("byline set equality", "byline_set_equal", ">= 0.850"),
    ("published exact day", "published_day", ">= 0.950"),
    ("median ms / page", "median_ms", "<= 1.5x trafilatura"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--per-page", type=Path, help="write per-page results as JSON here")
    parser.add_argument("--only", action="append", help="restrict to these page keys (prefixes)")
    parser.add_argument("--ours-only", action="store_true", help="skip the trafilatura baseline")
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth.json").exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    truth, labels, pages = load_corpus(args.corpus)
    if args.only:
        pages = {k: v for k, v in pages.items() if any(k.startswith(o) for o in args.only)}
    per_page: dict = {}
    predictors = {"scraper": predict_ours}
    if not args.ours_only:
        predictors["trafilatura"] = predict_trafilatura
    predictions = run_predictors(predictors, truth, pages)
    results = {name: evaluate(name, predictions[name], truth, labels, per_page) for name in predictors}
    names = list(results)
    print(f"zyte-dev: {len(pages)} pages")
    print(f"{'measure':<34}" + "".join(f"{n:>14}" for n in names) + f"  {'target':<20}")
    for label, key, target in ROWS:
        cells = "".join(
            f"{results[n][key]:>14.1f}" if key == "median_ms" else f"{results[n][key]:>14.3f}"
            for n in names
        )
        print(f"{label:<34}{cells}  {target:<20}")
    if "trafilatura" in results:
        ratio = results["scraper"]["median_ms"] / max(results["trafilatura"]["median_ms"], 1e-9)
        print(f"{'time ratio (scraper / trafilatura)':<34}{ratio:>14.2f}")
    if args.per_page:
        args.per_page.write_text(json.dumps(per_page, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
