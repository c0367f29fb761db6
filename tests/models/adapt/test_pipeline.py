"""Adaptation proves itself on held-out reviews; the gate refuses what does not; too little data too."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.inference import registry
from core.inference.predictor import Predictor
from core.ingestion.rating_labels import DataRequirements, RatingCutoffs, insufficiency
from core.nlp.features import Featurizer
from models.adapt.data import RatedReviews, split_indices
from models.adapt.extend import extend_features, extend_model
from models.adapt.gate import bootstrap_share_better, gate_verdict
from models.adapt.labels import InsufficientData, LabelledReviews, check_sufficient, label_reviews
from models.adapt.options import AdaptOptions
from models.adapt.pipeline import adapt, run
from models.model import Scorer
from tests.models.adapt.conftest import HOTELES, OPTIONS, labelled


def test_adaptation_beats_the_base_model_on_held_out_medication_reviews(medications_version):
    card = medications_version.card
    base_f1, adapted_f1 = card["heldout"]["base"]["macro_f1"], card["heldout"]["adapted"]["macro_f1"]
    assert adapted_f1 > base_f1 + 0.1, card["gate"]["verdict"]
    assert card["gate"]["passed"] is True and card["gate"]["metric"] == "macro_f1"
    assert card["gate"]["verdict"].startswith("PASSED")
    # both models were judged on the same held-out reviews
    assert card["heldout"]["base"]["n"] == card["heldout"]["adapted"]["n"] == card["data"]["split"]["heldout"]
    assert np.asarray(card["heldout"]["adapted"]["confusion"]).sum() == card["data"]["split"]["heldout"]
    assert card["language"] == "english"
    assert card["data"]["class_counts"] == {"negative": 142, "neutral": 78, "positive": 180}
    assert card["training"]["vocabulary"]["added_words"] > 0
    assert "drowsy" in Predictor.load(medications_version.version_dir).featurizer.index


def test_the_version_directory_is_a_complete_registry_version(medications_version, base):
    path = medications_version.version_dir
    assert registry.is_model_dir(path) and path.parent == registry.get_settings().registry_dir
    card = json.loads((path / "model_card.json").read_text())
    for key in (
        "version",
        "created_at",
        "base_version",
        "language",
        "label_mapping",
        "data",
        "heldout",
        "gate",
    ):
        assert key in card, key
    assert card["version"] == path.name and card["base_version"] == base.version
    assert card["label_mapping"]["five_point"] == {"negative": [1, 2], "neutral": [3], "positive": [4, 5]}
    assert card["label_mapping"]["ten_point"] == {
        "negative": [1, 2, 3, 4],
        "neutral": [5, 6],
        "positive": [7, 8, 9, 10],
    }
    predictor = Predictor.load(path)
    [bad, good] = predictor.predict(
        ["It left me drowsy all day and I had constant nausea.", "I finally got relief."]
    )
    assert (bad.label, good.label) == ("negative", "positive")
    assert bad.model_version == path.name


def test_spanish_reviews_get_the_spanish_stopword_list_and_improve(base):
    result = adapt(labelled(HOTELES), base, AdaptOptions(**OPTIONS))
    card = result.card
    assert card["language"] == "spanish" and result.features.language == "spanish"
    assert "de" in result.features.stopwords and "the" not in result.features.stopwords
    assert "sin" in result.features.vocab and "pero" in result.features.vocab  # negation works in Spanish
    assert card["heldout"]["adapted"]["macro_f1"] > card["heldout"]["base"]["macro_f1"] + 0.1
    assert card["gate"]["passed"]


def test_the_gate_refuses_a_model_trained_on_inverted_labels_and_activation_fails(base, medications):
    options = AdaptOptions(**OPTIONS, corrupt_labels="invert")
    result = run(medications, base, options)
    try:
        assert not result.passed
        assert result.verdict.startswith("REFUSED")
        with pytest.raises(registry.RegistryError, match="did not beat the base model"):
            registry.activate(result.version_dir.name)
        assert registry.active_name() == registry.BASE
    finally:
        registry.rollback()


@pytest.mark.parametrize(
    ("base_f1", "adapted_f1", "share", "passed"),
    [(0.5, 0.52, 0.97, True), (0.5, 0.505, 0.99, False), (0.5, 0.5, 0.5, False), (0.6, 0.4, 0.0, False),
     (0.4, 0.45, 0.80, False)],  # the last: a gain within the noise of the held-out set
)  # fmt: skip
def test_gate_needs_a_gain_above_the_margin_on_most_resamples(base_f1, adapted_f1, share, passed):
    base, adapted = {"macro_f1": base_f1, "n": 80}, {"macro_f1": adapted_f1, "n": 80}
    gate = gate_verdict(base, adapted, min_gain=0.01, share_better=share, confidence=0.95)
    assert gate["passed"] is passed
    assert gate["verdict"].startswith("PASSED" if passed else "REFUSED")


def test_bootstrap_share_is_high_only_for_a_real_gain():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 200)
    good = np.where(rng.random(200) < 0.9, truth, (truth + 1) % 3)
    worse = np.where(rng.random(200) < 0.5, truth, (truth + 1) % 3)
    assert bootstrap_share_better(truth, worse, good) > 0.99
    assert bootstrap_share_better(truth, good, worse) < 0.01
    assert bootstrap_share_better(truth, good, good) == 0.0  # never strictly better than itself
    one_more = good.copy()
    one_more[np.flatnonzero(good != truth)[0]] = truth[np.flatnonzero(good != truth)[0]]
    assert bootstrap_share_better(truth, good, one_more) < 0.95  # one review fixed is not proof


def test_insufficient_data_is_refused_with_the_readable_reason(base, medications):
    few = LabelledReviews(
        medications.texts[:150], medications.labels[:150], medications.products[:150], unrated=0, duplicates=0
    )
    with pytest.raises(InsufficientData) as caught:
        adapt(few, base, AdaptOptions(**OPTIONS))
    assert str(caught.value) == insufficiency(few.counts)
    assert "150 rated reviews (need at least 200)" in str(caught.value)
    no_neutral = [i for i, label in enumerate(medications.labels) if label != "neutral"]
    keep = no_neutral + [i for i, label in enumerate(medications.labels) if label == "neutral"][:5]
    skewed = LabelledReviews(
        [medications.texts[i] for i in keep], [medications.labels[i] for i in keep], ["p"] * len(keep), 0, 0
    )
    with pytest.raises(InsufficientData, match="neutral has 5"):
        check_sufficient(skewed, DataRequirements())


def test_unrated_and_repeated_reviews_are_left_out():
    data = RatedReviews(
        texts=["Great relief", "great  relief", "No rating here", "Made me dizzy"],
        ratings=[1.0, 1.0, None, 0.0],
        products=["a"] * 4,
        source={},
    )
    reviews = label_reviews(data, RatingCutoffs())
    assert reviews.labels == ["positive", "negative"]
    assert (reviews.unrated, reviews.duplicates) == (1, 1)


def test_split_is_stratified_seeded_and_disjoint():
    labels = ["negative"] * 100 + ["neutral"] * 50 + ["positive"] * 150
    parts = split_indices(labels, seed=3, heldout=0.2, val=0.2)
    again = split_indices(labels, seed=3, heldout=0.2, val=0.2)
    assert all(np.array_equal(parts[k], again[k]) for k in parts)
    assert len(parts["heldout"]) == 60 and sum(labels[i] == "neutral" for i in parts["heldout"]) == 10
    joined = np.concatenate(list(parts.values()))
    assert len(np.unique(joined)) == len(labels)


def test_extending_the_vocabulary_keeps_every_old_row_and_the_base_predictions(base):
    tokens = [["drowsy", "nausea", "relief"], ["drowsy", "nausea"], ["drowsy", "relief"]] * 3
    ext = extend_features(
        base.features,
        tokens,
        stopwords=base.features.stopwords,
        language="english",
        options=AdaptOptions(),
    )
    new = [w for w in ("drowsy", "nausea", "relief") if w not in base.features.vocab]
    assert ext.new_words == new
    assert ext.features.vocab[: base.features.n_words] == base.features.vocab
    assert ext.features.bigrams[: len(base.features.bigrams)] == base.features.bigrams
    model = extend_model(base.model, ext, {"drowsy": -1.2})
    weight = model.embedding.weight.detach()
    assert torch.equal(weight[torch.from_numpy(ext.row_map)], base.model.embedding.weight.detach())
    new_rows = sorted(set(range(ext.features.n_features)) - set(ext.row_map.tolist()))
    assert torch.count_nonzero(weight[new_rows]) == 0
    if "drowsy" in ext.new_words:
        row = ext.features.vocab.index("drowsy")
        assert model.valence[row].tolist() == pytest.approx([0.0, 0.3])
    # a text made only of base words scores exactly as before
    texts = ["not good at all, but the screen is great", "terrible battery, never again"]
    old = [torch.from_numpy(a) for a in Featurizer(base.features).encode(texts)]
    new = [torch.from_numpy(a) for a in Featurizer(ext.features).encode(texts)]
    model.eval()
    with torch.no_grad():
        before = base.model.forward_all(*old)
        after = model.forward_all(*new)  # documents and sentences alike
    for mine, theirs in zip(before, after, strict=True):
        assert torch.allclose(mine, theirs, atol=1e-6)


def test_the_base_model_is_rebuilt_exactly_from_its_torchscript_file(base):
    texts = ["I love it", "awful, broke in a day", "it arrived on Tuesday"]
    args = [torch.from_numpy(a) for a in Featurizer(base.features).encode(texts)]
    scorer = Scorer(base.model, temperature=base.temperature, band=base.band).eval()
    with torch.no_grad():
        eager = scorer(*args)
        scripted = base.scripted(*args)
    for mine, theirs in zip(eager, scripted, strict=True):  # document and sentence probabilities
        assert torch.allclose(mine, theirs, atol=1e-6)
