"""Feature configuration (plain JSON, no pickle) and the fast tokens -> ids step of training and serving.

A text becomes a *bag of feature ids* for an `nn.EmbeddingBag`. The embedding table has three blocks:

    [0, V)            words of the vocabulary (0 = padding, 1 = unknown; unknown words are dropped)
    [V, V+B)          known bigrams of adjacent word ids (an exact list, no hashing, so no collisions)
    [V+B, V+B+V)      the same words *inside a negation scope*: up to `negation_window` tokens after
                      "not", "no", "never", ... and before a contrast word ("but") or "!"/"?";
                      the negated copy replaces the plain word, so "not good" != "good"

Encoding a batch runs :func:`core.nlp.text.raw_tokens` per text and maps each raw token to its ids through
a cache of :func:`core.nlp.text.expand_token` results (so the per-token Python work is one dictionary
lookup), then does bigram lookup and negation scoping for the whole batch at once with NumPy.

Very long texts are capped deliberately: at most `max_chars` characters are tokenised (the first
three quarters and the last quarter, since reviews often conclude at the end), and at most
`max_tokens` tokens are kept the same way (head and tail).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import numpy as np

from core.nlp.text import expand_token, raw_tokens, tokenize

T = TypeVar("T")
FEATURES_VERSION = 1
_ID_CACHE_LIMIT = 500_000  # distinct raw tokens remembered by a Featurizer
PAD_ID = 0
UNK_ID = 1
SPECIAL_TOKENS = ("<pad>", "<unk>")

# Words that open a negation scope, and tokens that close one (contrast words, ! and ?).
NEGATION_WORDS = (
    "not",
    "no",
    "never",
    "nor",
    "neither",
    "nothing",
    "none",
    "nobody",
    "nowhere",
    "cannot",
    "without",
    "ni",
    "nunca",
    "sin",
    "nada",
    "tampoco",
    "jamás",
)
SCOPE_BREAKERS = (
    "but",
    "however",
    "although",
    "though",
    "yet",
    "except",
    "despite",
    "pero",
    "sino",
    "aunque",
    "!",
    "?",
)


@dataclass
class FeatureConfig:
    """Everything needed to turn text into feature ids; saved next to the model as `features.json`."""

    vocab: list[str]  # word per id; ids 0 and 1 are SPECIAL_TOKENS
    bigrams: list[tuple[int, int]]  # bigram id i (table row V+i) is the word-id pair bigrams[i]
    stopwords: list[str]  # snapshot of core.nlp.text.stopword_set(language) used in training, sorted
    language: str = "english"  # which stopword list the snapshot came from
    max_tokens: int = 1024  # tokens kept per text (3/4 head + 1/4 tail)
    max_chars: int = 20_000  # characters tokenised per text (3/4 head + 1/4 tail)
    negation_window: int = 3  # tokens after a negation word that get the negated feature
    negation_words: list[str] = field(default_factory=lambda: list(NEGATION_WORDS))
    scope_breakers: list[str] = field(default_factory=lambda: list(SCOPE_BREAKERS))
    version: int = FEATURES_VERSION  # format version of this file

    @property
    def n_words(self) -> int:
        """V: the size of the word block."""
        return len(self.vocab)

    @property
    def n_features(self) -> int:
        """Rows of the embedding table: words + bigrams + negated words."""
        return 2 * len(self.vocab) + len(self.bigrams)

    def to_json(self) -> str:
        """The config as a JSON document (UTF-8, human-readable keys, compact lists)."""
        # a shallow dict: `asdict` deep-copies 80k bigram tuples, and json writes tuples as lists anyway
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> FeatureConfig:
        """Parse :meth:`to_json` output; rejects files of another format version."""
        data = json.loads(text)
        if data.get("version") != FEATURES_VERSION:
            raise ValueError(f"features.json version {data.get('version')!r}, expected {FEATURES_VERSION}")
        data["bigrams"] = [tuple(pair) for pair in data["bigrams"]]
        return cls(**data)

    def save(self, path: Path) -> None:
        """Write `features.json`."""
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> FeatureConfig:
        """Read `features.json`."""
        return cls.from_json(path.read_text(encoding="utf-8"))


def cap_text(text: str, max_chars: int) -> str:
    """Keep the first 3/4 and last 1/4 of `max_chars` characters of an over-long text."""
    if len(text) <= max_chars:
        return text
    head = max_chars * 3 // 4
    return text[:head] + " " + text[len(text) - (max_chars - head) :]


def cap_tokens(tokens: list[T], max_tokens: int) -> list[T]:
    """Keep the first 3/4 and last 1/4 of `max_tokens` tokens."""
    if len(tokens) <= max_tokens:
        return tokens
    head = max_tokens * 3 // 4
    return tokens[:head] + tokens[len(tokens) - (max_tokens - head) :]


def build_config(
    token_lists: Iterable[list[str]],
    stopwords: Sequence[str],
    *,
    language: str = "english",
    extra_words: Iterable[str] = (),
    min_count: int = 3,
    max_words: int = 30_000,
    min_bigram_count: int = 5,
    max_bigrams: int = 80_000,
) -> FeatureConfig:
    """Build a vocabulary and bigram list from tokenised training texts.

    :param token_lists: tokens of each training text (already stopword-filtered).
    :param stopwords: the stopword snapshot to store.
    :param extra_words: words always added (e.g. the sentiment lexicon), after the counted ones.
    :param min_count: minimum word frequency; :param max_words: vocabulary cap (incl. extras).
    :param min_bigram_count: minimum bigram frequency; :param max_bigrams: bigram cap.
    """
    from collections import Counter

    token_lists = list(token_lists)
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    extras = [w for w in dict.fromkeys(extra_words) if w not in SPECIAL_TOKENS]
    extra_set = set(extras)
    room = max_words - len(SPECIAL_TOKENS) - len(extras)
    counted = [w for w, c in counts.most_common() if c >= min_count and w not in extra_set][: max(room, 0)]
    # extras that also occur in training keep their frequency rank; the rest go at the end
    ranked = sorted((w for w in extras if counts[w] >= min_count), key=lambda w: -counts[w])
    words = list(SPECIAL_TOKENS) + counted + ranked + [w for w in extras if counts[w] < min_count]
    index = {w: i for i, w in enumerate(words)}
    pair_counts: Counter[tuple[int, int]] = Counter()
    for tokens in token_lists:
        ids = [index.get(t, UNK_ID) for t in tokens]
        pair_counts.update(pairwise(ids))
    bigrams = [pair for pair, c in pair_counts.most_common() if c >= min_bigram_count and UNK_ID not in pair][
        :max_bigrams
    ]
    return FeatureConfig(vocab=words, bigrams=bigrams, stopwords=sorted(stopwords), language=language)


class Featurizer:
    """Turns texts into `(ids, offsets)` for `nn.EmbeddingBag`, following one :class:`FeatureConfig`."""

    def __init__(self, config: FeatureConfig) -> None:
        self.config = config
        self.index: dict[str, int] = {w: i for i, w in enumerate(config.vocab)}
        self.stopwords = frozenset(config.stopwords)
        v = config.n_words
        self._v = v
        self._b = len(config.bigrams)
        pairs = np.asarray(config.bigrams, dtype=np.int64).reshape(-1, 2)
        keys = pairs[:, 0] * v + pairs[:, 1]
        order = np.argsort(keys, kind="stable")
        self._bigram_keys = keys[order]  # sorted, for searchsorted
        self._bigram_rows = (v + order).astype(np.int64)  # table row of each sorted key
        self._negators = np.array(sorted({self.index[w] for w in config.negation_words if w in self.index}))
        self._breakers = np.array(sorted({self.index[w] for w in config.scope_breakers if w in self.index}))
        self._ids_of_raw: dict[str, tuple[int, ...]] = {}

    def tokens(self, text: str) -> list[str]:
        """The model tokens of one text, with the documented length caps applied."""
        cfg = self.config
        return cap_tokens(tokenize(cap_text(text, cfg.max_chars), self.stopwords), cfg.max_tokens)

    def word_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Word ids of all texts concatenated, and each text's token count.

        The same ids as looking up :meth:`tokens` in the vocabulary, computed through a cache from raw
        token to ids, because contraction expansion and stopword removal depend on the token alone.

        :returns: `(ids, lengths)`, int64 arrays; unknown words are `UNK_ID`.
        """
        cache = self._ids_of_raw
        if len(cache) > _ID_CACHE_LIMIT:  # bounded memory on endless streams of new words
            cache.clear()
        get = self.index.get
        stopwords = self.stopwords
        max_chars, max_tokens = self.config.max_chars, self.config.max_tokens
        flat: list[int] = []
        lengths = np.empty(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            ids: list[int] = []
            for raw in raw_tokens(cap_text(text, max_chars)):
                known = cache.get(raw)
                if known is None:
                    known = cache[raw] = tuple(get(t, UNK_ID) for t in expand_token(raw, stopwords))
                ids += known
            if len(ids) > max_tokens:
                ids = cap_tokens(ids, max_tokens)
            lengths[i] = len(ids)
            flat += ids
        return np.asarray(flat, dtype=np.int64), lengths

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids for a batch of texts, in `EmbeddingBag` form.

        :returns: `(ids, offsets)`: int64 arrays; text i's features are `ids[offsets[i]:offsets[i+1]]`.
        """
        words, lengths = self.word_ids(texts)
        return self.encode_word_ids(words, lengths)

    def encode_word_ids(self, words: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised second half of :meth:`encode`: bigrams and negation scope for a whole batch."""
        n = words.shape[0]
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        if n == 0:
            return np.zeros(0, dtype=np.int64), starts
        pos = np.arange(n, dtype=np.int64)
        doc_start = np.zeros(n, dtype=bool)
        doc_start[starts[lengths > 0]] = True

        # negation scope: the last negator is at or after the last breaker/doc start, within the window
        is_neg = np.isin(words, self._negators)
        is_break = np.isin(words, self._breakers) | doc_start
        last_neg = np.maximum.accumulate(np.where(is_neg, pos, -1))
        last_break = np.maximum.accumulate(np.where(is_break, pos, -1))
        dist = pos - last_neg
        scoped = (last_neg >= last_break) & (dist >= 1) & (dist <= self.config.negation_window) & ~is_neg

        unigram = np.where(scoped, words + self._v + self._b, words)
        unigram[words == UNK_ID] = -1  # unknown words carry no feature of their own

        # bigrams of adjacent words within the same text, looked up in the sorted key list
        bigram = np.full(n, -1, dtype=np.int64)
        if self._b and n > 1:
            keys = words[:-1] * self._v + words[1:]
            same_doc = ~doc_start[1:]
            slot = np.searchsorted(self._bigram_keys, keys)
            slot[slot >= self._b] = 0
            hit = (self._bigram_keys[slot] == keys) & same_doc
            bigram[:-1][hit] = self._bigram_rows[slot[hit]]

        both = np.stack([unigram, bigram], axis=1).ravel()  # stays grouped by text
        keep = both >= 0
        doc_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths * 2)
        counts = np.bincount(doc_of[keep], minlength=len(lengths))
        offsets = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(counts[:-1], out=offsets[1:])
        return both[keep], offsets

    def sequences(self, texts: Sequence[str], max_len: int) -> np.ndarray:
        """Padded word ids `(batch, max_len)` for order-aware models (the CNN); unknown words stay UNK."""
        words, lengths = self.word_ids(texts)
        out = np.zeros((len(texts), max_len), dtype=np.int64)
        start = 0
        for i, length in enumerate(lengths):
            take = min(int(length), max_len)
            out[i, :take] = words[start : start + take]
            start += int(length)
        return out
