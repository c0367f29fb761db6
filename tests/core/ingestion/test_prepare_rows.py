"""`prepare_rows` on small in-memory tables, and the invariant that no row is ever lost."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ingestion.mapping import ColumnMapping, infer_mapping
from core.ingestion.rows import EMPTY_TEXT, NO_WORDS, prepare_rows
from core.ingestion.tables import ParsedTable, read_table


def prepared_from(data: bytes, **kwargs: object):
    table = read_table(io.BytesIO(data))
    return prepare_rows(table, infer_mapping(table), **kwargs)


@pytest.mark.parametrize(
    ("text_cell", "reason"),
    [
        ("", EMPTY_TEXT),
        ("   ", EMPTY_TEXT),
        ("N/A", EMPTY_TEXT),
        ("null", EMPTY_TEXT),
        ("#N/A", EMPTY_TEXT),
        ("-", EMPTY_TEXT),
        ("<p></p>", EMPTY_TEXT),
        ("&nbsp;", EMPTY_TEXT),
        ("12345", NO_WORDS),
        ("4.5", NO_WORDS),
        ("!!!", NO_WORDS),
        ("10/10", NO_WORDS),
    ],
)
def test_rejected_text(text_cell: str, reason: str) -> None:
    prepared = prepared_from(f'text,product\n"{text_cell}",P\nfine,P\n'.encode())
    assert [(r.row_number, r.reason) for r in prepared.rejected] == [(2, reason)]
    assert prepared.rejected[0].values == {"text": text_cell, "product": "P"}
    assert [r.text for r in prepared.rows] == ["fine"]


@pytest.mark.parametrize("text_cell", ["ok", "👍", "★★★★★", "Nope", "10/10 would buy", "None of it worked"])
def test_short_but_real_text_is_kept(text_cell: str) -> None:
    prepared = prepared_from(f"text\n{text_cell}\n".encode())
    assert [r.text for r in prepared.rows] == [text_cell]


def test_product_and_author_are_cleaned_and_capped() -> None:
    data = f"text,product,author\ngood,  <b>Acme</b>  Blender ,{'X' * 300}\nbad,,\n".encode()
    prepared = prepared_from(data)
    assert [(r.product, r.author) for r in prepared.rows] == [
        ("Acme Blender", "X" * 200),
        ("Unassigned", None),
    ]


def test_rejected_values_are_cut_for_the_report() -> None:
    prepared = prepared_from(("text,notes\n," + "n" * 5000 + "\n").encode())
    assert prepared.rejected[0].values == {"text": "", "notes": "n" * 1000}


def test_xlsx_style_cells() -> None:
    """Numbers and datetimes, as read from an xlsx, in every column."""
    frame = pd.DataFrame(
        {
            "text": ["Great", 12345, 3.0],
            "product": [12345.0, "Acme", ""],
            "date": [pd.Timestamp("2024-03-12 10:00"), 45366, ""],
            "rating": [5, 4.5, ""],
        },
        dtype=object,
    )
    table = ParsedTable(frame, None, None, "xlsx", "x.xlsx")
    prepared = prepare_rows(table, infer_mapping(table))
    row = prepared.rows[0]
    assert (row.text, row.product, row.rating, row.rating_raw) == ("Great", "12345", 1.0, "5")
    assert row.review_date == pd.Timestamp("2024-03-12 10:00").to_pydatetime()
    assert [(r.row_number, r.reason) for r in prepared.rejected] == [(3, NO_WORDS), (4, NO_WORDS)]


def test_explicit_dayfirst_applies_only_when_the_column_does_not_tell() -> None:
    ambiguous = b"text,date\na,01/02/2024\n"
    assert prepared_from(ambiguous).rows[0].review_date.month == 1
    assert prepared_from(ambiguous, dayfirst=True).rows[0].review_date.month == 2
    month_first = b"text,date\na,01/02/2024\nb,12/25/2024\n"
    prepared = prepared_from(month_first, dayfirst=True)
    assert prepared.dayfirst is False
    assert prepared.rows[0].review_date.month == 1


cells = st.one_of(
    st.sampled_from(["", " ", "NA", "12345", "good", "★★★", "2024-01-01", "31/31/2024", "4/5", "9/5", "x"]),
    st.text(max_size=12),
)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=30))
def test_every_row_is_stored_or_rejected_exactly_once(rows: list[tuple[str, str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["text", "date", "rating"], dtype=object)
    table = ParsedTable(frame, "utf-8", ",", "csv", None)
    prepared = prepare_rows(table, ColumnMapping(text="text", date="date", rating="rating"))
    numbers = sorted([r.row_number for r in prepared.rows] + [r.row_number for r in prepared.rejected])
    assert numbers == list(range(2, len(rows) + 2))
    assert prepared.rows_read == len(rows)
    stored = {r.row_number for r in prepared.rows}
    assert {w.row_number for w in prepared.warnings} <= stored
    for row in prepared.rows:
        assert row.text.strip() == row.text and row.text
        assert row.rating is None or 0 <= row.rating <= 1


def test_other_columns_are_kept_cleaned_cut_and_capped() -> None:
    from core.ingestion.rows import EXTRA_MAX_COLUMNS, EXTRA_VALUE_MAX

    many = ",".join(f"c{i}" for i in range(30))
    csv = (
        f"review,rating,Helpful Votes,Region,score,comment 2,{many}\n"
        f"Works well for me,5,12,<b>EU</b>,4.5,{'x' * 250},{','.join('v' for _ in range(30))}\n"
        f"Broke after a week,1,N/A,{'r' * 150},7,short,{','.join('w' for _ in range(30))}\n"
    )
    table = read_table(csv.encode(), "extra.csv")
    prepared = prepare_rows(table, infer_mapping(table))
    first, second = (row.extra or {} for row in prepared.rows)
    assert len(first) == EXTRA_MAX_COLUMNS and "comment 2" not in first  # prose column left out
    assert first["Helpful Votes"] == 12 and first["score"] == 4.5 and first["Region"] == "EU"
    assert "Helpful Votes" not in second  # N/A is no value
    assert second["Region"] == "r" * EXTRA_VALUE_MAX
    assert list(first)[:4] == ["Helpful Votes", "Region", "score", "c0"]
