"""Offline language detection for the languages we have stopword lists for.

Stopwords are the most frequent words of a language, so the share of a text's words that are
English versus Spanish stopwords identifies the language of any review longer than a few words,
with no model download. Short or ambiguous texts come back as "unknown" rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

from core.nlp.text import NLTK_DATA_DIR, SUPPORTED_LANGUAGES

UNKNOWN = "unknown"
_WORD_RE = re.compile(r"[^\W\d_]+")
# Below this many stopword hits a text is too short to call.
_MIN_HITS = 2


@cache
def _full_stopwords(language: str) -> frozenset[str]:
    """NLTK's complete list (negations included: they are strong language markers)."""
    path = NLTK_DATA_DIR / "corpora" / "stopwords" / language
    return frozenset(path.read_text(encoding="utf-8").split())


def detect_language(text: str) -> str:
    """`"english"`, `"spanish"` or `"unknown"` for one text."""
    words = _WORD_RE.findall(text.lower())
    hits = {lang: sum(w in _full_stopwords(lang) for w in words) for lang in SUPPORTED_LANGUAGES}
    best, best_hits = max(hits.items(), key=lambda kv: kv[1])
    runner_up = max(h for lang, h in hits.items() if lang != best)
    if best_hits < _MIN_HITS or best_hits <= runner_up * 1.5:
        return UNKNOWN
    return best


def reading_note(language: str | None, model_language: str) -> str:
    """Why a review's label is less reliable, or "" when the model reads its language (or the language
    is unknown): "Spanish: the active model reads English; adapt it on rated Spanish reviews"."""
    if not language or language in (UNKNOWN, model_language):
        return ""
    name, model = language.capitalize(), model_language.capitalize()
    return f"{name}: the active model reads {model}; adapt it on rated {name} reviews"


def language_shares(texts: Iterable[str]) -> dict[str, float]:
    """Share of texts per detected language, for a collection of reviews."""
    counts = Counter(detect_language(t) for t in texts if isinstance(t, str))
    total = sum(counts.values())
    return {lang: n / total for lang, n in counts.most_common()} if total else {}


def dominant_language(texts: Iterable[str]) -> str:
    """The language most reviews are written in, ignoring texts too short to call."""
    shares = {k: v for k, v in language_shares(texts).items() if k != UNKNOWN}
    return max(shares, key=shares.__getitem__) if shares else UNKNOWN


def foreign_language_warning(texts: Iterable[str], model_language: str) -> str | None:
    """A readable warning when a noticeable share of `texts` is in a language the model was not
    trained on, else None."""
    shares = language_shares(texts)
    foreign = {k: v for k, v in shares.items() if k not in (UNKNOWN, model_language)}
    if not foreign:
        return None
    lang, share = max(foreign.items(), key=lambda kv: kv[1])
    if share < 0.05:
        return None
    return (
        f"{share:.0%} of these texts look {lang.capitalize()}, but the active model was trained on "
        f"{model_language.capitalize()} reviews; its labels for them are less reliable. "
        "Adapt a model on rated reviews in that language (Model page) to fix this."
    )


def unrecognised_language_warning(texts: Sequence[str], language: str) -> str | None:
    """A warning when most reviews are written in a non-Latin script (Chinese, Russian, Arabic...):
    no supported language, yet they would silently be treated as `language`. (Short English
    reviews, also "unknown" to the stopword detector, do not trigger it.)"""

    def non_latin(text: str) -> bool:
        letters = [c for c in text if c.isalpha()]
        foreign = sum(not unicodedata.name(c, "").startswith("LATIN") for c in letters)
        return bool(letters) and foreign > len(letters) / 2

    share = sum(non_latin(t) for t in texts) / max(len(texts), 1)
    if share <= 0.5:
        return None
    return (
        f"Warning: {share:.0%} of the reviews are in a language this product does not support "
        f"(supported: {', '.join(SUPPORTED_LANGUAGES)}); they are tokenised as {language}, so the "
        "adapted model may not be reliable."
    )
