"""The nasty fixture files end to end: exactly which rows come out, with which values, and which
rows are rejected or stored without a value, and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core.ingestion.mapping import ColumnMapping, infer_mapping
from core.ingestion.rows import (
    EMPTY_TEXT,
    NO_WORDS,
    RATING_OUT_OF_RANGE,
    UNPARSEABLE_DATE,
    UNPARSEABLE_RATING,
    PreparedRows,
    prepare_rows,
)
from core.ingestion.tables import (
    EmptyFile,
    IngestError,
    NotATable,
    NoTextColumn,
    UnreadableFile,
    read_table,
)
from tests.core.ingestion.make_fixtures import LONG_REVIEW

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def prepare(name: str, **kwargs: object) -> PreparedRows:
    table = read_table(FIXTURES / name)
    return prepare_rows(table, infer_mapping(table), **kwargs)


def texts(prepared: PreparedRows) -> list[str]:
    return [row.text for row in prepared.rows]


def reasons(rows: list) -> list[tuple[int, str]]:
    return [(row.row_number, row.reason) for row in rows]


def test_fixtures_match_their_generator(tmp_path: Path) -> None:
    """The committed bytes are what make_fixtures.py writes (so the tests document real files)."""
    from tests.core.ingestion.make_fixtures import _xlsx, fixtures

    for name, data in fixtures().items():
        assert (FIXTURES / name).read_bytes() == data, name
    _xlsx(tmp_path / "excel_export.xlsx")
    assert (tmp_path / "excel_export.xlsx").read_bytes() == (FIXTURES / "excel_export.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "expected_texts"),
    [
        ("utf8_comma.csv", "utf-8", ",", ["Café excelente, muy rico", "Me encantó 😍", "Terrible"]),
        ("utf8_bom_semicolon.csv", "utf-8-sig", ";", ["Good value", "Too slow"]),
        ("utf16le_tab.tsv", "utf-16-le", "\t", ["Niño feliz ☺", "Roto"]),
        ("utf16be_comma.csv", "utf-16-be", ",", ["Solid build", "Flimsy"]),
        ("cp1252_semicolon.csv", "cp1252", ";", ["“Buenísimo” por 20 €", "No me gustó nada"]),
        # latin-1 and cp1252 agree on every printable character; the detector reports cp1252.
        ("latin1_pipe.csv", "cp1252", "|", ["Muy cómodo, señor", "La peor compra del año"]),
    ],
)
def test_each_encoding_and_delimiter(
    name: str, encoding: str, delimiter: str, expected_texts: list[str]
) -> None:
    table = read_table(FIXTURES / name)
    assert (table.kind, table.encoding, table.delimiter, table.filename) == ("csv", encoding, delimiter, name)
    prepared = prepare_rows(table, infer_mapping(table))
    assert texts(prepared) == expected_texts
    assert prepared.rejected == [] and prepared.warnings == []


def test_utf8_dates_with_offsets_become_naive_utc() -> None:
    prepared = prepare("utf8_comma.csv")
    assert [r.review_date for r in prepared.rows] == [
        datetime(2024, 3, 12),
        datetime(2024, 3, 13, 10, 20, 30),
        datetime(2024, 3, 14, 6, 0),  # 08:00 at +02:00
    ]
    assert [(r.rating, r.rating_raw) for r in prepared.rows] == [(1.0, "5"), (0.75, "4"), (0.0, "1")]
    assert {r.product for r in prepared.rows} == {"Coffee Maker"}


def test_decimal_comma_ratings() -> None:
    prepared = prepare("utf8_bom_semicolon.csv")
    assert [(r.rating, r.rating_raw) for r in prepared.rows] == [(0.875, "4,5"), (0.25, "2,0")]


def test_quoted_newlines_delimiters_and_quotes() -> None:
    prepared = prepare("quoted_newlines.csv")
    # clean_text folds the newlines into spaces; nothing is split into extra rows.
    assert texts(prepared) == ["First line second line, with a comma", 'She said "wow", then left', "plain"]
    assert [r.row_number for r in prepared.rows] == [2, 3, 4]


def test_formula_looking_cells_are_stored_as_text() -> None:
    prepared = prepare("formulas.csv")
    assert texts(prepared) == [
        '=HYPERLINK("http://evil.example","click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3 great sofa",
        "@SUM(1+1) comfy",
    ]


def test_ten_thousand_character_review_is_kept_whole() -> None:
    prepared = prepare("long_review.csv")
    assert len(LONG_REVIEW) == 10_000
    assert texts(prepared) == [LONG_REVIEW.strip(), "short one"]


def test_emoji_and_html() -> None:
    prepared = prepare("emoji_html.csv")
    assert texts(prepared) == ["Great phone & case", "🔥🔥🔥", "alert(1)"]
    assert reasons(prepared.rejected) == [(5, EMPTY_TEXT)]  # "<br><br>" is no text
    assert prepared.rejected[0].values == {"text": "<br><br>", "product": "Phone"}


def test_missing_values() -> None:
    prepared = prepare("missing_values.csv")
    assert [(r.row_number, r.text, r.product, r.review_date, r.rating, r.author) for r in prepared.rows] == [
        (2, "Nice", "Unassigned", datetime(2024, 1, 5), None, None),
        (7, "Good chair", "Chair", None, 1.0, None),  # author "NA" is a placeholder
    ]
    assert reasons(prepared.rejected) == [(3, EMPTY_TEXT), (4, EMPTY_TEXT), (5, EMPTY_TEXT), (6, NO_WORDS)]
    assert prepared.reject_counts() == {EMPTY_TEXT: 3, NO_WORDS: 1}
    assert prepared.warnings == []  # empty dates and ratings are missing, not unparseable
    assert prepared.rows_read == 6


def test_default_product_names_rows_without_one() -> None:
    prepared = prepare("missing_values.csv", default_product="  Office chairs ")
    assert [r.product for r in prepared.rows] == ["Office chairs", "Chair"]


def test_duplicate_rows_are_all_prepared_for_the_store_to_dedupe() -> None:
    prepared = prepare("duplicates.csv")
    assert [(r.text, r.product) for r in prepared.rows] == [
        ("Same review", "Desk"),
        ("Same review", "Desk"),
        ("Same review", "Other desk"),
        ("Different", "Desk"),
    ]


def test_unparseable_dates_and_ratings_are_stored_without_them_and_counted() -> None:
    prepared = prepare("bad_dates.csv")
    assert [(r.text, r.review_date, r.rating, r.rating_raw) for r in prepared.rows] == [
        ("ok date", datetime(2024, 12, 25), 0.75, "4"),
        ("day first proved by the row above", datetime(2024, 1, 3), 1.0, "5 out of 5"),
        ("not a date", None, 0.5, "3"),
        ("impossible date", None, 0.25, "2"),
        ("bad rating", datetime(2024, 1, 1), None, "excellent"),
        ("too high", datetime(2024, 1, 2), None, "7/5"),
    ]
    assert prepared.dayfirst is True  # 25/12/2024 proves the order
    assert prepared.rejected == []
    assert reasons(prepared.warnings) == [
        (4, UNPARSEABLE_DATE),
        (5, UNPARSEABLE_DATE),
        (6, UNPARSEABLE_RATING),
        (7, RATING_OUT_OF_RANGE),
    ]
    assert prepared.warning_counts() == {UNPARSEABLE_DATE: 2, UNPARSEABLE_RATING: 1, RATING_OUT_OF_RANGE: 1}
    assert prepared.warnings[0].values == {"text": "not a date", "date": "yesterday", "rating": "3"}


def test_spanish_headers_dates_and_ratings() -> None:
    table = read_table(FIXTURES / "spanish_headers.csv")
    mapping = infer_mapping(table)
    assert mapping == ColumnMapping(
        text="Reseña", product="Producto", date="Fecha", rating="Puntuación", author="Usuario", title="Título"
    )
    prepared = prepare_rows(table, mapping)
    assert [(r.text, r.title, r.author, r.review_date, r.rating, r.rating_raw) for r in prepared.rows] == [
        ("Me encanta, funciona perfecto", "Genial", "lucía", datetime(2024, 3, 12), 1.0, "5 estrellas"),
        ("Dejó de funcionar", "Mal", "pedro", datetime(2024, 3, 13), 0.0, "★☆☆☆☆"),
    ]


def test_xlsx_export() -> None:
    table = read_table(FIXTURES / "excel_export.xlsx")
    assert (table.kind, table.encoding, table.delimiter) == ("xlsx", None, None)
    prepared = prepare_rows(table, infer_mapping(table))
    assert [
        (r.row_number, r.text, r.product, r.review_date, r.rating, r.rating_raw, r.author)
        for r in prepared.rows
    ] == [
        (2, "Works great, very quiet", "Acme Blender", datetime(2024, 3, 12, 9, 30), 1.0, "5", "ana"),
        (
            3,
            '=HYPERLINK("http://evil.example","click")',
            "Acme Blender",
            datetime(2024, 3, 13),
            0.0,
            "1",
            "eve",
        ),
        (4, "Broke after a week", "Acme Toaster", datetime(2024, 3, 14), 0.25, "2", None),
        # a numeric SKU is text without ".0"; 45366 in a date column is an Excel serial day
        (6, "Decent for the price", "12345", datetime(2024, 3, 15), 0.875, "4.5", "carl"),
    ]
    assert reasons(prepared.rejected) == [(5, EMPTY_TEXT)]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("empty.csv", EmptyFile, "The file is empty."),
        ("header_only.csv", EmptyFile, "The file has a header row but no data rows."),
        ("screenshot.png", NotATable, "The file is a PNG image, not a table; upload a CSV or xlsx file."),
        (
            "ragged.csv",
            UnreadableFile,
            "Row 3 has 3 fields but the header has 2; "
            'put text that contains a comma in double quotes ("...").',
        ),
    ],
)
def test_unreadable_fixtures(name: str, error: type[IngestError], message: str) -> None:
    with pytest.raises(error) as caught:
        read_table(FIXTURES / name)
    assert str(caught.value) == message


def test_no_text_column() -> None:
    table = read_table(FIXTURES / "no_text_column.csv")
    mapping = infer_mapping(table)
    assert mapping.text is None
    with pytest.raises(NoTextColumn) as caught:
        prepare_rows(table, mapping)
    assert str(caught.value) == (
        "No text column found: columns are id, price, qty. Choose the column with the review text."
    )
