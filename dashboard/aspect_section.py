"""Products page → "Aspects": what customers talk about and how they feel about each.

The mentions were stored at import (:mod:`core.storage.aspect_scoring`); this section reads them once
per product selection (cached), keeps those of the filtered reviews, and draws the table, the quotes,
the comparison table and the analysts' controls. Quotes are escaped Markdown with the aspect's words
coloured (:func:`dashboard.highlight.highlight_markdown`), never HTML.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.logs import log_event
from dashboard import state
from dashboard.downloads import spreadsheet_buttons
from dashboard.highlight import Span, escape_markdown, highlight_markdown
from dashboard.i18n import current_language, label_name, t

PICK_KEY = "aspect_pick"  # session key: the aspect (display name) whose mentions filter the table
TABLE_ROWS = 15  # aspects listed; the rest are a scroll away in the exports
QUOTED_ASPECTS = 3  # the top aspects (by impact) whose quotes are shown, unless one is picked


@st.cache_resource(ttl=300, show_spinner=False, max_entries=16)
def mentions(
    _engine: Any, url: str, products: tuple[str, ...], model_version: str | None, data_version: int
) -> pd.DataFrame:
    """The stored mentions of the products (read-only, shared); computed first for reviews stored
    before aspects existed (:func:`core.storage.aspect_scoring.backfill`)."""
    from core.storage.aspect_scoring import backfill
    from core.storage.aspects import mentions_frame, uncovered_count

    missing = uncovered_count(_engine, list(products))
    if missing:
        with st.spinner(t("products.aspects.computing", n=missing)):
            backfill(_engine, list(products))
    return mentions_frame(_engine, list(products), model_version)


def rules(engine: Any) -> tuple[Any, tuple[int, ...]]:
    """The analysts' rules (:class:`core.aspect_report.Rules`) and their ids (part of the caches' key).
    Read on every render: a few rows, so a rule saved by another replica shows at once."""
    from core.aspect_report import rules_from
    from core.storage.aspects import aspect_rules

    frame = aspect_rules(engine)
    return rules_from(frame), tuple(int(i) for i in frame["id"])


@st.cache_resource(ttl=300, show_spinner=False, max_entries=32)
def view(
    _base: pd.DataFrame,
    _mentions: pd.DataFrame,
    _rules: Any,
    url: str,
    products: tuple[str, ...],
    model_version: str | None,
    f: Any,
    data_version: int,
    rules_version: tuple[int, ...],
) -> dict[str, Any]:
    """Everything the section draws for one filter state: the filtered, ruled mentions, the table,
    and (comparing) the aspect × product table."""
    from core.analytics import auto_freq
    from core.aspect_report import apply_rules, aspect_by_product, aspect_table

    own = _mentions[_mentions["review_id"].isin(_base["review_id"])]
    freq = auto_freq(_base["review_date"]) if _base["review_date"].notna().any() else "M"
    table = aspect_table(own, len(_base), _rules, freq=freq if freq in ("D", "W", "M") else "M")
    compare = None
    if len(products) > 1:
        counts = _base["product"].value_counts().to_dict()
        compare = aspect_by_product(own, counts, _rules)
    return {"mentions": apply_rules(own, _rules), "table": table, "compare": compare}


def current_view(
    engine: Any, url: str, products: tuple[str, ...], version: str | None, base: pd.DataFrame, f: Any
) -> dict[str, Any]:
    """:func:`view` of the filtered reviews `base`, with the stored mentions and the current rules."""
    ruled, rules_version = rules(engine)
    data_version = state.data_version()
    stored = mentions(engine, url, products, version, data_version)
    return view(base, stored, ruled, url, products, version, f, data_version, rules_version)


def section(
    engine: Any, url: str, products: tuple[str, ...], version: str | None, base: pd.DataFrame, f: Any
) -> None:
    """The Aspects section, drawn for the filtered reviews `base`."""
    st.subheader(t("products.aspects"))
    st.caption(t("products.aspects.help"))
    data = current_view(engine, url, products, version, base, f)
    table: pd.DataFrame = data["table"]
    if table.empty:
        st.info(t("products.aspects.none"), icon=":material/info:")
        controls(engine, table)
        return
    lang = current_language()
    shown = table.head(TABLE_ROWS).assign(change=lambda x: x["change"] * 100)
    st.dataframe(
        shown[["name", "mentions", "negative", "neutral", "positive", "impact", "change", "trend"]],
        key="aspect_table",
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn(t("products.aspects.col.aspect")),
            "mentions": st.column_config.NumberColumn(t("products.aspects.col.mentions"), format="%d"),
            "negative": st.column_config.ProgressColumn(
                label_name("negative", lang), format="percent", min_value=0, max_value=1
            ),
            "neutral": st.column_config.ProgressColumn(
                label_name("neutral", lang), format="percent", min_value=0, max_value=1
            ),
            "positive": st.column_config.ProgressColumn(
                label_name("positive", lang), format="percent", min_value=0, max_value=1
            ),
            "impact": st.column_config.NumberColumn(t("products.aspects.col.impact"), format="%.0f"),
            "change": st.column_config.NumberColumn(t("products.aspects.col.change"), format="%+.0f"),
            "trend": st.column_config.LineChartColumn(t("products.aspects.col.trend"), y_min=0.0, y_max=1.0),
        },
    )
    if data["compare"] is not None and not data["compare"].empty:
        st.markdown(f"**{t('products.aspects.by_product')}**")
        st.dataframe(data["compare"].drop(columns=["aspect"]), key="aspect_compare", hide_index=True)
    names = shown["name"].tolist()
    st.pills(t("products.aspects.pick"), names, selection_mode="single", key=PICK_KEY, width="stretch")
    picked = st.session_state.get(PICK_KEY)
    quote_section(data["mentions"], base, table, picked)
    downloads(data["mentions"], base, table)
    controls(engine, table)


def picked_review_ids(
    engine: Any, url: str, products: tuple[str, ...], version: str | None, base: pd.DataFrame, f: Any
) -> pd.Index | None:
    """Review ids mentioning the picked aspect (None: no aspect picked, or it is gone)."""
    picked = st.session_state.get(PICK_KEY)
    if not picked:
        return None
    data = current_view(engine, url, products, version, base, f)
    keys = data["table"].loc[data["table"]["name"] == picked, "aspect"]
    if keys.empty:
        return None
    own = data["mentions"]
    return pd.Index(own.loc[own["aspect"] == keys.iloc[0], "review_id"].unique())


def clear_pick() -> None:
    """Callback: stop filtering the review table by an aspect."""
    st.session_state[PICK_KEY] = None


def quote_section(ruled: pd.DataFrame, base: pd.DataFrame, table: pd.DataFrame, picked: str | None) -> None:
    """Up to three sentences per aspect (the picked one, else the top ones), aspect words coloured."""
    from core.aspect_report import quotes, term_spans

    rows = table[table["name"] == picked] if picked else table.head(QUOTED_ASPECTS)
    texts = dict(zip(base["review_id"].astype(int), base["text"], strict=True))
    st.markdown(f"**{t('products.aspects.quotes')}**")
    cols = st.columns(max(1, len(rows)))
    for col, row in zip(cols, rows.itertuples(index=False), strict=False):
        with col, st.container(border=True):
            st.markdown(f"**{escape_markdown(row.name)}**")
            for quote in quotes(ruled, texts, row.aspect):
                weight = -1.0 if quote["label"] == "negative" else 1.0
                spans = [Span(a, b, weight) for a, b in term_spans(quote["text"], quote["term"])]
                st.markdown("“" + highlight_markdown(quote["text"], spans) + "”")


def export_frame(ruled: pd.DataFrame, base: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """One row per review–aspect mention of the shown aspects: product, date, stars, aspect, label,
    probabilities, the sentence and the whole review."""
    names = dict(zip(table["aspect"], table["name"], strict=True))
    own = ruled[ruled["aspect"].isin(names)]
    reviews = base.set_index("review_id")
    text = reviews["text"].reindex(own["review_id"]).tolist()
    sentence = [
        r[int(a) : int(b)] if isinstance(r, str) else ""
        for r, a, b in zip(text, own["unit_start"], own["unit_end"], strict=True)
    ]
    return pd.DataFrame(
        {
            "product": own["product"].to_numpy(),
            "review_date": own["review_date"].to_numpy(),
            "rating": reviews["rating"].reindex(own["review_id"]).to_numpy(),
            "aspect": own["aspect"].map(names).to_numpy(),
            "label": own["label"].to_numpy(),
            "negative": own["negative"].to_numpy(),
            "neutral": own["neutral"].to_numpy(),
            "positive": own["positive"].to_numpy(),
            "sentence": sentence,
            "review": text,
        }
    )


def downloads(ruled: pd.DataFrame, base: pd.DataFrame, table: pd.DataFrame) -> None:
    """CSV and XLSX of the mentions (formula-safe writers of :mod:`core.spreadsheet`)."""
    spreadsheet_buttons(
        st.columns([1, 1, 3]),
        lambda: export_frame(ruled, base, table),
        "aspect_mentions",
        "download_aspects",
        (t("products.aspects.download_csv"), t("products.aspects.download_xlsx")),
    )


def _saved(rule_id: int | None = None) -> None:
    log_event("aspect_rule", rule_id=rule_id)


def controls(engine: Any, table: pd.DataFrame) -> None:
    """Rename, merge or hide an aspect; add one by listing its words; undo a saved change."""
    from core.storage.aspects import add_rule, aspect_rules, delete_rule
    from core.storage.importer import current_user

    with st.expander(t("products.aspects.edit"), icon=":material/tune:"):
        names = dict(zip(table["name"], table["aspect"], strict=True))
        if names:
            cols = st.columns([2, 2, 2, 1])
            name = cols[0].selectbox(t("products.aspects.edit.aspect"), list(names), key="aspect_edit_name")
            action = cols[1].selectbox(
                t("products.aspects.edit.action"),
                ("rename", "merge", "hide"),
                format_func=lambda a: t(f"products.aspects.edit.{a}"),
                key="aspect_edit_action",
            )
            value = ""
            if action == "rename":
                value = cols[2].text_input(t("products.aspects.edit.new_name"), key="aspect_edit_value")
            elif action == "merge":
                others = [n for n in names if n != name]
                target = cols[2].selectbox(
                    t("products.aspects.edit.target"), others, key="aspect_edit_target"
                )
                value = names.get(target, "") if target else ""
            if cols[3].button(t("products.aspects.edit.save"), key="aspect_edit_save"):
                try:
                    _saved(add_rule(engine, action, names[name], value, current_user()))
                    st.rerun()
                except ValueError as exc:
                    st.error(str(exc), icon=":material/error:")
        st.markdown(f"**{t('products.aspects.edit.add')}**")
        cols = st.columns([2, 3, 1])
        new_name = cols[0].text_input(t("products.aspects.edit.add_name"), key="aspect_add_name")
        words = cols[1].text_input(t("products.aspects.edit.add_words"), key="aspect_add_words")
        if cols[2].button(t("products.aspects.edit.add_button"), key="aspect_add"):
            try:
                _saved(add_rule(engine, "add", new_name, words, current_user()))
                st.rerun()
            except ValueError as exc:
                st.error(str(exc), icon=":material/error:")
        saved = aspect_rules(engine)
        if not saved.empty:
            st.markdown(f"**{t('products.aspects.edit.rules')}**")
            for rule in saved.itertuples(index=False):
                cols = st.columns([5, 1])
                cols[0].markdown(escape_markdown(f"{rule.action}: {rule.aspect} → {rule.value}"))
                if cols[1].button(t("products.aspects.edit.undo"), key=f"aspect_undo_{rule.id}"):
                    delete_rule(engine, int(rule.id))
                    _saved(int(rule.id))
                    st.rerun()
