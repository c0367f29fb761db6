"""`infer_mapping` and `resolve_column`: which column is the text, product, date, rating..."""

from __future__ import annotations

import pandas as pd
import pytest

from core.ingestion.mapping import ColumnMapping, infer_mapping, normalize_header, resolve_column
from core.ingestion.rows import prepare_rows
from core.ingestion.tables import MissingColumn, ParsedTable, read_table

PROSE = "This kettle boils water quickly and the handle stays cool"


def table(columns: list[str], rows: list[list[str]] | None = None) -> ParsedTable:
    rows = rows or [["x"] * len(columns)]
    return ParsedTable(pd.DataFrame(rows, columns=columns, dtype=object), "utf-8", ",", "csv", None)


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["text"], ColumnMapping(text="text")),
        (["reviewText", "asin", "overall", "unixReviewTime", "reviewerName", "summary"],
         ColumnMapping("reviewText", "asin", "unixReviewTime", "overall", "reviewerName", "summary")),
        (["Review_Body", "Product_ID", "Review_Date", "Star_Rating"],
         ColumnMapping("Review_Body", "Product_ID", "Review_Date", "Star_Rating")),
        (["COMMENT", "ITEM", "TIMESTAMP", "SCORE", "USER"],
         ColumnMapping("COMMENT", "ITEM", "TIMESTAMP", "SCORE", "USER")),
        (["Reseña", "Producto", "Fecha", "Puntuación", "Autor", "Título"],
         ColumnMapping("Reseña", "Producto", "Fecha", "Puntuación", "Autor", "Título")),
        (["opinión", "artículo", "fecha", "valoración"],
         ColumnMapping("opinión", "artículo", "fecha", "valoración")),
        (["comentario", "sku", "calificación", "usuario"],
         ColumnMapping("comentario", "sku", rating="calificación", author="usuario")),
        (["texto", "estrellas"], ColumnMapping("texto", rating="estrellas")),
        (["Commentaire", "Produit", "Note"], ColumnMapping("Commentaire", "Produit", rating="Note")),
        (["Kommentar", "Produkt", "Datum", "Sterne"],
         ColumnMapping("Kommentar", "Produkt", "Datum", "Sterne")),
        (["content", "rating", "review_date", "review_id"],
         ColumnMapping("content", date="review_date", rating="rating")),  # "review_id" is not the text
        (["id", "body", "title", "created_at"], ColumnMapping("body", date="created_at", title="title")),
        # "Review" alone is the text; "Review title" is the title, not a second text.
        (["Review title", "Review"], ColumnMapping("Review", title="Review title")),
        # Only one column per field, and no column twice: the whole-name match wins.
        (["text", "comment"], ColumnMapping("text")),
        (["product rating", "product"], ColumnMapping(None, product="product", rating="product rating")),
    ],
)  # fmt: skip
def test_headers(columns: list[str], expected: ColumnMapping) -> None:
    assert infer_mapping(table(columns)) == expected


def test_text_falls_back_to_the_longest_prose_column() -> None:
    t = table(
        ["id", "col_a", "col_b", "stars"], [["1", "ok", PROSE, "5"], ["2", "fine", PROSE + " again", "4"]]
    )
    assert infer_mapping(t) == ColumnMapping(text="col_b", rating="stars")


def test_no_text_when_nothing_looks_like_prose() -> None:
    t = table(
        ["id", "code", "amount"], [["1", "A-1234-XYZ-000001", "19.99"], ["2", "B-9999-XYZ-000002", "5"]]
    )
    assert infer_mapping(t).text is None


def test_word_match_alone_needs_prose() -> None:
    # "comment code" contains a text synonym, but its cells are codes, not prose.
    t = table(["comment code", "notes"], [["C-1", PROSE], ["C-2", PROSE]])
    assert infer_mapping(t).text == "notes"


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("reviewText", "review text"), ("Puntuación", "puntuacion"), ("PRODUCT_ID", "product id"),
     (" Star-Rating (1-5) ", "star rating 1 5"), ("Título", "titulo")],
)  # fmt: skip
def test_normalize_header(name: str, normalized: str) -> None:
    assert normalize_header(name) == normalized


def test_mapping_columns() -> None:
    assert ColumnMapping("Review", rating="Stars").columns() == {"text": "Review", "rating": "Stars"}


def test_resolve_column_ignores_case_accents_and_separators() -> None:
    t = table(["Reseña del cliente", "Star_Rating"])
    assert resolve_column(t, "Reseña del cliente") == "Reseña del cliente"
    assert resolve_column(t, "resena-del-cliente") == "Reseña del cliente"
    assert resolve_column(t, "star rating") == "Star_Rating"
    with pytest.raises(MissingColumn) as caught:
        resolve_column(t, "comments")
    assert str(caught.value) == "Column 'comments' not found: columns are Reseña del cliente, Star_Rating."


def test_prepare_rows_rejects_a_mapping_to_a_missing_column() -> None:
    t = read_table(b"text,stars\nfine,4\n")
    with pytest.raises(MissingColumn) as caught:
        prepare_rows(t, ColumnMapping(text="text", rating="Stars"))
    assert str(caught.value) == "The rating column 'Stars' is not in the file: columns are text, stars."


def test_user_mapping_overrides_inference() -> None:
    t = read_table(b"title,notes,score\nGreat,Works well every morning,9\n")
    prepared = prepare_rows(t, ColumnMapping(text="notes", title="title", rating="score"))
    row = prepared.rows[0]
    assert (row.text, row.title, row.rating_raw) == ("Works well every morning", "Great", "9")
    assert row.rating == pytest.approx(8 / 9)  # 9 on a 1-10 scale
