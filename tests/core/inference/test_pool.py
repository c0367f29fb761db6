"""Featurising in worker processes: the same features and scores as in-process, and failures surface."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd
import pytest

from core.inference.pool import FeaturizeError, FeaturizePool, valid_rows
from core.inference.predictor import unscorable_reason
from core.storage import importer

MIXED: list[object] = [
    "Great kettle, boils fast",
    "",
    "   \n\t",
    "\u3000",  # ideographic space only
    "...",  # a string without a single token: featurised, but an empty bag
    None,
    math.nan,
    42,
    "Not good at all. The lid broke!",
    "It's fine, I guess? Wouldn't buy again but it works",
]


class Poison(str):
    """A review that raises when the featurizer measures it (in whichever process that happens)."""

    def __len__(self) -> int:
        raise ValueError("poisoned review text")


class Fatal(str):
    """A review that kills the worker process that unpickles it, as the out-of-memory killer would."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os._exit, (3,))


def texts(n: int) -> list[object]:
    """`n` texts: MIXED over and over."""
    return (MIXED * (n // len(MIXED) + 1))[:n]


def test_valid_rows_are_the_texts_the_predictor_scores() -> None:
    assert valid_rows(MIXED).tolist() == [i for i, t in enumerate(MIXED) if unscorable_reason(t) is None]


@pytest.mark.parametrize("chunk_size", [1, 7, 64])
def test_workers_give_the_same_features_as_in_process(predictor: Any, chunk_size: int) -> None:
    data = texts(300)
    with FeaturizePool(predictor.featurizer, workers=2) as pool:
        stream = pool.encode(data, chunk_size=chunk_size, min_parallel=0)
        assert stream.workers == 2
        chunks = list(stream)
    assert [(c.start, c.stop) for c in chunks] == [
        (a, min(a + chunk_size, len(data))) for a in range(0, len(data), chunk_size)
    ]
    for chunk in chunks:
        assert chunk.rows.tolist() == valid_rows(data, chunk.start, chunk.stop).tolist()
        expected = predictor.featurizer.encode([data[i] for i in chunk.rows])
        for got, want in zip(chunk.encoded, expected, strict=True):  # ids, sentence and text offsets
            np.testing.assert_array_equal(got, want)


def test_small_inputs_and_one_worker_stay_in_process(predictor: Any) -> None:
    with FeaturizePool(predictor.featurizer, workers=2) as pool:
        assert pool.encode(texts(50), chunk_size=10).workers == 1  # below min_parallel
    with FeaturizePool(predictor.featurizer, workers=1) as pool:
        stream = pool.encode(texts(50), chunk_size=10, min_parallel=0)
        assert stream.workers == 1
        assert sum(len(c.rows) for c in stream) == len(valid_rows(texts(50)))


def test_importer_scores_equal_predict_frame(predictor: Any) -> None:
    """Through the pool (above MIN_PARALLEL, so really in workers) and in-process: identical numbers."""
    data = [t if isinstance(t, str) else "" for t in texts(6000)]  # the importer gets strings only
    expected = predictor.predict_frame(pd.Series(data))
    for workers in (2, 1):
        with FeaturizePool(predictor.featurizer, workers=workers) as pool:
            scores = importer._score(predictor, pool, data, None, None, len(data))
        pd.testing.assert_frame_equal(scores, expected, check_exact=True)
    assert (expected["label"] == "unscorable").sum() == 600 * 7  # blanks, "..." and the non-strings


def test_an_error_in_a_worker_is_raised_in_the_caller(predictor: Any) -> None:
    data = texts(200)
    data[150] = Poison("a review with a poisoned length")
    with FeaturizePool(predictor.featurizer, workers=2) as pool:
        stream = pool.encode(data, chunk_size=20, min_parallel=0)
        with pytest.raises(ValueError, match="poisoned review text"):
            list(stream)
        # the pool is closed: a later input is featurised here, and still correctly
        again = pool.encode(texts(30), chunk_size=10, min_parallel=0)
        assert again.workers == 1 and sum(len(c.rows) for c in again) == len(valid_rows(texts(30)))


def test_a_worker_that_dies_is_a_readable_error_not_a_hang(predictor: Any) -> None:
    data = texts(200)
    data[100] = Fatal("this text kills its worker")
    with (
        FeaturizePool(predictor.featurizer, workers=2) as pool,
        pytest.raises(FeaturizeError, match="stopped unexpectedly"),
    ):
        list(pool.encode(data, chunk_size=20, min_parallel=0))
