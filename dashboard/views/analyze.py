"""Analyze text: paste one review or many (one per line) and see label, probabilities and why."""

from __future__ import annotations

import json
from typing import Any, Literal

import pandas as pd
import streamlit as st

from core.inference.explain import TokenContribution, notable
from dashboard import charts, state
from dashboard.columns import as_pills, label_pill, probability_columns
from dashboard.highlight import Span, escape_markdown, highlight_markdown
from dashboard.i18n import current_language, label_name, t
from dashboard.language_notes import language_name, reading_note, with_reading_notes
from dashboard.state import Keys

MAX_LINES = 1_000  # more than this belongs in Upload, which stores and charts them
MAX_EXPLAINED = 20  # explanations cost one model pass per word; show them for the first few
# (text, the label a careful reader gives it): every one is labelled so by the shipped model, which
# tests/dashboard/test_analyze.py checks, so a retrained model that misreads one flags it for review.
# Text the model is known to misread (sarcasm, lukewarm "it's okay", bare facts) is named in
# `analyze.examples_limits`.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Battery life is amazing and the sound is crisp. Worth every penny.", "positive"),
    ("It stopped working after two days and support never answered.", "negative"),
    ("Mixed feelings: the fit is nice but the material feels cheap.", "neutral"),  # 3 stars: mixed
    ("I love it, my kids use it every day!", "positive"),
)
BADGE_COLOR: dict[str, Literal["red", "gray", "green"]] = {
    "negative": "red",
    "neutral": "gray",
    "positive": "green",
}


def fill_examples() -> None:
    """Callback: put the example reviews in the text area."""
    st.session_state[Keys.ANALYZE_INPUT] = "\n".join(text for text, _ in EXAMPLES)


def split_lines(text: str) -> list[str]:
    """One review per non-blank line, surrounding whitespace removed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def analyze(lines: list[str]) -> list[dict[str, Any]]:
    """Score every line and explain the first `MAX_EXPLAINED`; results are plain dicts so they
    live in session state and feed the downloads directly.
    """
    from core.inference.explain import explain
    from core.nlp.language import detect_language

    predictor = state.predictor()
    results = []
    for i, prediction in enumerate(predictor.predict(lines)):
        spans: list[dict[str, Any]] = []
        if i < MAX_EXPLAINED and prediction.scores is not None:
            spans = [
                {"token": c.token, "start": c.start, "end": c.end, "weight": float(c.weight)}
                for c in explain(predictor, lines[i])
            ]
        language = detect_language(lines[i])  # another language than the model's gets a note
        results.append(
            {"prediction": prediction.to_json(), "text": lines[i], "spans": spans, "language": language}
        )
    return results


def results_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per analysed text: text, label, the three probabilities, confidence, model version."""
    rows = []
    for r in results:
        p = r["prediction"]
        scores = p.get("scores") or {}
        rows.append(
            {
                "text": r["text"],
                "label": p["label"],
                "negative": scores.get("negative"),
                "neutral": scores.get("neutral"),
                "positive": scores.get("positive"),
                "confidence": p.get("confidence"),
                "model_version": p.get("model_version"),
                "language": r.get("language"),
            }
        )
    return pd.DataFrame(rows)


def downloads(results: list[dict[str, Any]]) -> None:
    """CSV (formula-injection safe) and JSON (the CLI's objects) of the last run."""
    from core.spreadsheet import to_safe_csv

    frame = with_reading_notes(results_frame(results), state.predictor().language)
    cols = st.columns([1, 1, 4])
    cols[0].download_button(
        t("analyze.download_csv"),
        data=lambda: to_safe_csv(frame),
        file_name="sentiment.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        t("analyze.download_json"),
        data=json.dumps([r["prediction"] for r in results], ensure_ascii=False, indent=2),
        file_name="sentiment.json",
        mime="application/json",
        key="download_json",
        on_click="ignore",
        icon=":material/data_object:",
    )


def summary_table(results: list[dict[str, Any]]) -> None:
    """All results at a glance (several lines only)."""
    lang = current_language()
    frame = with_reading_notes(results_frame(results), state.predictor().language)
    frame["label"] = as_pills(frame["label"])
    st.dataframe(
        frame.drop(columns=["model_version", "language"] + ([] if frame["note"].any() else ["note"])),
        hide_index=True,
        column_config={
            "text": st.column_config.TextColumn(t("col.text"), width="large"),
            "label": label_pill(lang),
            "note": st.column_config.TextColumn(t("col.language_note")),
            **probability_columns(lang),
            "confidence": st.column_config.NumberColumn(t("col.confidence"), format="percent"),
        },
    )


def detail(result: dict[str, Any], index: int) -> None:
    """One text: its label, the probability bar, and the words that pushed the score."""
    lang = current_language()
    p = result["prediction"]
    if p["label"] not in BADGE_COLOR:
        st.warning(t("analyze.unscorable", reason=p.get("reason") or ""), icon=":material/block:")
        return
    note = reading_note(result.get("language"), state.predictor().language, lang)
    if note:  # not silently "neutral": the model cannot read this text reliably
        st.warning(t("analyze.language_note", note=note), icon=":material/translate:")
    top = st.columns([1, 3])
    with top[0]:
        st.badge(label_name(p["label"], lang), color=BADGE_COLOR[p["label"]])
        st.metric(t("col.confidence"), f"{p['confidence']:.0%}")
    with top[1]:
        st.plotly_chart(
            charts.probability_bar(p["scores"], lang), key=f"prob_{index}", config={"displayModeBar": False}
        )
    sentence_table(p.get("sentences") or [], lang)
    spans = result["spans"]
    if not spans:
        st.text(result["text"])
        st.caption(t("analyze.no_explanation", n=MAX_EXPLAINED))
        return
    st.markdown(f"**{t('analyze.why')}** · {t('analyze.why_help')}")
    # Escaped Markdown: the review renders as literal text; only our colour directives apply.
    st.markdown(highlight_markdown(result["text"], [Span(s["start"], s["end"], s["weight"]) for s in spans]))
    # the coloured words, strongest first; ignored words (stopwords, unknown) and small effects left out
    strongest = notable([TokenContribution(**s) for s in spans], limit=8)
    if not strongest:
        st.caption(t("analyze.no_effect"))
        return
    table = pd.DataFrame(
        {
            "token": [c.token for c in strongest],
            "direction": [label_name("positive" if c.weight > 0 else "negative", lang) for c in strongest],
            "weight": [c.weight for c in strongest],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "token": st.column_config.TextColumn(t("analyze.col.word")),
            "direction": st.column_config.TextColumn(t("analyze.col.pushes")),
            "weight": st.column_config.NumberColumn(t("analyze.col.weight"), format="%+.3f"),
        },
    )


def sentence_table(sentences: list[dict[str, Any]], lang: str) -> None:
    """Each sentence's own verdict (from the prediction; no extra scoring), when there is more than one."""
    if len(sentences) < 2:
        return
    st.markdown(f"**{t('analyze.sentences')}**")
    table = pd.DataFrame(
        {
            "sentence": [s["text"] for s in sentences],
            "label": [label_name(s["label"], lang) if s["label"] else "" for s in sentences],
            "positive": [(s["scores"] or {}).get("positive") for s in sentences],
            "negative": [(s["scores"] or {}).get("negative") for s in sentences],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "sentence": st.column_config.TextColumn(t("analyze.col.sentence")),  # plain text, never HTML
            "label": st.column_config.TextColumn(t("col.label")),
            "positive": st.column_config.NumberColumn(label_name("positive", lang), format="percent"),
            "negative": st.column_config.NumberColumn(label_name("negative", lang), format="percent"),
        },
    )


def main() -> None:
    """Render the page."""
    state.init_state()
    st.title(t("page.analyze"))
    st.caption(t("analyze.intro"))
    st.text_area(
        t("analyze.input"),
        key=Keys.ANALYZE_INPUT,
        height=160,
        placeholder=t("analyze.placeholder"),
        max_chars=200_000,
    )
    cols = st.columns([1, 1, 4])
    run = cols[0].button(t("analyze.button"), key="analyze", type="primary", icon=":material/psychology:")
    cols[1].button(t("analyze.examples"), key="examples", on_click=fill_examples)
    st.caption(t("analyze.examples_limits"))
    if run:
        lines = split_lines(st.session_state[Keys.ANALYZE_INPUT])
        if not lines:
            st.warning(t("analyze.empty"), icon=":material/edit:")
            st.session_state[Keys.ANALYZE_RESULTS] = []
        else:
            if len(lines) > MAX_LINES:
                st.warning(t("analyze.too_many", n=MAX_LINES), icon=":material/warning:")
                lines = lines[:MAX_LINES]
            problem = state.model_problem()
            if problem:
                st.error(t("model.no_model", error=problem), icon=":material/error:")
            else:
                with st.spinner(t("analyze.running")):
                    st.session_state[Keys.ANALYZE_RESULTS] = analyze(lines)
    results = st.session_state[Keys.ANALYZE_RESULTS]
    if not results:
        return
    st.divider()
    st.subheader(t("analyze.results", n=len(results)))
    downloads(results)
    if len(results) > 1:
        summary_table(results)
    for i, result in enumerate(results[:MAX_EXPLAINED]):
        lang = current_language()
        label = label_name(result["prediction"]["label"], lang)
        if reading_note(result.get("language"), state.predictor().language, lang):
            label = f"{label} ({language_name(result['language'], lang)}?)"
        preview = result["text"] if len(result["text"]) <= 80 else result["text"][:77] + "…"
        # expander labels are Markdown too: escape the preview like the body
        with st.expander(f"{label} · {escape_markdown(preview)}", expanded=i == 0):
            detail(result, i)


if __name__ in {"__main__", "__page__"}:
    main()
