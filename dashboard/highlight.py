"""User text as inert Markdown, with the words that drove a prediction coloured.

Streamlit renders `st.markdown` without HTML (unless `unsafe_allow_html=True`, which we never
pass), but Markdown itself would still turn `**x**`, `[a](b)`, `![img](url)`, `$math$`, `# x` or
`1.` in a review into formatting, links or images. So every ASCII punctuation character of user
text is backslash-escaped (CommonMark: "any ASCII punctuation character may be backslash-escaped",
and an escaped character is always literal), line breaks become spaces, and the only Markdown
left is ours: `:red-background[...]`-style colour directives around escaped words.

Escaping alone does not stop links: Streamlit's GitHub-flavoured Markdown looks for bare URLs
(`https://...`, `www....`) and e-mail addresses in the text *after* escapes are resolved, so an
escaped URL still became a live link. An invisible WORD JOINER (U+2060) is therefore put where
each of those patterns hinges (between `:` and `//`, between `www` and `.`, before `@`): the text
looks as typed, but none of GFM's autolink rules matches it any more.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from core.inference.explain import NOTABLE_SHARE

_ASCII_PUNCT_RE = re.compile(r"([!-/:-@\[-`{-~])")
_SPACE_RE = re.compile(r"\s+")
WORD_JOINER = "\u2060"  # zero width, no line break: splits a link pattern with no visible change
# The points where GFM's autolink-literal rules hinge: `http(s)://`, `www.` and e-mail `@`.
_AUTOLINK_RE = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A scored stretch of the text: characters `start:end` pushed the score by `weight`
    (> 0 toward positive, < 0 toward negative).
    """

    start: int
    end: int
    weight: float


def escape_markdown(text: str) -> str:
    """`text` as Markdown that renders exactly as written: ASCII punctuation escaped, whitespace
    (newlines included) collapsed to single spaces so no block syntax can start, and a word joiner
    in every URL or e-mail pattern so that none becomes a link.
    """
    return _escape_punctuation(_AUTOLINK_RE.sub(WORD_JOINER, text))


def _escape_punctuation(text: str) -> str:
    return _ASCII_PUNCT_RE.sub(r"\\\1", _SPACE_RE.sub(" ", text))


def _directive(weight: float, scale: float) -> str | None:
    """The colour directive for a weight relative to the strongest one in the text, or None for
    words below `core.inference.explain.NOTABLE_SHARE` (the ones :func:`core.inference.explain.notable`
    leaves out).
    """
    strength = abs(weight) / scale if scale > 0 else 0.0
    if strength < NOTABLE_SHARE:
        return None
    colour = "green" if weight > 0 else "red"
    return f"{colour}-background" if strength >= 0.5 else colour


def highlight_markdown(text: str, spans: Iterable[Span]) -> str:
    """Markdown for `text` with each span coloured: background for the strongest words, coloured
    text for weaker ones, plain for the rest. Overlapping or out-of-range spans are skipped.
    """
    # Link patterns are broken on the whole text first (a span may end inside one), moving the spans
    # past the word joiners put in before them.
    cuts = [m.start() for m in _AUTOLINK_RE.finditer(text)]
    ordered = sorted(
        (
            Span(s.start + bisect_right(cuts, s.start), s.end + bisect_left(cuts, s.end), s.weight)
            for s in spans
            if 0 <= s.start < s.end <= len(text)
        ),
        key=lambda s: s.start,
    )
    text = _AUTOLINK_RE.sub(WORD_JOINER, text)
    scale = max((abs(s.weight) for s in ordered), default=0.0)
    parts: list[str] = []
    cursor = 0
    for span in ordered:
        if span.start < cursor:
            continue
        parts.append(_escape_punctuation(text[cursor : span.start]))
        word = _escape_punctuation(text[span.start : span.end])
        directive = _directive(span.weight, scale)
        parts.append(f":{directive}[{word}]" if directive and word.strip() else word)
        cursor = span.end
    parts.append(_escape_punctuation(text[cursor:]))
    return "".join(parts)
