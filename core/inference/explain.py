"""Why did the model say that? Sentence verdicts and word contributions by occlusion, for the dashboard.

:func:`explain_sentences` lists each sentence the model read with its own probabilities (the network
scores every sentence, :meth:`Predictor.sentence_scores`) and how much it drove the review's verdict:
the drop in `P(positive) - P(negative)` of the whole text when that sentence is left out (one batched
call: the text plus one variant per sentence). The sentence-aware model weighs sentences by attention,
so a verdict sentence ("Best purchase this year!") can outweigh two complaints before it.

For each word of the text we delete it, re-score the text with the same TorchScript model and
measure how much the polarity `P(positive) - P(negative)` dropped. A positive weight pushed the
text toward positive, a negative weight toward negative. Occlusion (rather than gradients) works on
the exported model as is, also sees bigrams and negation scope ("not" in "not good" gets the credit
for the flip), and costs one batched model call: the original plus one variant per word.

Small weights are not to be read: each sentence averages its word vectors, so deleting a word also
re-weights all the others, and in a text that is already 99 % sure a strongly positive word can come
out a hair "negative" (removing it lets the even stronger words weigh more). :func:`notable` keeps the
words whose effect is at least :data:`NOTABLE_SHARE` of the strongest word's; the dashboard colours
and lists only those.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.inference.predictor import Predictor, unscorable_reason
from core.nlp.text import EMOJI_CLASS, RATING_PATTERN

MAX_WORDS = 300  # longer texts: only the first 300 words are explained (one batch of 301 variants)
NOTABLE_SHARE = 0.15  # a word counts when its effect is at least this share of the strongest word's

# Same units the tokeniser keeps: a written rating ("3/10", "five stars") as a whole, words with inner
# apostrophes, ! and ?, emoji.
_WORD_RE = re.compile(
    rf"{RATING_PATTERN}|[^\W\d_]+(?:['\u2019][^\W\d_]+)*|[!?]+|{EMOJI_CLASS}", re.IGNORECASE
)


@dataclass(frozen=True)
class SentenceContribution:
    """One sentence of the original text, the model's verdict on it, and its effect on the text's verdict."""

    start: int  # character offsets into the original text
    end: int
    text: str  # `text[start:end]`
    label: str | None  # the sentence's own most probable class; None if it holds no word the model knows
    probs: tuple[float, float, float] | None  # (negative, neutral, positive) of the sentence alone
    weight: float  # > 0 pushed the text toward positive, < 0 toward negative (change in P(pos) - P(neg))


@dataclass(frozen=True)
class TokenContribution:
    """One word of the original text and its signed effect on the verdict."""

    token: str  # the text exactly as written, `text[start:end]`
    start: int  # character offsets into the original text
    end: int
    weight: float  # > 0 pushes toward positive, < 0 toward negative (change in P(pos) - P(neg))


def explain(predictor: Predictor, text: str, max_words: int = MAX_WORDS) -> list[TokenContribution]:
    """Signed contribution of each word of `text` (in reading order); empty for unscorable text.

    Words the model ignores (stopwords, unknown words) get weight 0.0.
    """
    if unscorable_reason(text) is not None:
        return []
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)][:max_words]
    if not spans:
        return []
    variants = [text] + [text[:s] + " " + text[e:] for s, e in spans]
    probs = predictor.predict_proba(variants, batch_size=len(variants))
    polarity = probs[:, 2] - probs[:, 0]
    base = polarity[0]
    out = []
    for (start, end), without in zip(spans, polarity[1:], strict=True):
        weight = 0.0 if without != without else float(base - without)  # NaN: nothing left to score
        out.append(TokenContribution(text[start:end], start, end, round(weight, 6)))
    return out


def explain_sentences(predictor: Predictor, text: str) -> list[SentenceContribution]:
    """Each sentence of `text` (in reading order) with its own probabilities and its signed effect on
    the text's verdict; empty for unscorable text. Sentences are the ones the model reads
    (:meth:`Predictor.sentence_scores`); a text of one sentence gets that sentence with the whole effect.
    """
    if unscorable_reason(text) is not None:
        return []
    (sentences,) = predictor.sentence_scores([text])
    if not sentences:
        return []
    variants = [text] + [text[: s.start] + " " + text[s.end :] for s in sentences]
    probs = predictor.predict_proba(variants, batch_size=len(variants))
    polarity = np.nan_to_num(probs[:, 2] - probs[:, 0])  # NaN: nothing left to score, no polarity
    return [
        SentenceContribution(s.start, s.end, s.text, s.label, s.probs, round(float(polarity[0] - without), 6))
        for s, without in zip(sentences, polarity[1:], strict=True)
    ]


def notable(
    contributions: Sequence[TokenContribution], share: float = NOTABLE_SHARE, limit: int | None = None
) -> list[TokenContribution]:
    """The contributions worth showing, strongest first: at least `share` of the largest absolute
    weight (and not zero); at most `limit` of them.
    """
    scale = max((abs(c.weight) for c in contributions), default=0.0)
    if scale <= 0:
        return []
    kept = sorted((c for c in contributions if abs(c.weight) >= share * scale), key=lambda c: -abs(c.weight))
    return kept[:limit]
