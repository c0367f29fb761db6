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
from dashboard.adapt_section import render_adapt_section
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, label_name, t


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


def evaluations(card: Mapping[str, Any], *path: str) -> dict[str, dict[str, Any]]:
    """`{evaluation name: metrics}` at `path` in the card (e.g. "metrics", "in_domain"): a mapping
    of names to metric dicts, or a list of metric dicts with a `name`/`split`/`dataset` field.
    Entries that are not metric dicts (notes, nested groups) are skipped.
    """
    section: Any = card
    for key in path:
        section = section.get(key) if isinstance(section, Mapping) else None
    if isinstance(section, list):
        return {
            str(m.get("name") or m.get("split") or m.get("dataset") or i): dict(m)
            for i, m in enumerate(section)
            if isinstance(m, Mapping)
        }
    if isinstance(section, Mapping):
        return {str(k): dict(v) for k, v in section.items() if isinstance(v, Mapping) and "accuracy" in v}
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
        "label": st.column_config.TextColumn(t("col.label")),
        "n": st.column_config.NumberColumn(t("model.col.n"), format="localized"),
        "accuracy": st.column_config.NumberColumn(t("model.col.accuracy"), **pct),
        "macro_f1": st.column_config.NumberColumn(t("model.col.macro_f1"), **pct),
        "polarity_accuracy": st.column_config.NumberColumn(t("model.col.polarity_accuracy"), **pct),
        "precision": st.column_config.NumberColumn(t("model.col.precision"), **pct),
        "recall": st.column_config.NumberColumn(t("model.col.recall"), **pct),
        "f1": st.column_config.NumberColumn("F1", **pct),
        "support": st.column_config.NumberColumn(t("model.col.support"), format="localized"),
        "metric": st.column_config.TextColumn(t("model.col.metric")),
        "minimum": st.column_config.NumberColumn(t("model.col.minimum"), **pct),
        "measured": st.column_config.NumberColumn(t("model.col.measured"), **pct),
        "ok": st.column_config.TextColumn(t("model.col.ok")),
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
    """Version, language, architecture and when it was trained; the task in one line."""
    architecture = card.get("architecture")
    if isinstance(architecture, Mapping):
        architecture = architecture.get("name") or architecture.get("type")
    cols = st.columns(3)
    # version names are long: shown whole as code, not cut off in a metric tile
    cols[0].markdown(f"{t('model.version')}  \n`{str(card.get('version', '–')).replace('`', '')}`")
    language = escape_markdown(str(card.get("language", "–")).capitalize())
    cols[1].markdown(f"{t('model.language')}  \n**{language}**")
    trained = str(card.get("created_at") or card.get("created") or "–").replace("T", " ").rstrip("Z")[:16]
    cols[2].markdown(f"{t('model.trained')}  \n**{escape_markdown(trained)} UTC**")
    if card.get("task"):
        st.markdown(f"**{t('model.task')}:** {escape_markdown(str(card['task']))}")
    if architecture:
        st.markdown(f"**{t('model.architecture')}:** {escape_markdown(str(architecture))}")


def corpora_table(card: Mapping[str, Any]) -> pd.DataFrame:
    """One row per training corpus: where it comes from and its train/validation/test sizes."""
    corpora = card.get("corpora") or card.get("training_data") or {}
    sizes = (card.get("splits") or {}).get("sizes") or {}
    rows = []
    if isinstance(corpora, Mapping):
        for name, info in corpora.items():
            info = info if isinstance(info, Mapping) else {"source": info}
            split = sizes.get(name) or {}
            rows.append(
                {
                    "corpus": name,
                    "source": info.get("package") or info.get("source") or info.get("url"),
                    "file": info.get("member") or info.get("file"),
                    "train": split.get("train"),
                    "val": split.get("val"),
                    "test": split.get("test"),
                }
            )
    return pd.DataFrame(rows).dropna(axis=1, how="all") if rows else pd.DataFrame()


def section_training_data(card: Mapping[str, Any]) -> None:
    """Which corpora the model learnt from, with sizes, and the training settings."""
    st.subheader(t("model.training_data"))
    table = corpora_table(card)
    if table.empty:
        st.caption(t("model.not_in_card"))
    else:
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                "corpus": st.column_config.TextColumn(t("model.col.corpus")),
                "source": st.column_config.TextColumn(t("model.col.source")),
                "file": st.column_config.TextColumn(t("model.col.file")),
                "train": st.column_config.NumberColumn(t("model.col.train"), format="localized"),
                "val": st.column_config.NumberColumn(t("model.col.val"), format="localized"),
                "test": st.column_config.NumberColumn(t("model.col.test"), format="localized"),
            },
        )
        st.caption(t("model.corpora_help"))
    training = card.get("training")
    design = _text_items(card.get("design"))
    if isinstance(training, Mapping) or design:
        with st.expander(t("model.training_details")):
            for item in design:
                st.markdown(f"- {escape_markdown(item)}")
            if isinstance(training, Mapping):
                settings = {k: v for k, v in training.items() if not isinstance(v, list | dict)}
                st.dataframe(
                    pd.DataFrame({"setting": list(settings), "value": [str(v) for v in settings.values()]}),
                    hide_index=True,
                )


def _evaluation_block(evals: Mapping[str, Mapping[str, Any]], key: str) -> None:
    lang = current_language()
    st.dataframe(metrics_table(evals), hide_index=True, column_config=_metric_columns())
    tabs = st.tabs([escape_markdown(name) for name in evals])
    for tab, (name, m) in zip(tabs, evals.items(), strict=True):
        with tab:
            left, right = st.columns([3, 2])
            per_class = per_class_table(m)
            if not per_class.empty:
                per_class["label"] = per_class["label"].map(lambda v: label_name(v, lang))
                left.dataframe(per_class, hide_index=True, column_config=_metric_columns())
            if m.get("confusion"):
                right.plotly_chart(
                    charts.confusion_chart(
                        m["confusion"],
                        lang=lang,
                        title=f"{t('chart.confusion.title')} · {charts.plain(name)}",
                    ),
                    key=f"{key}_confusion_{name}",
                )


def threshold_rows(card: Mapping[str, Any], evals: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The card's minimum thresholds next to the measured values, with pass/fail."""
    rows = []
    for name, minimums in (card.get("thresholds") or {}).items():
        for metric, minimum in (minimums or {}).items():
            value = (evals.get(name) or {}).get(metric)
            rows.append(
                {
                    "split": name,
                    "metric": metric,
                    "minimum": minimum,
                    "measured": value,
                    "ok": t("model.gate.met")
                    if value is not None and value >= minimum
                    else t("model.gate.failed"),
                }
            )
    return pd.DataFrame(rows)


def section_metrics(card: Mapping[str, Any]) -> None:
    """Held-out metrics per test split, per class, confusion matrices, and the release gates."""
    st.subheader(t("model.metrics"))
    # real review sets first (issue 15: what analysts upload), then the training corpora's test splits
    real = evaluations(card, "metrics", "review_sets")
    evals = {**real, **(evaluations(card, "metrics", "in_domain") or evaluations(card, "metrics"))}
    if not evals:
        st.caption(t("model.not_in_card"))
        return
    _evaluation_block(evals, "metrics")
    gates = threshold_rows(card, evals)
    if not gates.empty:
        st.markdown(f"**{t('model.gates')}**")
        st.dataframe(gates, hide_index=True, column_config=_metric_columns())


def section_out_of_domain(card: Mapping[str, Any]) -> None:
    """How it does on a kind of text it was not trained on (each corpus left out in turn)."""
    st.subheader(t("model.out_of_domain"))
    st.caption(t("model.out_of_domain_help"))
    evals = (
        evaluations(card, "metrics", "leave_one_corpus_out")
        or evaluations(card, "metrics", "leave_one_domain_out")
        or evaluations(card, "out_of_domain")
    )
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
            cols[i % len(cols)].metric(
                k.replace("_", " ").capitalize(), f"{v:,.0f}" if v >= 100 else f"{v:.3g}"
            )
        for k, v in speed.items():
            if not isinstance(v, int | float):
                st.caption(f"{k}: {v}")
    else:
        st.write(str(speed))


def section_limits(card: Mapping[str, Any]) -> None:
    """Known limits: sarcasm, domain shift, languages, and so on."""
    st.subheader(t("model.limits"))
    items = _text_items(card.get("known_limits") or card.get("limitations") or card.get("limits"))
    if not items:
        st.caption(t("model.not_in_card"))
    for item in items:
        st.markdown(f"- {escape_markdown(item)}")


def section_retrain(card: Mapping[str, Any]) -> None:
    """How to reproduce or retrain the model."""
    st.subheader(t("model.retrain"))
    st.markdown(t("model.retrain_text"))
    command = card.get("retrain") or card.get("how_to_retrain")
    st.code(str(command) if isinstance(command, str) else "make data && make train", language="bash")


def section_adapt(card: Mapping[str, Any]) -> None:
    """Adapt the model to the analyst's own rated reviews (versions, proof, activation, rollback)."""
    render_adapt_section()


def section_health(card: Mapping[str, Any]) -> None:
    """Running version, database backend, row counts, last import and last scrape."""
    st.subheader(t("model.health"))
    try:
        health = state.health(state.engine(), state.database_url())
    except Exception as exc:  # a broken database is exactly what Health must report
        st.error(t("model.health.db_error", error=f"{type(exc).__name__}: {exc}"), icon=":material/error:")
        return
    counts = health.get("counts") or {}
    st.markdown(f"{t('model.health.version')}: `{str(card.get('version', '–')).replace('`', '')}`")
    cols = st.columns(4)
    cols[0].metric(t("model.health.backend"), str(health.get("backend", "–")))
    cols[1].metric(t("model.health.products"), f"{counts.get('products', health.get('products', 0)):,}")
    cols[2].metric(t("model.health.reviews"), f"{counts.get('reviews', health.get('reviews', 0)):,}")
    predictions = counts.get("predictions", health.get("predictions", 0))
    cols[3].metric(t("model.health.predictions"), f"{predictions:,}")
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
    section_adapt,
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
