"""Extraction benchmark on the developers' corpora, beside plain trafilatura measured in the
same run (`make bench`; `python -m scraper.bench --help` for a quick subset).

- zyte-dev (88 news pages, true body and hand labels): body F1 / precision / recall (the
  4-token shingle metric of ../shared/corpus/README.md), headline exact, standfirst token-F1 on
  the pages that show a dek and presence right, byline set-equal, published exact day and
  published day-or-accepted-alternative (apart), language right.
- web-checks-dev (519 varied pages, text that must / must not appear): P, R, F1 of the
  article's text (standfirst + body: the checks count a dek as main text; trafilatura has no
  dek, its text is its body) and of the body alone; language.
- robustness: zyte-dev again with class and id attributes stripped, and with JSON-LD and
  <meta> stripped: every field's figure and its drop.
- time: median ms per page, ours against trafilatura `bare_extraction(with_metadata=True)`
  (its extract + extract_metadata), the predictors interleaved page by page.

Every figure is given for the tuning split and the held-out third (`bench_corpora.is_held_out`)
of each corpus; `--per-page` writes the tuning split only, so the held-out pages stay unseen.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .bench_corpora import CORPUS_ROOT, VARIANTS, Page, load_web_checks, load_zyte, markup_language
from .bench_webchecks import Counts, page_counts

DEFAULT_CORPUS = CORPUS_ROOT / "zyte-dev"
DEFAULT_WEB_CHECKS = CORPUS_ROOT / "web-checks-dev"
_WORD = re.compile(r"\w+")
INTACT = "intact"


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


_NO_LANGUAGE = "(none)"  # a predictor that does not detect languages


@dataclass
class Prediction:
    body: str
    headline: str | None = None
    standfirst: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    language: str | None = None


def predict_ours(html: str | bytes, url: str) -> Prediction:
    from scraper.extract import extract_article

    article = extract_article(html, url)
    return Prediction(article.body, article.headline, article.standfirst, article.authors,
                      article.published, article.language)


def predict_trafilatura(html: str | bytes, url: str) -> Prediction:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return Prediction("", language=_NO_LANGUAGE)
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Prediction(doc.text or "", doc.title, doc.description, authors, doc.date,
                      doc.language or _NO_LANGUAGE)


PREDICTORS: dict[str, Callable[[str | bytes, str], Prediction]] = {
    "scraper": predict_ours, "trafilatura": predict_trafilatura}

# name -> variant -> key -> (prediction, ms)
Runs = dict[str, dict[str, dict[str, tuple[Prediction, float]]]]


def _page_runs(page: Page, predictors: list[str], variants: list[str]) -> list[tuple]:
    out = []
    for variant in variants:
        html = page.html if variant == INTACT else VARIANTS[variant](page.html)
        for name in predictors:
            start = time.perf_counter()
            pred = PREDICTORS[name](html, page.url)
            out.append((name, variant, page.key, pred, (time.perf_counter() - start) * 1000))
    return out


def _page_runs_star(args: tuple) -> list[tuple]:
    return _page_runs(*args)


def run_predictors(pages: list[Page], predictors: list[str], variants: list[str],
                   jobs: int = 1) -> Runs:
    """Every predictor on every page (and variant), taking turns page by page so that machine
    noise (other processes, CPU frequency) falls on all of them alike. `jobs` > 1 runs pages in
    parallel processes: quicker, but its times are not comparable to a serial run's."""
    runs: Runs = {name: {variant: {} for variant in variants} for name in predictors}
    work = [(page, predictors, variants) for page in pages]
    if jobs > 1:
        from multiprocessing import Pool

        with Pool(jobs) as pool:
            results: Iterable[list[tuple]] = pool.imap(_page_runs_star, work, chunksize=4)
            results = list(results)
    else:
        results = map(_page_runs_star, work)
    for page_results in results:
        for name, variant, key, pred, ms in page_results:
            runs[name][variant][key] = (pred, ms)
    return runs


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def zyte_page_scores(page: Page, pred: Prediction) -> dict:
    label = page.truth
    p, r = body_scores(label["articleBody"], pred.body)
    true_sf = label.get("standfirst")
    day = (pred.published or "")[:10]
    accepted = {label.get("published"), label.get("published_alt")} - {None}
    return {
        "precision": p, "recall": r,
        "headline": float(_norm(pred.headline) == _norm(label.get("headline"))),
        "standfirst_presence": float(bool(true_sf) == bool(pred.standfirst)),
        "standfirst_f1": token_f1(true_sf, pred.standfirst or "") if true_sf else None,
        "byline": float({_norm(a) for a in label.get("byline") or []}
                        == {_norm(a) for a in pred.authors}),
        "date_exact": float(day == (label.get("published") or "")),
        "date_lenient": float(day in accepted if accepted else not day),
        "language": _language_hit(pred, page),
    }


def _language_hit(pred: Prediction, page: Page) -> float | None:
    """None (n/a) when the page has no label or the predictor gives no language at all
    (trafilatura detects none without a target language)."""
    if not page.language or pred.language is _NO_LANGUAGE:
        return None
    return float(pred.language == page.language)


def zyte_summary(scores: list[dict]) -> dict[str, float | None]:
    out = {key: _mean(s[key] for s in scores) for key in scores[0]} if scores else {}
    precision, recall = out.get("precision"), out.get("recall")
    out["body_f1"] = (2 * precision * recall / (precision + recall)
                      if precision and recall else None)
    return out


def article_text(pred: Prediction) -> str:
    """The article's text as a reader sees it: the standfirst (dek), then the body. The
    web-checks count a dek as main text; we keep it in a field of its own."""
    return "\n\n".join(filter(None, (pred.standfirst, pred.body)))


def web_summary(pages: list[Page], preds: dict[str, tuple[Prediction, float]],
                with_standfirst: bool) -> dict:
    counts, body_counts = Counts(), Counts()
    for page in pages:
        pred = preds[page.key][0]
        counts.add(page_counts(article_text(pred) if with_standfirst else pred.body, page.truth))
        body_counts.add(page_counts(pred.body, page.truth))
    language = _mean(_language_hit(preds[p.key][0], p) for p in pages)
    return {"precision": counts.precision, "recall": counts.recall, "f1": counts.f1,
            "body_precision": body_counts.precision, "body_recall": body_counts.recall,
            "body_f1": body_counts.f1, "language": language}


ZYTE_ROWS = [
    ("body F1", "body_f1", ">= 0.978"),
    ("body precision", "precision", ">= 0.975"),
    ("body recall", "recall", ""),
    ("headline exact", "headline", ">= 0.99"),
    ("standfirst token-F1 on dek pages", "standfirst_f1", ">= 0.93"),
    ("standfirst presence right", "standfirst_presence", ">= 0.95"),
    ("byline set-equal", "byline", ">= 0.95"),
    ("published exact day", "date_exact", ">= 0.97"),
    ("published day or accepted alternative", "date_lenient", ""),
    ("language right", "language", ">= 0.97"),
]
WEB_ROWS = [
    ("P (standfirst + body)", "precision", "> trafilatura"),
    ("R (standfirst + body)", "recall", "> trafilatura"),
    ("F1 (standfirst + body)", "f1", ">= 0.940"),
    ("P (body alone)", "body_precision", ""),
    ("R (body alone)", "body_recall", ""),
    ("F1 (body alone)", "body_f1", ""),
    ("language right", "language", ">= 0.97"),
]
_SPLITS = (("tune", False), ("held", True))  # held: the held-out third
_SHORT = {"scraper": "ours", "trafilatura": "trafil."}


def _cell(value: float | None, width: int = 11) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width}.3f}"


def _table(title: str, header: list[str], rows: list[tuple[str, list[float | None], str]]) -> None:
    print(f"\n{title}")
    print(f"{'measure':<40}" + "".join(f" {h:>11}" for h in header) + "  target (held-out)")
    for label, values, target in rows:
        print(f"{label:<40}" + "".join(" " + _cell(v) for v in values) + f"  {target}")


def _subset(pages: list[Page], held_out: bool) -> list[Page]:
    return [page for page in pages if page.held_out == held_out]


def report_zyte(pages: list[Page], runs: Runs, predictors: list[str], per_page: dict) -> dict:
    summaries: dict[tuple[str, str, bool], dict] = {}
    for name in predictors:
        for variant, preds in runs[name].items():
            for _split, held_out in _SPLITS:
                scores = []
                for page in _subset(pages, held_out):
                    score = zyte_page_scores(page, preds[page.key][0])
                    scores.append(score)
                    if not held_out:
                        pred = preds[page.key][0]
                        per_page.setdefault(page.key, {})[f"{name} {variant}"] = {
                            **score, "headline_text": pred.headline, "standfirst_text": pred.standfirst,
                            "authors": list(pred.authors), "published_text": pred.published,
                            "language_text": pred.language}
                summaries[name, variant, held_out] = zyte_summary(scores)
    header = [f"{_SHORT[name]} {split}" for name in predictors for split, _ in _SPLITS]
    tune, held = len(_subset(pages, False)), len(_subset(pages, True))
    rows = [(label, [summaries[name, INTACT, held_out].get(key) for name in predictors
                     for _split, held_out in _SPLITS], target)
            for label, key, target in ZYTE_ROWS]
    _table(f"zyte-dev: {len(pages)} pages ({tune} tune, {held} held-out)", header, rows)
    markup = [_mean(float(markup_language(p.html) == p.language) for p in _subset(pages, held_out)
                    if p.language) for _split, held_out in _SPLITS]
    print(f"{'  (language from markup alone)':<40}" + "".join(" " + _cell(v) for v in markup))
    return summaries


def report_robustness(summaries: dict, predictors: list[str], variants: list[str]) -> None:
    for variant in variants:
        if variant == INTACT:
            continue
        header = [f"{_SHORT[name]} {split}" for name in predictors for split, _ in _SPLITS]
        rows = []
        for label, key, _target in ZYTE_ROWS:
            values: list[float | None] = []
            for name in predictors:
                for _split, held_out in _SPLITS:
                    values.append(summaries[name, variant, held_out].get(key))
            drops: list[float | None] = []
            for name in predictors:
                for _split, held_out in _SPLITS:
                    after = summaries[name, variant, held_out].get(key)
                    before = summaries[name, INTACT, held_out].get(key)
                    drops.append(after - before if after is not None and before is not None else None)
            rows.append((label, values, ""))
            rows.append(("  drop", drops, ""))
        target_note = " (target: standfirst token-F1 >= 0.75 held-out)" if "class" in variant else ""
        _table(f"robustness: zyte-dev, {variant}{target_note}", header, rows)


def report_web(pages: list[Page], runs: Runs, predictors: list[str], per_page: dict) -> None:
    # trafilatura's "description" is the meta description, not a dek it found on the page:
    # its text is its body alone
    summaries = {(name, held_out): web_summary(_subset(pages, held_out), runs[name][INTACT],
                                               with_standfirst=name == "scraper")
                 for name in predictors for _split, held_out in _SPLITS}
    header = [f"{_SHORT[name]} {split}" for name in predictors for split, _ in _SPLITS]
    rows = [(label, [summaries[name, held_out][key] for name in predictors
                     for _split, held_out in _SPLITS], target) for label, key, target in WEB_ROWS]
    tune, held = len(_subset(pages, False)), len(_subset(pages, True))
    _table(f"web-checks-dev: {len(pages)} pages ({tune} tune, {held} held-out)", header, rows)
    markup = [_mean(float(markup_language(p.html) == p.language) for p in _subset(pages, held_out)
                    if p.language) for _split, held_out in _SPLITS]
    print(f"{'  (language from markup alone)':<40}" + "".join(" " + _cell(v) for v in markup))
    for name in predictors:
        for page in _subset(pages, False):
            pred = runs[name][INTACT][page.key][0]
            counts = page_counts(article_text(pred) if name == "scraper" else pred.body, page.truth)
            per_page.setdefault(page.key, {})[name] = {
                "tp": counts.tp, "fn": counts.fn, "fp": counts.fp,
                "language_text": pred.language, "body_words": len(pred.body.split())}


def report_time(all_runs: list[Runs], predictors: list[str]) -> None:
    if "trafilatura" not in predictors:
        return
    print("\ntime (intact pages, both splits; predictors interleaved page by page)")
    medians = {}
    for name in predictors:
        times = [ms for runs in all_runs for _pred, ms in runs[name][INTACT].values()]
        medians[name] = statistics.median(times) if times else 0.0
        print(f"{'median ms per page, ' + name:<40}{medians[name]:>12.1f}")
    ratio = medians["scraper"] / max(medians["trafilatura"], 1e-9)
    per_page = [runs["scraper"][INTACT][key][1] / max(runs["trafilatura"][INTACT][key][1], 1e-9)
                for runs in all_runs for key in runs["scraper"][INTACT]]
    print(f"{'time ratio (medians), scraper / trafil.':<40}{ratio:>12.2f}  target <= 1.0")
    print(f"{'median of per-page ratios':<40}{statistics.median(per_page):>12.2f}")


class _FailureCounter(logging.Handler):
    """Counts the extraction's logged stage failures and fallbacks during the run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[str(record.msg).split(" on ")[0].split(":")[0]] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="zyte-dev directory")
    parser.add_argument("--web-checks", type=Path, default=DEFAULT_WEB_CHECKS)
    parser.add_argument("--sets", default="zyte,web,robust,scaling",
                        help="comma-separated: zyte, web, robust, scaling (default: all)")
    parser.add_argument("--per-page", type=Path, help="write tuning-split results per page here")
    parser.add_argument("--only", action="append", help="restrict to these page keys (prefixes)")
    parser.add_argument("--ours-only", action="store_true", help="skip the trafilatura baseline")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parallel processes (quicker; times then are not comparable)")
    args = parser.parse_args(argv)
    sets = set(args.sets.split(","))
    if not (args.corpus / "ground-truth.json").exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    predictors = ["scraper"] if args.ours_only else ["scraper", "trafilatura"]
    failures = _FailureCounter()
    logging.getLogger("scraper.extract").addHandler(failures)
    per_page: dict = {"zyte-dev": {}, "web-checks-dev": {}}
    all_runs: list[Runs] = []

    def keep(pages: list[Page]) -> list[Page]:
        return [p for p in pages if not args.only or any(p.key.startswith(o) for o in args.only)]

    if sets & {"zyte", "robust"}:
        pages = keep(load_zyte(args.corpus))
        variants = [INTACT] + (list(VARIANTS) if "robust" in sets else [])
        runs = run_predictors(pages, predictors, variants, args.jobs)
        all_runs.append(runs)
        summaries = report_zyte(pages, runs, predictors, per_page["zyte-dev"])
        if "robust" in sets:
            report_robustness(summaries, predictors, variants)
    if "web" in sets and (args.web_checks / "checks.json").exists():
        pages = keep(load_web_checks(args.web_checks))
        runs = run_predictors(pages, predictors, [INTACT], args.jobs)
        all_runs.append(runs)
        report_web(pages, runs, predictors, per_page["web-checks-dev"])
    if args.jobs <= 1:
        report_time(all_runs, predictors)
    if "scaling" in sets and not args.ours_only:
        from .bench_scaling import report_scaling

        scaling_pages = keep(load_zyte(args.corpus))
        if (args.web_checks / "checks.json").exists():
            scaling_pages += keep(load_web_checks(args.web_checks))
        report_scaling(scaling_pages)
    if failures.messages:
        print("\nextraction failures and fallbacks logged: " +
              ", ".join(f"{n}x {m}" for m, n in failures.messages.most_common()))
    if args.per_page:
        args.per_page.write_text(json.dumps(per_page, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
