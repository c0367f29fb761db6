"""The sentence-aware prototype (issue 15): sentence encoding, TorchScript round trip, review-set loading."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import torch

from core.nlp.features import Featurizer, build_config
from core.nlp.text import stopword_set, tokenize
from models.hier_model import HierConfig, HierModel, HierScorer, encode_sentences, script, split_sentences
from models.hier_train import make_sent_textset, tokenize_docs

TEXTS = [
    "Before this vacuum I spent an hour a day on dog hair and it was a nightmare. Now it takes ten "
    "minutes. Best purchase this year!",
    "Great sound but the battery died.<br />Returned it.",
    "",
    "...",
    "ok",
]


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    stop = stopword_set()
    config = build_config(
        [tokenize(t, stop) for t in TEXTS * 3], sorted(stop), min_count=1, min_bigram_count=1
    )
    return Featurizer(config)


def test_split_sentences_on_end_marks_line_breaks_and_br() -> None:
    assert split_sentences("Good. Bad! Why? ok") == ["Good.", "Bad!", "Why?", "ok"]
    assert split_sentences("one<br />two\nthree") == ["one", "two", "three"]
    assert split_sentences("3.5 stars.") == ["3.5 stars."]


def test_encode_sentences_groups_sentences_by_document(featurizer: Featurizer) -> None:
    ids, sent_offsets, doc_offsets = encode_sentences(featurizer, TEXTS)
    assert doc_offsets.tolist() == [0, 3, 5, 6, 7]  # 3 + 2 sentences, empty texts keep one empty sentence
    lengths = np.diff(np.append(sent_offsets, ids.shape[0]))
    assert lengths[:5].min() > 0  # every sentence of a real text has features
    assert lengths[5:7].tolist() == [0, 0]  # "" and "..." have nothing to score


def test_serving_encoder_matches_training_encoder(featurizer: Featurizer) -> None:
    frame = pd.DataFrame({"label": ["neutral"] * len(TEXTS), "weight": 1.0, "domain": "reviews"})
    trained = make_sent_textset(featurizer, tokenize_docs(TEXTS, featurizer.stopwords), frame)
    served = encode_sentences(featurizer, TEXTS)
    for a, b in zip(served, (trained.ids, trained.offsets, trained.doc_offsets), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("doc_bag", "context"), [(False, False), (True, False), (False, True)])
def test_scripted_scorer_round_trip(featurizer: Featurizer, doc_bag: bool, context: bool) -> None:
    torch.manual_seed(0)
    config = HierConfig(featurizer.config.n_features, doc_bag=doc_bag, context_attention=context)
    scorer = HierScorer(HierModel(config), 1.3, 0.1)
    inputs = [torch.from_numpy(x) for x in encode_sentences(featurizer, TEXTS)]
    buffer = io.BytesIO()
    torch.jit.save(script(scorer), buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer, map_location="cpu")
    doc_probs, sent_probs = loaded(*inputs)
    eager_doc, eager_sent = scorer(*inputs)
    assert doc_probs.shape == (len(TEXTS), 3) and sent_probs.shape == (8, 3)
    torch.testing.assert_close(doc_probs, eager_doc)
    torch.testing.assert_close(sent_probs, eager_sent)
    torch.testing.assert_close(doc_probs.sum(1), torch.ones(len(TEXTS)))


def test_review_sets_match_their_readme() -> None:
    from models import reviews_data

    try:
        frames = {name: reviews_data.load_review_set(name) for name in reviews_data.REVIEW_SETS}
    except FileNotFoundError as exc:
        pytest.skip(f"real review sets not available: {exc}")
    counts = {name: frame["label"].value_counts().to_dict() for name, frame in frames.items()}
    assert counts["clothing"] == {"positive": 17442, "neutral": 2823, "negative": 2369}
    assert counts["alexa"] == {"positive": 1990, "neutral": 105, "negative": 205}
    assert counts["finefood"] == {"positive": 777, "neutral": 75, "negative": 145}
    assert counts["coar"] == {"positive": 1202, "neutral": 188, "negative": 811}
    with pytest.raises(ValueError, match="training set"):
        reviews_data.load_eval_set("clothing")


def test_sentence_marker_survives_a_full_id_cache(
    featurizer: Featurizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = encode_sentences(featurizer, TEXTS)
    import core.nlp.features
    import models.hier_model

    # a cache at its limit is cleared by Featurizer.word_ids; the marker must not be cleared with it
    monkeypatch.setattr(core.nlp.features, "_ID_CACHE_LIMIT", 1)
    monkeypatch.setattr(models.hier_model, "_ID_CACHE_LIMIT", 1)
    for got, want in zip(encode_sentences(featurizer, TEXTS), expected, strict=True):
        np.testing.assert_array_equal(got, want)
