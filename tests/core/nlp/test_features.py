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
    first, second = featurizer.encode(TEXTS), Featurizer(again).encode(TEXTS)
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)


def test_other_format_version_is_rejected(featurizer: Featurizer) -> None:
    text = featurizer.config.to_json().replace('"version":2', '"version":1')
    with pytest.raises(ValueError, match=r"format version 1.*retrain"):
        FeatureConfig.from_json(text)


def test_negated_word_gets_its_own_feature(featurizer: Featurizer) -> None:
    cfg = featurizer.config
    good = featurizer.index["good"]
    negated_good = cfg.n_words + len(cfg.bigrams) + good
    ids, offsets, _ = featurizer.encode(["good", "not good", "not good but good"])
    first, second, third = np.split(ids, offsets[1:])
    assert good in first and negated_good not in first
    assert negated_good in second and good not in second
    assert negated_good in third and good in third  # "but" closes the negation scope


def test_bigrams_and_offsets(featurizer: Featurizer) -> None:
    cfg = featurizer.config
    pair = (featurizer.index["great"], featurizer.index["cast"])
    assert pair in cfg.bigrams
    ids, sent_offsets, doc_offsets = featurizer.encode(["", "great cast", "..."])
    assert doc_offsets.tolist() == [0, 0, 1]  # a blank text has no sentence
    assert sent_offsets.tolist() == [0, len(ids)]  # "..." is a sentence without features
    assert cfg.n_words + cfg.bigrams.index(pair) in ids


def test_batch_encoding_equals_one_by_one(featurizer: Featurizer) -> None:
    batch = featurizer.encode(TEXTS[:5])
    for i, text in enumerate(TEXTS[:5]):
        for got, want in zip(batch.slice(i, i + 1), featurizer.encode([text]), strict=True):
            assert np.array_equal(got, want)
        for got, want in zip(batch.take(np.array([i])), featurizer.encode([text]), strict=True):
            assert np.array_equal(got, want)


def test_long_inputs_are_capped_head_and_tail() -> None:
    text = "a" * 10 + "b" * 10
    assert cap_text(text, 8) == "a" * 6 + " " + "b" * 2
    assert cap_tokens(list("abcdefgh"), 4) == ["a", "b", "c", "h"]


def test_word_ids_equal_vocabulary_lookup_of_tokens(featurizer: Featurizer) -> None:
    # word_ids caches ids per raw token; it must agree with tokenising and looking up each text
    texts = [*TEXTS, "It wasn't good, don't buy!", "not   good?? great... film film", "", "Unknownword here"]
    ids, lengths, per_text = featurizer.word_ids(texts)
    expected = [featurizer.index.get(t, 1) for text in texts for t in featurizer.tokens(text)]
    assert ids.tolist() == expected
    sentences = [s for text in texts for s in featurizer.sentence_tokens(text)]
    assert lengths.tolist() == [len(s) for s in sentences]
    assert per_text.tolist() == [len(featurizer.sentence_spans(text)) for text in texts]
    again, _, _ = featurizer.word_ids(texts)  # second pass is served from the cache
    assert again.tolist() == expected


REVIEWS = [
    "Before this vacuum I spent an hour a day on dog hair and it was a nightmare. Now it takes ten minutes. "
    "Best purchase this year!",
    "Great sound but the battery died.<br />Returned it.\n\nNot good, not bad",
    "  Loved it!!! 10/10 would buy again :) ",
    "I can't say it's good. Don't buy &amp; don't look back... <b>really</b>",
    "",
    "...",
    "No punctuation at all just words that go on",
]


def test_sentence_encoding_matches_the_spans_and_the_reference_tokens(featurizer: Featurizer) -> None:
    encoded = featurizer.encode(REVIEWS)
    counts = np.diff(np.append(encoded.doc_offsets, len(encoded.sent_offsets)))
    assert counts.tolist() == [len(featurizer.sentence_spans(t)) for t in REVIEWS] == [3, 3, 2, 3, 0, 1, 1]
    reference = featurizer.encode_tokens([featurizer.sentence_tokens(t) for t in REVIEWS])
    for fast, slow in zip(encoded, reference, strict=True):
        assert np.array_equal(fast, slow)


def test_bigrams_and_negation_stop_at_sentence_ends(featurizer: Featurizer) -> None:
    cfg = featurizer.config
    good = featurizer.index["good"]
    ids, sent_offsets, _ = featurizer.encode(["It was not. Good"])
    assert ids[sent_offsets[1] :].tolist() == [good]  # not the negated copy: the scope ended with "."
    pair = cfg.n_words + cfg.bigrams.index((featurizer.index["great"], featurizer.index["cast"]))
    assert (
        pair not in featurizer.encode(["great. cast"]).ids and pair in featurizer.encode(["great cast"]).ids
    )


def test_many_sentences_keep_head_and_tail_and_long_sentences_are_capped(featurizer: Featurizer) -> None:
    text = " ".join(f"Sentence {i} here." for i in range(100)) + " " + "good " * 5000
    spans = featurizer.sentence_spans(text)
    cfg = featurizer.config
    assert len(spans) == cfg.max_sentences == len(featurizer.sentence_tokens(text))
    assert text[slice(*spans[0])] == "Sentence 0 here." and text[slice(*spans[-1])].startswith("good")
    assert len(featurizer.sentence_tokens(text)[-1]) <= cfg.max_sentence_chars // 2
