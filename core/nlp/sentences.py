"""The one sentence splitter: character spans of the sentences of a text.

A sentence ends after `.`, `!`, `?` or `…` when whitespace follows, and at every line break or HTML
`<br>`. The end mark stays with its sentence ("!"
is a model feature); the whitespace between sentences belongs to none. Decimal numbers ("3.5 stars")
and abbreviations without a following space ("e.g.,") are not split.

One compiled regular expression finds every boundary in a single pass over the text, because
:class:`core.nlp.features.Featurizer` runs this on every review of a 100k-row upload. Texts without a
line break or "<" use a cheaper twin of the pattern (same boundaries there, 4-6x faster: Python's `re`
tries every alternative at every position, and the line-break alternatives can match empty prefixes).
A closing quote after the end mark ('He said "great." Then...') keeps the two sentences together: rare
in reviews, and the simpler pattern is what keeps this fast.

The spans are what the model scores sentence by sentence (`Featurizer.sentence_spans` applies the
`max_sentences` cap on top), so per-sentence probabilities map back to `text[start:end]`.
"""

from __future__ import annotations

import re

# Whitespace after an end mark, or a line break / <br> with the whitespace around it.
_BOUNDARY_RE = re.compile(r"(?<=[.!?\u2026])\s+|\s*(?:\n|<br\s*/?>)\s*", re.IGNORECASE)
_END_MARK_RE = re.compile(r"(?<=[.!?\u2026])\s+")  # the same, for text without "\n" and "<"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans `(start, end)` of the sentences of `text`, in order; `[]` for blank text.

    Spans never overlap, never include leading or trailing whitespace, and are never empty.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    if spans:  # only the text's own ends can carry whitespace a boundary did not take
        first_start, first_end = spans[0]
        lead = len(text[first_start:first_end]) - len(text[first_start:first_end].lstrip())
        if lead:
            spans[0] = (first_start + lead, first_end)
        last_start, last_end = spans[-1]
        trail = len(text[last_start:last_end]) - len(text[last_start:last_end].rstrip())
        if trail:
            spans[-1] = (last_start, last_end - trail)
        if spans[0][0] >= spans[0][1]:
            spans.pop(0)
        if spans and spans[-1][0] >= spans[-1][1]:
            spans.pop()
    return spans


def sentence_texts(text: str) -> list[str]:
    """The sentences of `text` as strings: `[text[a:b] for a, b in split_sentences(text)]`, computed in C
    (`re.split`) for the featurizer's hot loop."""
    pattern = _BOUNDARY_RE if "\n" in text or "<" in text else _END_MARK_RE
    return [piece for piece in pattern.split(text.strip()) if piece]
