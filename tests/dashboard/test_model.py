"""Model page: the model card in readable form, and the Health section."""

from __future__ import annotations

from dashboard.views.model import evaluations, metrics_table
from tests.dashboard.apptest import open_page, texts


def test_model_card_sections(store, predictor) -> None:
    at = open_page("model")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Version"] == predictor.version
    assert metrics["Running model"] == predictor.version
    headings = texts(at.subheader)
    for heading in ("Training data", "Held-out test results", "Known limits", "How to retrain", "Health"):
        assert heading in headings
    assert not at.error
    evals = evaluations(predictor.card, "metrics")
    assert evals, "the shipped model card records test metrics"
    # one metrics table row per evaluated split, and a confusion matrix per split that has one
    first = at.dataframe[0].value if "split" in at.dataframe[0].value.columns else at.dataframe[1].value
    assert list(first["split"]) == list(metrics_table(evals)["split"])
    with_confusion = sum(1 for m in evals.values() if m.get("confusion"))
    with_confusion += sum(
        1 for m in evaluations(predictor.card, "out_of_domain").values() if m.get("confusion")
    )
    assert len(at.get("plotly_chart")) == with_confusion


def test_health_reports_counts_and_last_import(seeded) -> None:
    at = open_page("model")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Database"] == "sqlite"
    assert metrics["Reviews"] == "42" and metrics["Products"] == "2"
    assert metrics["Predictions"] == "42"
    runs = at.dataframe[-1].value
    last_import = runs.iloc[0]
    assert last_import["status"] == "succeeded" and last_import["source"] == "reviews_small.csv"
    assert runs.iloc[1]["status"] == "never"


def test_metrics_table_from_card_shapes() -> None:
    card = {
        "metrics": {
            "sst3_test": {
                "n": 10,
                "accuracy": 0.8,
                "macro_f1": 0.7,
                "confusion": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            },
            "note": "not an evaluation",
        },
        "out_of_domain": [{"name": "amazon", "n": 5, "accuracy": 0.6, "polarity_accuracy": 0.9}],
    }
    table = metrics_table(evaluations(card, "metrics"))
    assert table.to_dict("records") == [{"split": "sst3_test", "n": 10, "accuracy": 0.8, "macro_f1": 0.7}]
    ood = metrics_table(evaluations(card, "out_of_domain"))
    assert ood.iloc[0]["polarity_accuracy"] == 0.9 and ood.iloc[0]["split"] == "amazon"
