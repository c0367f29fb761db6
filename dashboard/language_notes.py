"""Reviews in a language the active model does not read: one note, shown wherever a label is.

The language is detected per review at import (``reviews.language``, :mod:`core.nlp.language`) and
for pasted text on the Analyze page; a text in another language than the model's is labelled
"Spanish: the active model reads English; adapt it on rated Spanish reviews" (:func:`reading_note`)
in the review table, the review exports, the per-product count on the Products page and on Analyze,
rather than silently trusted.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.nlp.language import UNKNOWN
from dashboard import state
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, t, translate

MODEL_PAGE = "views/model.py"  # where adapting is


def language_name(language: str, lang: str) -> str:
    """ "Spanish" / "español" for a detected language key."""
    return translate(f"language.name.{language}", lang) if language != UNKNOWN else language


def reading_note(language: str | None, model_language: str, lang: str) -> str:
    """The note for a text in `language` read by a model of `model_language`, in the UI language
    `lang`: "Spanish: the active model reads English; adapt it on rated Spanish reviews", or "" when
    the model reads that language or it is unknown."""
    if not language or language in (UNKNOWN, model_language):
        return ""
    name = language_name(language, lang)
    note = translate("language.note", lang, name=name, model=language_name(model_language, lang))
    return note[:1].upper() + note[1:]


def model_language() -> str | None:
    """The language the active model reads, or None when no model loads (pages say so elsewhere)."""
    return None if state.model_problem() else state.predictor().language


def with_reading_notes(frame: pd.DataFrame, model_language: str) -> pd.DataFrame:
    """`frame` with `language` filled and a `note` column (:func:`reading_note`, "" for reviews the
    model reads)."""
    lang = current_language()
    out = frame.copy()
    languages = out["language"] if "language" in out.columns else pd.Series(UNKNOWN, index=out.index)
    out["language"] = languages.fillna(UNKNOWN)
    notes = {code: reading_note(code, model_language, lang) for code in out["language"].unique()}
    out["note"] = out["language"].map(notes).fillna("")
    return out


def with_table_notes(view: pd.DataFrame) -> pd.DataFrame:
    """A review table's rows with a `note` column when any of them needs one (else unchanged)."""
    model = model_language()
    if model is None:
        return view
    noted = with_reading_notes(view, model)
    return noted if noted["note"].astype(bool).any() else view


def other_language_counts(frame: pd.DataFrame, products: list[str]) -> None:
    """Per product, how many of its (filtered) reviews are in a language the model does not read,
    with the note and a link to the Model page where it can be adapted."""
    model = model_language()
    if model is None or "language" not in frame.columns:
        return
    lang = current_language()
    shown = False
    for product in products:
        part = frame.loc[frame["product"] == product, "language"]
        for code, n in part.value_counts().items():
            note = reading_note(str(code), model, lang)
            if note:
                st.caption(
                    t(
                        "language.count",
                        n=int(n),
                        total=len(part),
                        product=escape_markdown(product),
                        note=note,
                    )
                )
                shown = True
    if shown:
        st.page_link(MODEL_PAGE, label=t("language.adapt_link"), icon=":material/model_training:")
