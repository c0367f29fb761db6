"""User text as inert Markdown, with the words that drove a prediction coloured.

Streamlit renders `st.markdown` without HTML (unless `unsafe_allow_html=True`, which we never
pass), but Markdown itself would still turn `**x**`, `[a](b)`, `![img](url)`, `$math$`, `# x` or
`1.` in a review into formatting, links or images. So every ASCII punctuation character of user
text is backslash-escaped (CommonMark: "any ASCII punctuation character may be backslash-escaped",
and an escaped character is always literal), line breaks become spaces, and the only Markdown
left is ours: `:red-background[...]`-style colour directives around escaped words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.inference.explain import NOTABLE_SHARE

_ASCII_PUNCT_RE = re.compile(r"([!-/:-@\[-`{-~])")
_SPACE_RE = re.compile(r"\s+")


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
    (newlines included) collapsed to single spaces so no block syntax can start.
    """
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
    ordered = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: s.start)
    scale = max((abs(s.weight) for s in ordered), default=0.0)
    parts: list[str] = []
    cursor = 0
    for span in ordered:
        if span.start < cursor:
            continue
        parts.append(escape_markdown(text[cursor : span.start]))
        word = escape_markdown(text[span.start : span.end])
        directive = _directive(span.weight, scale)
        parts.append(f":{directive}[{word}]" if directive and word.strip() else word)
        cursor = span.end
    parts.append(escape_markdown(text[cursor:]))
    return "".join(parts)
