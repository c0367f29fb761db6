"""Model: the running model's card in readable form, and the Health of this installation.

One function per section, called in order by :func:`main`, so a new section (such as "Adapt to
your reviews") is one more function and one more line in `SECTIONS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from core.settings import get_settings
from dashboard import charts, state
from dashboard.i18n import current_language, t


def load_card() -> tuple[dict[str, Any], str | None]:
    """The running model's card (from the loaded predictor), else the shipped `model_card.json`;
    and the reason when neither can be read.
    """
    try:
        predictor = state.predictor()
        return dict(predictor.card), None
    except Exception as exc:  # the page must still show Health when the model is missing
        path = Path(get_settings().model_dir) / "model_card.json"
        try:
            return json.loads(path.read_text(encoding="utf-8")), None
        except (OSError, ValueError):
            return {}, f"{type(exc).__name__}: {exc}"


def evaluations(card: Mapping[str, Any], key: str) -> dict[str, dict[str, Any]]:
    """`{split name: metrics}` from a card section: either that mapping itself, or a list of
    metric dicts with a `name`/`split`/`dataset` field.
    """
    section = card.get(key) or {}
    if isinstance(section, list):
        return {
            str(m.get("name") or m.get("split") or m.get("dataset") or i): m for i, m in enumerate(section)
        }
    if isinstance(section, Mapping):
        return {str(k): v for k, v in section.items() if isinstance(v, Mapping)}
    return {}


def metrics_table(evals: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per split: reviews, accuracy, macro-F1 and polarity accuracy where measured."""
    rows = []
    for name, m in evals.items():
        rows.append(
            {
                "split": name,
                "n": m.get("n"),
                "accuracy": m.get("accuracy"),
                "macro_f1": m.get("macro_f1"),
                "polarity_accuracy": m.get("polarity_accuracy"),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.dropna(axis=1, how="all") if not frame.empty else frame


def per_class_table(m: Mapping[str, Any]) -> pd.DataFrame:
    """Precision, recall, F1 and support per label of one evaluation."""
    per_class = m.get("per_class") or {}
    return pd.DataFrame(
        [{"label": label, **values} for label, values in per_class.items() if isinstance(values, Mapping)]
    )


def _metric_columns() -> dict[str, Any]:
    pct = {"format": "percent"}
    return {
        "split": st.column_config.TextColumn(t("model.col.split")),
        "n": st.column_config.NumberColumn(t("model.col.n"), format="localized"),
        "accuracy": st.column_config.NumberColumn(t("model.col.accuracy"), **pct),
        "macro_f1": st.column_config.NumberColumn(t("model.col.macro_f1"), **pct),
        "polarity_accuracy": st.column_config.NumberColumn(t("model.col.polarity_accuracy"), **pct),
        "precision": st.column_config.NumberColumn(t("model.col.precision"), **pct),
        "recall": st.column_config.NumberColumn(t("model.col.recall"), **pct),
        "f1": st.column_config.NumberColumn("F1", **pct),
        "support": st.column_config.NumberColumn(t("model.col.support"), format="localized"),
    }


def _text_items(value: Any) -> list[str]:
    """A card field as a list of sentences (it may be a string, a list, or a mapping)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [f"{k}: {v}" for k, v in value.items()]
    return [str(v) for v in value]


def section_summary(card: Mapping[str, Any]) -> None:
    """Version, architecture, language and when it was trained."""
    cols = st.columns(4)
    cols[0].metric(t("model.version"), str(card.get("version", "–")))
    cols[1].metric(t("model.language"), str(card.get("language", "–")))
    cols[2].metric(
        t("model.architecture"), str(card.get("architecture") or card.get("model", {}).get("type", "–"))[:40]
    )
    cols[3].metric(t("model.trained"), str(card.get("created") or card.get("trained_at") or "–")[:19])
    if card.get("description"):
        st.write(str(card["description"]))


def section_training_data(card: Mapping[str, Any]) -> None:
    """Which corpora the model learnt from, with sizes."""
    st.subheader(t("model.training_data"))
    data = card.get("training_data") or card.get("data")
    if not data:
        st.caption(t("model.not_in_card"))
        return
    if isinstance(data, Mapping) and all(isinstance(v, Mapping) for v in data.values()):
        st.dataframe(pd.DataFrame([{"name": k, **v} for k, v in data.items()]), hide_index=True)
    elif isinstance(data, list) and all(isinstance(v, Mapping) for v in data):
        st.dataframe(pd.DataFrame(data), hide_index=True)
    else:
        for item in _text_items(data):
            st.markdown(f"- {item}")


def _evaluation_block(evals: Mapping[str, Mapping[str, Any]], key: str) -> None:
    lang = current_language()
    st.dataframe(metrics_table(evals), hide_index=True, column_config=_metric_columns())
    tabs = st.tabs(list(evals))
    for tab, (name, m) in zip(tabs, evals.items(), strict=True):
        with tab:
            left, right = st.columns([3, 2])
            per_class = per_class_table(m)
            if not per_class.empty:
                left.dataframe(per_class, hide_index=True, column_config=_metric_columns())
            if m.get("confusion"):
                right.plotly_chart(
                    charts.confusion_chart(
                        m["confusion"], lang=lang, title=f"{t('chart.confusion.title')} · {name}"
                    ),
                    key=f"{key}_confusion_{name}",
                )


def section_metrics(card: Mapping[str, Any]) -> None:
    """Held-out metrics per test split, per class, and confusion matrices."""
    st.subheader(t("model.metrics"))
    evals = evaluations(card, "metrics") or evaluations(card, "test")
    if not evals:
        st.caption(t("model.not_in_card"))
        return
    _evaluation_block(evals, "metrics")


def section_out_of_domain(card: Mapping[str, Any]) -> None:
    """How it does on reviews unlike its training data."""
    st.subheader(t("model.out_of_domain"))
    st.caption(t("model.out_of_domain_help"))
    evals = evaluations(card, "out_of_domain")
    if not evals:
        st.caption(t("model.not_in_card"))
        return
    _evaluation_block(evals, "ood")


def section_speed(card: Mapping[str, Any]) -> None:
    """Measured scoring speed on this kind of machine."""
    st.subheader(t("model.speed"))
    speed = card.get("speed") or card.get("throughput")
    if not speed:
        st.caption(t("model.not_in_card"))
        return
    if isinstance(speed, Mapping):
        numbers = {k: v for k, v in speed.items() if isinstance(v, int | float)}
        cols = st.columns(max(1, min(4, len(numbers))))
        for i, (k, v) in enumerate(numbers.items()):
            cols[i % len(cols)].metric(k.replace("_", " "), f"{v:,.4g}")
        for k, v in speed.items():
            if not isinstance(v, int | float):
                st.caption(f"{k}: {v}")
    else:
        st.write(str(speed))


def section_limits(card: Mapping[str, Any]) -> None:
    """Known limits: sarcasm, domain shift, languages, and so on."""
    st.subheader(t("model.limits"))
    items = _text_items(card.get("limitations") or card.get("known_limits") or card.get("limits"))
    if not items:
        st.caption(t("model.not_in_card"))
    for item in items:
        st.markdown(f"- {item}")


def section_retrain(card: Mapping[str, Any]) -> None:
    """How to reproduce or retrain the model."""
    st.subheader(t("model.retrain"))
    st.markdown(t("model.retrain_text"))
    st.code(
        "make data    # download and verify the corpora\nmake train   # train, evaluate, export models/",
        language="bash",
    )
    items = _text_items(card.get("how_to_retrain") or card.get("reproduce"))
    for item in items:
        st.caption(item)


def section_health(card: Mapping[str, Any]) -> None:
    """Running version, database backend, row counts, last import and last scrape."""
    st.subheader(t("model.health"))
    try:
        health = state.health(state.engine(), state.database_url())
    except Exception as exc:  # a broken database is exactly what Health must report
        st.error(t("model.health.db_error", error=f"{type(exc).__name__}: {exc}"), icon=":material/error:")
        return
    counts = health.get("counts") or {}
    cols = st.columns(5)
    cols[0].metric(t("model.health.version"), str(card.get("version", "–")))
    cols[1].metric(t("model.health.backend"), str(health.get("backend", "–")))
    cols[2].metric(t("model.health.products"), f"{counts.get('products', health.get('products', 0)):,}")
    cols[3].metric(t("model.health.reviews"), f"{counts.get('reviews', health.get('reviews', 0)):,}")
    cols[4].metric(
        t("model.health.predictions"), f"{counts.get('predictions', health.get('predictions', 0)):,}"
    )
    versions = health.get("model_versions") or []
    if versions:
        st.caption(t("model.health.versions", versions=", ".join(map(str, versions))))
    rows = []
    for kind in ("last_import", "last_scrape"):
        run = health.get(kind)
        rows.append(
            {
                "run": t(f"model.health.{kind}"),
                "when": (run or {}).get("finished_at") or (run or {}).get("started_at"),
                "status": (run or {}).get("status", t("model.health.never")),
                "source": (run or {}).get("source_name"),
                "stored": (run or {}).get("stored"),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={name: st.column_config.Column(t(f"model.health.col.{name}")) for name in rows[0]},
    )


SECTIONS: tuple[Callable[[Mapping[str, Any]], None], ...] = (
    section_summary,
    section_training_data,
    section_metrics,
    section_out_of_domain,
    section_speed,
    section_limits,
    section_retrain,
    section_health,
)


def main() -> None:
    """Render the page."""
    state.init_state()
    st.title(t("page.model"))
    st.caption(t("model.intro"))
    card, problem = load_card()
    if problem:
        st.error(t("model.no_model", error=problem), icon=":material/error:")
    for section in SECTIONS:
        section(card)


if __name__ in {"__main__", "__page__"}:
    main()
