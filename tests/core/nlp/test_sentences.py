"""The sentence splitter: character spans, end marks, line breaks, HTML breaks, and its fast twin."""

from __future__ import annotations

from itertools import pairwise

import pytest

from core.nlp.sentences import sentence_texts, split_sentences

CASES = [
    ("Good. Bad! Why? ok", ["Good.", "Bad!", "Why?", "ok"]),
    ("one<br />two\nthree<BR>four", ["one", "two", "three", "four"]),
    ("3.5 stars. e.g., this", ["3.5 stars.", "e.g., this"]),
    ("  padded text  ", ["padded text"]),
    ("Wait\u2026 what?!  Yes.\n\n\nNo", ["Wait\u2026", "what?!", "Yes.", "No"]),
    ("", []),
    ("   \n ", []),
    ("<br>", []),
]


@pytest.mark.parametrize(("text", "sentences"), CASES)
def test_spans_cut_the_sentences(text: str, sentences: list[str]) -> None:
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == sentences
    assert all(a < b for a, b in spans) and all(b1 <= a2 for (_, b1), (a2, _) in pairwise(spans))
    assert sentence_texts(text) == sentences  # the featurizer's fast twin agrees
