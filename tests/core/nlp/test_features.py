"""Feature configuration JSON round trip and the tokens -> ids step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.nlp.features import FeatureConfig, Featurizer, build_config, cap_text, cap_tokens
from core.nlp.text import stopword_set, tokenize

STOP = stopword_set("english")
TEXTS = ["the movie was not good", "good movie, great cast", "not good at all", "great film but long"] * 6


@pytest.fixture
def featurizer() -> Featurizer:
    config = build_config([tokenize(t, STOP) for t in TEXTS], sorted(STOP), min_count=1, min_bigram_count=2)
    return Featurizer(config)


def test_json_round_trip(featurizer: Featurizer, tmp_path: Path) -> None:
    path = tmp_path / "features.json"
    featurizer.config.save(path)
    again = FeatureConfig.load(path)
    assert again == featurizer.config
    assert path.read_text(encoding="utf-8").startswith("{")  # plain JSON, no pickle
    ids1, off1 = featurizer.encode(TEXTS)
    ids2, off2 = Featurizer(again).encode(TEXTS)
    assert np.array_equal(ids1, ids2) and np.array_equal(off1, off2)


def test_other_format_version_is_rejected(featurizer: Featurizer) -> None:
    text = featurizer.config.to_json().replace('"version":1', '"version":99')
    with pytest.raises(ValueError, match="version"):
        FeatureConfig.from_json(text)


def test_negated_word_gets_its_own_feature(featurizer: Featurizer) -> None:
    cfg = featurizer.config
    good = featurizer.index["good"]
    negated_good = cfg.n_words + len(cfg.bigrams) + good
    ids, offsets = featurizer.encode(["good", "not good", "not good but good"])
    first, second, third = np.split(ids, offsets[1:])
    assert good in first and negated_good not in first
    assert negated_good in second and good not in second
    assert negated_good in third and good in third  # "but" closes the negation scope


def test_bigrams_and_offsets(featurizer: Featurizer) -> None:
    cfg = featurizer.config
    pair = (featurizer.index["great"], featurizer.index["cast"])
    assert pair in cfg.bigrams
    ids, offsets = featurizer.encode(["", "great cast", "..."])
    assert offsets.tolist() == [0, 0, len(ids)]  # empty texts have empty bags
    assert cfg.n_words + cfg.bigrams.index(pair) in ids


def test_batch_encoding_equals_one_by_one(featurizer: Featurizer) -> None:
    ids, offsets = featurizer.encode(TEXTS[:5])
    parts = np.split(ids, offsets[1:])
    for text, part in zip(TEXTS[:5], parts, strict=True):
        alone, _ = featurizer.encode([text])
        assert np.array_equal(alone, part)


def test_long_inputs_are_capped_head_and_tail() -> None:
    text = "a" * 10 + "b" * 10
    assert cap_text(text, 8) == "a" * 6 + " " + "b" * 2
    assert cap_tokens(list("abcdefgh"), 4) == ["a", "b", "c", "h"]


def test_word_ids_equal_vocabulary_lookup_of_tokens(featurizer: Featurizer) -> None:
    # word_ids caches ids per raw token; it must agree with tokenising and looking up each text
    texts = [*TEXTS, "It wasn't good, don't buy!", "not   good?? great... film film", "", "Unknownword here"]
    ids, lengths = featurizer.word_ids(texts)
    expected = [featurizer.index.get(t, 1) for text in texts for t in featurizer.tokens(text)]
    assert ids.tolist() == expected
    assert lengths.tolist() == [len(featurizer.tokens(text)) for text in texts]
    again, _ = featurizer.word_ids(texts)  # second pass is served from the cache
    assert again.tolist() == expected
