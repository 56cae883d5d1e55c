"""Word overlap of the field stages: cached word bags give the plain multiset answer."""

from collections import Counter

from scraper.extract.fieldtext import overlap, similarity, words

TEXTS = [
    None, "", "   ", "—", "The Mayor’s plan", "the mayor's plan", "THE MAYOR'S PLAN, again",
    "plan plan plan the", "Le maire présente son plan", "über Straße", "a b c d e f", "f e d c b a a",
]


def _reference(a, b):
    wa, wb = Counter(words(a)), Counter(words(b))
    if not wa or not wb:
        return 0.0, 0.0
    common = sum((wa & wb).values())
    return common / sum(wa.values()), common / sum(wb.values())


def test_overlap_equals_the_multiset_reference_every_time():
    for _ in range(2):  # the second round is answered from the cache
        for a in TEXTS:
            for b in TEXTS:
                assert overlap(a, b) == _reference(a, b), (a, b)


def test_similarity_of_quote_and_case_variants():
    assert similarity("The Mayor’s plan", "the mayor's PLAN") == 1.0
    assert similarity("plan plan plan the", "the plan") == 2 * (2 / 4) * 1.0 / (2 / 4 + 1.0)
    assert similarity(None, "anything") == 0.0
