"""Score texts with the shipped (or an adapted) TorchScript model: load once, batch, never crash on bad input.

A model directory holds `sentiment.pt` (TorchScript), `features.json`
(:class:`core.nlp.features.FeatureConfig`) and `model_card.json` (version, metrics). :func:`load_scorer`
is the only `torch.jit.load` in the product.

Input handling, decided once here:

* non-strings (None, NaN, numbers), empty or whitespace-only text, and text with no word the tokeniser
  keeps (e.g. "...") get an explicit ``"unscorable"`` :class:`Prediction` with a `reason`, never a label;
* very long texts are scored on a bounded excerpt: the first 3/4 and last 1/4 of 40 sentences, each read
  up to 2,000 characters (limits in `features.json`), because the end of a review often holds its
  verdict and the cost stays bounded;
* the model reads sentences (:func:`core.nlp.sentences.split_sentences`): every scored text also gets
  per-sentence probabilities with character spans (:meth:`Predictor.sentence_scores`,
  :attr:`Prediction.sentences`); a sentence without a word the model knows has none;
* batches of `batch_size` texts are featurised and scored together; :meth:`Predictor.predict_frame`
  walks a pandas column in chunks, so memory is bounded by the chunk, not the column.

`torch` is imported lazily (it takes ~2 s), so featurisation can start in worker processes first.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from core.inference import registry
from core.nlp.features import Encoded, FeatureConfig, Featurizer

LABELS = ("negative", "neutral", "positive")
UNSCORABLE = "unscorable"
MODEL_FILE = "sentiment.pt"
FEATURES_FILE = "features.json"
CARD_FILE = "model_card.json"


class SentenceScore(NamedTuple):
    """One sentence of a text as the model read it: `text[start:end]` and its probabilities
    `(negative, neutral, positive)`, or None when it holds no word the model knows."""

    start: int
    end: int
    text: str
    probs: tuple[float, float, float] | None

    @property
    def label(self) -> str | None:
        """The sentence's most probable class, or None when it was not scored."""
        return None if self.probs is None else LABELS[max(range(3), key=self.probs.__getitem__)]

    def to_json(self) -> dict[str, Any]:
        """`{"start", "end", "text", "label", "scores"}` (label and scores null when not scored)."""
        scores = (
            None if self.probs is None else {k: round(v, 6) for k, v in zip(LABELS, self.probs, strict=True)}
        )
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "scores": scores,
        }


@dataclass(frozen=True)
class Prediction:
    """The model's verdict on one text (or why it gave none)."""

    text: str | None
    label: str  # one of LABELS, or "unscorable"
    scores: (
        dict[str, float] | None
    )  # {"negative": p, "neutral": p, "positive": p}, sums to 1; None if unscorable
    confidence: float | None  # max probability
    model_version: str
    reason: str | None = None  # why unscorable ("empty text", "not a string", ...)
    sentences: tuple[SentenceScore, ...] = ()  # the sentences the model read, in order (none if unscorable)

    def to_json(self) -> dict[str, Any]:
        """The CLI object: text, label, scores, confidence, model_version, sentences (each `{"start",
        "end", "text", "label", "scores"}`) (+ reason when unscorable)."""
        out: dict[str, Any] = {
            "text": self.text,
            "label": self.label,
            "scores": self.scores,
            "confidence": self.confidence,
            "model_version": self.model_version,
            "sentences": [s.to_json() for s in self.sentences],
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def unscorable_reason(value: object) -> str | None:
    """Why `value` cannot be scored before tokenising it, or None if it is a non-blank string."""
    if not isinstance(value, str):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "missing text"
        return "not a string"
    if not value.strip():
        return "empty text"
    return None


def _score_on_one_thread() -> None:
    """Run torch on one intra-op thread in this process (training and adaptation set their own).

    The bag model is a few small matrix products per batch (100k texts: 0.06 s on one thread). A
    second thread only spins waiting for a core that featurising workers, the app or another job
    hold, and then the same 100k texts took 2-5 s.
    """
    import torch

    torch.set_num_threads(1)


def load_scorer(path: Path) -> Any:
    """Load a TorchScript scorer (`(ids, sent_offsets, doc_offsets) -> (doc_probs, sent_probs)`, see
    :class:`core.nlp.features.Encoded`); the product's only `torch.jit.load`."""
    import torch

    module = torch.jit.load(str(path), map_location="cpu")
    module.eval()
    return module


class Predictor:
    """A loaded model: featurizer + TorchScript scorer + model card. Safe to share between threads."""

    def __init__(self, scorer: Any, features: FeatureConfig, card: dict[str, Any], model_dir: Path) -> None:
        self.scorer = scorer
        self.featurizer = Featurizer(features)
        self.card = card
        self.model_dir = model_dir
        self.version: str = str(card.get("version", "unknown"))
        self.language: str = features.language

    @classmethod
    def load(cls, model_dir: Path) -> Predictor:
        """Load `sentiment.pt`, `features.json` and `model_card.json` from `model_dir`. Sets this
        process's torch to one intra-op thread (see :func:`_score_on_one_thread`).

        :raises FileNotFoundError: a file is missing (message names it).
        """
        model_dir = Path(model_dir)
        for name in (MODEL_FILE, FEATURES_FILE, CARD_FILE):
            if not (model_dir / name).is_file():
                raise FileNotFoundError(f"model directory {model_dir} has no {name}")
        features = FeatureConfig.load(model_dir / FEATURES_FILE)
        card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
        scorer = load_scorer(model_dir / MODEL_FILE)
        _score_on_one_thread()
        return cls(scorer, features, card, model_dir)

    def score_encoded(self, encoded: Encoded) -> tuple[np.ndarray, np.ndarray]:
        """Document `(n, 3)` and sentence `(S, 3)` probabilities for already-encoded texts
        (:meth:`Featurizer.encode`), in one model call."""
        import torch

        with torch.inference_mode():
            doc, sent = self.scorer(*(torch.from_numpy(a) for a in encoded))
        return doc.numpy().astype(np.float64), sent.numpy().astype(np.float64)

    def proba_from_encoded(self, encoded: Encoded, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
        """Document `(n, 3)` and sentence `(S, 3)` probabilities for `n` encoded texts, scored
        `batch_size` texts at a time. Rows of texts without a single feature, and of sentences without
        one, are NaN (callers turn such texts into unscorable results).
        """
        n = encoded.n_texts
        docs = np.empty((n, 3), dtype=np.float64)
        sents = np.empty((encoded.sent_offsets.shape[0], 3), dtype=np.float64)
        for a in range(0, n, batch_size):
            b = min(a + batch_size, n)
            part = encoded.slice(a, b)
            first = int(encoded.doc_offsets[a]) if a < n else 0
            docs[a:b], sents[first : first + part.sent_offsets.shape[0]] = self.score_encoded(part)
        docs[encoded.doc_feature_counts() == 0] = np.nan  # no feature at all: nothing to base a verdict on
        sents[np.diff(np.append(encoded.sent_offsets, encoded.ids.shape[0])) == 0] = np.nan
        return docs, sents

    def predict_proba(self, texts: Sequence[str], batch_size: int = 512) -> np.ndarray:
        """Document probabilities `(n, 3)` for valid strings, scored `batch_size` at a time (NaN rows
        as in :meth:`proba_from_encoded`)."""
        out = np.empty((len(texts), 3), dtype=np.float64)
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            out[start : start + len(chunk)] = self.proba_from_encoded(self.featurizer.encode(chunk))[0]
        return out

    def _scored(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[SentenceScore]]]:
        """Document probabilities and each text's :class:`SentenceScore` list, for valid strings."""
        encoded = self.featurizer.encode(texts)
        docs, sents = self.proba_from_encoded(encoded)
        per_text: list[list[SentenceScore]] = []
        for i, text in enumerate(texts):
            first = int(encoded.doc_offsets[i])
            rows = (
                sents[first : first + len(spans)]
                if (spans := self.featurizer.sentence_spans(text))
                else sents[:0]
            )
            per_text.append(
                [
                    SentenceScore(
                        a, b, text[a:b], None if np.isnan(p[0]) else (float(p[0]), float(p[1]), float(p[2]))
                    )
                    for (a, b), p in zip(spans, rows.tolist(), strict=True)
                ]
            )
        return docs, per_text

    def sentence_scores(self, texts: Sequence[str], batch_size: int = 512) -> list[list[SentenceScore]]:
        """Per text, its sentences as the model read them: `(start, end, text, probs)` tuples
        (:class:`SentenceScore`; `probs` is `(negative, neutral, positive)`, or None for a sentence
        without a word the model knows). Sentences come from :func:`core.nlp.sentences.split_sentences`
        (at most `max_sentences` per text: the first 3/4 and last 1/4); a text that is not a non-blank
        string has none.
        """
        out: list[list[SentenceScore]] = [[] for _ in texts]
        valid = [i for i, t in enumerate(texts) if unscorable_reason(t) is None]
        for start in range(0, len(valid), batch_size):
            rows = valid[start : start + batch_size]
            for i, sentences in zip(rows, self._scored([texts[i] for i in rows])[1], strict=True):
                out[i] = sentences
        return out

    def predict(self, texts: Sequence[object], batch_size: int = 512) -> list[Prediction]:
        """One :class:`Prediction` per input, in order, with its sentences; invalid inputs become
        "unscorable" with a reason."""
        reasons = [unscorable_reason(t) for t in texts]
        valid = [i for i, r in enumerate(reasons) if r is None]
        probs = np.empty((len(valid), 3))
        sentences: list[list[SentenceScore]] = []
        for start in range(0, len(valid), batch_size):
            chunk = [texts[i] for i in valid[start : start + batch_size]]
            probs[start : start + len(chunk)], per_text = self._scored(chunk)  # type: ignore[arg-type]
            sentences += per_text
        row_of = {i: k for k, i in enumerate(valid)}
        results: list[Prediction] = []
        for i, text in enumerate(texts):
            shown = text if isinstance(text, str) else None
            reason = reasons[i]
            if reason is None and np.isnan(probs[row_of[i], 0]):
                reason = "no words to score"
            if reason is not None:
                results.append(Prediction(shown, UNSCORABLE, None, None, self.version, reason))
                continue
            p = probs[row_of[i]]
            scores = {name: round(float(v), 6) for name, v in zip(LABELS, p, strict=True)}
            best = int(np.argmax(p))
            results.append(
                Prediction(
                    shown, LABELS[best], scores, round(float(p[best]), 6), self.version,
                    sentences=tuple(sentences[row_of[i]]),
                )
            )  # fmt: skip
        return results

    def predict_frame(self, texts: Any, chunk_size: int = 5000) -> Any:
        """Score a pandas Series in chunks; returns a DataFrame (same index) with columns
        label, negative, neutral, positive, confidence (NaN scores for unscorable rows).
        """
        import pandas as pd

        parts = []
        for start in range(0, len(texts), chunk_size):
            chunk = texts.iloc[start : start + chunk_size]
            values = chunk.tolist()
            valid = [i for i, text in enumerate(values) if unscorable_reason(text) is None]
            probs = np.full((len(values), 3), np.nan)
            if valid:
                probs[valid] = self.predict_proba([values[i] for i in valid])
            parts.append(predictions_frame(probs, index=chunk.index))
        if not parts:
            return predictions_frame(np.empty((0, 3)), index=texts.index)
        return pd.concat(parts)


def predictions_frame(probs: np.ndarray, index: Any = None) -> Any:
    """label, negative, neutral, positive, confidence for probability rows (NaN rows: "unscorable"),
    rounded exactly as :meth:`Predictor.predict` rounds, without one object per row."""
    import pandas as pd

    columns = ["label", *LABELS, "confidence"]
    if not len(probs):
        return pd.DataFrame(columns=columns, index=index)
    scored = ~np.isnan(probs[:, 0])
    best = np.argmax(np.where(scored[:, None], probs, 0.0), axis=1)
    labels = np.where(scored, np.asarray(LABELS, dtype=object)[best], UNSCORABLE)
    confidence = np.where(scored, probs[np.arange(len(probs)), best], np.nan)
    # Python's round, not np.round: stored numbers must equal Predictor.predict's to the last bit
    data = {name: [round(v, 6) for v in probs[:, k].tolist()] for k, name in enumerate(LABELS)}
    data["confidence"] = [round(v, 6) for v in confidence.tolist()]
    return pd.DataFrame({"label": labels, **data}, columns=columns, index=index)


def resolve_model_dir(model: str | Path | None = None) -> Path:
    """Which model directory to load, as the model registry (:mod:`core.inference.registry`) resolves it.

    None is the active version (falling back to the base model), `"base"` the shipped model,
    otherwise a version name or a model directory.

    :raises FileNotFoundError: the name is neither a model directory nor a known version.
    """
    try:
        return Path(registry.resolve_model_dir(model))
    except registry.RegistryError as exc:
        raise FileNotFoundError(str(exc)) from exc


_CACHE: dict[Path, Predictor] = {}
_LOCK = threading.Lock()


def get_predictor(model: str | Path | None = None) -> Predictor:
    """The process-wide :class:`Predictor` for `model` (:func:`resolve_model_dir`), loaded once per directory.

    Thread-safe: concurrent first calls load the model once; scoring itself holds no shared mutable state.
    """
    model_dir = resolve_model_dir(model).resolve()
    with _LOCK:
        predictor = _CACHE.get(model_dir)
        if predictor is None:
            predictor = Predictor.load(model_dir)
            _CACHE[model_dir] = predictor
        return predictor
