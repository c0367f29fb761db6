"""Sentences and contrast clauses of a review, as character spans (English and Spanish).

Shared by aspect sentiment and the sentence-aware model: both read a review sentence by sentence, so
they must agree on where sentences are. Spans, not strings, so a caller can point back into the
review (quotes, highlighting) without searching for the sentence again.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (runs of them too: ``"?!"``, ``"..."``) followed by
a space or the end, at a line break, and before an opening ``¿``/``¡`` that follows a word. A full
stop does not end a sentence after a known abbreviation ("e.g.", "Mr.", "approx.", "aprox.") or a
lone initial, inside a number ("3.5"), or when an ellipsis is followed by a lower-case word ("it was
fine... until it broke"). Bullet markers at the start of a line ("- ", "* ", "• ", "1. ") are left
out of the span.

:func:`split_clauses` cuts a sentence once more at contrast words ("great sound but the battery
died"), so each side can carry its own sentiment.
"""

from __future__ import annotations

import re


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lower-case, without the final dot; matched against the word before a full stop.
ABBREVIATIONS = word_set(
    """
    approx appt apr aprox apt aug cm co dec dept dr dra e.g ej est etc feb fig fri ft i.e in inc
    jan jr jul jun kg km lb lbs ltd mar max min mm mon mr mrs ms no nos nov núm oct oz p.ej pag
    prof pág sat sep sept sr sra srta st sun thu tue ud uds vol vs wed
    """
)
_END_RE = re.compile(r"[.!?…]+(?=[\s\"'”’)\]]|$)[\"'”’)\]]*|\n+|(?<=\w)[ \t]+(?=[¿¡])")
_NEXT_CHAR_RE = re.compile(r"\s*(\S)")
_BULLET_RE = re.compile(r"[ \t]*(?:[-*•·–—>]+|\d{1,2}[.)])[ \t]+")
_WORD_BEFORE_RE = re.compile(r"[\w.]+$")
_LOOK_BACK = 24  # characters read before a full stop to find the word it ends (an abbreviation?)
_CONTRAST_RE = re.compile(
    r"\b(?:but|however|although|though|whereas|pero|aunque|sin embargo|no obstante)\b", re.IGNORECASE
)
# Contrast words that open a sentence ("Although the sound is great, the battery died") split it
# at the first comma instead.
_LEADING_CONTRAST = frozenset({"although", "though", "aunque", "whereas"})


def _is_false_stop(text: str, start: int, end: int) -> bool:
    """Whether the punctuation run `text[start:end]` does not end the sentence."""
    mark = text[start:end].rstrip("\"'”’)]")
    if mark == ".":
        window = max(0, start - _LOOK_BACK)
        before = _WORD_BEFORE_RE.search(text, window, start)
        if before is not None:
            word = before.group().lower().lstrip(".")
            initials = all(len(part) == 1 for part in word.split("."))  # "U.S", "p.m", a lone "J"
            if word in ABBREVIATIONS or (initials and word.replace(".", "").isalpha()):
                return True
            line_start = text.rfind("\n", 0, before.start()) + 1
            if word.isdigit() and not text[line_start : before.start()].strip():
                return True  # a numbered list's "1." marker
    if mark in ("...", "…", "....") or mark.startswith(".."):
        following = _NEXT_CHAR_RE.match(text, end)
        return following is not None and following.group(1).islower()
    return False


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of `text`, in order, each stripped of
    surrounding whitespace and bullet markers; empty and punctuation-only pieces are dropped.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _END_RE.finditer(text):
        if match.group()[0] in ".…" and _is_false_stop(text, *match.span()):
            continue
        _append(text, cursor, match.end(), spans)
        cursor = match.end()
    _append(text, cursor, len(text), spans)
    return spans


_BULLET_START = frozenset("-*•·–—>0123456789")


def _append(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    if start < end and text[start] in _BULLET_START:
        bullet = _BULLET_RE.match(text, start, end)
        if bullet is not None:
            start = bullet.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if any(ch.isalnum() for ch in text[start:end]):
        spans.append((start, end))


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
    """The units aspect sentiment is judged on: every sentence, cut into clauses at contrast words."""
    sentences = split_sentences(text)
    if _CONTRAST_RE.search(text) is None:  # most reviews: no clause to cut
        return sentences
    return [clause for sentence in sentences for clause in split_clauses(text, sentence)]
