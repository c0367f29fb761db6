"""Model page: the model card in readable form, and the Health section."""

from __future__ import annotations

from dashboard.views.model import clean, evaluations, metrics_table, plain_summary, set_name
from tests.dashboard.apptest import open_page, shown, texts


def test_model_card_sections(store, predictor) -> None:
    at = open_page("model")
    shown_text = " ".join(shown(m) for m in texts(at.markdown))
    assert f"Version  \n`{predictor.version}`" in texts(at.markdown)
    assert f"Running model: `{predictor.version}`" in texts(at.markdown)
    headings = texts(at.subheader)
    for heading in (
        "Training data",
        "Held-out test results",
        "Out-of-domain results",
        "Measured speed",
        "Known limits",
        "How to retrain",
        "Health",
    ):
        assert heading in headings
    # every known limit from the card is listed, without internal tracker references
    for limit in predictor.card["known_limits"]:
        assert clean(limit) in shown_text
    assert "issue 7" not in shown_text.lower()
    # the page opens with the analysts' summary, built from the card
    summary = plain_summary(predictor.card)
    assert summary["good"] and summary["weak"]
    for item in summary["good"] + summary["weak"]:
        assert item in shown_text
    assert at.expander[0].label.startswith("Engineering detail")
    # release gates: each threshold with its measured value
    gates = next(d.value for d in at.dataframe if "minimum" in d.value.columns)
    assert len(gates) == sum(len(v) for v in predictor.card["thresholds"].values())
    assert set(gates["ok"]) == {"met"}  # the shipped model passes its own gates
    assert not any("None" in str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
    assert not at.error
    # the real review sets come first (issue 15), then the training corpora's test splits
    evals = {
        **evaluations(predictor.card, "metrics", "review_sets"),
        **evaluations(predictor.card, "metrics", "in_domain"),
    }
    assert evals, "the shipped model card records test metrics"
    assert next(iter(evals)) == "clothing"
    # one metrics table row per evaluated split, and a confusion matrix per split that has one
    first = next(d.value for d in at.dataframe if "macro_f1" in d.value.columns)
    assert list(first["split"]) == [set_name(name) for name in metrics_table(evals)["split"]]
    with_confusion = sum(1 for m in evals.values() if m.get("confusion"))
    ood = evaluations(predictor.card, "metrics", "leave_one_corpus_out")
    assert ood, "the shipped model card records out-of-domain results"
    with_confusion += sum(1 for m in ood.values() if m.get("confusion"))
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
    assert runs.iloc[1]["status"] == "never" and runs.iloc[1]["stored"] == "–"


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
