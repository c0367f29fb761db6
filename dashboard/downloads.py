"""The CSV + Excel download pair every table offers (formula-safe writers of :mod:`core.spreadsheet`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
from streamlit.delta_generator import DeltaGenerator

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_buttons(
    cols: Sequence[DeltaGenerator],
    build: Callable[[], pd.DataFrame],
    stem: str,
    key: str,
    labels: tuple[str, str],
) -> None:
    """A CSV button in `cols[0]` and an XLSX one in `cols[1]`, both built from `build()` only when
    clicked; files `<stem>.csv` / `<stem>.xlsx`, widget keys `<key>_csv` / `<key>_xlsx`."""
    from core.spreadsheet import to_safe_csv, to_safe_xlsx

    cols[0].download_button(
        labels[0],
        data=lambda: to_safe_csv(build()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        labels[1],
        data=lambda: to_safe_xlsx(build()),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/table:",
    )
