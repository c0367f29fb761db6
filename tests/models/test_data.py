"""Corpora: verified download (idempotent), loaders, deterministic stratified splits."""

from __future__ import annotations

import pandas as pd

from models import data


def test_download_is_verified_and_idempotent() -> None:
    paths = data.download_all()
    mtimes = {d: p.stat().st_mtime for d, p in paths.items()}
    again = data.download_all()  # present and verified: nothing is fetched or rewritten
    assert {d: p.stat().st_mtime for d, p in again.items()} == mtimes
    for info in data.corpus_hashes().values():
        assert len(info["csv_sha256"]) == 64


def test_loaders_have_the_contract_columns() -> None:
    tweets = data.load_tweets()
    assert list(tweets.columns) == ["text", "label", "weight", "domain"]
    assert set(tweets["label"]) == {"negative", "neutral", "positive"}
    assert tweets["weight"].between(0, 1).all()
    assert not tweets["text"].duplicated().any()


def test_splits_are_deterministic_stratified_and_disjoint() -> None:
    frame = data.load_tweets()
    a, b = data.split(frame), data.split(frame)
    for name in ("train", "val", "test"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not set(a["train"]["text"]) & set(a["test"]["text"])
    assert abs(len(a["test"]) / len(frame) - 0.1) < 0.01
    shares = [s["label"].value_counts(normalize=True).sort_index() for s in a.values()]
    assert all((abs(s - shares[0]) < 0.01).all() for s in shares)
