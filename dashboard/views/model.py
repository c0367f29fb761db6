"""Model: what the running model is good and bad at in plain words, the engineering detail of its
card behind an expander, adapting it to the analyst's reviews, and the Health of this installation.

One function per section, called in order by :func:`main`, so a new section is one more function
and one more line in `SECTIONS` (or `ENGINEERING`, the sections inside the expander). Everything is
read from the active model's card generically: a new model with a new card needs no change here.
Cells never show "None": missing values are "–", and numbers follow the chosen language.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from core.settings import get_settings
from dashboard import charts, state
from dashboard.adapt_section import render_adapt_section
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, label_name, number, t

MISSING = "–"
SHARE_COLUMNS = (
    "accuracy",
    "macro_f1",
    "polarity_accuracy",
    "precision",
    "recall",
    "f1",
    "minimum",
    "measured",
)
# internal tracker references in card prose ("(issue 7)") mean nothing to an analyst
INTERNAL_REFERENCE = re.compile(r"\s*\((?:see )?issues? #?\d+\)|\s*\bissues? #?\d+\b", re.IGNORECASE)
# words in the card's known limits that map to a plain-language weak spot of the summary
LIMIT_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("sarcas", "model.plain.sarcasm"),
    ("comparison", "model.plain.comparisons"),
    ("longer than", "model.plain.long"),
)


def clean(text: object) -> str:
    """Card prose without internal tracker references."""
    return INTERNAL_REFERENCE.sub("", str(text)).strip()


def percent(value: object, lang: str, spec: str = ".0%") -> str:
    """A share as text in `lang`, or "–" when the card does not have it."""
    if not isinstance(value, int | float) or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return number(value, lang, spec)


def count(value: object, lang: str) -> str:
    """A whole number as text in `lang`, or "–"."""
    if not isinstance(value, int | float) or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return number(int(value), lang)


def corpus_name(name: str) -> str:
    """A training corpus in plain words ("tweets" → "short social-media posts (tweets)")."""
    text = t(f"model.corpus.{name}")
    return name if text == f"model.corpus.{name}" else text


def set_name(name: str) -> str:
    """An evaluation set in plain words: "imdb/test" → "film reviews (IMDB), test set";
    "trained_without_imdb/imdb/test" → the same, "for a model trained without them"."""
    parts = [p for p in str(name).split("/") if p]
    without = None
    if parts and parts[0].startswith("trained_without_"):
        without = parts.pop(0).removeprefix("trained_without_")
    if not parts:
        return str(name)
    text = corpus_name(parts[0])
    if len(parts) > 1 and parts[1] in ("test", "val", "train"):
        text = t("model.set.split", corpus=text, split=t(f"model.col.{parts[1]}").lower())
    if without is not None:
        text = t("model.set.without", set=text)
    return text


def language_name(language: object) -> str:
    """A card's language ("english") in the UI language."""
    key = f"model.lang.{str(language).lower()}"
    text = t(key)
    return str(language).capitalize() if text == key else text


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


def shown_metrics(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A metrics or per-class table as display text: readable set names, localized percentages and
    counts, "–" where a value is missing (never "None")."""
    shown = frame.copy()
    for column in shown.columns:
        if column == "split":
            shown[column] = shown[column].map(set_name)
        elif column in ("n", "support"):
            shown[column] = shown[column].map(lambda v: count(v, lang))
        elif column in SHARE_COLUMNS:
            shown[column] = shown[column].map(lambda v: percent(v, lang, ".1%"))
    return shown


def per_class_table(m: Mapping[str, Any]) -> pd.DataFrame:
    """Precision, recall, F1 and support per label of one evaluation."""
    per_class = m.get("per_class") or {}
    return pd.DataFrame(
        [{"label": label, **values} for label, values in per_class.items() if isinstance(values, Mapping)]
    )


def _metric_columns() -> dict[str, Any]:
    """Column titles; the cells are display text from :func:`shown_metrics` (right-aligned numbers)."""
    names = {
        "split": "model.col.split", "label": "col.label", "n": "model.col.n",
        "accuracy": "model.col.accuracy", "macro_f1": "model.col.macro_f1",
        "polarity_accuracy": "model.col.polarity_accuracy", "precision": "model.col.precision",
        "recall": "model.col.recall", "f1": "model.col.f1", "support": "model.col.support",
        "metric": "model.col.metric", "minimum": "model.col.minimum", "measured": "model.col.measured",
        "ok": "model.col.ok",
    }  # fmt: skip
    return {column: st.column_config.TextColumn(t(key)) for column, key in names.items()}


def _text_items(value: Any) -> list[str]:
    """A card field as a list of sentences (it may be a string, a list, or a mapping)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [clean(value)]
    if isinstance(value, Mapping):
        return [clean(f"{k}: {v}") for k, v in value.items()]
    return [clean(v) for v in value]


def _headline(m: Mapping[str, Any]) -> tuple[float | None, bool]:
    """(share right, whether it is positive-vs-negative only) of one evaluation."""
    if isinstance(m.get("polarity_accuracy"), int | float):
        return float(m["polarity_accuracy"]), True
    value = m.get("accuracy")
    return (float(value), False) if isinstance(value, int | float) else (None, False)


def plain_summary(card: Mapping[str, Any]) -> dict[str, list[str]]:
    """The analyst's summary, built from whatever the card records: `reads` (one line), `good`,
    `weak`, `expect` and `adapt` (lists of sentences in the UI language)."""
    lang = current_language()
    language = language_name(card.get("language", MISSING))
    trained = str(card.get("created_at") or card.get("created") or "")[:10] or MISSING
    summary: dict[str, list[str]] = {"reads": [t("model.plain.reads", language=language, trained=trained)]}
    in_domain = evaluations(card, "metrics", "in_domain") or evaluations(card, "metrics")
    good = []
    for name, m in in_domain.items():
        value, polarity = _headline(m)
        if value is not None:
            key = "model.plain.good_polarity" if polarity else "model.plain.good_all"
            good.append(t(key, set=set_name(name), share=percent(value, lang)))
    summary["good"] = good
    weak = []
    f1s: dict[str, list[float]] = {}
    for m in in_domain.values():
        for label, values in (m.get("per_class") or {}).items():
            if (
                isinstance(values, Mapping)
                and values.get("support")
                and isinstance(values.get("f1"), int | float)
            ):
                f1s.setdefault(label, []).append(float(values["f1"]))
    if f1s:
        weakest = min(f1s, key=lambda label: sum(f1s[label]) / len(f1s[label]))
        f1 = sum(f1s[weakest]) / len(f1s[weakest])
        key = "model.plain.weak_neutral" if weakest == "neutral" else "model.plain.weak_class"
        weak.append(t(key, label=label_name(weakest, lang), f1=percent(f1, lang)))
    unfamiliar = evaluations(card, "metrics", "leave_one_domain_out") or evaluations(card, "out_of_domain")
    lowest = min(
        ((value, name) for name, m in unfamiliar.items() if (value := _headline(m)[0]) is not None),
        default=None,
    )
    if lowest is not None:
        weak.append(t("model.plain.unfamiliar", share=percent(lowest[0], lang), set=set_name(lowest[1])))
    limits = " ".join(_text_items(card.get("known_limits") or card.get("limitations") or card.get("limits")))
    weak += [t(key) for word, key in LIMIT_KEYWORDS if word in limits.lower()]
    if card.get("language"):
        weak.append(t("model.plain.other_language", language=language))
    summary["weak"] = weak
    summary["expect"] = [
        t("model.plain.expect", low=percent(lowest[0], lang) if lowest else MISSING, agreement="70")
    ]
    summary["adapt"] = [t("model.plain.adapt")]
    return summary


def section_plain(card: Mapping[str, Any]) -> None:
    """What an analyst needs before trusting the labels: good at, weak at, what to expect, adapting."""
    if not card:
        return
    summary = plain_summary(card)
    st.markdown(escape_markdown(summary["reads"][0]))
    cols = st.columns(2)
    with cols[0], st.container(border=True):
        st.markdown(f"**{t('model.plain.good')}**")
        for item in summary["good"]:
            st.markdown(f"- {escape_markdown(item)}")
    with cols[1], st.container(border=True):
        st.markdown(f"**{t('model.plain.weak')}**")
        for item in summary["weak"]:
            st.markdown(f"- {escape_markdown(item)}")
    st.markdown(f"**{t('model.plain.expect_title')}** {escape_markdown(summary['expect'][0])}")
    st.markdown(f"**{t('model.plain.adapt_title')}** {escape_markdown(summary['adapt'][0])}")


def section_summary(card: Mapping[str, Any]) -> None:
    """Version, language, when it was trained; the task and architecture as the card words them."""
    architecture = card.get("architecture")
    if isinstance(architecture, Mapping):
        architecture = architecture.get("name") or architecture.get("type")
    cols = st.columns(3)
    # version names are long: shown whole as code, not cut off in a metric tile
    cols[0].markdown(f"{t('model.version')}  \n`{str(card.get('version', MISSING)).replace('`', '')}`")
    cols[1].markdown(
        f"{t('model.language')}  \n**{escape_markdown(language_name(card.get('language', MISSING)))}**"
    )
    trained = str(card.get("created_at") or card.get("created") or MISSING).replace("T", " ").rstrip("Z")[:16]
    cols[2].markdown(f"{t('model.trained')}  \n**{escape_markdown(trained)} UTC**")
    st.caption(t("model.card_words"))
    if card.get("task"):
        st.markdown(f"**{t('model.task')}:** {escape_markdown(clean(card['task']))}")
    if architecture:
        st.markdown(f"**{t('model.architecture')}:** {escape_markdown(clean(architecture))}")


def corpora_table(card: Mapping[str, Any]) -> pd.DataFrame:
    """One row per training corpus: what it is, where it comes from and its train/validation/test sizes."""
    corpora = card.get("corpora") or card.get("training_data") or {}
    sizes = (card.get("splits") or {}).get("sizes") or {}
    rows = []
    if isinstance(corpora, Mapping):
        for name, info in corpora.items():
            info = info if isinstance(info, Mapping) else {"source": info}
            split = sizes.get(name) or {}
            rows.append(
                {
                    "corpus": corpus_name(name),
                    "source": info.get("package") or info.get("source") or info.get("url"),
                    "file": info.get("member") or info.get("file"),
                    "train": split.get("train"),
                    "val": split.get("val"),
                    "test": split.get("test"),
                }
            )
    return pd.DataFrame(rows).dropna(axis=1, how="all") if rows else pd.DataFrame()


def section_training_data(card: Mapping[str, Any]) -> None:
    """Which corpora the model learnt from, with sizes, and the design notes and training settings."""
    lang = current_language()
    st.subheader(t("model.training_data"))
    table = corpora_table(card)
    if table.empty:
        st.caption(t("model.not_in_card"))
    else:
        for column in ("train", "val", "test"):
            if column in table:
                table[column] = table[column].map(lambda v: count(v, lang))
        table = table.fillna(MISSING)
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                name: st.column_config.TextColumn(t(f"model.col.{name}"))
                for name in ("corpus", "source", "file", "train", "val", "test")
            },
        )
        st.caption(t("model.corpora_help"))
    training = card.get("training")
    design = _text_items(card.get("design"))
    if design:
        st.markdown(f"**{t('model.design')}**")
        for item in design:
            st.markdown(f"- {escape_markdown(item)}")
    if isinstance(training, Mapping):
        st.markdown(f"**{t('model.training_details')}**")
        settings = {k: v for k, v in training.items() if not isinstance(v, list | dict)}
        st.dataframe(
            pd.DataFrame(
                {
                    "setting": list(settings),
                    "value": [MISSING if v is None else str(v) for v in settings.values()],
                }
            ),
            hide_index=True,
            column_config={
                "setting": st.column_config.TextColumn(t("model.col.setting")),
                "value": st.column_config.TextColumn(t("model.col.value")),
            },
        )


def _evaluation_block(evals: Mapping[str, Mapping[str, Any]], key: str) -> None:
    lang = current_language()
    st.dataframe(shown_metrics(metrics_table(evals), lang), hide_index=True, column_config=_metric_columns())
    tabs = st.tabs([escape_markdown(set_name(name)) for name in evals])
    for tab, (name, m) in zip(tabs, evals.items(), strict=True):
        with tab:
            left, right = st.columns([3, 2])
            per_class = per_class_table(m)
            if not per_class.empty:
                per_class["label"] = per_class["label"].map(lambda v: label_name(v, lang))
                left.dataframe(
                    shown_metrics(per_class, lang), hide_index=True, column_config=_metric_columns()
                )
            if m.get("confusion"):
                right.plotly_chart(
                    charts.confusion_chart(m["confusion"], lang=lang, title=t("chart.confusion.title")),
                    key=f"{key}_confusion_{name}",
                )


def threshold_rows(card: Mapping[str, Any], evals: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The card's minimum thresholds next to the measured values, with pass/fail in words."""
    rows = []
    for name, minimums in (card.get("thresholds") or {}).items():
        for metric, minimum in (minimums or {}).items():
            value = (evals.get(name) or {}).get(metric)
            key = f"model.col.{metric}"
            rows.append(
                {
                    "split": name,
                    "metric": t(key) if t(key) != key else metric,
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
        st.dataframe(
            shown_metrics(gates, current_language()), hide_index=True, column_config=_metric_columns()
        )


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


def speed_label(key: str) -> str:
    """A speed field in words: "imdb_texts_per_second" → "Texts per second, film reviews (IMDB)"."""
    corpus, found, _ = key.partition("_texts_per_second")
    if found and corpus:
        return t("model.speed.per_second", corpus=corpus_name(corpus))
    return key.replace("_", " ").capitalize()


def section_speed(card: Mapping[str, Any]) -> None:
    """Measured scoring speed on this kind of machine."""
    lang = current_language()
    st.subheader(t("model.speed"))
    speed = card.get("speed") or card.get("throughput")
    if not speed:
        st.caption(t("model.not_in_card"))
        return
    if isinstance(speed, Mapping):
        numbers = {k: v for k, v in speed.items() if isinstance(v, int | float)}
        cols = st.columns(max(1, min(4, len(numbers))))
        for i, (k, v) in enumerate(numbers.items()):
            cols[i % len(cols)].metric(speed_label(k), number(v, lang, ",.0f" if v >= 100 else ".3g"))
        for k, v in speed.items():
            if not isinstance(v, int | float):
                st.caption(f"{speed_label(k)}: {clean(v)}")
    else:
        st.write(clean(speed))


def section_limits(card: Mapping[str, Any]) -> None:
    """Known limits as the card words them: sarcasm, domain shift, languages, and so on."""
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


ENGINEERING: tuple[Callable[[Mapping[str, Any]], None], ...] = (
    section_summary,
    section_training_data,
    section_metrics,
    section_out_of_domain,
    section_speed,
    section_limits,
    section_retrain,
)


def section_engineering(card: Mapping[str, Any]) -> None:
    """The card's engineering detail (architecture, corpora, metrics, gates, design notes), folded."""
    with st.expander(t("model.engineering"), icon=":material/engineering:"):
        for section in ENGINEERING:
            section(card)


def section_adapt(card: Mapping[str, Any]) -> None:
    """Adapt the model to the analyst's own rated reviews (versions, proof, activation, rollback)."""
    render_adapt_section()


def section_health(card: Mapping[str, Any]) -> None:
    """Running version, database backend, row counts, last import and last scrape."""
    lang = current_language()
    st.subheader(t("model.health"))
    try:
        health = state.health(state.engine(), state.database_url())
    except Exception as exc:  # a broken database is exactly what Health must report
        st.error(t("model.health.db_error", error=f"{type(exc).__name__}: {exc}"), icon=":material/error:")
        return
    counts = health.get("counts") or {}
    st.markdown(f"{t('model.health.version')}: `{str(card.get('version', MISSING)).replace('`', '')}`")
    cols = st.columns(4)
    cols[0].metric(t("model.health.backend"), str(health.get("backend", MISSING)))
    cols[1].metric(
        t("model.health.products"), number(counts.get("products", health.get("products", 0)), lang)
    )
    cols[2].metric(t("model.health.reviews"), number(counts.get("reviews", health.get("reviews", 0)), lang))
    predictions = counts.get("predictions", health.get("predictions", 0))
    cols[3].metric(t("model.health.predictions"), number(predictions, lang))
    versions = health.get("model_versions") or []
    if versions:
        st.caption(t("model.health.versions", versions=", ".join(map(str, versions))))
    rows = []
    for kind in ("last_import", "last_scrape"):
        run = health.get(kind) or {}
        status = run.get("status")
        status_key = f"model.health.status.{status}"
        when = run.get("finished_at") or run.get("started_at")
        rows.append(
            {
                "run": t(f"model.health.{kind}"),
                "when": str(when).replace("T", " ")[:19] if when else MISSING,
                "status": t("model.health.never")
                if not run
                else (t(status_key) if t(status_key) != status_key else str(status)),
                "source": str(run.get("source_name") or MISSING),
                "stored": count(run.get("stored"), lang),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={name: st.column_config.TextColumn(t(f"model.health.col.{name}")) for name in rows[0]},
    )


SECTIONS: tuple[Callable[[Mapping[str, Any]], None], ...] = (
    section_plain,
    section_engineering,
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
