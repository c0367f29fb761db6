"""Parsed tables to review rows: clean every row, parse its date and rating, say why any is left out.

The flow is ``read_table`` → ``infer_mapping`` (the caller may override any column) →
``prepare_rows``, which returns the rows to store plus every row it could not use, each with a
reason. Nothing is dropped silently:

* ``rejected`` rows are not stored: "empty text", "text has no words".
* ``warnings`` rows are stored without one value: "unparseable date (stored without date)",
  "unparseable rating (stored without rating)", "rating out of range (stored without rating)".

The table comes from :func:`core.ingestion.tables.read_table` and the mapping from
:func:`core.ingestion.mapping.infer_mapping`; `python -m core.ingest FILE` (:mod:`core.cli.ingest`)
runs the whole flow and stores the rows.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeAlias, TypeVar

import pandas as pd

from core.ingestion.mapping import ColumnMapping
from core.ingestion.parsing import (
    Rating,
    detect_dayfirst,
    explicit_scale,
    parse_date_column,
    parse_rating_column,
    plain_number,
)
from core.ingestion.tables import (
    MissingColumn,
    NoTextColumn,
    ParsedTable,
    column_list,
    quoted,
)
from core.nlp.text import clean_text

# Reasons, exactly as counted and shown. Rejected rows are not stored:
EMPTY_TEXT = "empty text"  # blank, only HTML tags, or a placeholder such as "N/A"
NO_WORDS = "text has no words"  # only digits and punctuation ("12345", "----")
# Warned rows are stored without the value:
UNPARSEABLE_DATE = "unparseable date (stored without date)"
UNPARSEABLE_RATING = "unparseable rating (stored without rating)"
RATING_OUT_OF_RANGE = "rating out of range (stored without rating)"

# Cells that mean "no review" in exports from spreadsheets and databases.
_PLACEHOLDERS = frozenset({"na", "n/a", "n.a.", "nan", "null", "none", "nil", "#n/a", "-", "--", "?", "."})
_PRODUCT_MAX = 200  # product names are labels in charts and filters, not prose
_AUTHOR_MAX = 200
_LETTER_RE = re.compile(r"[^\W\d_]")
_T = TypeVar("_T")
_VALUE_MAX = 1000  # rejected rows keep their cells for the report, each cut to this length
# The file's other columns (verified purchase, helpful votes, channel, region...) kept per review:
EXTRA_MAX_COLUMNS = 20  # the first 20 usable ones, in file order
EXTRA_VALUE_MAX = 100  # a label or a count, not prose: longer values are cut
EXTRA_FREE_TEXT = 200  # a column with a cell longer than this is prose (a second comment): left out
_EXTRA_NAME_MAX = 60
# "12", "-3", "4.5" are numbers; "007" (an identifier), "1e5" and 16+ digit ids stay text
_NUMBER_TEXT_RE = re.compile(r"^[+-]?(0|[1-9]\d{0,14})(\.\d+)?$")
ExtraValue: TypeAlias = str | int | float


@dataclass
class ReviewRow:
    """One review ready to store: cleaned text, its product, and the optional parsed fields."""

    text: str
    product: str
    review_date: datetime | None = None  # naive UTC
    rating: float | None = None  # 0–1 = (value - worst) / (best - worst)
    rating_raw: str | None = None
    author: str | None = None
    title: str | None = None
    source_url: str | None = None
    # the file's other columns (verified purchase, helpful votes, channel...): see extra_values
    extra: dict[str, ExtraValue] | None = None
    # Row in the sheet: the header is row 1, the first review row 2 (blank CSV lines not counted).
    row_number: int | None = None


@dataclass
class RejectedRow:
    """A row not stored (or stored without a value, in `PreparedRows.warnings`) and why."""

    row_number: int
    reason: str
    values: dict[str, object]


@dataclass
class PreparedRows:
    """The outcome of :func:`prepare_rows`: every row read is in `rows` or `rejected`, once."""

    rows: list[ReviewRow]
    rejected: list[RejectedRow]
    rows_read: int
    warnings: list[RejectedRow] = field(default_factory=list)  # stored rows that lost a value
    mapping: ColumnMapping | None = None
    dayfirst: bool = False  # the day order used for nn/nn/yyyy dates

    def reject_counts(self) -> dict[str, int]:
        """Rows not stored, by reason, most frequent first."""
        return dict(Counter(r.reason for r in self.rejected).most_common())

    def warning_counts(self) -> dict[str, int]:
        """Rows stored without a date or rating, by reason, most frequent first."""
        return dict(Counter(r.reason for r in self.warnings).most_common())


# ----------------------------------------------------------------------------------------------
# Rows


def _cell_text(value: object) -> str:
    """A cell as text: "" for empty, integers without ".0" (xlsx stores 12345 as 12345.0)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def _has_words(text: str) -> bool:
    """Letters or emoji: a review can be "👍" but not "12345"."""
    if _LETTER_RE.search(text):
        return True
    return any(unicodedata.category(c) == "So" for c in text)


def _cached_map(values: list[object], function: Callable[[object], _T]) -> list[_T]:
    """`[function(v) for v in values]`, computing each distinct value once (products, authors and
    ratings repeat a lot in a 100k-row file)."""
    cache: dict[tuple[type, object], _T] = {}
    out: list[_T] = []
    append = out.append
    for value in values:
        key = (type(value), value)
        try:
            append(cache[key])
        except KeyError:
            result = cache[key] = function(value)
            append(result)
        except TypeError:  # unhashable cell (never from pandas, but be safe)
            append(function(value))
    return out


def _short(value: object) -> object:
    return value[:_VALUE_MAX] if isinstance(value, str) else value


def _row_values(cells: dict[str, list[object]], index: int) -> dict[str, object]:
    return {column: _short(values[index]) for column, values in cells.items()}


def _optional_text(value: object, limit: int | None = None) -> str | None:
    text = clean_text(_cell_text(value))
    if not text or text.lower() in _PLACEHOLDERS:
        return None
    return text[:limit] if limit else text


def _rating_raw(value: object) -> str | None:
    return _cell_text(value).strip()[:_VALUE_MAX] or None


def _rating_problem(raw: str) -> str:
    """Why a non-empty rating cell gave no rating: a number outside its scale, or not a rating."""
    is_number = explicit_scale(raw) is not None or plain_number(raw) is not None
    return RATING_OUT_OF_RANGE if is_number else UNPARSEABLE_RATING


def _check_mapping(table: ParsedTable, mapping: ColumnMapping) -> None:
    if mapping.text is None:
        columns = column_list(list(table.frame.columns))
        raise NoTextColumn(
            f"No text column found: columns are {columns}. Choose the column with the review text."
        )
    for role, column in mapping.columns().items():
        if column not in table.frame.columns:
            columns = column_list(list(table.frame.columns))
            raise MissingColumn(
                f"The {role} column {quoted(repr(column))} is not in the file: columns are {columns}."
            )


def _extra_cell(value: object) -> ExtraValue | None:
    """One cell of an extra column: a number (xlsx numbers, or text such as "12" or "4.5"), cleaned
    text, or None when empty or a placeholder such as "N/A"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)
    if isinstance(value, datetime | date):
        return None if pd.isna(value) else value.isoformat()
    text = _optional_text(value)
    if text is None:
        return None
    if _NUMBER_TEXT_RE.match(text):
        number = float(text)
        return int(number) if "." not in text else number
    return text


def extra_columns(columns: list[object], mapping: ColumnMapping) -> dict[object, str]:
    """{column: key} for the columns not mapped to a review field, keys the cleaned header names."""
    mapped = set(mapping.columns().values())
    out: dict[object, str] = {}
    for column in columns:
        key = clean_text(str(column))[:_EXTRA_NAME_MAX]
        if column not in mapped and key and key not in out.values():
            out[column] = key
    return out


def extra_values(frame: pd.DataFrame, mapping: ColumnMapping) -> list[dict[str, ExtraValue] | None]:
    """Per row, the file's other columns as {cleaned header: value} (None when the row has none).

    At most `EXTRA_MAX_COLUMNS` columns are kept, skipping empty ones and prose (any cell longer
    than `EXTRA_FREE_TEXT` characters). A column whose every value is a number keeps numbers (so it
    can be filtered by range); otherwise every value is text, cut to `EXTRA_VALUE_MAX` characters.
    """
    out: list[dict[str, ExtraValue]] = [{} for _ in range(len(frame))]
    kept = 0
    for column, key in extra_columns(list(frame.columns), mapping).items():
        if kept == EXTRA_MAX_COLUMNS:
            break
        values = _cached_map(frame[column].tolist(), _extra_cell)
        present = [v for v in values if v is not None]
        if not present or any(isinstance(v, str) and len(v) > EXTRA_FREE_TEXT for v in present):
            continue
        numeric = not any(isinstance(v, str) for v in present)
        kept += 1
        for row, value in zip(out, values, strict=True):
            if value is not None:
                row[key] = value if numeric else _cell_text(value)[:EXTRA_VALUE_MAX]
    return [row or None for row in out]


def prepare_rows(
    table: ParsedTable,
    mapping: ColumnMapping,
    *,
    default_product: str = "Unassigned",
    dayfirst: bool = False,
) -> PreparedRows:
    """Turn a table into review rows: text cleaned with `clean_text`, dates and ratings parsed.

    :param mapping: which column holds what; see :func:`infer_mapping`.
    :param default_product: the product of rows with no product column or an empty product cell.
    :param dayfirst: read ``nn/nn/yyyy`` as day first. A date column whose values prove the order
        (a first part above 12, and no second part above 12, or the other way round) uses that
        order instead.
    :raises NoTextColumn: `mapping.text` is None.
    :raises MissingColumn: a mapped column is not in the table.
    """
    _check_mapping(table, mapping)
    frame = table.frame
    n = len(frame)
    default_product = clean_text(default_product)[:_PRODUCT_MAX] or "Unassigned"

    def column(name: str | None) -> list[object]:
        return frame[name].tolist() if name is not None else [None] * n

    texts = column(mapping.text)
    products = _cached_map(column(mapping.product), lambda v: _optional_text(v, _PRODUCT_MAX))
    authors = _cached_map(column(mapping.author), lambda v: _optional_text(v, _AUTHOR_MAX))
    titles = _cached_map(column(mapping.title), _optional_text)
    dates: list[datetime | None] = [None] * n
    date_cells = column(mapping.date)
    if mapping.date is not None:
        detected = detect_dayfirst(set(v for v in date_cells if isinstance(v, str)))
        dayfirst = dayfirst if detected is None else detected
        dates = parse_date_column(date_cells, dayfirst)
    ratings: list[Rating | None] = [None] * n
    raw_ratings: list[str | None] = [None] * n
    if mapping.rating is not None:
        rating_cells = column(mapping.rating)
        ratings = parse_rating_column(rating_cells)
        raw_ratings = _cached_map(rating_cells, _rating_raw)

    extras = extra_values(frame, mapping)
    cells = {str(c): frame[c].tolist() for c in frame.columns}  # for the report of unusable rows
    rows: list[ReviewRow] = []
    rejected: list[RejectedRow] = []
    warnings: list[RejectedRow] = []
    for i in range(n):
        row_number = i + 2
        raw_text = texts[i]
        text = clean_text(raw_text if type(raw_text) is str else _cell_text(raw_text))
        if not text or (len(text) < 6 and text.lower() in _PLACEHOLDERS):
            rejected.append(RejectedRow(row_number, EMPTY_TEXT, _row_values(cells, i)))
            continue
        if not _has_words(text):
            rejected.append(RejectedRow(row_number, NO_WORDS, _row_values(cells, i)))
            continue
        review_date = dates[i]
        if review_date is None and mapping.date is not None and _cell_text(date_cells[i]).strip():
            warnings.append(RejectedRow(row_number, UNPARSEABLE_DATE, _row_values(cells, i)))
        rating = ratings[i]
        raw_rating = raw_ratings[i]
        if rating is None and raw_rating:
            warnings.append(RejectedRow(row_number, _rating_problem(raw_rating), _row_values(cells, i)))
        rows.append(
            ReviewRow(
                text=text,
                product=products[i] or default_product,
                review_date=review_date,
                rating=rating.normalized if rating is not None else None,
                rating_raw=raw_rating,
                author=authors[i],
                title=titles[i],
                extra=extras[i],
                row_number=row_number,
            )
        )
    return PreparedRows(
        rows=rows, rejected=rejected, rows_read=n, warnings=warnings, mapping=mapping, dayfirst=dayfirst
    )
