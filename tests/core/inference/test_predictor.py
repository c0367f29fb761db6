"""The predictor on the shipped model: probabilities, unscorable inputs, long text, batching, threads."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from core.inference.predictor import LABELS, UNSCORABLE, Predictor, get_predictor
from core.settings import get_settings


def test_probabilities_sum_to_one(predictor: Predictor) -> None:
    preds = predictor.predict(["I love it", "Terrible, broke in a day", "It is a phone", "meh"])
    for p in preds:
        assert p.label in LABELS
        assert math.isclose(sum(p.scores.values()), 1.0, abs_tol=1e-5)
        assert p.confidence == max(p.scores.values())
        assert p.model_version == predictor.version == predictor.card["version"]


def test_obvious_polarity(predictor: Predictor) -> None:
    neg, pos = predictor.predict(
        ["The battery died after two days, not worth it", "Absolutely love it, works great"]
    )
    assert neg.label == "negative"
    assert pos.label == "positive"


def test_emoji_carry_their_sentiment(predictor: Predictor) -> None:
    # an emoji alone used to be "no words to score"; read as VADER's words it has a clear polarity
    up, down, angry = predictor.predict(
        ["\U0001f44d", "\U0001f44e", "Arrived like this \U0001f621\U0001f621"]
    )
    assert up.label == "positive"
    assert down.label == "negative"
    assert angry.label == "negative"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty text"),
        ("   \n\t", "empty text"),
        (None, "missing text"),
        (float("nan"), "missing text"),
        (42, "not a string"),
        ("...", "no words to score"),
    ],
)
def test_unscorable_inputs_are_explicit(predictor: Predictor, value: object, reason: str) -> None:
    (pred,) = predictor.predict([value])
    assert pred.label == UNSCORABLE
    assert pred.scores is None and pred.confidence is None
    assert pred.reason == reason


def test_very_long_text_is_scored_on_a_bounded_excerpt(predictor: Predictor) -> None:
    long_text = "The plot drags and the acting is wooden. " * 5000 + "Overall I loved it."
    (pred,) = predictor.predict([long_text])
    assert pred.label in LABELS
    spans = predictor.featurizer.sentence_spans(long_text)
    assert len(spans) == predictor.featurizer.config.max_sentences
    assert (
        long_text[slice(*spans[-1])] == "Overall I loved it."
    )  # the tail (where verdicts often are) is kept
    assert len(pred.sentences) == len(spans)


def test_batch_and_single_agree(predictor: Predictor) -> None:
    texts = ["great value", "", "awful support, never again", "fine I guess", "works"] * 3
    batch = predictor.predict(texts, batch_size=4)
    for text, p in zip(texts, batch, strict=True):
        (single,) = predictor.predict([text])
        assert single.label == p.label
        if p.scores:
            assert np.allclose(list(single.scores.values()), list(p.scores.values()), atol=1e-5)


def test_predict_frame_keeps_index_and_chunks(predictor: Predictor) -> None:
    series = pd.Series(["good", None, "bad product"] * 5, index=range(100, 115))
    frame = predictor.predict_frame(series, chunk_size=4)
    assert list(frame.index) == list(series.index)
    assert list(frame.columns) == ["label", "negative", "neutral", "positive", "confidence"]
    assert (frame.loc[frame["label"] == UNSCORABLE, "negative"].isna()).all()
    assert frame["label"].iloc[1] == UNSCORABLE


def test_get_predictor_is_cached_and_thread_safe() -> None:
    model_dir = get_settings().model_dir
    with ThreadPoolExecutor(max_workers=4) as pool:
        loaded = list(pool.map(lambda _: get_predictor(model_dir), range(8)))
        results = list(pool.map(lambda p: p.predict(["nice", "bad"])[0].scores, loaded))
    assert all(p is loaded[0] for p in loaded)
    assert all(r == results[0] for r in results)


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError):
        get_predictor("no-such-version-xyz")


def test_predict_frame_equals_predict_to_the_last_digit(predictor: Predictor) -> None:
    texts = ["Love it!", "", "not good, broke in a week", None, "...", "ok", 42, "The screen is fine but meh"]
    frame = predictor.predict_frame(pd.Series(texts, index=range(10, 18)))
    for (_, row), pred in zip(frame.iterrows(), predictor.predict(texts), strict=True):
        assert row["label"] == pred.label
        if pred.scores is None:
            assert math.isnan(row["negative"]) and math.isnan(row["confidence"])
        else:
            assert [row[name] for name in LABELS] == [pred.scores[name] for name in LABELS]
            assert row["confidence"] == pred.confidence


def test_sentence_scores_map_to_spans_of_the_text(predictor: Predictor) -> None:
    texts = [
        "The first week was awful: it kept crashing. Support fixed it fast!\nNow I love it.",
        "ok",
        "",
        None,
        "...",
    ]
    per_text = predictor.sentence_scores(texts)  # type: ignore[arg-type]
    assert [len(s) for s in per_text] == [3, 1, 0, 0, 1]
    first = per_text[0]
    for start, end, sentence, probs in first:
        assert texts[0][start:end] == sentence
        assert probs is not None and math.isclose(sum(probs), 1.0, abs_tol=1e-5)
    assert first[-1].label == "positive"
    assert per_text[4][0].probs is None  # a sentence without a known word has no verdict
    (pred,) = predictor.predict([texts[0]])
    assert [(s.start, s.end) for s in pred.sentences] == [(s.start, s.end) for s in first]
    assert pred.to_json()["sentences"][0]["text"] == first[0].text


def test_sentence_probabilities_do_not_depend_on_the_batch(predictor: Predictor) -> None:
    texts = ["Great screen. Awful battery!", "Fine.", "Bad. Good. Bad."] * 3
    together = predictor.sentence_scores(texts, batch_size=2)
    for text, sentences in zip(texts, together, strict=True):
        (alone,) = predictor.sentence_scores([text])
        assert np.allclose([s.probs for s in alone], [s.probs for s in sentences], atol=1e-5)
