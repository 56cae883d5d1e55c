"""Extraction's short cuts answer what the long way answers."""

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.extract.body import _word_count, _words_at_most


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1 é—,.\n", max_size=80), st.integers(0, 40))
def test_words_at_most_is_the_word_count_compared(text, limit):
    assert _words_at_most(text, limit) == (_word_count(text) <= limit)
