"""Feature configuration (plain JSON, no pickle) and the fast text -> sentence bags step.

A text becomes a list of *sentences* (:func:`core.nlp.sentences.split_sentences`), and each sentence a
*bag of feature ids* for an `nn.EmbeddingBag`. The embedding table has three blocks:

    [0, V)            words of the vocabulary (0 = padding, 1 = unknown; unknown words are dropped)
    [V, V+B)          known bigrams of adjacent word ids (an exact list, no hashing, so no collisions)
    [V+B, V+B+V)      the same words *inside a negation scope*: up to `negation_window` tokens after
                      "not", "no", "never", ... and before a contrast word ("but") or "!"/"?";
                      the negated copy replaces the plain word, so "not good" != "good"

Bigrams and negation scopes stop at sentence ends. :meth:`Featurizer.encode` returns an
:class:`Encoded` batch: flat ids, where each sentence starts, and where each text's sentences start.
A text has exactly the sentences :meth:`Featurizer.sentence_spans` lists, in the same order (a blank
text has none), so per-sentence probabilities map back to character spans.

Encoding a batch runs :func:`core.nlp.text.raw_tokens` once per sentence, and every raw token maps to
its ids through a cache of
:func:`core.nlp.text.expand_token` results (so the per-token Python work is one dictionary lookup), and
bigram lookup and negation scoping run for the whole batch at once with NumPy.

Very long texts are capped deliberately: at most `max_sentences` sentences are kept (the first three
quarters and the last quarter, since reviews often conclude at the end), and each sentence is read
up to `max_sentence_chars` characters (its head and tail, the same way).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np

from core.nlp.sentences import sentence_texts, split_sentences
from core.nlp.text import expand_token, raw_tokens, tokenize

T = TypeVar("T")
# 2: sentence-aware encoding (max_sentences, max_sentence_chars replace max_tokens, max_chars)
FEATURES_VERSION = 2
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
    max_sentences: int = 40  # sentences kept per text (3/4 head + 1/4 tail)
    max_sentence_chars: int = 2000  # characters read per sentence (3/4 head + 1/4 tail)
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
            raise ValueError(
                f"features.json has format version {data.get('version')!r}, but this code reads version "
                f"{FEATURES_VERSION} (sentence-aware features); the model was exported by an older release: "
                "retrain it (`make train`) or re-run the adaptation with the current base model"
            )
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
    """Keep the first 3/4 and last 1/4 of `max_tokens` items (tokens, sentence spans)."""
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


class Encoded(NamedTuple):
    """A batch of texts as sentence bags, every network's input: `(ids, sent_offsets, doc_offsets)`.

    Sentence `j`'s feature ids are `ids[sent_offsets[j]:sent_offsets[j + 1]]` (empty when it has no known
    word); text `i`'s sentences are `doc_offsets[i] <= j < doc_offsets[i + 1]` (none for a blank text).
    """

    ids: np.ndarray  # (features,) int64
    sent_offsets: np.ndarray  # (sentences,) int64
    doc_offsets: np.ndarray  # (texts,) int64

    @property
    def n_texts(self) -> int:
        """How many texts the batch holds (`len()` stays the tuple's length, 3)."""
        return int(self.doc_offsets.shape[0])

    def doc_feature_counts(self) -> np.ndarray:
        """Feature ids per text `(texts,)`; 0 means nothing to score."""
        bounds = np.append(self.sent_offsets, self.ids.shape[0])
        doc_bounds = np.append(self.doc_offsets, self.sent_offsets.shape[0])
        return np.diff(bounds[doc_bounds])

    def take(self, docs: np.ndarray) -> Encoded:
        """The texts `docs` (any order, repeats allowed) as a new batch, in one fancy-index."""
        n_sent, n_ids = self.sent_offsets.shape[0], self.ids.shape[0]
        sent_ends = np.append(self.sent_offsets[1:], n_ids)
        doc_ends = np.append(self.doc_offsets[1:], n_sent)
        per_doc = doc_ends[docs] - self.doc_offsets[docs]
        sents = _ranges(self.doc_offsets[docs], per_doc)
        lengths = sent_ends[sents] - self.sent_offsets[sents]
        ids = self.ids[_ranges(self.sent_offsets[sents], lengths)]
        return Encoded(ids, _starts(lengths), _starts(per_doc))

    def slice(self, start: int, stop: int) -> Encoded:
        """Texts `start:stop` as a new batch (views where possible)."""
        n_sent = self.sent_offsets.shape[0]
        s0 = int(self.doc_offsets[start]) if start < self.n_texts else n_sent
        s1 = int(self.doc_offsets[stop]) if stop < self.n_texts else n_sent
        bounds = np.append(self.sent_offsets, self.ids.shape[0])
        i0, i1 = int(bounds[s0]), int(bounds[s1])
        return Encoded(self.ids[i0:i1], self.sent_offsets[s0:s1] - i0, self.doc_offsets[start:stop] - s0)

    @staticmethod
    def concat(parts: Sequence[Encoded]) -> Encoded:
        """One batch of all texts of `parts`, in order."""
        n_ids = np.cumsum([0] + [p.ids.shape[0] for p in parts[:-1]])
        n_sent = np.cumsum([0] + [p.sent_offsets.shape[0] for p in parts[:-1]])
        return Encoded(
            np.concatenate([p.ids for p in parts]),
            np.concatenate([p.sent_offsets + k for p, k in zip(parts, n_ids, strict=True)]),
            np.concatenate([p.doc_offsets + k for p, k in zip(parts, n_sent, strict=True)]),
        )


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Exclusive cumulative sum: where each of consecutive runs of `lengths` starts."""
    out = np.zeros(lengths.shape[0], dtype=np.int64)
    np.cumsum(lengths[:-1], out=out[1:])
    return out


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated `arange(s, s + n)` for every pair, without a Python loop."""
    total = int(lengths.sum())
    within = np.arange(total, dtype=np.int64) - np.repeat(_starts(lengths), lengths)
    return np.repeat(starts.astype(np.int64), lengths) + within


class Featurizer:
    """Turns texts into sentence bags (:class:`Encoded`), following one :class:`FeatureConfig`."""

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

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        """The character spans of the sentences the model reads, in order: :func:`split_sentences`
        capped to `max_sentences` (head and tail). Sentence `j` of :meth:`encode`'s text is span `j`."""
        return cap_tokens(split_sentences(text), self.config.max_sentences)

    def _sentence_texts(self, text: str) -> list[str]:
        """`text[a:b]` of every span of :meth:`sentence_spans`, each capped to `max_sentence_chars`."""
        sentences = sentence_texts(text)
        cfg = self.config
        if len(sentences) > cfg.max_sentences:
            sentences = cap_tokens(sentences, cfg.max_sentences)
        cap = cfg.max_sentence_chars
        if len(text) > cap:  # no sentence can be longer than its text
            sentences = [cap_text(s, cap) for s in sentences]
        return sentences

    def sentence_tokens(self, text: str) -> list[list[str]]:
        """The model tokens of each sentence of one text (the slow reference path; :meth:`encode` is fast)."""
        return [tokenize(s, self.stopwords) for s in self._sentence_texts(text)]

    def tokens(self, text: str) -> list[str]:
        """The model tokens of one text, its sentences in order, with the documented caps applied."""
        return [t for sentence in self.sentence_tokens(text) for t in sentence]

    def word_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Word ids of all sentences of all texts concatenated, each sentence's length, and each text's
        sentence count.

        The same ids as looking up :meth:`sentence_tokens` in the vocabulary, computed through a cache
        from raw token to ids, because contraction expansion and stopword removal depend on the token
        alone. (Tokenising sentence by sentence measured faster than one pass over the text with a
        break word joining the sentences: the extra tokens cost more than the extra calls.)

        :returns: `(ids, sentence_lengths, sentences_per_text)`, int64 arrays; unknown words are `UNK_ID`.
        """
        cache = self._ids_of_raw
        if len(cache) > _ID_CACHE_LIMIT:  # bounded memory on endless streams of new words
            cache.clear()
        get = self.index.get
        stopwords = self.stopwords
        flat: list[int] = []
        lengths: list[int] = []
        per_text = np.empty(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            sentences = self._sentence_texts(text)
            per_text[i] = len(sentences)
            for sentence in sentences:
                start = len(flat)
                for raw in raw_tokens(sentence):
                    known = cache.get(raw)
                    if known is None:
                        known = cache[raw] = tuple(get(t, UNK_ID) for t in expand_token(raw, stopwords))
                    flat += known
                lengths.append(len(flat) - start)
        return np.asarray(flat, dtype=np.int64), np.asarray(lengths, dtype=np.int64), per_text

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Sentence bags of a batch of texts (see :class:`Encoded`)."""
        words, sentence_lengths, per_text = self.word_ids(texts)
        ids, sent_offsets = self.encode_word_ids(words, sentence_lengths)
        return Encoded(ids, sent_offsets, _starts(per_text))

    def encode_tokens(self, sentence_tokens: Sequence[Sequence[Sequence[str]]]) -> Encoded:
        """:meth:`encode` for texts already tokenised per sentence (:meth:`sentence_tokens`)."""
        get = self.index.get
        per_text = np.fromiter((len(d) for d in sentence_tokens), dtype=np.int64, count=len(sentence_tokens))
        per_sentence = [[get(t, UNK_ID) for t in s] for d in sentence_tokens for s in d]
        lengths = np.fromiter((len(s) for s in per_sentence), dtype=np.int64, count=len(per_sentence))
        words = np.fromiter((i for s in per_sentence for i in s), dtype=np.int64, count=int(lengths.sum()))
        ids, sent_offsets = self.encode_word_ids(words, lengths)
        return Encoded(ids, sent_offsets, _starts(per_text))

    def encode_word_ids(self, words: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised second half of :meth:`encode`: bigrams and negation scope for a whole batch of
        segments (sentences): `words` holds each segment's word ids in turn, `lengths` their counts.

        :returns: `(ids, offsets)`: segment j's features are `ids[offsets[j]:offsets[j+1]]`.
        """
        n = words.shape[0]
        starts = _starts(lengths)
        if n == 0:
            return np.zeros(0, dtype=np.int64), starts
        pos = np.arange(n, dtype=np.int64)
        doc_start = np.zeros(n, dtype=bool)
        doc_start[starts[lengths > 0]] = True

        # negation scope: the last negator is at or after the last breaker/segment start, within the window
        is_neg = np.isin(words, self._negators)
        is_break = np.isin(words, self._breakers) | doc_start
        last_neg = np.maximum.accumulate(np.where(is_neg, pos, -1))
        last_break = np.maximum.accumulate(np.where(is_break, pos, -1))
        dist = pos - last_neg
        scoped = (last_neg >= last_break) & (dist >= 1) & (dist <= self.config.negation_window) & ~is_neg

        unigram = np.where(scoped, words + self._v + self._b, words)
        unigram[words == UNK_ID] = -1  # unknown words carry no feature of their own

        # bigrams of adjacent words within the same segment, looked up in the sorted key list
        bigram = np.full(n, -1, dtype=np.int64)
        if self._b and n > 1:
            keys = words[:-1] * self._v + words[1:]
            same_doc = ~doc_start[1:]
            slot = np.searchsorted(self._bigram_keys, keys)
            slot[slot >= self._b] = 0
            hit = (self._bigram_keys[slot] == keys) & same_doc
            bigram[:-1][hit] = self._bigram_rows[slot[hit]]

        both = np.stack([unigram, bigram], axis=1).ravel()  # stays grouped by segment
        keep = both >= 0
        doc_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths * 2)
        counts = np.bincount(doc_of[keep], minlength=len(lengths))
        return both[keep], _starts(counts)
