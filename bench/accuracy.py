"""Accuracy table: our shipped model vs VADER vs TF-IDF + logistic regression on the same splits.

The logistic regression is trained on the same training split(s) as our model; on the in-domain
splits it is also trained on that corpus alone, the reference the issue names.

Splits: the in-domain test splits (tweets 3-class, IMDB positive/negative) and leave-one-domain-out
(trained without IMDB, tested on IMDB; trained without tweets, tested on tweets). Our model's
leave-one-domain-out rows come from the model card (those models are trained by `make train` and not
shipped); its in-domain rows are a fresh evaluation of `models/base/sentiment.pt`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.training import LABEL_ID, metrics

LABEL_NAMES = ("negative", "neutral", "positive")


def _onehot(labels: list[str]) -> np.ndarray:
    out = np.zeros((len(labels), 3))
    out[np.arange(len(labels)), [LABEL_ID[x] for x in labels]] = 1.0
    return out


def vader_probs(texts: list[str]) -> np.ndarray:
    """VADER's label (compound >= 0.05 positive, <= -0.05 negative, else neutral) as one-hot rows."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    labels = []
    for t in texts:
        c = analyzer.polarity_scores(t)["compound"]
        labels.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return _onehot(labels)


def tfidf_lr(train: pd.DataFrame, tests: list[pd.DataFrame]) -> list[np.ndarray]:
    """TF-IDF (word 1-2 grams, sublinear tf) + class-balanced logistic regression, one-hot predictions."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=300_000)
    x = vec.fit_transform(train["text"])
    model = LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced").fit(x, train["label"])
    return [_onehot(list(model.predict(vec.transform(t["text"])))) for t in tests]


def table(card: dict) -> pd.DataFrame:
    """Rows: split x model with accuracy and macro-F1 (the same metric code as the model card)."""
    from core.inference.predictor import get_predictor
    from models import data
    from models.training import evaluate_predictor

    splits = data.load_splits()
    tw, im = splits["tweets"], splits["imdb"]
    both = pd.concat([tw["train"], im["train"]], ignore_index=True)
    test_sets = {"tweets/test": tw["test"], "imdb/test": im["test"]}
    rows = []

    def add(split: str, model: str, m: dict) -> None:
        rows.append(
            {
                "split": split,
                "model": model,
                "n": m["n"],
                "accuracy": m["accuracy"],
                "macro_f1": m["macro_f1"],
            }
        )

    predictor = get_predictor()
    in_lr = tfidf_lr(both, list(test_sets.values()))
    own_train = {"tweets/test": tw["train"], "imdb/test": im["train"]}
    for (name, frame), lr in zip(test_sets.items(), in_lr, strict=True):
        truth = frame["label"].map(LABEL_ID).to_numpy()
        add(name, "ours", evaluate_predictor(predictor, frame))
        add(name, "VADER", metrics(truth, vader_probs(frame["text"].tolist())))
        add(name, "TF-IDF+LR", metrics(truth, lr))
        # the reference baseline: trained on this corpus alone
        add(name, "TF-IDF+LR, this corpus only", metrics(truth, tfidf_lr(own_train[name], [frame])[0]))
    lodo_card = card["metrics"]["leave_one_domain_out"]
    for held, train in (("imdb", tw["train"]), ("tweets", im["train"])):
        name = f"trained_without_{held}/{held}/test"
        frame = splits[held]["test"]
        truth = frame["label"].map(LABEL_ID).to_numpy()
        add(name, "ours", lodo_card[name])
        add(name, "VADER", metrics(truth, vader_probs(frame["text"].tolist())))
        add(name, "TF-IDF+LR", metrics(truth, tfidf_lr(train, [frame])[0]))
    return pd.DataFrame(rows)
