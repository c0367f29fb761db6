"""Files that used to be stored wrong without a word: Excel's `sep=` line, a NUL byte past the first
8 KB, rows in two encodings. Each is now read right, and any repair is said in the summary."""

from __future__ import annotations

from pathlib import Path

from core.ingestion.tables import read_table
from tests.faults.conftest import run_ingest


def test_excel_sep_line_names_the_delimiter_and_is_not_a_row() -> None:
    table = read_table(b"sep=;\r\ntext;rating\r\nGreat, really;5\r\nBad, sadly;1\r\n", "excel.csv")
    assert table.delimiter == ";"
    assert table.frame.to_dict("list") == {"text": ["Great, really", "Bad, sadly"], "rating": ["5", "1"]}


def test_a_nul_byte_after_8_kb_no_longer_cuts_the_cell() -> None:
    padding = b"".join(b"padding review number %d,4\n" % i for i in range(600))
    table = read_table(b"text,rating\n" + padding + b"Cut here\x00 and the rest,5\n", "nul.csv")
    assert table.frame.iloc[-1].tolist() == ["Cut here and the rest", "5"]
    assert table.notes == ["Removed NUL bytes (binary zeros) from line 602."]


MIXED = (
    "product,text\nCafé Ñandú,Muy bueno el café\n".encode()
    + "Café Ñandú,Está roto\n".encode("cp1252")
    + 'Café Ñandú,"Genial, sin quejas"\n'.encode()
    + "Café Ñandú,Llegó tarde\n".encode("cp1252")
)


def test_utf8_and_cp1252_rows_are_decoded_line_by_line_without_mojibake() -> None:
    table = read_table(MIXED, "mixed.csv")
    assert set(table.frame["product"]) == {"Café Ñandú"}
    assert table.frame["text"].tolist() == [
        "Muy bueno el café",
        "Está roto",
        "Genial, sin quejas",
        "Llegó tarde",
    ]
    assert "Ã" not in "".join(table.frame["text"])
    assert table.encoding == "utf-8 (some lines cp1252)"
    assert table.notes == ["Lines 3, 5 are not UTF-8, read as cp1252 (Windows); check them."]


def test_the_cli_summary_says_which_lines_were_repaired(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    result = run_ingest(path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Read 4 rows: stored 4 new reviews")
    assert result.stdout.rstrip().endswith(
        "s. Lines 3, 5 are not UTF-8, read as cp1252 (Windows); check them."
    )
