"""Column configurations shared by the review tables: the label pill and the probability bars."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.charts import COLORS, LABELS
from dashboard.i18n import label_name, t

# Pill backgrounds: the chart colours, translucent so the label text stays readable.
PILL_COLORS = [COLORS[label] + "40" for label in LABELS]


def as_pills(labels: pd.Series) -> pd.Series:
    """Labels as one-item lists, the cell shape a multiselect (pill) column shows."""
    return labels.map(lambda v: [v] if isinstance(v, str) else [])


def label_pill(lang: str) -> Any:
    """The sentiment as a coloured pill (read-only), named in `lang`."""
    return st.column_config.MultiselectColumn(
        t("col.label"),
        options=list(LABELS),
        color=PILL_COLORS,
        format_func=lambda v: label_name(v, lang),
        width="small",
    )


def probability_columns(lang: str) -> dict[str, Any]:
    """The three class probabilities as bars from 0 to 100 %, in the label colours."""
    return {
        label: st.column_config.ProgressColumn(
            label_name(label, lang), min_value=0.0, max_value=1.0, format="percent", color=COLORS[label]
        )
        for label in LABELS
    }
