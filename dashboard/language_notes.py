"""Reviews in a language the active model does not read: the `note` the review exports carry.

The language is detected per review at import (``reviews.language``, :mod:`core.nlp.language`); a
review in another language than the model's is labelled as such rather than silently trusted.
"""

from __future__ import annotations

import pandas as pd

from core.nlp.language import UNKNOWN
from dashboard.i18n import current_language, translate


def language_name(language: str, lang: str) -> str:
    """ "Spanish" / "español" for a detected language key."""
    return translate(f"language.name.{language}", lang) if language != UNKNOWN else language


def with_reading_notes(frame: pd.DataFrame, model_language: str) -> pd.DataFrame:
    """`frame` with `language` filled and a `note` column: for each review in a language other than
    `model_language`, "Spanish: the active model reads English; adapt it on rated Spanish reviews"."""
    lang = current_language()
    out = frame.copy()
    languages = out["language"] if "language" in out.columns else pd.Series(UNKNOWN, index=out.index)
    out["language"] = languages.fillna(UNKNOWN)
    model = language_name(model_language, lang)
    notes = {
        code: translate("language.note", lang, name=language_name(code, lang), model=model)
        for code in out["language"].unique()
        if code not in (UNKNOWN, model_language)
    }
    out["note"] = out["language"].map(notes).fillna("")
    return out
