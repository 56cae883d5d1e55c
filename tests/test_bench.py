"""The benchmark's metrics (4-token shingles, per-page precision/recall) on tiny known cases."""

from __future__ import annotations

import pytest

from scraper.bench import body_scores, token_f1


def test_identical_texts_score_one():
    assert body_scores("the cat sat on the mat", "the cat sat on the mat") == (1.0, 1.0)


def test_extra_and_missing_shingles():
    # true: 3 shingles; pred keeps the first 5 tokens (2 shingles) and adds a boilerplate tail
    precision, recall = body_scores("a b c d e f", "a b c d e share this now")
    assert recall == pytest.approx(2 / 3)
    assert precision == pytest.approx(2 / 5)


def test_empty_prediction_has_no_precision():
    assert body_scores("a b c d", "") == (None, 0.0)


def test_token_f1_is_case_insensitive_bag_of_words():
    assert token_f1("The Dek here", "the dek HERE") == 1.0
    assert token_f1("one two", "three") == 0.0
