"""The one sentence splitter, and the contrast clauses aspect sentiment reads, as character spans.

A sentence ends after `.`, `!`, `?` or `…` when whitespace follows, and at every line break or HTML
`<br>`. The end mark stays with its sentence ("!"
is a model feature); the whitespace between sentences belongs to none. Decimal numbers ("3.5 stars")
and abbreviations without a following space ("e.g.,") are not split.

This rule is the model's: the shipped network was trained on exactly these sentences, so
:func:`split_sentences` (and its fast twin :func:`sentence_texts`) may only change with a retrain. Aspect
sentiment builds on the same sentences (:func:`split_clauses`, :func:`split_units`), so an aspect's
sentence is the sentence the model scored. Known limits of the rule, left for the next retrain (the
aspects feature's own splitter handled them): an abbreviation followed by a space ("approx. 3",
"Mr. Smith") and an initial ("U.S. shipping") end a sentence; an ellipsis followed by a lower-case word
("fine... until it broke") ends one; Spanish "¿"/"¡" after a word does not start one; list bullets
("- ", "1. ") stay in the span.

One compiled regular expression finds every boundary in a single pass over the text, because
:class:`core.nlp.features.Featurizer` runs this on every review of a 100k-row upload. Texts without a
line break or "<" use a cheaper twin of the pattern (same boundaries there, 4-6x faster: Python's `re`
tries every alternative at every position, and the line-break alternatives can match empty prefixes).
A closing quote after the end mark ('He said "great." Then...') keeps the two sentences together: rare
in reviews, and the simpler pattern is what keeps this fast.

The spans are what the model scores sentence by sentence (`Featurizer.sentence_spans` applies the
`max_sentences` cap on top), so per-sentence probabilities map back to `text[start:end]`.

:func:`split_clauses` cuts a sentence once more at contrast words ("great sound but the battery
died"), so each side can carry its own sentiment.
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


_CONTRAST_RE = re.compile(
    r"\b(?:but|however|although|though|whereas|pero|aunque|sin embargo|no obstante)\b", re.IGNORECASE
)
# Contrast words that open a sentence ("Although the sound is great, the battery died") split it
# at the first comma instead.
_LEADING_CONTRAST = frozenset({"although", "though", "aunque", "whereas"})


def split_clauses(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """The sentence `span` of `text` cut before each contrast word (but, however, although, though,
    whereas, pero, aunque, sin embargo, no obstante); a leading "although"/"aunque" cuts at the
    first comma instead. A sentence without one comes back whole, as ``[span]``.
    """
    start, end = span
    cuts = []
    for match in _CONTRAST_RE.finditer(text, start, end):
        if match.start() == start or not text[start : match.start()].strip(" \t,;:-"):
            if match.group().lower() in _LEADING_CONTRAST:
                comma = text.find(",", match.end(), end)
                if comma != -1:
                    cuts.append(comma + 1)
            continue
        cuts.append(match.start())
    if not cuts:
        return [span]
    pieces = []
    for a, b in zip([start, *cuts], [*cuts, end], strict=True):
        while a < b and text[a] in " \t,;:-":
            a += 1
        while b > a and text[b - 1] in " \t,;:-":
            b -= 1
        if any(ch.isalnum() for ch in text[a:b]):
            pieces.append((a, b))
    return pieces or [span]


def has_contrast(text: str) -> bool:
    """Whether `text` holds a contrast word, i.e. whether :func:`split_units` may cut a sentence."""
    return _CONTRAST_RE.search(text) is not None


def split_units(text: str) -> list[tuple[int, int]]:
    """The units aspect sentiment is judged on: every sentence (:func:`split_sentences`) that holds a
    letter or digit, cut into clauses at contrast words."""
    if not isinstance(text, str):
        return []
    sentences = [(a, b) for a, b in split_sentences(text) if any(ch.isalnum() for ch in text[a:b])]
    if _CONTRAST_RE.search(text) is None:  # most reviews: no clause to cut
        return sentences
    return [clause for sentence in sentences for clause in split_clauses(text, sentence)]
