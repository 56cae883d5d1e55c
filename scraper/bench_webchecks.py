"""The web-checks metric (trafilatura's own evaluation): per page, each `with` snippet found in
the whitespace-normalised body is a TP (else a FN), each `without` snippet found is a FP (else a
TN); the counts are summed over pages. An empty body counts every `with` as a FN."""

from __future__ import annotations

from dataclasses import dataclass


def normalise(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass
class Counts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def page_counts(body: str | None, checks: dict) -> Counts:
    text = normalise(body)
    counts = Counts()
    for snippet in checks.get("with", []):
        if text and normalise(snippet) in text:
            counts.tp += 1
        else:
            counts.fn += 1
    for snippet in checks.get("without", []):
        if text and normalise(snippet) in text:
            counts.fp += 1
        else:
            counts.tn += 1
    return counts
