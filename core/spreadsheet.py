"""Downloads that are safe to open in a spreadsheet: CSV and xlsx with formula injection defused.

Review text comes from strangers. A cell such as ``=HYPERLINK("http://evil", "click")`` or
``@SUM(1+1)*cmd|' /C calc'!A0`` in an exported CSV becomes a live formula when an analyst opens
the file in Excel or LibreOffice. :func:`safe_cell` prefixes such text with an apostrophe, the
OWASP recommendation, which spreadsheets show as plain text; real numbers are left alone.
"""

from __future__ import annotations

import io
import re

import pandas as pd

# Characters that start a formula (or a DDE command) in Excel, LibreOffice and Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# "-5", "+3.5", "1e-3" as text are numbers, not formulas; prefixing them would break the value.
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> object:
    """The value with a leading apostrophe if it is text a spreadsheet would run as a formula.

    Text starting with = + - @ tab or CR, also after leading spaces or newlines, is prefixed;
    numbers (also numeric strings such as "-5") and everything else are returned unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START):
        if _NUMBER_RE.match(value.strip()):
            return value
        return "'" + value
    return value


def with_extra_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its `extra` column (per review, the imported file's other columns as a dict)
    spread into one column per key, in first-seen order; a key that is already a column name
    (a file column called "label") gets " (file)" appended. No `extra` column: unchanged."""
    if "extra" not in frame.columns:
        return frame
    out = frame.drop(columns=["extra"])
    extras = [value if isinstance(value, dict) else {} for value in frame["extra"]]
    keys = list(dict.fromkeys(key for row in extras for key in row))
    for key in keys:
        name = f"{key} (file)" if key in out.columns else key
        out[name] = pd.Series([row.get(key) for row in extras], index=frame.index, dtype=object)
    return out


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and header passed through :func:`safe_cell` (and the imported
    file's other columns spread out, :func:`with_extra_columns`)."""
    out = with_extra_columns(frame).copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(safe_cell)
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            # Excel has no time zones; store UTC wall time.
            out[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with a BOM (so Excel reads accents right), formulas defused."""
    return _safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_safe_xlsx(frame: pd.DataFrame, sheet_name: str = "reviews") -> bytes:
    """The frame as an xlsx workbook whose text cells are text, never formulas or links."""
    buffer = io.BytesIO()
    # XlsxWriter turns strings starting with "=" into formulas and URLs into links by default.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        _safe_frame(frame).to_excel(writer, sheet_name=sheet_name[:31], index=False)
    return buffer.getvalue()
